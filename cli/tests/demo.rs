//! `provrum serve --demo` seeds what is missing: a seed interrupted halfway completes on the next
//! start, and a complete one is left as it is.

use provrum_client::{Client, InProcess};
use provrum_http::AppState;
use provrum_rules::model::{Membership, OrgKind, Status};
use provrum_store::sqlite::SqliteStore;
use provrum_store::{AuditEvent, Org, Store, issue_token};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;

const AI: &str = "AI och visualisering i regional utveckling";

/// `provrum serve --demo` until it has printed its tokens (the seed is done by then), then stops
/// it. Its stdout.
fn serve_demo(db: &Path) -> String {
    let mut serve = Command::new(env!("CARGO_BIN_EXE_provrum"))
        .args(["serve", "--demo", "--addr", "127.0.0.1:0", "--db"])
        .arg(db)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("provrum serve --demo");
    let mut printed = String::new();
    if let Some(out) = serve.stdout.take() {
        for line in BufReader::new(out).lines() {
            let line = line.expect("stdout");
            printed.push_str(&line);
            printed.push('\n');
            if line.starts_with("partner") {
                break;
            }
        }
    }
    let _ = serve.kill();
    let _ = serve.wait();
    assert!(printed.contains("partner"), "no tokens printed: {printed}");
    printed
}

fn org(id: &str, name: &str, kind: OrgKind, membership: Membership) -> Org {
    Org {
        id: id.into(),
        name: name.into(),
        kind,
        membership,
        created_at: chrono::Utc::now(),
    }
}

/// What a seed that stopped halfway leaves: the kansli, two of the regions, and the first sample
/// provrum proposed and joined by one of its three partners, with no leader and no budget.
async fn interrupted_seed(db: &Path) -> String {
    let store = Arc::new(SqliteStore::open(db).expect("store"));
    let event = |id: &str| {
        AuditEvent::new(
            format!("org/{id}"),
            "demo",
            "org.created",
            serde_json::Value::Null,
        )
    };
    for o in [
        org(
            "reglab",
            "Reglabs kansli",
            OrgKind::Other,
            Membership::Kansli,
        ),
        org(
            "region-ostergotland",
            "Region Östergötland",
            OrgKind::Region,
            Membership::Member,
        ),
        org(
            "region-skane",
            "Region Skåne",
            OrgKind::Region,
            Membership::Member,
        ),
    ] {
        store.create_org(&o, &event(&o.id)).await.expect("org");
    }
    let token = |org: &'static str| {
        let store = store.clone();
        async move {
            issue_token(store.as_ref(), org, "test", "test")
                .await
                .expect("token")
                .secret
        }
    };
    let api = Client::new(InProcess::new(provrum::all_routes(AppState::new(
        store.clone(),
    ))));
    let proposed = api
        .propose(
            &token("region-ostergotland").await,
            &serde_json::json!({"title": AI, "theme": "AI"}),
        )
        .await
        .and_then(|r| r.success())
        .expect("propose");
    let id = proposed.body["id"].as_str().expect("id").to_string();
    api.register_interest(
        &token("region-skane").await,
        &id,
        &serde_json::json!({"wants_to_lead": false}),
    )
    .await
    .and_then(|r| r.success())
    .expect("interest");
    id
}

#[tokio::test]
async fn a_seed_interrupted_halfway_completes_on_the_next_start_and_only_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("provrum.db");
    let first = interrupted_seed(&db).await;

    for run in 1..=2 {
        let printed = serve_demo(&db);
        assert!(
            printed.contains("kansli") && printed.contains("prv_"),
            "{printed}"
        );
        // The web page's address comes first, with the port it really listens on.
        let first_line = printed.lines().next().unwrap_or_default();
        assert!(
            first_line.starts_with("Webbsidan / the web page: http://127.0.0.1:")
                && first_line.ends_with("/webb")
                && !first_line.contains("127.0.0.1:0/"),
            "{printed}"
        );
        let store = SqliteStore::open(&db).expect("store");
        let orgs = store.list_orgs().await.expect("orgs");
        assert_eq!(
            orgs.len(),
            26,
            "run {run}: 1 kansli + 4 others + 21 regions"
        );
        let all = store.all_provrum().await.expect("provrum");
        let titles: Vec<&str> = all.iter().map(|p| p.title.as_str()).collect();
        assert_eq!(all.len(), 5, "run {run}: {titles:?}");

        // The provrum the interrupted seed began is the one completed, not a second one.
        let ai = all.iter().find(|p| p.title == AI).expect("the AI provrum");
        assert_eq!(ai.id, first, "run {run}");
        assert_eq!(ai.status, Status::Running, "run {run}");
        assert_eq!(ai.leader.as_deref(), Some("region-ostergotland"));
        assert_eq!(ai.participants.len(), 4, "run {run}: {:?}", ai.participants);
        assert_eq!(ai.budget_versions, 1, "run {run}");

        let drones = all
            .iter()
            .find(|p| p.title.starts_with("Drönare"))
            .expect("the drone provrum");
        assert_eq!(drones.status, Status::Proposed);
        assert_eq!(drones.budget_versions, 1, "run {run}");
        assert!(
            drones.latest_budget.as_ref().is_some_and(|b| b.errors > 0),
            "BUD-4 makes the drone budget fail"
        );

        // Dated from today in Stockholm: running on this year's quota, and one ending soon.
        let today = provrum_rules::calendar::reglab_date(chrono::Utc::now());
        let period = |p: &provrum_store::Provrum| {
            let b = p.latest_budget.as_ref().expect("a budget");
            (b.start.expect("start"), b.end.expect("end"))
        };
        let (start, end) = period(ai);
        assert!(start <= today && today < end, "run {run}: {start}..{end}");
        assert_eq!(ai.quota_year, Some(chrono::Datelike::year(&start)));
        assert_eq!(
            start.format("%Y").to_string(),
            today.format("%Y").to_string()
        );
        let trips = all
            .iter()
            .find(|p| p.title == "Fossilfria tjänsteresor")
            .expect("the provrum ending soon");
        assert_eq!(trips.status, Status::Running);
        assert_eq!(period(trips).1, today + chrono::Days::new(14));
        assert!(period(drones).0 > today, "the drones are still to start");
        let open = all
            .iter()
            .find(|p| p.title == "Öppna data i regional analys")
            .expect("the newcomer's provrum");
        assert_eq!(
            (open.status, open.budget_versions, open.leader.as_deref()),
            (Status::Proposed, 0, Some("region-ostergotland"))
        );
        assert_eq!(open.participants.len(), 4);

        let civil = all
            .iter()
            .find(|p| p.title == "Civilt försvar")
            .expect("the civil defence provrum");
        assert_eq!(civil.status, Status::Proposed);
        assert!(
            civil
                .participants
                .iter()
                .any(|p| p.org == "region-kalmar" && p.wants_to_lead)
        );
    }
}
