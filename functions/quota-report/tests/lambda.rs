//! The binary under the Lambda runtime, fed real API Gateway v2 events.

use provrum_tests::emf;
use provrum_tests::lambda::{checked_emf, http_event, invoke, invoke_logged, response, seeded_db};

/// `GET /reports/{year}` as the kansli, through the binary; the report's JSON.
async fn report_of(
    binary: &std::path::Path,
    db: &std::path::Path,
    kansli: &str,
    year: i32,
) -> serde_json::Value {
    let auth = format!("Bearer {kansli}");
    let r = response(
        invoke(
            binary,
            db,
            http_event(
                "GET",
                &format!("/reports/{year}"),
                &[("authorization", &auth)],
                None,
            ),
        )
        .await,
    );
    assert_eq!(r["statusCode"], 200, "{r}");
    serde_json::from_str(r["body"].as_str().unwrap_or_default()).expect("json")
}

#[tokio::test]
async fn answers_api_gateway_events_under_the_lambda_runtime() {
    let (_dir, db, kansli) = seeded_db().await;
    let binary = std::path::Path::new(env!("CARGO_BIN_EXE_quota-report"));
    let report = report_of(binary, &db, &kansli, 2024).await;
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

/// The schedule's event as EventBridge Scheduler delivers it to the function: the `Input` of
/// infra/template.yaml with its context attributes filled in.
fn scheduler_event() -> serde_json::Value {
    serde_json::json!({
        "kind": "yearly-quota-report",
        "scheduled_time": "2026-01-02T06:00:00Z",
        "execution_id": "0b4f7c2e-6d1a-4c55-9a51-2f0d6a1e9b77",
        "schedule_arn": "arn:aws:scheduler:eu-north-1:123456789012:schedule/default/provrum-yearly-quota-report",
        "attempt_number": "1"
    })
}

#[tokio::test]
async fn the_yearly_schedule_stores_the_report_and_tells_the_webhook_once() {
    let (_dir, db, kansli) = seeded_db().await;
    let receiver = provrum_tests::receiver::Receiver::start().await;
    let binary = std::path::Path::new(env!("CARGO_BIN_EXE_quota-report"));
    let env = [("PROVRUM_WEBHOOK_URL", receiver.url.as_str())];
    let (told, stdout) = invoke_logged(binary, &db, scheduler_event(), &env).await;
    assert_eq!(
        response(told),
        serde_json::json!({"outcome": "told", "year": 2025, "attempts": 1})
    );
    // Counted as posted, in an EMF line valid by the format's published schema.
    assert_eq!(
        emf::values(&checked_emf(&stdout)),
        vec![(
            "ReportsPosted".to_string(),
            vec!["Stack=provrum".to_string()],
            1.0
        )]
    );
    let posts = receiver.posts();
    assert_eq!(posts.len(), 1);
    let text = provrum_tests::receiver::card_text(&posts[0]);
    assert!(
        text.starts_with("Reglabs provrum: årsrapport för 2025\n0 av 2 provrum startade 2025."),
        "{text}"
    );
    // A retry of the same run: nothing is sent twice.
    let (again, stdout) = invoke_logged(binary, &db, scheduler_event(), &env).await;
    assert_eq!(
        response(again),
        serde_json::json!({"outcome": "already_told", "year": 2025})
    );
    assert_eq!(receiver.posts().len(), 1);
    assert_eq!(checked_emf(&stdout), Vec::<serde_json::Value>::new());
    // The stored report is what GET /reports/2025 answers from now on.
    let report = report_of(binary, &db, &kansli, 2025).await;
    assert!(report["stored_at"].is_string(), "{report}");
}

#[tokio::test]
async fn an_event_it_does_not_know_is_an_error_not_a_crash() {
    let (_dir, db, _) = seeded_db().await;
    let binary = std::path::Path::new(env!("CARGO_BIN_EXE_quota-report"));
    match invoke(
        binary,
        &db,
        serde_json::json!({"detail-type": "Something else"}),
    )
    .await
    {
        provrum_tests::lambda::Outcome::Error(e) => {
            assert!(e.to_string().contains("not a scheduled run"), "{e}")
        }
        other => panic!("expected an error, got {other:?}"),
    }
}
