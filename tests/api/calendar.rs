//! "Today" is decided in Reglab's time, Europe/Stockholm: a running provrum whose planned end is
//! day D is overdue (RES-1) once D has ended in Stockholm — at 23:30 UTC on D, already D+1 there —
//! and not at 21:30 UTC on D, in summer time (UTC+2) and winter time (UTC+1) alike. The status
//! sheet and the yearly report decide it with the clock the app is given.

use axum::body::Body;
use axum::http::Request;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use provrum_http::{AppState, Clock};
use provrum_rules::model::Status;
use provrum_rules::{Ore, Verdict};
use provrum_store::sqlite::SqliteStore;
use provrum_store::{AuditEvent, BudgetSummary, Provrum, Store};
use serde_json::Value;
use std::sync::Arc;
use tower::ServiceExt;

/// A provrum started in 2025 whose planned end is `end`, stored as the approval leaves it.
async fn running_until(store: &dyn Store, end: NaiveDate) {
    let at = Utc::now();
    let start = end - chrono::Days::new(90);
    let id = provrum_store::new_id("p-");
    let mut provrum = Provrum {
        status: Status::Running,
        leader: Some("reglab".into()),
        started_at: Some(at),
        budget_versions: 1,
        latest_budget: Some(BudgetSummary {
            version: 1,
            sha256: "0".repeat(64),
            file_name: None,
            size: 1,
            uploaded_by: "reglab".into(),
            uploaded_at: at,
            verdict: Verdict::Ok,
            errors: 0,
            warnings: 0,
            start: Some(start),
            end: Some(end),
            total_budget_ore: Ore::kr(200_000),
            base_funding_ore: Ore::kr(100_000),
            blocking: Vec::new(),
            revision: false,
        }),
        quota_year: Some(2025),
        granted_base_funding_ore: Some(Ore::kr(100_000)),
        ..Provrum::proposed(id, format!("Slutar {end}"), "reglab", at)
    };
    provrum.participants[0].wants_to_lead = true;
    let event = AuditEvent::new(
        format!("provrum/{}", provrum.id),
        "reglab",
        "provrum.created",
        Value::Null,
    );
    store
        .create_provrum(&provrum, &event)
        .await
        .expect("stored");
}

async fn get(store: &Arc<dyn Store>, kansli: &str, at: DateTime<Utc>, path: &str) -> Value {
    let app = provrum::all_routes(AppState::new(store.clone()).with_clock(Clock::fixed(at)));
    let request = Request::builder()
        .uri(path)
        .header("authorization", format!("Bearer {kansli}"))
        .body(Body::empty())
        .expect("request");
    let response = app.oneshot(request).await.expect("answer");
    assert_eq!(response.status(), 200, "{path}");
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .expect("body");
    serde_json::from_slice(&bytes).expect("JSON")
}

fn utc(d: NaiveDate, h: u32, m: u32) -> DateTime<Utc> {
    Utc.from_utc_datetime(&d.and_hms_opt(h, m, 0).expect("a time"))
}

#[tokio::test]
async fn a_result_is_overdue_when_its_end_date_has_passed_in_stockholm() {
    let d = |m, day| NaiveDate::from_ymd_opt(2025, m, day).expect("a date");
    for (season, end) in [("summer", d(6, 30)), ("winter", d(11, 28))] {
        let dir = tempfile::tempdir().expect("tempdir");
        let store: Arc<dyn Store> =
            Arc::new(SqliteStore::open(dir.path().join("provrum.db")).expect("store"));
        let kansli = provrum_tests::seed_kansli(store.as_ref()).await;
        running_until(store.as_ref(), end).await;

        for (at, overdue) in [(utc(end, 21, 30), false), (utc(end, 23, 30), true)] {
            let rows = get(&store, &kansli, at, "/status").await;
            assert_eq!(
                rows[0]["result_overdue"], overdue,
                "{season}: the status sheet at {at}: {rows}"
            );
            let report = get(&store, &kansli, at, "/reports/2025").await;
            let listed = report["overdue_results"].as_array().map_or(0, Vec::len);
            assert_eq!(
                listed,
                usize::from(overdue),
                "{season}: the yearly report at {at}: {report}"
            );
        }
    }
}
