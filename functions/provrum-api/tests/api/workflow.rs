use provrum_tests::app::{Answer, Backend, TestApp, rules, spawn_app};
use serde_json::json;

async fn proposal(app: &TestApp, token: &str) -> String {
    let r = app
        .propose(
            token,
            &json!({"title": "Drönare – nya frågeställningar", "theme": "Beredskap"}),
        )
        .await
        .answer();
    assert_eq!(r.status, 201, "{:?}", r.body);
    r.body["id"].as_str().expect("id").to_string()
}

#[tokio::test]
async fn members_propose_partners_and_the_kansli_cannot() {
    let app = spawn_app(provrum_api::router, Backend::Sqlite).await;
    let member = app
        .org_named("region-skane", "Region Skåne", "region", "member")
        .await;
    let partner = app
        .org_named("forskning", "Forskningsinstitutet", "other", "partner")
        .await;
    let r = app
        .propose(&member, &json!({"title": "AI i analysen"}))
        .await
        .answer();
    assert_eq!(r.status, 201);
    assert_eq!(r.body["status"], "proposed");
    assert_eq!(r.body["proposer"], "region-skane");
    assert_eq!(
        r.body["participants"][0]["org"], "region-skane",
        "the proposer takes part"
    );
    assert_eq!(r.body["ready"], false);
    let refused = app.propose(&partner, &json!({"title": "X"})).await.answer();
    assert_eq!(refused.status, 403);
    assert_eq!(rules(&refused.body), ["PROC-1"]);
    assert!(
        refused.body["findings"][0]["source"]
            .as_str()
            .unwrap_or_default()
            .starts_with("Partner kan inte föreslå provrum")
    );
    let english = app
        .lang("en")
        .propose(&partner, &json!({"title": "X"}))
        .await
        .answer();
    assert_eq!(
        english.body["findings"][0]["message"],
        "A partner cannot propose a provrum, but can register interest in taking part in one."
    );
    assert_eq!(
        rules(
            &app.propose(&app.kansli, &json!({"title": "X"}))
                .await
                .answer()
                .body
        ),
        ["PROC-1"]
    );
    assert_eq!(
        app.propose(&member, &json!({"title": "  "}))
            .await
            .answer()
            .status,
        400
    );
    assert_eq!(
        app.propose(&member, &json!({"titel": "typo"}))
            .await
            .answer()
            .status,
        400
    );
    let listed = app.list_provrum(&partner).await.answer();
    assert_eq!(listed.body.as_array().map(Vec::len), Some(1));
    assert_eq!(
        app.get_provrum(&member, "pr_nope").await.answer().status,
        404
    );
}

#[tokio::test]
async fn interest_up_to_six_organisations_and_a_seventh_is_delt_1() {
    let app = spawn_app(provrum_api::router, Backend::Sqlite).await;
    let proposer = app.org_named("org-0", "Region 0", "region", "member").await;
    let id = proposal(&app, &proposer).await;
    for i in 1..6 {
        let token = app
            .org_named(
                &format!("org-{i}"),
                &format!("Region {i}"),
                "region",
                "member",
            )
            .await;
        let r = app
            .register_interest(&token, &id, &json!({"wants_to_lead": i == 1}))
            .await
            .answer();
        assert_eq!(r.status, 200, "{:?}", r.body);
    }
    let seventh = app.org_named("org-6", "Partnern", "other", "partner").await;
    let r = app
        .register_interest(&seventh, &id, &json!({"wants_to_lead": false}))
        .await
        .answer();
    assert_eq!(r.status, 409);
    assert_eq!(rules(&r.body), ["DELT-1"]);
    let now = app.get_provrum(&seventh, &id).await.answer();
    assert_eq!(now.body["participants"].as_array().map(Vec::len), Some(6));
    assert_eq!(now.body["participants"][1]["wants_to_lead"], true);
    assert_eq!(
        app.register_interest(&app.kansli, &id, &json!({"wants_to_lead": false}))
            .await
            .answer()
            .status,
        403
    );
}

#[tokio::test]
async fn the_leader_is_a_participating_member_chosen_by_the_proposer_or_the_kansli() {
    let app = spawn_app(provrum_api::router, Backend::Sqlite).await;
    let skane = app
        .org_named("region-skane", "Region Skåne", "region", "member")
        .await;
    let ostergotland = app
        .org_named(
            "region-ostergotland",
            "Region Östergötland",
            "region",
            "member",
        )
        .await;
    let partner = app
        .org_named("forskning", "Forskningsinstitutet", "other", "partner")
        .await;
    let outsider = app
        .org_named("region-gotland", "Region Gotland", "region", "member")
        .await;
    let id = proposal(&app, &skane).await;
    // A partner takes part, but may not offer to lead (DELT-4): refused, and not registered.
    let r = app
        .register_interest(&partner, &id, &json!({"wants_to_lead": true}))
        .await
        .answer();
    assert_eq!(
        (r.status, rules(&r.body)),
        (409, vec!["DELT-4".to_string()])
    );
    for (token, wants_to_lead) in [(&ostergotland, true), (&partner, false)] {
        assert_eq!(
            app.register_interest(token, &id, &json!({"wants_to_lead": wants_to_lead}))
                .await
                .answer()
                .status,
            200
        );
    }
    let r = app
        .choose_leader(&skane, &id, &json!({"org": "forskning"}))
        .await
        .answer();
    assert_eq!(r.status, 409);
    assert_eq!(rules(&r.body), ["DELT-4"]);
    assert_eq!(
        app.choose_leader(&skane, &id, &json!({"org": "region-gotland"}))
            .await
            .answer()
            .status,
        409,
        "not a participant"
    );
    assert_eq!(
        app.choose_leader(&outsider, &id, &json!({"org": "region-skane"}))
            .await
            .answer()
            .status,
        403
    );
    assert_eq!(
        app.choose_leader(&ostergotland, &id, &json!({"org": "region-skane"}))
            .await
            .answer()
            .status,
        403,
        "only the proposer"
    );
    let r = app
        .choose_leader(&skane, &id, &json!({"org": "region-ostergotland"}))
        .await
        .answer();
    assert_eq!(r.status, 200);
    assert_eq!(r.body["leader"], "region-ostergotland");
    assert_eq!(r.body["ready"], true, "a leader and two regions");
    let r = app
        .choose_leader(&app.kansli, &id, &json!({"org": "region-skane"}))
        .await
        .answer();
    assert_eq!(r.body["leader"], "region-skane");
    // The leader leaving makes it not ready again.
    assert_eq!(
        app.withdraw_interest(&ostergotland, &id)
            .await
            .answer()
            .status,
        204
    );
    let r = app.get_provrum(&skane, &id).await.answer();
    assert_eq!(r.body["ready"], false);
    let reasons: Vec<&str> = r.body["readiness"]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    assert_eq!(reasons, ["DELT-5"]);
    let events = app
        .store
        .audit_events(&format!("provrum/{id}"))
        .await
        .expect("audit");
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "provrum.proposed",
            "interest.registered",
            "interest.registered",
            "leader.chosen",
            "leader.chosen",
            "interest.withdrawn"
        ]
    );
}

#[tokio::test]
async fn withdrawing_a_provrum() {
    let app = spawn_app(provrum_api::router, Backend::Sqlite).await;
    let skane = app
        .org_named("region-skane", "Region Skåne", "region", "member")
        .await;
    let other = app
        .org_named("region-gotland", "Region Gotland", "region", "member")
        .await;
    let id = proposal(&app, &skane).await;
    assert_eq!(
        app.withdraw_interest(&skane, &id).await.answer().status,
        409,
        "the proposer withdraws the provrum instead"
    );
    assert_eq!(app.withdraw(&other, &id).await.answer().status, 403);
    let r = app.withdraw(&skane, &id).await.answer();
    assert_eq!(
        (r.status, r.body["status"].as_str()),
        (200, Some("withdrawn"))
    );
    let late = app
        .register_interest(&other, &id, &json!({"wants_to_lead": false}))
        .await
        .answer();
    assert_eq!(late.status, 409);
    assert_eq!(app.withdraw(&app.kansli, &id).await.answer().status, 409);
}
