//! The binary under the Lambda runtime, fed real API Gateway v2 events.

use provrum_tests::lambda::{http_event, invoke, response, seeded_db};

#[tokio::test]
async fn answers_api_gateway_events_under_the_lambda_runtime() {
    let (_dir, db, kansli) = seeded_db().await;
    let binary = std::path::Path::new(env!("CARGO_BIN_EXE_budget-import"));
    // A binary body comes back base64-encoded, as API Gateway expects.
    let r = response(invoke(binary, &db, http_event("GET", "/template.xlsx", &[], None)).await);
    assert_eq!(r["statusCode"], 200);
    assert_eq!(r["isBase64Encoded"], true);
    assert!(
        r["body"].as_str().unwrap_or_default().starts_with("UEsDB"),
        "a zip, base64"
    );
    // An upload arrives base64-encoded too; this one is not a workbook.
    let mut event = http_event(
        "POST",
        "/check",
        &[
            ("authorization", &format!("Bearer {kansli}")),
            ("content-type", "application/octet-stream"),
        ],
        Some("bm90IGEgd29ya2Jvb2s="),
    );
    event["isBase64Encoded"] = serde_json::json!(true);
    let r = response(invoke(binary, &db, event).await);
    assert_eq!(r["statusCode"], 200, "{r}");
    let compliance: serde_json::Value =
        serde_json::from_str(r["body"].as_str().unwrap_or_default()).expect("json");
    assert_eq!(compliance["findings"][0]["rule"], "FORM-1");
}
