//! One contract, two stores: every test body below runs against the embedded SQLite store and
//! against the DynamoDB store on moto (started by `scripts/test`, which sets
//! `PROVRUM_TEST_DYNAMODB_ENDPOINT`; `provrum_tests::moto_endpoint` says so when it is missing).
//! Without that server the DynamoDB half fails; it never skips.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use provrum_rules::model::{Membership, OrgKind, Status};
use provrum_rules::{Checked, Ore, RuleSet};
use provrum_store::dynamo::DynamoStore;
use provrum_store::sqlite::SqliteStore;
use provrum_store::{
    AuditEvent, BudgetVersion, MAX_BUDGET_VERSIONS, MAX_POST_LEASE, NewToken, Org, Page,
    Participant, PostClaim, Provrum, SESSION_LENGTH, Store, StoreError, StoredReport, hash_token,
    sign_in, signed_in,
};
use std::sync::Arc;

type Dyn = Arc<dyn Store>;

async fn sqlite() -> (Dyn, Option<tempfile::TempDir>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(dir.path().join("provrum.db")).expect("open sqlite");
    (Arc::new(store), Some(dir))
}

async fn dynamodb() -> (Dyn, Option<tempfile::TempDir>) {
    let table = provrum_store::new_id("contract-");
    let store = DynamoStore::local(&provrum_tests::moto_endpoint(), table).await;
    assert!(
        store.create_table().await.expect("create table on moto"),
        "a fresh table"
    );
    (Arc::new(store), None)
}

macro_rules! contract {
    ($($name:ident),* $(,)?) => {
        mod sqlite_store {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let (store, _dir) = super::sqlite().await;
                    super::$name(store).await;
                }
            )*
        }
        mod dynamodb_store {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let (store, _dir) = super::dynamodb().await;
                    super::$name(store).await;
                }
            )*
        }
    };
}

contract!(
    organisations_are_created_once_got_and_listed,
    tokens_are_found_by_hash_and_revoked,
    provrum_updates_are_versioned_and_stale_writes_conflict,
    starting_is_only_through_approve,
    budget_versions_are_numbered_and_never_overwritten,
    a_large_budget_version_round_trips,
    approval_keeps_the_quota,
    approval_needs_a_proposed_provrum_at_its_version,
    listing_pages_in_proposal_order,
    yearly_reports_are_stored_once,
    a_reports_post_is_claimed_by_one_run_with_a_lease,
    concurrent_claims_of_a_post_have_one_winner,
    concurrent_approvals_never_exceed_the_quota,
    organisations_page_by_id,
    tokens_are_listed_per_organisation_and_touched_at_most_hourly,
    budget_versions_page_and_stop_at_the_cap,
    audit_events_page_oldest_first,
    sessions_last_a_working_day_end_on_sign_out_and_with_their_token,
);

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 1, 15, 9, 0, 0)
        .single()
        .expect("time")
}

fn org(id: &str, kind: OrgKind, membership: Membership) -> Org {
    Org {
        id: id.into(),
        name: format!("Org {id}"),
        kind,
        membership,
        created_at: t0(),
    }
}

fn event(entity: &str, action: &str) -> AuditEvent {
    AuditEvent::new(
        entity,
        "kansli",
        action,
        serde_json::json!({"test": action}),
    )
}

fn provrum(id: &str, created: DateTime<Utc>) -> Provrum {
    let mut p = Provrum::proposed(id.into(), format!("Provrum {id}"), "region-a", created);
    p.theme = Some("AI".into());
    p.participants[0].wants_to_lead = true;
    p
}

fn started(p: &Provrum, year: i32, kr: i64) -> Provrum {
    let mut next = p.clone();
    next.status = Status::Running;
    next.started_at = Some(t0());
    next.quota_year = Some(year);
    next.granted_base_funding_ore = Some(Ore::kr(kr));
    next
}

fn rules(findings: &StoreError) -> Vec<String> {
    match findings {
        StoreError::Refused(f) => f.iter().map(|f| f.rule.clone()).collect(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

async fn organisations_are_created_once_got_and_listed(store: Dyn) {
    for (id, kind, m) in [
        ("region-b", OrgKind::Region, Membership::Member),
        ("reglab", OrgKind::Other, Membership::Kansli),
        ("inst", OrgKind::Other, Membership::Partner),
    ] {
        store
            .create_org(
                &org(id, kind, m),
                &event(&format!("org/{id}"), "org.created"),
            )
            .await
            .expect("create");
    }
    assert_eq!(
        store.get_org("inst").await.expect("get"),
        Some(org("inst", OrgKind::Other, Membership::Partner))
    );
    assert_eq!(store.get_org("nobody").await.expect("get"), None);
    let ids: Vec<String> = store
        .list_orgs()
        .await
        .expect("list")
        .into_iter()
        .map(|o| o.id)
        .collect();
    assert_eq!(ids, ["inst", "region-b", "reglab"]);
    let again = store
        .create_org(
            &org("reglab", OrgKind::Region, Membership::Member),
            &event("org/reglab", "org.created"),
        )
        .await;
    assert!(
        matches!(again, Err(StoreError::AlreadyExists(_))),
        "{again:?}"
    );
    assert_eq!(
        store
            .get_org("reglab")
            .await
            .expect("get")
            .map(|o| o.membership),
        Some(Membership::Kansli),
        "not overwritten"
    );
    let events = store.audit_events("org/reglab").await.expect("audit");
    assert_eq!(events.len(), 1, "the refused duplicate wrote no event");
    assert_eq!(events[0].action, "org.created");
}

async fn tokens_are_found_by_hash_and_revoked(store: Dyn) {
    store
        .create_org(
            &org("region-b", OrgKind::Region, Membership::Member),
            &event("org/region-b", "org.created"),
        )
        .await
        .expect("org");
    let new = NewToken::generate("region-b", "laptop", t0()).expect("random");
    store
        .create_token(
            &new.token,
            &event(&format!("token/{}", new.token.id), "token.created"),
        )
        .await
        .expect("create");
    let found = store
        .token_by_hash(&hash_token(&new.secret))
        .await
        .expect("lookup")
        .expect("found");
    assert_eq!(found, new.token);
    assert_eq!(
        store
            .token_by_hash(&hash_token("prv_wrong"))
            .await
            .expect("lookup"),
        None
    );
    let orphan = NewToken::generate("nobody", "x", t0()).expect("random");
    let refused = store
        .create_token(&orphan.token, &event("token/x", "token.created"))
        .await;
    assert!(
        matches!(refused, Err(StoreError::NotFound(_))),
        "{refused:?}"
    );

    let at = t0() + Duration::hours(1);
    store
        .revoke_token(
            &new.token.id,
            at,
            &event(&format!("token/{}", new.token.id), "token.revoked"),
        )
        .await
        .expect("revoke");
    let revoked = store
        .token_by_hash(&new.token.hash)
        .await
        .expect("lookup")
        .expect("still there");
    assert_eq!(revoked.revoked_at, Some(at));
    store
        .revoke_token(
            &new.token.id,
            at + Duration::hours(1),
            &event("token/x", "token.revoked"),
        )
        .await
        .expect("idempotent");
    assert_eq!(
        store
            .token_by_hash(&new.token.hash)
            .await
            .expect("lookup")
            .and_then(|t| t.revoked_at),
        Some(at),
        "first revocation kept"
    );
    let missing = store
        .revoke_token("tok_nope", at, &event("token/tok_nope", "token.revoked"))
        .await;
    assert!(
        matches!(missing, Err(StoreError::NotFound(_))),
        "{missing:?}"
    );
    let actions: Vec<String> = store
        .audit_events(&format!("token/{}", new.token.id))
        .await
        .expect("audit")
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(actions, ["token.created", "token.revoked"]);
}

async fn provrum_updates_are_versioned_and_stale_writes_conflict(store: Dyn) {
    let p = provrum("pr_1", t0());
    store
        .create_provrum(&p, &event("provrum/pr_1", "provrum.proposed"))
        .await
        .expect("create");
    assert!(matches!(
        store
            .create_provrum(&p, &event("provrum/pr_1", "provrum.proposed"))
            .await,
        Err(StoreError::AlreadyExists(_))
    ));
    let read = store
        .get_provrum("pr_1")
        .await
        .expect("get")
        .expect("exists");
    assert_eq!(read, p);

    let mut joined = read.clone();
    joined.participants.push(Participant {
        org: "region-b".into(),
        wants_to_lead: false,
        joined_at: t0(),
    });
    let v1 = store
        .update_provrum(&joined, &event("provrum/pr_1", "interest.registered"))
        .await
        .expect("update");
    assert_eq!(v1.version, 1);
    // A second writer that read version 0 loses, and nothing of its change is kept.
    let mut stale = read.clone();
    stale.title = "Stale".into();
    let conflict = store
        .update_provrum(&stale, &event("provrum/pr_1", "provrum.edited"))
        .await;
    assert!(
        matches!(conflict, Err(StoreError::Conflict(_))),
        "{conflict:?}"
    );
    let now = store
        .get_provrum("pr_1")
        .await
        .expect("get")
        .expect("exists");
    assert_eq!(
        (now.version, now.participants.len(), now.title.as_str()),
        (1, 2, "Provrum pr_1")
    );
    let missing = store
        .update_provrum(
            &provrum("pr_missing", t0()),
            &event("provrum/pr_missing", "x"),
        )
        .await;
    assert!(
        matches!(missing, Err(StoreError::NotFound(_))),
        "{missing:?}"
    );
    let actions: Vec<String> = store
        .audit_events("provrum/pr_1")
        .await
        .expect("audit")
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(actions, ["provrum.proposed", "interest.registered"]);
}

async fn starting_is_only_through_approve(store: Dyn) {
    let p = provrum("pr_s", t0());
    store
        .create_provrum(&p, &event("provrum/pr_s", "provrum.proposed"))
        .await
        .expect("create");
    let sneaky = started(&p, 2025, 50_000);
    let refused = store
        .update_provrum(&sneaky, &event("provrum/pr_s", "provrum.edited"))
        .await;
    assert!(
        matches!(refused, Err(StoreError::Conflict(_))),
        "{refused:?}"
    );
    assert_eq!(store.quota(2025).await.expect("quota").started, 0);
    let running = store
        .approve(
            &sneaky,
            &RuleSet::provrum_2023(),
            &event("provrum/pr_s", "provrum.approved"),
        )
        .await
        .expect("approve");
    // Once running, ordinary updates (a result report, say) keep it running.
    let mut reported = running.clone();
    reported.status = Status::Reported;
    assert_eq!(
        store
            .update_provrum(&reported, &event("provrum/pr_s", "result.reported"))
            .await
            .expect("report")
            .status,
        Status::Reported
    );
}

fn budget(p: &Provrum, version: u32, file: &[u8], lines: usize) -> BudgetVersion {
    let mut checked: Checked = Checked {
        report: provrum_rules::unreadable(
            provrum_rules::Text::new("x", "x"),
            &RuleSet::provrum_2023(),
        ),
        submission: Default::default(),
    };
    checked.report.findings.clear();
    checked.submission.plan.start = NaiveDate::from_ymd_opt(2025, 3, 1);
    checked.submission.plan.end = NaiveDate::from_ymd_opt(2025, 6, 30);
    checked.submission.budget = (0..lines)
        .map(|i| provrum_rules::bud::BudgetLine {
            item: format!(
                "{i}:{}",
                provrum_store::sha256_hex(format!("line {i}").as_bytes())
            )
            .into(),
            category: Some(provrum_rules::model::Category::Resor),
            amount: Some(Ore::kr(100 + i as i64)),
            funder: "Region Skåne".into(),
            base_funding: false,
            comment: "".into(),
            cells: Default::default(),
        })
        .collect();
    BudgetVersion::new(
        &p.id,
        version,
        file,
        Some("budget.xlsx".into()),
        "region-a",
        t0(),
        checked,
    )
}

async fn add_version(
    store: &Dyn,
    p: &Provrum,
    file: &[u8],
    lines: usize,
) -> Result<(Provrum, BudgetVersion), StoreError> {
    let mut next = p.clone();
    next.budget_versions += 1;
    let version = budget(p, next.budget_versions, file, lines);
    next.latest_budget = Some(version.summary.clone());
    let stored = store
        .add_budget_version(
            &next,
            &version,
            &event(&format!("provrum/{}", p.id), "budget.uploaded"),
        )
        .await?;
    Ok((stored, version))
}

async fn budget_versions_are_numbered_and_never_overwritten(store: Dyn) {
    let p = provrum("pr_b", t0());
    store
        .create_provrum(&p, &event("provrum/pr_b", "provrum.proposed"))
        .await
        .expect("create");
    let (p1, v1) = add_version(&store, &p, b"first file", 3).await.expect("v1");
    let (p2, v2) = add_version(&store, &p1, b"second file", 5)
        .await
        .expect("v2");
    assert_eq!((p2.budget_versions, p2.version), (2, 2));
    assert_eq!(
        p2.latest_budget.as_ref().map(|b| b.sha256.clone()),
        Some(provrum_store::sha256_hex(b"second file"))
    );
    // The writer that read the provrum before v2 cannot write a version 2 over it.
    let stale = add_version(&store, &p1, b"racing file", 1).await;
    assert!(matches!(stale, Err(StoreError::Conflict(_))), "{stale:?}");
    assert_eq!(
        store.get_budget_version("pr_b", 1).await.expect("get"),
        Some(v1)
    );
    assert_eq!(
        store.get_budget_version("pr_b", 2).await.expect("get"),
        Some(v2.clone())
    );
    assert_eq!(
        store.get_budget_version("pr_b", 3).await.expect("get"),
        None
    );
    let listed: Vec<(u32, String)> = store
        .list_budget_versions("pr_b")
        .await
        .expect("list")
        .into_iter()
        .map(|s| (s.version, s.sha256))
        .collect();
    assert_eq!(
        listed,
        [
            (1, provrum_store::sha256_hex(b"first file")),
            (2, provrum_store::sha256_hex(b"second file"))
        ]
    );
    // A version that does not follow the count is refused.
    let mut wrong = p2.clone();
    wrong.budget_versions = 7;
    let refused = store
        .add_budget_version(&wrong, &v2, &event("provrum/pr_b", "budget.uploaded"))
        .await;
    assert!(
        matches!(refused, Err(StoreError::Conflict(_))),
        "{refused:?}"
    );
    assert_eq!(
        store
            .audit_events("provrum/pr_b")
            .await
            .expect("audit")
            .len(),
        3
    );
}

async fn a_large_budget_version_round_trips(store: Dyn) {
    let p = provrum("pr_big", t0());
    store
        .create_provrum(&p, &event("provrum/pr_big", "provrum.proposed"))
        .await
        .expect("create");
    // 8 000 lines of incompressible text: several of DynamoDB's 400 KB items.
    let (_, v) = add_version(&store, &p, b"big", 8_000).await.expect("store");
    assert_eq!(
        store.get_budget_version("pr_big", 1).await.expect("get"),
        Some(v)
    );
}

async fn approval_keeps_the_quota(store: Dyn) {
    let rs = RuleSet::provrum_2023();
    for (i, id) in ["pr_a", "pr_b", "pr_c", "pr_d", "pr_e"].iter().enumerate() {
        store
            .create_provrum(
                &provrum(id, t0() + Duration::minutes(i as i64)),
                &event(&format!("provrum/{id}"), "provrum.proposed"),
            )
            .await
            .expect("create");
    }
    let get = |id: &'static str| {
        let store = store.clone();
        async move { store.get_provrum(id).await.expect("get").expect("exists") }
    };
    let a = store
        .approve(
            &started(&get("pr_a").await, 2025, 60_000),
            &rs,
            &event("provrum/pr_a", "provrum.approved"),
        )
        .await
        .expect("first");
    assert_eq!((a.status, a.version), (Status::Running, 1));
    store
        .approve(
            &started(&get("pr_b").await, 2025, 100_000),
            &rs,
            &event("provrum/pr_b", "provrum.approved"),
        )
        .await
        .expect("second");
    let third = store
        .approve(
            &started(&get("pr_c").await, 2025, 10_000),
            &rs,
            &event("provrum/pr_c", "provrum.approved"),
        )
        .await
        .expect_err("third");
    assert_eq!(rules(&third), ["KVOT-1"]);
    assert_eq!(
        get("pr_c").await.status,
        Status::Proposed,
        "nothing written"
    );
    let q = store.quota(2025).await.expect("quota");
    assert_eq!((q.started, q.base_funding), (2, Ore::kr(160_000)));

    // Another year: the money runs out before the count does.
    store
        .approve(
            &started(&get("pr_d").await, 2026, 120_000),
            &rs,
            &event("provrum/pr_d", "provrum.approved"),
        )
        .await
        .expect("2026 first");
    let over = store
        .approve(
            &started(&get("pr_e").await, 2026, 90_000),
            &rs,
            &event("provrum/pr_e", "provrum.approved"),
        )
        .await
        .expect_err("cap");
    assert_eq!(rules(&over), ["KVOT-2"]);
    let StoreError::Refused(findings) = &over else {
        unreachable!()
    };
    assert!(
        findings[0].text.sv.contains("210 000 kr"),
        "{}",
        findings[0].text.sv
    );
    let q = store.quota(2026).await.expect("quota");
    assert_eq!((q.started, q.base_funding), (1, Ore::kr(120_000)));
    // A grant alone over the cap is refused even in an empty year.
    let alone = store
        .approve(
            &started(&get("pr_e").await, 2027, 250_000),
            &rs,
            &event("provrum/pr_e", "provrum.approved"),
        )
        .await
        .expect_err("alone");
    assert_eq!(rules(&alone), ["KVOT-2"]);
    assert_eq!(store.quota(2027).await.expect("quota").started, 0);
    let actions: Vec<String> = store
        .audit_events("provrum/pr_a")
        .await
        .expect("audit")
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(actions, ["provrum.proposed", "provrum.approved"]);
}

async fn approval_needs_a_proposed_provrum_at_its_version(store: Dyn) {
    let rs = RuleSet::provrum_2023();
    let p = provrum("pr_v", t0());
    store
        .create_provrum(&p, &event("provrum/pr_v", "provrum.proposed"))
        .await
        .expect("create");
    let mut edited = p.clone();
    edited.title = "Edited".into();
    store
        .update_provrum(&edited, &event("provrum/pr_v", "provrum.edited"))
        .await
        .expect("edit");
    let stale = store
        .approve(
            &started(&p, 2025, 10_000),
            &rs,
            &event("provrum/pr_v", "provrum.approved"),
        )
        .await;
    assert!(matches!(stale, Err(StoreError::Conflict(_))), "{stale:?}");
    assert_eq!(
        store.quota(2025).await.expect("quota").started,
        0,
        "no count without the start"
    );
    let fresh = store
        .get_provrum("pr_v")
        .await
        .expect("get")
        .expect("exists");
    let running = store
        .approve(
            &started(&fresh, 2025, 10_000),
            &rs,
            &event("provrum/pr_v", "provrum.approved"),
        )
        .await
        .expect("approve");
    let again = store
        .approve(
            &started(&running, 2025, 10_000),
            &rs,
            &event("provrum/pr_v", "provrum.approved"),
        )
        .await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    assert_eq!(store.quota(2025).await.expect("quota").started, 1);
    let mut half = fresh.clone();
    half.status = Status::Running;
    let incomplete = store
        .approve(&half, &rs, &event("provrum/pr_v", "provrum.approved"))
        .await;
    assert!(
        matches!(incomplete, Err(StoreError::Conflict(_))),
        "{incomplete:?}"
    );
}

async fn listing_pages_in_proposal_order(store: Dyn) {
    let ids: Vec<String> = (0..7).map(|i| format!("pr_{i}")).collect();
    // Created out of order; listed by the time they were proposed.
    for i in [3, 0, 6, 1, 5, 2, 4] {
        store
            .create_provrum(
                &provrum(&ids[i], t0() + Duration::seconds(i as i64)),
                &event("provrum/x", "provrum.proposed"),
            )
            .await
            .expect("create");
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let page = store
            .list_provrum(cursor.as_deref(), 3)
            .await
            .expect("page");
        pages += 1;
        assert!(page.items.len() <= 3);
        seen.extend(page.items.into_iter().map(|p| p.id));
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
        assert!(pages < 10, "paging must end");
    }
    assert_eq!(seen, ids);
    let all: Vec<String> = store
        .all_provrum()
        .await
        .expect("all")
        .into_iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(all, ids, "all_provrum is every page, in the same order");
    let bad = store.list_provrum(Some("not-a-cursor"), 3).await;
    assert!(matches!(bad, Err(StoreError::Invalid(_))), "{bad:?}");
}

async fn yearly_reports_are_stored_once(store: Dyn) {
    let first = StoredReport {
        year: 2025,
        created_at: t0(),
        report: serde_json::json!({"started": 2}),
        notified_at: None,
    };
    assert!(store.put_report(&first).await.expect("put"));
    let rerun = StoredReport {
        year: 2025,
        created_at: t0() + Duration::days(1),
        report: serde_json::json!({"started": 99}),
        notified_at: None,
    };
    assert!(!store.put_report(&rerun).await.expect("put again"));
    assert_eq!(
        store.get_report(2025).await.expect("get"),
        Some(first.clone())
    );
    assert_eq!(store.get_report(2024).await.expect("get"), None);

    // The webhook is marked as told once: a rerun sees it and does not tell again.
    let at = t0() + Duration::hours(1);
    assert!(store.mark_report_notified(2025, at).await.expect("mark"));
    assert!(
        !store
            .mark_report_notified(2025, at + Duration::hours(1))
            .await
            .expect("again")
    );
    let told = store.get_report(2025).await.expect("get").expect("stored");
    assert_eq!((told.notified_at, told.report), (Some(at), first.report));
    assert!(matches!(
        store.mark_report_notified(2024, at).await,
        Err(StoreError::NotFound(_))
    ));
}

fn report_of(year: i32) -> StoredReport {
    StoredReport {
        year,
        created_at: t0(),
        report: serde_json::json!({"started": 1}),
        notified_at: None,
    }
}

/// The post of a stored report: one run holds it for its lease; another is told who holds it
/// until when, and may take it over once the lease has run out (a crashed run); a released
/// claim is free at once; once marked as posted, nobody may claim it again.
async fn a_reports_post_is_claimed_by_one_run_with_a_lease(store: Dyn) {
    let lease = std::time::Duration::from_secs(60);
    let t = t0();
    let claim = |owner: &'static str, at: DateTime<Utc>| {
        let store = store.clone();
        async move { store.claim_report_post(2025, owner, at, lease).await }
    };
    assert!(matches!(claim("a", t).await, Err(StoreError::NotFound(_))));
    assert!(store.put_report(&report_of(2025)).await.expect("put"));

    let until = t + Duration::seconds(60);
    assert_eq!(
        claim("a", t).await.expect("a"),
        PostClaim::Claimed { until }
    );
    let held = PostClaim::Held {
        by: "a".into(),
        until,
    };
    assert_eq!(
        claim("b", t + Duration::seconds(10)).await.expect("b"),
        held
    );
    assert_eq!(
        claim("b", t + Duration::seconds(59)).await.expect("b"),
        held
    );
    // The holder may renew its own claim.
    assert_eq!(
        claim("a", t + Duration::seconds(30))
            .await
            .expect("a again"),
        PostClaim::Claimed {
            until: t + Duration::seconds(90)
        }
    );
    // a crashed: once its lease has run out, b takes over.
    let b_at = t + Duration::seconds(91);
    assert_eq!(
        claim("b", b_at).await.expect("b takes over"),
        PostClaim::Claimed {
            until: b_at + Duration::seconds(60)
        }
    );
    assert!(matches!(
        claim("a", b_at + Duration::seconds(1)).await.expect("a"),
        PostClaim::Held { by, .. } if by == "b"
    ));
    // b's post failed: it lets go, and the next run need not wait.
    assert!(!store.release_report_post(2025, "a").await.expect("not a's"));
    assert!(store.release_report_post(2025, "b").await.expect("b's"));
    let c_at = b_at + Duration::seconds(2);
    assert!(matches!(
        claim("c", c_at).await.expect("c"),
        PostClaim::Claimed { .. }
    ));
    // c posts and marks it: posted for everyone, c included, whatever the time.
    assert!(
        store
            .mark_report_notified(2025, c_at + Duration::seconds(1))
            .await
            .expect("mark")
    );
    for owner in ["a", "c", "d"] {
        assert_eq!(
            claim(owner, c_at + Duration::hours(1))
                .await
                .expect("after"),
            PostClaim::Posted
        );
    }
    assert!(!store.release_report_post(2025, "c").await.expect("gone"));
    assert_eq!(
        store
            .get_report(2025)
            .await
            .expect("get")
            .and_then(|r| r.notified_at),
        Some(c_at + Duration::seconds(1))
    );

    // Leases are bounded, and owners named.
    store.put_report(&report_of(2026)).await.expect("put");
    for (owner, lease) in [
        ("a", std::time::Duration::ZERO),
        ("a", MAX_POST_LEASE + std::time::Duration::from_secs(1)),
        ("", lease),
    ] {
        let refused = store.claim_report_post(2026, owner, t, lease).await;
        assert!(
            matches!(refused, Err(StoreError::Invalid(_))),
            "{refused:?}"
        );
    }
}

/// Ten runs claim one post at the same moment: exactly one holds it.
async fn concurrent_claims_of_a_post_have_one_winner(store: Dyn) {
    store.put_report(&report_of(2027)).await.expect("put");
    let now = Utc::now();
    let claims = futures::future::join_all((0..10).map(|i| {
        let store = store.clone();
        tokio::spawn(async move {
            store
                .claim_report_post(
                    2027,
                    &format!("run-{i}"),
                    now,
                    std::time::Duration::from_secs(60),
                )
                .await
        })
    }))
    .await;
    let claimed = claims
        .into_iter()
        .map(|c| c.expect("task").expect("claim"))
        .filter(|c| matches!(c, PostClaim::Claimed { .. }))
        .count();
    assert_eq!(claimed, 1);
}

/// 20 tasks approve 20 eligible provrum of one year at once: exactly two start, and the counters
/// hold exactly their two grants. Ten rounds.
async fn concurrent_approvals_never_exceed_the_quota(store: Dyn) {
    let rs = Arc::new(RuleSet::provrum_2023());
    for round in 0..10 {
        let year = 2030 + round;
        let mut proposed = Vec::new();
        for i in 0..20 {
            let p = provrum(
                &format!("pr_{year}_{i}"),
                t0() + Duration::seconds(i64::from(round) * 100 + i),
            );
            store
                .create_provrum(&p, &event(&format!("provrum/{}", p.id), "provrum.proposed"))
                .await
                .expect("create");
            proposed.push(p);
        }
        let tasks: Vec<_> = proposed
            .into_iter()
            .map(|p| {
                let (store, rs) = (store.clone(), rs.clone());
                tokio::spawn(async move {
                    let id = p.id.clone();
                    store
                        .approve(
                            &started(&p, year, 40_000),
                            &rs,
                            &event(&format!("provrum/{id}"), "provrum.approved"),
                        )
                        .await
                })
            })
            .collect();
        let results = futures::future::join_all(tasks).await;
        let mut ok = 0;
        for result in results {
            match result.expect("task") {
                Ok(p) => {
                    assert_eq!(p.status, Status::Running);
                    ok += 1;
                }
                Err(e @ StoreError::Refused(_)) => assert_eq!(rules(&e), ["KVOT-1"]),
                Err(other) => panic!("round {round}: unexpected {other:?}"),
            }
        }
        assert_eq!(ok, 2, "round {round}");
        let q = store.quota(year).await.expect("quota");
        assert_eq!(
            (q.started, q.base_funding),
            (2, Ore::kr(80_000)),
            "round {round}"
        );
    }
}

/// Every page of a listing, following `next` until it is absent: the pages' sizes and items.
async fn all_pages<T, F, Fut>(mut page: F) -> (Vec<usize>, Vec<T>)
where
    F: FnMut(Option<String>) -> Fut,
    Fut: std::future::Future<Output = Result<Page<T>, StoreError>>,
{
    let (mut sizes, mut items, mut cursor) = (Vec::new(), Vec::new(), None);
    loop {
        let got = page(cursor.take()).await.expect("page");
        sizes.push(got.items.len());
        items.extend(got.items);
        match got.next {
            Some(next) => cursor = Some(next),
            None => return (sizes, items),
        }
        assert!(sizes.len() < 50, "paging must end");
    }
}

async fn organisations_page_by_id(store: Dyn) {
    for id in ["e", "b", "d", "a"] {
        store
            .create_org(
                &org(id, OrgKind::Region, Membership::Member),
                &event(&format!("org/{id}"), "org.created"),
            )
            .await
            .expect("create");
    }
    let (sizes, orgs) = all_pages(|c| {
        let store = store.clone();
        async move { store.orgs_page(c.as_deref(), 2).await }
    })
    .await;
    let ids: Vec<String> = orgs.into_iter().map(|o| o.id).collect();
    assert_eq!(ids, ["a", "b", "d", "e"]);
    // A full last page promises no empty page after it.
    assert_eq!(sizes, [2, 2]);
    let (sizes, _) = all_pages(|c| {
        let store = store.clone();
        async move { store.orgs_page(c.as_deref(), 3).await }
    })
    .await;
    assert_eq!(sizes, [3, 1]);
    for bad in ["not-a-cursor", "00", "7b7d"] {
        let refused = store.orgs_page(Some(bad), 2).await;
        assert!(
            matches!(refused, Err(StoreError::Invalid(_))),
            "{bad}: {refused:?}"
        );
    }
    // A cursor of another listing is not this one's.
    store
        .create_provrum(
            &provrum("pr_x", t0()),
            &event("provrum/pr_x", "provrum.proposed"),
        )
        .await
        .expect("provrum");
    store
        .create_provrum(
            &provrum("pr_y", t0() + Duration::seconds(1)),
            &event("provrum/pr_y", "provrum.proposed"),
        )
        .await
        .expect("provrum");
    let provrum_cursor = store
        .list_provrum(None, 1)
        .await
        .expect("page")
        .next
        .expect("a next page");
    let refused = store.orgs_page(Some(&provrum_cursor), 2).await;
    assert!(
        matches!(refused, Err(StoreError::Invalid(_))),
        "{refused:?}"
    );
}

async fn tokens_are_listed_per_organisation_and_touched_at_most_hourly(store: Dyn) {
    for id in ["region-a", "region-b"] {
        store
            .create_org(
                &org(id, OrgKind::Region, Membership::Member),
                &event(&format!("org/{id}"), "org.created"),
            )
            .await
            .expect("org");
    }
    let mut mine = Vec::new();
    for (i, owner) in ["region-a", "region-b", "region-a", "region-a"]
        .iter()
        .enumerate()
    {
        let new = NewToken::generate(
            owner,
            &format!("label {i}"),
            t0() + Duration::minutes(i as i64),
        )
        .expect("random");
        store
            .create_token(
                &new.token,
                &event(&format!("token/{}", new.token.id), "token.created"),
            )
            .await
            .expect("create");
        if *owner == "region-a" {
            mine.push(new.token);
        }
    }
    let list = |org: &'static str, limit: u32| {
        let store = store.clone();
        all_pages(move |c| {
            let store = store.clone();
            async move { store.tokens_page(org, c.as_deref(), limit).await }
        })
    };
    let (sizes, listed) = list("region-a", 2).await;
    assert_eq!(sizes, [2, 1]);
    assert_eq!(
        listed, mine,
        "region-a's tokens, in the order they were created"
    );
    assert_eq!(list("region-b", 10).await.1.len(), 1);
    assert_eq!(list("nobody", 10).await.1, Vec::new());

    // Touched: the first time, then not again within the hour, then again after it.
    let token = &mine[0];
    let at = t0() + Duration::days(1) + Duration::milliseconds(250);
    let hour = provrum_store::TOKEN_TOUCH_EVERY;
    assert!(store.touch_token(token, at, hour).await.expect("touch"));
    let used = |t: Option<provrum_store::Token>| t.expect("stored").last_used_at;
    let whole_second = t0() + Duration::days(1);
    assert_eq!(
        used(store.token_by_hash(&token.hash).await.expect("get")),
        Some(whole_second)
    );
    assert!(
        !store
            .touch_token(token, at + Duration::minutes(59), hour)
            .await
            .expect("touch")
    );
    assert_eq!(
        used(store.token_by_hash(&token.hash).await.expect("get")),
        Some(whole_second),
        "not written again within the hour"
    );
    // Concurrent requests an hour later write it once.
    let later = at + Duration::minutes(61);
    let (one, two) = tokio::join!(
        store.touch_token(token, later, hour),
        store.touch_token(token, later, hour)
    );
    assert_eq!(
        [one.expect("touch"), two.expect("touch")]
            .iter()
            .filter(|w| **w)
            .count(),
        1
    );
    let later_second = t0() + Duration::days(1) + Duration::minutes(61);
    // A revocation keeps the last use, and a touch keeps the revocation.
    store
        .revoke_token(
            &token.id,
            later,
            &event(&format!("token/{}", token.id), "token.revoked"),
        )
        .await
        .expect("revoke");
    assert!(
        store
            .touch_token(token, later + Duration::hours(2), hour)
            .await
            .expect("touch")
    );
    let stored = store
        .token_by_hash(&token.hash)
        .await
        .expect("get")
        .expect("stored");
    assert_eq!(stored.revoked_at, Some(later));
    assert_eq!(stored.last_used_at, Some(later_second + Duration::hours(2)));
    let (_, listed) = list("region-a", 500).await;
    assert_eq!(
        listed[0], stored,
        "the listing shows the last use and the revocation"
    );

    let ghost = NewToken::generate("region-a", "ghost", t0()).expect("random");
    let missing = store.touch_token(&ghost.token, at, hour).await;
    assert!(
        matches!(missing, Err(StoreError::NotFound(_))),
        "{missing:?}"
    );
    // A cursor of one organisation's tokens is not another's.
    let cursor = store
        .tokens_page("region-a", None, 1)
        .await
        .expect("page")
        .next
        .expect("a next page");
    let refused = store.tokens_page("region-b", Some(&cursor), 1).await;
    assert!(
        matches!(refused, Err(StoreError::Invalid(_))),
        "{refused:?}"
    );
}

async fn budget_versions_page_and_stop_at_the_cap(store: Dyn) {
    let p = provrum("pr_v", t0());
    store
        .create_provrum(&p, &event("provrum/pr_v", "provrum.proposed"))
        .await
        .expect("create");
    let mut at = p;
    for i in 0..3 {
        at = add_version(&store, &at, format!("file {i}").as_bytes(), 1)
            .await
            .expect("version")
            .0;
    }
    let (sizes, listed) = all_pages(|c| {
        let store = store.clone();
        async move { store.budget_versions_page("pr_v", c.as_deref(), 2).await }
    })
    .await;
    assert_eq!(sizes, [2, 1]);
    assert_eq!(
        listed,
        store.list_budget_versions("pr_v").await.expect("all"),
        "the pages are the whole list, oldest first"
    );
    let cursor = store
        .budget_versions_page("pr_v", None, 1)
        .await
        .expect("page")
        .next
        .expect("next");
    let refused = store
        .budget_versions_page("pr_other", Some(&cursor), 1)
        .await;
    assert!(
        matches!(refused, Err(StoreError::Invalid(_))),
        "{refused:?}"
    );

    // A provrum one short of the cap takes its last version, and no more.
    let mut full = provrum("pr_full", t0());
    full.budget_versions = MAX_BUDGET_VERSIONS - 1;
    store
        .create_provrum(&full, &event("provrum/pr_full", "provrum.proposed"))
        .await
        .expect("create");
    let (last, _) = add_version(&store, &full, b"the last one", 1)
        .await
        .expect("the 200th");
    assert_eq!(last.budget_versions, MAX_BUDGET_VERSIONS);
    let (a, b) = tokio::join!(
        add_version(&store, &last, b"one too many", 1),
        add_version(&store, &last, b"another too many", 1)
    );
    for over in [a, b] {
        assert!(matches!(over, Err(StoreError::Full(_))), "{over:?}");
    }
    assert_eq!(
        store
            .get_budget_version("pr_full", MAX_BUDGET_VERSIONS + 1)
            .await
            .expect("get"),
        None
    );
    let stored = store
        .get_provrum("pr_full")
        .await
        .expect("get")
        .expect("there");
    assert_eq!(
        (stored.budget_versions, stored.version),
        (MAX_BUDGET_VERSIONS, 1)
    );
    assert_eq!(
        store
            .audit_events("provrum/pr_full")
            .await
            .expect("audit")
            .len(),
        2,
        "the refused uploads wrote no event"
    );
}

async fn audit_events_page_oldest_first(store: Dyn) {
    let p = provrum("pr_e", t0());
    store
        .create_provrum(&p, &event("provrum/pr_e", "provrum.proposed"))
        .await
        .expect("create");
    let mut at = p;
    for i in 0..4 {
        at.title = format!("Title {i}");
        at = store
            .update_provrum(&at, &event("provrum/pr_e", &format!("edit.{i}")))
            .await
            .expect("update");
    }
    store
        .create_provrum(
            &provrum("pr_f", t0()),
            &event("provrum/pr_f", "provrum.proposed"),
        )
        .await
        .expect("other");
    let (sizes, events) = all_pages(|c| {
        let store = store.clone();
        async move { store.audit_page("provrum/pr_e", c.as_deref(), 2).await }
    })
    .await;
    assert_eq!(sizes, [2, 2, 1]);
    let actions: Vec<String> = events.iter().map(|e| e.action.clone()).collect();
    assert_eq!(
        actions,
        ["provrum.proposed", "edit.0", "edit.1", "edit.2", "edit.3"]
    );
    assert_eq!(
        events,
        store.audit_events("provrum/pr_e").await.expect("all")
    );
    let cursor = store
        .audit_page("provrum/pr_e", None, 1)
        .await
        .expect("page")
        .next
        .expect("next");
    let refused = store.audit_page("provrum/pr_f", Some(&cursor), 1).await;
    assert!(
        matches!(refused, Err(StoreError::Invalid(_))),
        "{refused:?}"
    );
    assert_eq!(
        store
            .audit_page("provrum/none", None, 100)
            .await
            .expect("page"),
        Page {
            items: Vec::new(),
            next: None
        }
    );
}

/// The web page's sessions: opened only with a token in force, found by the hash of the cookie's
/// secret (never the secret), over after a working day, on sign-out, and when the token is
/// revoked.
async fn sessions_last_a_working_day_end_on_sign_out_and_with_their_token(store: Dyn) {
    store
        .create_org(
            &org("region-s", OrgKind::Region, Membership::Member),
            &event("org/region-s", "org.created"),
        )
        .await
        .expect("org");
    let new = NewToken::generate("region-s", "webbsidan", t0()).expect("random");
    store
        .create_token(&new.token, &event("token/s", "token.created"))
        .await
        .expect("token");
    let store = store.as_ref();
    assert!(
        sign_in(store, "prv_not-a-token", t0())
            .await
            .expect("sign in")
            .is_none(),
        "an unknown token opens nothing"
    );
    let (first, token) = sign_in(store, &new.secret, t0())
        .await
        .expect("sign in")
        .expect("signed in");
    assert_eq!(token.id, new.token.id);
    assert!(first.secret.starts_with("ses_") && first.secret.len() > 50);
    assert_eq!(first.session.hash, hash_token(&first.secret));
    assert_eq!(first.session.expires_at, t0() + SESSION_LENGTH);
    assert_eq!(
        store
            .session_by_hash(&first.secret, t0())
            .await
            .expect("lookup"),
        None,
        "the secret itself is not a key"
    );
    // During the working day, and not after it.
    let late = t0() + SESSION_LENGTH - Duration::minutes(1);
    let (found, by) = signed_in(store, &first.secret, late)
        .await
        .expect("lookup")
        .expect("in force");
    assert_eq!(
        (found, by.id),
        (first.session.clone(), new.token.id.clone())
    );
    for after in [t0() + SESSION_LENGTH, t0() + Duration::days(2)] {
        assert!(
            signed_in(store, &first.secret, after)
                .await
                .expect("lookup")
                .is_none(),
            "expired at {after}"
        );
    }
    assert!(
        signed_in(store, "ses_unknown", t0())
            .await
            .expect("lookup")
            .is_none()
    );
    // Sign-out ends one session, once; another stays.
    let (second, _) = sign_in(store, &new.secret, t0())
        .await
        .expect("sign in")
        .expect("signed in");
    let (third, _) = sign_in(store, &new.secret, t0())
        .await
        .expect("sign in")
        .expect("signed in");
    assert_ne!(second.session.hash, third.session.hash);
    assert!(
        store
            .delete_session(&second.session.hash)
            .await
            .expect("sign out")
    );
    assert!(
        !store
            .delete_session(&second.session.hash)
            .await
            .expect("twice")
    );
    assert!(
        signed_in(store, &second.secret, t0())
            .await
            .expect("lookup")
            .is_none()
    );
    assert!(
        signed_in(store, &third.secret, t0())
            .await
            .expect("lookup")
            .is_some()
    );
    assert!(
        store
            .create_session(&third.session)
            .await
            .is_err_and(|e| matches!(e, StoreError::AlreadyExists(_))),
        "a session hash is unique"
    );
    // Revoking the token ends its sessions, and it opens no new one.
    store
        .revoke_token(
            &new.token.id,
            t0() + Duration::hours(1),
            &event("token/s", "token.revoked"),
        )
        .await
        .expect("revoke");
    assert!(
        signed_in(store, &third.secret, t0() + Duration::hours(2))
            .await
            .expect("lookup")
            .is_none()
    );
    assert!(
        sign_in(store, &new.secret, t0() + Duration::hours(2))
            .await
            .expect("sign in")
            .is_none()
    );
}
