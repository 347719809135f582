use crate::helpers::{TestApp, rules, spawn_app};
use serde_json::json;

async fn proposal(app: &TestApp, token: &str) -> String {
    let r = app
        .call(
            "POST",
            "/provrum",
            Some(token),
            Some(json!({"title": "Drönare – nya frågeställningar", "theme": "Beredskap"})),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    r.body["id"].as_str().expect("id").to_string()
}

#[tokio::test]
async fn members_propose_partners_and_the_kansli_cannot() {
    let app = spawn_app().await;
    let member = app
        .org("region-skane", "Region Skåne", "region", "member")
        .await;
    let partner = app
        .org("forskning", "Forskningsinstitutet", "other", "partner")
        .await;
    let r = app
        .call(
            "POST",
            "/provrum",
            Some(&member),
            Some(json!({"title": "AI i analysen"})),
        )
        .await;
    assert_eq!(r.status, 201);
    assert_eq!(r.body["status"], "proposed");
    assert_eq!(r.body["proposer"], "region-skane");
    assert_eq!(
        r.body["participants"][0]["org"], "region-skane",
        "the proposer takes part"
    );
    assert_eq!(r.body["ready"], false);
    let refused = app
        .call(
            "POST",
            "/provrum",
            Some(&partner),
            Some(json!({"title": "X"})),
        )
        .await;
    assert_eq!(refused.status, 403);
    assert_eq!(rules(&refused.body), ["PROC-1"]);
    assert!(
        refused.body["findings"][0]["source"]
            .as_str()
            .unwrap_or_default()
            .starts_with("Partner kan inte föreslå provrum")
    );
    let english = app
        .call_lang(
            "POST",
            "/provrum",
            Some(&partner),
            Some(json!({"title": "X"})),
            Some("en"),
        )
        .await;
    assert_eq!(
        english.body["findings"][0]["message"],
        "A partner cannot propose a provrum, but can register interest in taking part in one."
    );
    assert_eq!(
        rules(
            &app.call(
                "POST",
                "/provrum",
                Some(&app.kansli),
                Some(json!({"title": "X"}))
            )
            .await
            .body
        ),
        ["PROC-1"]
    );
    assert_eq!(
        app.call(
            "POST",
            "/provrum",
            Some(&member),
            Some(json!({"title": "  "}))
        )
        .await
        .status,
        400
    );
    assert_eq!(
        app.call(
            "POST",
            "/provrum",
            Some(&member),
            Some(json!({"titel": "typo"}))
        )
        .await
        .status,
        400
    );
    let listed = app.call("GET", "/provrum", Some(&partner), None).await;
    assert_eq!(listed.body.as_array().map(Vec::len), Some(1));
    assert_eq!(
        app.call("GET", "/provrum/pr_nope", Some(&member), None)
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn interest_up_to_six_organisations_and_a_seventh_is_delt_1() {
    let app = spawn_app().await;
    let proposer = app.org("org-0", "Region 0", "region", "member").await;
    let id = proposal(&app, &proposer).await;
    for i in 1..6 {
        let token = app
            .org(
                &format!("org-{i}"),
                &format!("Region {i}"),
                "region",
                "member",
            )
            .await;
        let r = app
            .call(
                "POST",
                &format!("/provrum/{id}/interest"),
                Some(&token),
                Some(json!({"wants_to_lead": i == 1})),
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
    }
    let seventh = app.org("org-6", "Partnern", "other", "partner").await;
    let r = app
        .call(
            "POST",
            &format!("/provrum/{id}/interest"),
            Some(&seventh),
            Some(json!({"wants_to_lead": false})),
        )
        .await;
    assert_eq!(r.status, 409);
    assert_eq!(rules(&r.body), ["DELT-1"]);
    let now = app
        .call("GET", &format!("/provrum/{id}"), Some(&seventh), None)
        .await;
    assert_eq!(now.body["participants"].as_array().map(Vec::len), Some(6));
    assert_eq!(now.body["participants"][1]["wants_to_lead"], true);
    assert_eq!(
        app.call(
            "POST",
            &format!("/provrum/{id}/interest"),
            Some(&app.kansli),
            Some(json!({"wants_to_lead": false}))
        )
        .await
        .status,
        403
    );
}

#[tokio::test]
async fn the_leader_is_a_participating_member_chosen_by_the_proposer_or_the_kansli() {
    let app = spawn_app().await;
    let skane = app
        .org("region-skane", "Region Skåne", "region", "member")
        .await;
    let ostergotland = app
        .org(
            "region-ostergotland",
            "Region Östergötland",
            "region",
            "member",
        )
        .await;
    let partner = app
        .org("forskning", "Forskningsinstitutet", "other", "partner")
        .await;
    let outsider = app
        .org("region-gotland", "Region Gotland", "region", "member")
        .await;
    let id = proposal(&app, &skane).await;
    for token in [&ostergotland, &partner] {
        assert_eq!(
            app.call(
                "POST",
                &format!("/provrum/{id}/interest"),
                Some(token),
                Some(json!({"wants_to_lead": true}))
            )
            .await
            .status,
            200
        );
    }
    let path = format!("/provrum/{id}/leader");
    let r = app
        .call(
            "PUT",
            &path,
            Some(&skane),
            Some(json!({"org": "forskning"})),
        )
        .await;
    assert_eq!(r.status, 409);
    assert_eq!(rules(&r.body), ["DELT-4"]);
    assert_eq!(
        app.call(
            "PUT",
            &path,
            Some(&skane),
            Some(json!({"org": "region-gotland"}))
        )
        .await
        .status,
        409,
        "not a participant"
    );
    assert_eq!(
        app.call(
            "PUT",
            &path,
            Some(&outsider),
            Some(json!({"org": "region-skane"}))
        )
        .await
        .status,
        403
    );
    assert_eq!(
        app.call(
            "PUT",
            &path,
            Some(&ostergotland),
            Some(json!({"org": "region-skane"}))
        )
        .await
        .status,
        403,
        "only the proposer"
    );
    let r = app
        .call(
            "PUT",
            &path,
            Some(&skane),
            Some(json!({"org": "region-ostergotland"})),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["leader"], "region-ostergotland");
    assert_eq!(r.body["ready"], true, "a leader and two regions");
    let r = app
        .call(
            "PUT",
            &path,
            Some(&app.kansli),
            Some(json!({"org": "region-skane"})),
        )
        .await;
    assert_eq!(r.body["leader"], "region-skane");
    // The leader leaving makes it not ready again.
    assert_eq!(
        app.call(
            "DELETE",
            &format!("/provrum/{id}/interest"),
            Some(&ostergotland),
            None
        )
        .await
        .status,
        204
    );
    let r = app
        .call("GET", &format!("/provrum/{id}"), Some(&skane), None)
        .await;
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
    let app = spawn_app().await;
    let skane = app
        .org("region-skane", "Region Skåne", "region", "member")
        .await;
    let other = app
        .org("region-gotland", "Region Gotland", "region", "member")
        .await;
    let id = proposal(&app, &skane).await;
    assert_eq!(
        app.call(
            "DELETE",
            &format!("/provrum/{id}/interest"),
            Some(&skane),
            None
        )
        .await
        .status,
        409,
        "the proposer withdraws the provrum instead"
    );
    assert_eq!(
        app.call(
            "POST",
            &format!("/provrum/{id}/withdraw"),
            Some(&other),
            None
        )
        .await
        .status,
        403
    );
    let r = app
        .call(
            "POST",
            &format!("/provrum/{id}/withdraw"),
            Some(&skane),
            None,
        )
        .await;
    assert_eq!(
        (r.status, r.body["status"].as_str()),
        (200, Some("withdrawn"))
    );
    let late = app
        .call(
            "POST",
            &format!("/provrum/{id}/interest"),
            Some(&other),
            Some(json!({"wants_to_lead": false})),
        )
        .await;
    assert_eq!(late.status, 409);
    assert_eq!(
        app.call(
            "POST",
            &format!("/provrum/{id}/withdraw"),
            Some(&app.kansli),
            None
        )
        .await
        .status,
        409
    );
}
