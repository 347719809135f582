use provrum_tests::app::{Answer, Backend, spawn_app};

#[tokio::test]
async fn health_needs_no_token() {
    let app = spawn_app(provrum_api::router, Backend::Sqlite).await;
    assert_eq!(app.health().await.answer().status, 200);
}

#[tokio::test]
async fn missing_malformed_unknown_and_revoked_tokens_are_401_problems() {
    let app = spawn_app(provrum_api::router, Backend::Sqlite).await;
    let r = app.call("GET", "/orgs", None, None).await.answer();
    assert_eq!(r.status, 401);
    assert_eq!(r.content_type, "application/problem+json");
    assert_eq!(r.body["type"], "urn:provrum:problem:unauthorized");
    assert_eq!(r.body["status"], 401);
    assert!(
        r.body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("Bearer")
    );
    assert_eq!(app.list_orgs("prv_not_a_token").await.answer().status, 401);
    let raw = app
        .client
        .get(format!("{}/orgs", app.address))
        .header("Authorization", "Basic dXNlcjpwdw==")
        .send()
        .await
        .expect("send");
    assert_eq!(raw.status().as_u16(), 401);
    assert_eq!(
        raw.headers()
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok()),
        Some("Bearer")
    );

    let token = app
        .org_named("region-skane", "Region Skåne", "region", "member")
        .await;
    assert_eq!(app.list_orgs(&token).await.answer().status, 200);
    let id = app
        .store
        .token_by_hash(&provrum_store::hash_token(&token))
        .await
        .expect("lookup")
        .expect("stored")
        .id;
    assert_eq!(
        app.revoke_token(&token, &id).await.answer().status,
        403,
        "members do not revoke"
    );
    assert_eq!(
        app.revoke_token(&app.kansli, &id).await.answer().status,
        204
    );
    let r = app.lang("en").list_orgs(&token).await.answer();
    assert_eq!(r.status, 401);
    assert_eq!(r.body["detail"], "The token has been revoked.");
    assert_eq!(
        app.revoke_token(&app.kansli, "tok_unknown")
            .await
            .answer()
            .status,
        404
    );
}

#[tokio::test]
async fn only_the_kansli_adds_organisations_and_tokens() {
    let app = spawn_app(provrum_api::router, Backend::Sqlite).await;
    let member = app
        .org_named("region-skane", "Region Skåne", "region", "member")
        .await;
    let body = serde_json::json!({"id": "x", "name": "X", "kind": "other", "membership": "member"});
    assert_eq!(app.add_org(&member, &body).await.answer().status, 403);
    assert_eq!(
        app.create_token(&member, "region-skane", &serde_json::json!({}))
            .await
            .answer()
            .status,
        403
    );
    assert_eq!(app.add_org(&app.kansli, &body).await.answer().status, 201);
    let again = app.add_org(&app.kansli, &body).await.answer();
    assert_eq!(again.status, 409);
    let bad = app.add_org(&app.kansli, &serde_json::json!({"id": "Region X", "name": "X", "kind": "other", "membership": "member"})).await.answer();
    assert_eq!(bad.status, 400);
    let wrong_kind = app
        .add_org(
            &app.kansli,
            &serde_json::json!({"id": "y", "name": "Y", "kind": "kommun", "membership": "member"}),
        )
        .await
        .answer();
    assert_eq!(wrong_kind.status, 400);
    assert_eq!(wrong_kind.content_type, "application/problem+json");
    assert_eq!(
        app.create_token(&app.kansli, "nobody", &serde_json::json!({}))
            .await
            .answer()
            .status,
        404
    );
    let listed = app.list_orgs(&member).await.answer();
    let ids: Vec<&str> = listed
        .body
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|o| o["id"].as_str())
        .collect();
    assert_eq!(ids, ["region-skane", "reglab", "x"]);
}

#[tokio::test]
async fn unknown_paths_and_methods_are_problems() {
    let app = spawn_app(provrum_api::router, Backend::Sqlite).await;
    let r = app
        .call("GET", "/nothing-here", Some(&app.kansli), None)
        .await
        .answer();
    assert_eq!(
        (r.status, r.content_type.as_str()),
        (404, "application/problem+json")
    );
    let r = app
        .call("PATCH", "/orgs", Some(&app.kansli), None)
        .await
        .answer();
    assert_eq!(
        (r.status, r.content_type.as_str()),
        (405, "application/problem+json")
    );
}
