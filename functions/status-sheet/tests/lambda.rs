//! The binary under the Lambda runtime, fed real API Gateway v2 events.

use provrum_tests::lambda::{http_event, invoke, response, seeded_db};

#[tokio::test]
async fn answers_api_gateway_events_under_the_lambda_runtime() {
    let (_dir, db, kansli) = seeded_db().await;
    let binary = std::path::Path::new(env!("CARGO_BIN_EXE_status-sheet"));
    let auth = format!("Bearer {kansli}");
    let r = response(
        invoke(
            binary,
            &db,
            http_event(
                "GET",
                "/status",
                &[("authorization", &auth), ("accept", "text/csv")],
                None,
            ),
        )
        .await,
    );
    assert_eq!(r["statusCode"], 200, "{r}");
    assert!(
        r["body"]
            .as_str()
            .unwrap_or_default()
            .starts_with("id,title,status,ready"),
        "{r}"
    );
    let r = response(invoke(binary, &db, http_event("GET", "/status", &[], None)).await);
    assert_eq!(r["statusCode"], 401);
}
