//! The members' webhook, against a local receiver: the yearly report's scheduled run (payload,
//! bounded retries, a rerun that never tells twice) and the notices of a proposal, a provrum
//! becoming ready, and a start — which neither wait for the webhook nor fail with it.

use provrum_http::AppState;
use provrum_notify::{Format, Retry, Webhook};
use provrum_tests::app::{Answer, Backend, TestApp, spawn_app_with, workbook_in};
use provrum_tests::receiver::{Receiver, card_text};
use quota_report::{Outcome, ScheduledError, ScheduledRun, run_scheduled};
use serde_json::json;
use std::time::Duration;

fn hook(r: &Receiver) -> Webhook {
    let retry = Retry {
        attempts: 3,
        first_wait: Duration::from_millis(20),
        timeout: Duration::from_secs(2),
    };
    Webhook::new(&r.url, Some(Format::Teams), retry).expect("webhook")
}

/// The run EventBridge Scheduler makes on 2 January 2026, 07:00 Stockholm time.
fn january_run() -> ScheduledRun {
    serde_json::from_value(json!({
        "kind": "yearly-quota-report",
        "scheduled_time": "2026-01-02T06:00:00Z",
        "execution_id": "a1b2c3d4-0000-4000-8000-000000000001",
        "schedule_arn": "arn:aws:scheduler:eu-north-1:123456789012:schedule/default/provrum-yearly-quota-report",
        "attempt_number": "1"
    }))
    .expect("run")
}

/// A provrum planned for 2025, proposed, joined, led and approved through the API.
async fn started_in_2025(app: &TestApp, n: u32) -> String {
    let leader = app.org(&format!("region-l{n}"), "region", "member").await;
    let other = app.org(&format!("region-o{n}"), "region", "member").await;
    let (_, p) = app
        .propose(
            &leader,
            &json!({"title": format!("Cykelvägar {n}"), "theme": "Mobilitet"}),
        )
        .await
        .parts();
    let id = p["id"].as_str().expect("id").to_string();
    app.register_interest(&other, &id, &json!({"wants_to_lead": false}))
        .await
        .parts();
    let (status, body) = app
        .choose_leader(&leader, &id, &json!({"org": format!("region-l{n}")}))
        .await
        .parts();
    assert_eq!(status, 200, "{body}");
    let (status, body) = app
        .upload_budget(
            &leader,
            &id,
            workbook_in(&format!("region-l{n}"), &[&format!("region-o{n}")], 2025),
        )
        .await
        .parts();
    assert_eq!(status, 201, "{body}");
    let (status, body) = app.approve(&app.kansli, &id).await.parts();
    assert_eq!(status, 200, "{body}");
    id
}

async fn yearly_report_told_once(backend: Backend) {
    let app = spawn_app_with(provrum::all_routes, backend, None).await;
    started_in_2025(&app, 1).await;
    let r = Receiver::start().await;
    let state = AppState::new(app.store.clone()).with_webhook(Some(hook(&r)));

    let outcome = run_scheduled(&state, &january_run()).await.expect("run");
    assert_eq!(
        outcome,
        Outcome::Told {
            year: 2025,
            attempts: 1
        }
    );
    let posts = r.posts();
    assert_eq!(posts.len(), 1);
    let text = card_text(&posts[0]);
    assert!(
        text.starts_with("Reglabs provrum: årsrapport för 2025\n1 av 2 provrum startade 2025.\n"),
        "{text}"
    );
    assert!(
        text.contains("Reglabs basfinansiering: 93 000 kr av högst 200 000 kr."),
        "{text}"
    );
    assert!(text.contains("Kostnad utslaget per medlem: "), "{text}");
    assert!(text.contains("(modellens referens 8 700 kr)"), "{text}");
    assert!(
        text.contains("Resultat som dröjer: ”Cykelvägar 1” (slutade 2025-07-31, 155 dagar sedan)."),
        "{text}"
    );
    let facts = &posts[0]["attachments"][0]["content"]["body"];
    assert!(facts.to_string().contains("Cykelvägar 1"), "{facts}");

    // Scheduler retries, or someone reruns it: stored once, told once.
    let again = run_scheduled(&state, &january_run()).await.expect("rerun");
    assert_eq!(again, Outcome::AlreadyTold { year: 2025 });
    assert_eq!(r.posts().len(), 1);
    let stored = app
        .store
        .get_report(2025)
        .await
        .expect("get")
        .expect("stored");
    assert!(stored.notified_at.is_some());
    let (status, body) = app.report(&app.kansli, 2025).await.parts();
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (body["started"].as_u64(), body["stored_at"].is_string()),
        (Some(1), true)
    );
}

#[tokio::test]
async fn the_yearly_report_is_stored_and_told_once_on_the_embedded_store() {
    yearly_report_told_once(Backend::Sqlite).await;
}

#[tokio::test]
async fn the_yearly_report_is_stored_and_told_once_on_dynamodb() {
    yearly_report_told_once(Backend::Dynamodb).await;
}

#[tokio::test]
async fn a_webhook_that_stays_down_is_tried_a_bounded_number_of_times_and_told_on_the_rerun() {
    let app = spawn_app_with(provrum::all_routes, Backend::Sqlite, None).await;
    started_in_2025(&app, 2).await;
    let r = Receiver::start().await;
    r.answer(Some(503));
    let state = AppState::new(app.store.clone()).with_webhook(Some(hook(&r)));
    let error = run_scheduled(&state, &january_run())
        .await
        .expect_err("down");
    assert!(matches!(error, ScheduledError::Webhook(_)), "{error}");
    assert_eq!(
        r.posts().len(),
        3,
        "three attempts, then the run fails for Scheduler to retry"
    );
    let stored = app
        .store
        .get_report(2025)
        .await
        .expect("get")
        .expect("stored anyway");
    assert_eq!(stored.notified_at, None);

    r.answer(None);
    let outcome = run_scheduled(&state, &january_run()).await.expect("rerun");
    assert_eq!(
        outcome,
        Outcome::Told {
            year: 2025,
            attempts: 1
        }
    );
    assert_eq!(r.posts().len(), 4);
    // Without a webhook the report is still stored.
    let quiet = AppState::new(app.store.clone());
    let mut later = january_run();
    later.scheduled_time = "2027-01-02T06:00:00Z".parse().expect("time");
    assert_eq!(
        run_scheduled(&quiet, &later).await.expect("run"),
        Outcome::Stored { year: 2026 }
    );
    let mut unknown = january_run();
    unknown.kind = "something-else".into();
    assert!(matches!(
        run_scheduled(&quiet, &unknown).await,
        Err(ScheduledError::Unknown(_))
    ));
}

#[tokio::test]
async fn members_hear_of_a_proposal_a_ready_provrum_and_a_start() {
    let r = Receiver::start().await;
    let app = spawn_app_with(provrum::all_routes, Backend::Sqlite, Some(hook(&r))).await;
    started_in_2025(&app, 3).await;
    let posts = r.wait_for(3).await;
    let texts: Vec<String> = posts.iter().map(card_text).collect();
    assert_eq!(texts.len(), 3, "{texts:?}");
    assert!(texts[0].starts_with("Nytt förslag till provrum: ”Cykelvägar 3”\nOrg region-l3 föreslår ett provrum inom temat Mobilitet."), "{}", texts[0]);
    assert!(texts[1].starts_with("”Cykelvägar 3” är redo att starta\nProvrumsledare: Org region-l3. 2 deltagare, varav 2 regioner."), "{}", texts[1]);
    assert!(
        texts[2]
            .starts_with("”Cykelvägar 3” har fått klartecken och startar\nLett av Org region-l3"),
        "{}",
        texts[2]
    );
    assert!(posts[2].to_string().contains("93 000 kr"), "{}", posts[2]);
}

#[tokio::test]
async fn a_slow_or_broken_webhook_neither_holds_nor_fails_the_request() {
    let r = Receiver::start().await;
    let app = spawn_app_with(provrum::all_routes, Backend::Sqlite, Some(hook(&r))).await;
    let leader = app.org("region-x", "region", "member").await;
    // The receiver holds the post: the proposal is answered while the webhook still waits.
    r.hold();
    let (status, body) = app
        .propose(&leader, &json!({"title": "Medan kroken väntar"}))
        .await
        .parts();
    assert_eq!(status, 201, "{body}");
    r.wait_for(1).await;
    r.release();
    // A webhook that refuses everything does not turn a proposal into an error.
    r.answer(Some(500));
    let (status, body) = app
        .propose(&leader, &json!({"title": "Trots felet"}))
        .await
        .parts();
    assert_eq!(status, 201, "{body}");
    r.wait_for(2).await;
}

/// Two runs overlap (Scheduler's retry while the first still posts, or a rerun by hand) against a
/// webhook that is slow to answer: the one that claims the post sends it; the other does not wait
/// for it and fails (for Scheduler to retry), and its retry finds the report told.
async fn overlapping_runs_post_once(backend: Backend) {
    let app = spawn_app_with(provrum::all_routes, backend, None).await;
    started_in_2025(&app, 4).await;
    let r = Receiver::start().await;
    r.hold();
    // One attempt that waits as long as the receiver holds it: every post is a run's own.
    let patient = Retry {
        attempts: 1,
        first_wait: Duration::from_millis(20),
        timeout: Duration::from_secs(60),
    };
    let webhook = Webhook::new(&r.url, Some(Format::Teams), patient).expect("webhook");
    let state = AppState::new(app.store.clone()).with_webhook(Some(webhook));
    let run =
        |state: AppState| tokio::spawn(async move { run_scheduled(&state, &january_run()).await });
    let mut first = run(state.clone());
    let mut second = run(state.clone());
    r.wait_for(1).await;
    let (other, poster) = tokio::time::timeout(Duration::from_secs(30), async {
        tokio::select! {
            done = &mut first => (done, second),
            done = &mut second => (done, first),
        }
    })
    .await
    .expect("the run that does not post does not wait for the one that does");
    let other = other.expect("task");
    assert!(
        matches!(other, Err(ScheduledError::BeingPosted { year: 2025, .. })),
        "{other:?}"
    );
    assert_eq!(r.posts().len(), 1);
    r.release();
    let told = poster.await.expect("task").expect("run");
    assert_eq!(
        told,
        Outcome::Told {
            year: 2025,
            attempts: 1
        }
    );
    let again = run_scheduled(&state, &january_run()).await.expect("retry");
    assert_eq!(again, Outcome::AlreadyTold { year: 2025 });
    assert_eq!(r.posts().len(), 1);
}

#[tokio::test]
async fn overlapping_runs_post_the_yearly_report_once_on_the_embedded_store() {
    overlapping_runs_post_once(Backend::Sqlite).await;
}

#[tokio::test]
async fn overlapping_runs_post_the_yearly_report_once_on_dynamodb() {
    overlapping_runs_post_once(Backend::Dynamodb).await;
}
