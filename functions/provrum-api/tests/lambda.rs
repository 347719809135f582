//! The binary under the Lambda runtime, fed real API Gateway v2 events.

use provrum_tests::lambda::{http_event, invoke, response, seed_kansli};

#[tokio::test]
async fn answers_api_gateway_events_under_the_lambda_runtime() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("provrum.db");
    let kansli = seed_kansli(&db).await;
    let binary = std::path::Path::new(env!("CARGO_BIN_EXE_provrum-api"));
    let r = response(invoke(binary, &db, http_event("GET", "/health", &[], None)).await);
    assert_eq!(
        (r["statusCode"].as_u64(), r["body"].as_str()),
        (Some(200), Some("ok"))
    );
    let auth = format!("Bearer {kansli}");
    let body =
        r#"{"id":"region-skane","name":"Region Skåne","kind":"region","membership":"member"}"#;
    let r = response(
        invoke(
            binary,
            &db,
            http_event(
                "POST",
                "/orgs",
                &[
                    ("authorization", &auth),
                    ("content-type", "application/json"),
                ],
                Some(body),
            ),
        )
        .await,
    );
    assert_eq!(r["statusCode"], 201, "{r}");
    let org: serde_json::Value =
        serde_json::from_str(r["body"].as_str().unwrap_or_default()).expect("json");
    assert_eq!(org["name"], "Region Skåne");
    let r = response(
        invoke(
            binary,
            &db,
            http_event("GET", "/orgs", &[("accept-language", "en")], None),
        )
        .await,
    );
    assert_eq!(r["statusCode"], 401);
    assert_eq!(r["headers"]["content-type"], "application/problem+json");
    let problem: serde_json::Value =
        serde_json::from_str(r["body"].as_str().unwrap_or_default()).expect("json");
    assert_eq!(problem["title"], "Authentication required");
}
