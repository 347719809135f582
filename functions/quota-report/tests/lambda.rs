//! The binary under the Lambda runtime, fed real API Gateway v2 events.

use provrum_tests::lambda::{http_event, invoke, response, seed_kansli};

#[tokio::test]
async fn answers_api_gateway_events_under_the_lambda_runtime() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("provrum.db");
    let kansli = seed_kansli(&db).await;
    let binary = std::path::Path::new(env!("CARGO_BIN_EXE_quota-report"));
    let r = response(
        invoke(
            binary,
            &db,
            http_event(
                "GET",
                "/reports/2024",
                &[("authorization", &format!("Bearer {kansli}"))],
                None,
            ),
        )
        .await,
    );
    assert_eq!(r["statusCode"], 200, "{r}");
    let report: serde_json::Value =
        serde_json::from_str(r["body"].as_str().unwrap_or_default()).expect("json");
    assert_eq!(
        (
            report["year"].as_i64(),
            report["quota"].as_u64(),
            report["development_phase"].as_bool()
        ),
        (Some(2024), Some(2), Some(true))
    );
    let r = response(
        invoke(
            binary,
            &db,
            http_event(
                "GET",
                "/reports/tjugo",
                &[("authorization", &format!("Bearer {kansli}"))],
                None,
            ),
        )
        .await,
    );
    assert_eq!(r["statusCode"], 400);
}
