use provrum_tests::app::{Answer, Backend, TestApp, rules, spawn_app, workbook_titled};
use serde_json::json;

#[tokio::test]
async fn the_whole_story_on_the_embedded_store() {
    story(spawn_app(provrum::all_routes, Backend::Sqlite).await).await;
}

#[tokio::test]
async fn the_whole_story_on_dynamodb() {
    story(spawn_app(provrum::all_routes, Backend::Dynamodb).await).await;
}

/// From proposal to reported result, as the users do it.
async fn story(app: TestApp) {
    // Anyone fetches the template; filled in blank it asks for the plan.
    let template = app.template("en").await.answer();
    assert_eq!(template.status, 200);
    let bytes = template.bytes;
    let c = provrum_workbook::check(
        &bytes,
        None,
        provrum_rules::Context::stateless(&provrum_rules::RuleSet::provrum_2023()),
    );
    assert_eq!(
        c.report
            .findings
            .iter()
            .filter(|f| f.rule == "PLAN-1")
            .count(),
        7
    );
    // The same template as data, for the add-on: English sheet names on request.
    let spec: serde_json::Value =
        serde_json::from_slice(&app.template_spec("en").await.answer().bytes).expect("json");
    let names: Vec<&str> = spec["sheets"]
        .as_array()
        .expect("sheets")
        .iter()
        .filter_map(|s| s["name"].as_str())
        .collect();
    assert_eq!(names, ["Project plan", "Participants", "Budget", "Listor"]);

    let skane = app.org("region-skane", "region", "member").await;
    let halland = app.org("region-halland", "region", "member").await;
    let partner = app.org("rise", "other", "partner").await;

    // A member proposes; a region joins and wants to lead; the proposer chooses the leader.
    let (status, p) = app
        .propose(&skane, &json!({"title": "Drönare – nya frågeställningar"}))
        .await
        .parts();
    assert_eq!(status, 201, "{p}");
    let id = p["id"].as_str().expect("id").to_string();
    assert_eq!(
        app.register_interest(&halland, &id, &json!({"wants_to_lead": true}))
            .await
            .parts()
            .0,
        200
    );
    assert_eq!(
        app.register_interest(&partner, &id, &json!({"wants_to_lead": false}))
            .await
            .parts()
            .0,
        200
    );
    let (_, p) = app
        .choose_leader(&skane, &id, &json!({"org": "region-halland"}))
        .await
        .parts();
    assert_eq!(
        (p["leader"].as_str(), p["ready"].as_bool()),
        (Some("region-halland"), Some(true))
    );

    // Approval before any budget is refused with findings.
    let (status, refused) = app.approve(&app.kansli, &id).await.parts();
    assert_eq!((status, rules(&refused)), (409, vec!["BUD-1".to_string()]));
    assert_eq!(
        refused["findings"][0]["message"],
        "Ingen budget är uppladdad; provrumsledaren laddar upp projektplan och budget innan start."
    );

    // Only the leader uploads; the first upload forgets the partner (DELT-7, a warning).
    let title = "Drönare – nya frågeställningar";
    let only_regions = workbook_titled(title, "region-halland", &["region-skane"]);
    assert_eq!(
        app.upload_budget(&skane, &id, only_regions.clone())
            .await
            .parts()
            .0,
        403
    );
    let (status, v1) = app.upload_budget(&halland, &id, only_regions).await.parts();
    assert_eq!(status, 201, "{v1}");
    assert_eq!(v1["version"], 1);
    assert_eq!(v1["compliance"]["verdict"], "warnings");
    assert_eq!(rules(&v1["compliance"]), ["DELT-7"]);
    assert!(
        v1["compliance"]["findings"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("Org rise")
    );

    // A second version as multipart, with an error: the kansli's approval is refused with it.
    let mut broken = provrum_tests::Book::valid_sv();
    let s = provrum_tests::s;
    broken
        .set("Deltagare", "A2", Some(s("Org region-halland")))
        .set("Deltagare", "A3", Some(s("Org region-skane")))
        .set("Deltagare", "A4", Some(s("Org rise")))
        .set("Budget", "D2", Some(s("Org region-halland")))
        .set("Budget", "D5", Some(s("Org region-skane")))
        .set("Budget", "C5", Some(s("12.500")));
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(broken.to_xlsx()).file_name("budget.xlsx"),
    );
    let (status, v2) = app
        .send(
            app.client
                .post(format!("{}/provrum/{id}/budget", app.address))
                .bearer_auth(&halland)
                .multipart(form),
        )
        .await;
    assert_eq!(status, 201, "{v2}");
    assert_eq!(v2["version"], 2);
    let (status, refused) = app.approve(&app.kansli, &id).await.parts();
    assert_eq!(status, 409);
    assert!(rules(&refused).contains(&"BUD-2".to_string()), "{refused}");
    assert_eq!(refused["findings"][0]["location"]["cell"], "C5");

    // Version 3 is right; the participants and the kansli can read it, others cannot.
    let (status, v3) = app
        .upload_budget(
            &halland,
            &id,
            workbook_titled(title, "region-halland", &["region-skane", "rise"]),
        )
        .await
        .parts();
    assert_eq!(
        (status, v3["compliance"]["verdict"].as_str()),
        (201, Some("ok")),
        "{v3}"
    );
    let (status, budget) = app.get_budget(&partner, &id).await.parts();
    assert_eq!(status, 200);
    assert_eq!(budget["versions"].as_array().map(Vec::len), Some(3));
    assert_eq!(budget["latest"]["summary"]["version"], 3);
    let outsider = app.org("region-gotland", "region", "member").await;
    assert_eq!(app.get_budget(&outsider, &id).await.parts().0, 403);

    // The kansli starts it; not twice; the leader reports the result.
    assert_eq!(app.approve(&skane, &id).await.parts().0, 403);
    let (status, started) = app.approve(&app.kansli, &id).await.parts();
    assert_eq!(
        (
            status,
            started["status"].as_str(),
            started["quota_year"].as_i64()
        ),
        (200, Some("running"), Some(2025)),
        "{started}"
    );
    let (status, again) = app.approve(&app.kansli, &id).await.parts();
    assert_eq!((status, rules(&again)), (409, vec!["PROC-2".to_string()]));
    assert_eq!(
        again["findings"][0]["message"],
        "Ett provrum med status ”pågår” kan inte startas; bara föreslagna provrum kan få klartecken."
    );
    let (_, rows) = app.status(&app.kansli).await.parts();
    assert_eq!(rows[0]["status"], "running");
    assert_eq!(rows[0]["base_funding_ore"], 9_300_000);
    assert_eq!(
        rows[0]["result_overdue"], true,
        "ended 2025-07-31 without a result"
    );
    assert_eq!(app.status(&skane).await.parts().0, 403);
    assert_eq!(
        app.report_result(&skane, &id, &json!({"summary": "x"}))
            .await
            .parts()
            .0,
        403
    );
    let (status, reported) = app
        .report_result(
            &halland,
            &id,
            &json!({"summary": "Vägledning klar.", "link": "https://reglab.se/provrum/dronare"}),
        )
        .await
        .parts();
    assert_eq!(
        (status, reported["status"].as_str()),
        (200, Some("reported"))
    );
    let (status, twice) = app
        .report_result(&halland, &id, &json!({"summary": "Igen."}))
        .await
        .parts();
    assert_eq!(
        (status, twice["detail"].as_str()),
        (
            409,
            Some(
                "Provrummet har status ”rapporterat”; resultat rapporteras för ett pågående provrum."
            )
        ),
        "{twice}"
    );

    // The year's report counts it.
    let (status, report) = app.report(&app.kansli, 2025).await.parts();
    assert_eq!(status, 200, "{report}");
    assert_eq!(
        (report["started"].as_u64(), report["quota"].as_u64()),
        (Some(1), Some(2))
    );
    assert_eq!(report["base_funding_ore"], 9_300_000);
    assert_eq!(report["overdue_results"].as_array().map(Vec::len), Some(0));
    let history = app
        .store
        .audit_events(&format!("provrum/{id}"))
        .await
        .expect("audit");
    let actions: Vec<&str> = history.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "provrum.proposed",
            "interest.registered",
            "interest.registered",
            "leader.chosen",
            "budget.uploaded",
            "budget.uploaded",
            "budget.uploaded",
            "provrum.approved",
            "result.reported"
        ]
    );
}
