//! What the go-ahead approved stays approved (issue 28), over real HTTP on both stores: the
//! go-ahead records the version it approved; after it, a revision with errors or beyond the
//! grant is refused and nothing is stored, a clean one is stored as a revision; a workbook of
//! another provrum is refused; a partner is never offered to lead; a result before the plan's
//! start date is refused; budget figures reach only those `/budget` shows them to; file names
//! are bounded and read as they are.

use provrum_tests::app::{Answer, Backend, TestApp, rules, spawn_app, workbook_titled};
use serde_json::{Value, json};

const TITLE: &str = "Godkänd budget";

#[tokio::test]
async fn the_go_ahead_approves_one_version_on_the_embedded_store() {
    go_ahead(spawn_app(provrum::all_routes, Backend::Sqlite).await).await;
}

#[tokio::test]
async fn the_go_ahead_approves_one_version_on_dynamodb() {
    go_ahead(spawn_app(provrum::all_routes, Backend::Dynamodb).await).await;
}

/// The example's budget with its expert line (Reglab's base funding) raised by `kr`: 93 000 kr
/// of base funding plus `kr`, planned in 2025, the plan of [`TITLE`].
fn raised(kr: f64) -> Vec<u8> {
    use provrum_rules::layout::PlanField;
    use provrum_rules::model::{ParticipantKind, Role};
    use provrum_workbook::template::{self, Entry};
    let mut filled = template::example(provrum_rules::Lang::Sv);
    filled.participants = vec![
        ("Org region-a".into(), ParticipantKind::Region, Role::Leader),
        (
            "Org region-b".into(),
            ParticipantKind::Region,
            Role::Participant,
        ),
    ];
    for line in &mut filled.budget {
        if line.funder.is_some() {
            line.funder = Some("Org region-a".into());
        }
    }
    if let Some(line) = filled.budget.iter_mut().find(|l| l.funder.is_none()) {
        line.amount_kr += kr;
    }
    for (field, entry) in &mut filled.plan {
        let date = |m, d| chrono::NaiveDate::from_ymd_opt(2025, m, d).expect("date");
        match field {
            PlanField::Name => *entry = Entry::Text(TITLE.into()),
            PlanField::StartDate => *entry = Entry::Date(date(3, 1)),
            PlanField::EndDate => *entry = Entry::Date(date(7, 31)),
            _ => {}
        }
    }
    template::build(
        provrum_rules::Lang::Sv,
        &provrum_rules::RuleSet::provrum_2023(),
        Some(&filled),
    )
    .expect("workbook")
}

/// region-a's provrum [`TITLE`], which region-b takes part in: their tokens and its id.
async fn led(app: &TestApp) -> (String, String, String) {
    let a = app.org("region-a", "region", "member").await;
    let b = app.org("region-b", "region", "member").await;
    let id = app
        .led_provrum(("region-a", &a), ("region-b", &b), TITLE)
        .await;
    (a, b, id)
}

async fn budget_versions(app: &TestApp, id: &str) -> (u32, usize) {
    let p = app
        .store
        .get_provrum(id)
        .await
        .expect("store")
        .expect("provrum");
    let listed = app.store.list_budget_versions(id).await.expect("versions");
    (p.budget_versions, listed.len())
}

async fn events(app: &TestApp, id: &str) -> Vec<String> {
    app.store
        .audit_events(&format!("provrum/{id}"))
        .await
        .expect("events")
        .into_iter()
        .map(|e| e.action)
        .collect()
}

async fn go_ahead(app: TestApp) {
    let (a, b, id) = led(&app).await;
    let outsider = app.org("region-c", "region", "member").await;

    // Version 1: clean. The kansli approves it; the go-ahead records it.
    let (status, v1) = app
        .upload_budget(&a, &id, workbook_titled(TITLE, "region-a", &["region-b"]))
        .await
        .parts();
    assert_eq!(
        (status, v1["compliance"]["verdict"].as_str()),
        (201, Some("ok")),
        "{v1}"
    );
    let (status, started) = app.approve(&app.kansli, &id).await.parts();
    assert_eq!(status, 200, "{started}");
    assert_eq!(started["base_funding_ore"], 9_300_000);
    let (_, view) = app.get_provrum(&a, &id).await.parts();
    let approved = &view["approved_budget"];
    assert_eq!(approved["version"], 1, "{view}");
    assert_eq!(approved["sha256"], view["latest_budget"]["sha256"]);
    assert_eq!(approved["base_funding_ore"], 9_300_000);
    assert_eq!(approved["approved_by"], "reglab");
    assert_eq!(view["start"], "2025-03-01");
    assert_eq!(view["end"], "2025-07-31");
    assert!(view["approved_at"].is_string(), "{view}");
    let (_, rows) = app.status(&app.kansli).await.parts();
    assert_eq!(rows[0]["approved_version"], 1, "{rows}");
    let trail = events(&app, &id).await;

    // A revision with errors (BUD-4 at 123 000 kr of base funding): refused with the findings,
    // nothing stored, no event.
    let (status, refused) = app.upload_budget(&a, &id, raised(30_000.0)).await.parts();
    assert_eq!(status, 409, "{refused}");
    assert_eq!(rules(&refused), ["PROC-3", "BUD-4", "PROC-3"], "{refused}");
    assert!(
        refused["findings"][2]["message"]
            .as_str()
            .is_some_and(|m| m.contains("30 000 kr mer än de 93 000 kr")),
        "{refused}"
    );
    assert_eq!(refused["findings"][1]["location"]["sheet"], "Budget");
    assert_eq!(budget_versions(&app, &id).await, (1, 1));
    assert_eq!(events(&app, &id).await, trail);

    // A clean revision within the grant: stored, marked, audited as a revision; the approval
    // and the grant stand.
    let (status, v2) = app.upload_budget(&a, &id, raised(-5_000.0)).await.parts();
    assert_eq!((status, v2["version"].as_u64()), (201, Some(2)), "{v2}");
    assert_eq!(budget_versions(&app, &id).await, (2, 2));
    let (_, view) = app.get_provrum(&a, &id).await.parts();
    assert_eq!(view["latest_budget"]["revision"], true, "{view}");
    assert_eq!(view["approved_budget"]["version"], 1);
    assert_eq!(view["granted_base_funding_ore"], 9_300_000);
    assert_eq!(
        events(&app, &id).await.last().map(String::as_str),
        Some("budget.revised")
    );
    let (_, rows) = app.status(&app.kansli).await.parts();
    assert_eq!(
        (
            rows[0]["approved_version"].as_u64(),
            rows[0]["revision"].as_bool()
        ),
        (Some(1), Some(true))
    );

    // Budget figures only for the participants and the kansli, in every view.
    for (token, sees) in [
        (&a, true),
        (&b, true),
        (&app.kansli, true),
        (&outsider, false),
    ] {
        let (_, one) = app.get_provrum(token, &id).await.parts();
        let (_, all) = app.list_provrum(token).await.parts();
        let listed = all
            .as_array()
            .and_then(|l| l.iter().find(|p| p["id"] == id.as_str()))
            .cloned()
            .unwrap_or(Value::Null);
        for view in [&one, &listed] {
            assert_eq!(!view["latest_budget"].is_null(), sees, "{view}");
            assert_eq!(!view["approved_budget"].is_null(), sees, "{view}");
            // The dates are for everyone who sees the provrum.
            assert_eq!(view["start"], "2025-03-01");
        }
        let (status, _) = app.get_budget(token, &id).await.parts();
        assert_eq!(status == 200, sees);
    }
}

#[tokio::test]
async fn a_foreign_workbook_is_refused_and_partners_are_not_offered_to_lead() {
    let app = spawn_app(provrum::all_routes, Backend::Sqlite).await;
    let (a, b, id) = led(&app).await;
    let partner = app.org("rise", "other", "partner").await;

    // Another provrum's workbook: its participants are not this provrum's. Refused, at the
    // cells, naming them; nothing stored.
    let (status, refused) = app
        .upload_budget(&a, &id, workbook_titled("Annat", "region-x", &["region-y"]))
        .await
        .parts();
    assert_eq!(status, 409, "{refused}");
    let found = rules(&refused);
    assert!(
        found.iter().all(|r| r == "DELT-8") && found.len() == 3,
        "{refused}"
    );
    assert!(
        refused["findings"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("Org region-x")),
        "{refused}"
    );
    assert_eq!(refused["findings"][0]["location"]["sheet"], "Deltagare");
    assert!(refused["findings"][0]["location"]["cell"].is_string());
    assert_eq!(budget_versions(&app, &id).await, (0, 0));

    // The partner's interest step: it may take part, never offer to lead.
    let (_, view) = app.get_provrum(&partner, &id).await.parts();
    let interest = action(&view, "register_interest");
    assert_eq!(interest["allowed"], true);
    assert_eq!(interest["wants_to_lead"]["allowed"], false, "{interest}");
    assert_eq!(interest["wants_to_lead"]["findings"][0]["rule"], "DELT-4");
    let (status, refused) = app
        .register_interest(&partner, &id, &json!({"wants_to_lead": true}))
        .await
        .parts();
    assert_eq!((status, rules(&refused)), (409, vec!["DELT-4".to_string()]));
    let (status, _) = app
        .register_interest(&partner, &id, &json!({"wants_to_lead": false}))
        .await
        .parts();
    assert_eq!(status, 200);
    // The proposer's leader list: the participating members, never the partner.
    let (_, view) = app.get_provrum(&a, &id).await.parts();
    let choose = action(&view, "choose_leader");
    assert_eq!(
        choose["leaders"],
        json!(["region-a", "region-b"]),
        "{choose}"
    );
    // The leader is not offered to withdraw its interest (region-b leads now).
    app.choose_leader(&a, &id, &json!({"org": "region-b"}))
        .await
        .parts();
    let (_, view) = app.get_provrum(&b, &id).await.parts();
    assert!(
        view["actions"]
            .as_array()
            .is_some_and(|l| !l.iter().any(|x| x["action"] == "withdraw_interest")),
        "{view}"
    );
    let (status, _) = app.withdraw_interest(&b, &id).await.parts();
    assert_eq!(status, 403);
}

#[tokio::test]
async fn a_result_before_the_plans_start_date_is_refused() {
    let app = spawn_app(provrum::all_routes, Backend::Sqlite).await;
    let (a, _, id) = led(&app).await;
    // Planned for March next year and later: approved now, not yet started.
    let year = chrono::Utc::now()
        .naive_utc()
        .date()
        .format("%Y")
        .to_string();
    let next: i32 = year.parse::<i32>().expect("year") + 1;
    let (status, body) = app
        .upload_budget(
            &a,
            &id,
            provrum_tests::app::workbook_in("region-a", &["region-b"], next),
        )
        .await
        .parts();
    assert_eq!(status, 201, "{body}");
    let (status, body) = app.approve(&app.kansli, &id).await.parts();
    assert_eq!(status, 200, "{body}");
    let (_, view) = app.get_provrum(&a, &id).await.parts();
    let report = action(&view, "report_result");
    assert_eq!(report["allowed"], false, "{report}");
    let (status, refused) = app
        .report_result(&a, &id, &json!({"summary": "För tidigt."}))
        .await
        .parts();
    assert_eq!(status, 409, "{refused}");
    assert_eq!(
        refused["detail"],
        format!(
            "Provrummet startar {next}-03-01; resultatet kan återrapporteras från startdatumet."
        )
    );
    let p = app
        .store
        .get_provrum(&id)
        .await
        .expect("store")
        .expect("provrum");
    assert!(p.result.is_none());
}

#[tokio::test]
async fn an_uploads_file_name_is_bounded_and_stripped_of_controls() {
    let app = spawn_app(provrum::all_routes, Backend::Sqlite).await;
    let (a, _, id) = led(&app).await;
    let name = format!("budget\u{202E}xslx{}.xlsx", "å".repeat(300_000));
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(workbook_titled(TITLE, "region-a", &["region-b"]))
            .file_name(name),
    );
    let (status, body) = app
        .send(
            app.client
                .post(format!("{}/provrum/{id}/budget", app.address))
                .bearer_auth(&a)
                .multipart(form),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let versions = app.store.list_budget_versions(&id).await.expect("versions");
    let kept = versions[0].file_name.clone().expect("a name");
    assert_eq!(kept.chars().count(), 200);
    assert!(kept.starts_with("budgetxslxåå"), "{kept}");
    let (_, all) = app.list_provrum(&a).await.parts();
    assert!(all.to_string().len() < 20_000, "the listing stays small");
}

fn action<'a>(view: &'a Value, name: &str) -> &'a Value {
    view["actions"]
        .as_array()
        .and_then(|l| l.iter().find(|a| a["action"] == name))
        .unwrap_or_else(|| panic!("no {name} in {view}"))
}
