use crate::helpers::spawn_app;

#[tokio::test]
async fn health_needs_no_token() {
    let app = spawn_app().await;
    assert_eq!(app.call("GET", "/health", None, None).await.status, 200);
}

#[tokio::test]
async fn missing_malformed_unknown_and_revoked_tokens_are_401_problems() {
    let app = spawn_app().await;
    let r = app.call("GET", "/orgs", None, None).await;
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
    assert_eq!(
        app.call("GET", "/orgs", Some("prv_not_a_token"), None)
            .await
            .status,
        401
    );
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
        .org("region-skane", "Region Skåne", "region", "member")
        .await;
    assert_eq!(
        app.call("GET", "/orgs", Some(&token), None).await.status,
        200
    );
    let id = app
        .store
        .token_by_hash(&provrum_store::hash_token(&token))
        .await
        .expect("lookup")
        .expect("stored")
        .id;
    assert_eq!(
        app.call("DELETE", &format!("/tokens/{id}"), Some(&token), None)
            .await
            .status,
        403,
        "members do not revoke"
    );
    assert_eq!(
        app.call("DELETE", &format!("/tokens/{id}"), Some(&app.kansli), None)
            .await
            .status,
        204
    );
    let r = app
        .call_lang("GET", "/orgs", Some(&token), None, Some("en"))
        .await;
    assert_eq!(r.status, 401);
    assert_eq!(r.body["detail"], "The token has been revoked.");
    assert_eq!(
        app.call("DELETE", "/tokens/tok_unknown", Some(&app.kansli), None)
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn only_the_kansli_adds_organisations_and_tokens() {
    let app = spawn_app().await;
    let member = app
        .org("region-skane", "Region Skåne", "region", "member")
        .await;
    let body = serde_json::json!({"id": "x", "name": "X", "kind": "other", "membership": "member"});
    assert_eq!(
        app.call("POST", "/orgs", Some(&member), Some(body.clone()))
            .await
            .status,
        403
    );
    assert_eq!(
        app.call(
            "POST",
            "/orgs/region-skane/tokens",
            Some(&member),
            Some(serde_json::json!({}))
        )
        .await
        .status,
        403
    );
    assert_eq!(
        app.call("POST", "/orgs", Some(&app.kansli), Some(body.clone()))
            .await
            .status,
        201
    );
    let again = app
        .call("POST", "/orgs", Some(&app.kansli), Some(body))
        .await;
    assert_eq!(again.status, 409);
    let bad = app.call("POST", "/orgs", Some(&app.kansli), Some(serde_json::json!({"id": "Region X", "name": "X", "kind": "other", "membership": "member"}))).await;
    assert_eq!(bad.status, 400);
    let wrong_kind = app.call("POST", "/orgs", Some(&app.kansli), Some(serde_json::json!({"id": "y", "name": "Y", "kind": "kommun", "membership": "member"}))).await;
    assert_eq!(wrong_kind.status, 400);
    assert_eq!(wrong_kind.content_type, "application/problem+json");
    assert_eq!(
        app.call(
            "POST",
            "/orgs/nobody/tokens",
            Some(&app.kansli),
            Some(serde_json::json!({}))
        )
        .await
        .status,
        404
    );
    let listed = app.call("GET", "/orgs", Some(&member), None).await;
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
    let app = spawn_app().await;
    let r = app
        .call("GET", "/nothing-here", Some(&app.kansli), None)
        .await;
    assert_eq!(
        (r.status, r.content_type.as_str()),
        (404, "application/problem+json")
    );
    let r = app.call("PATCH", "/orgs", Some(&app.kansli), None).await;
    assert_eq!(
        (r.status, r.content_type.as_str()),
        (405, "application/problem+json")
    );
}
