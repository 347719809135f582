//! What SECURITY.md promises that the role matrix does not already show: a role on one provrum
//! gives nothing on another, fields the server owns cannot be sent, texts and bodies are
//! bounded, ids no store could hold are 404s, and answers are never cached.

use crate::helpers::{Backend, TestApp, spawn_app, workbook};
use serde_json::{Value, json};

/// A provrum proposed and led by `leader`, with `other` taking part and a checked budget.
async fn provrum(app: &TestApp, leader: (&str, &str), other: (&str, &str), title: &str) -> String {
    let id = app.led_provrum(leader, other, title).await;
    let (status, body) = app
        .upload(
            &format!("/provrum/{id}/budget"),
            leader.1,
            workbook(leader.0, &[other.0]),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    id
}

#[tokio::test]
async fn a_role_on_one_provrum_gives_nothing_on_another() {
    let app = spawn_app(Backend::Sqlite).await;
    let a = app.org("region-a", "region", "member").await;
    let b = app.org("region-b", "region", "member").await;
    let c = app.org("region-c", "region", "member").await;
    let d = app.org("region-d", "region", "member").await;
    let _first = provrum(&app, ("region-a", &a), ("region-b", &b), "Första").await;
    let second = provrum(&app, ("region-c", &c), ("region-d", &d), "Andra").await;

    // region-a proposes and leads the first; region-b takes part in it. On the second, neither
    // is anyone.
    for (who, token) in [
        ("leader of the first", &a),
        ("participant of the first", &b),
    ] {
        let attempts: Vec<(&str, String, Option<Value>)> = vec![
            ("GET", format!("/provrum/{second}/budget"), None),
            (
                "PUT",
                format!("/provrum/{second}/leader"),
                Some(json!({"org": "region-c"})),
            ),
            ("POST", format!("/provrum/{second}/withdraw"), None),
            (
                "POST",
                format!("/provrum/{second}/result"),
                Some(json!({"summary": "Klart."})),
            ),
        ];
        for (method, path, body) in attempts {
            let (status, answer) = app.call(method, &path, token, body).await;
            assert_eq!(status, 403, "{who}: {method} {path}: {answer}");
        }
        let (status, answer) = app
            .upload(
                &format!("/provrum/{second}/budget"),
                token,
                workbook("region-a", &["region-b"]),
            )
            .await;
        assert_eq!(status, 403, "{who}: upload: {answer}");
    }
    // And nothing changed on the second.
    let (_, versions) = app
        .call("GET", &format!("/provrum/{second}/budget"), &c, None)
        .await;
    assert_eq!(versions["versions"].as_array().map(Vec::len), Some(1));
    let (_, detail) = app
        .call("GET", &format!("/provrum/{second}"), &c, None)
        .await;
    assert_eq!(
        (&detail["status"], &detail["leader"]),
        (&json!("proposed"), &json!("region-c"))
    );
}

#[tokio::test]
async fn fields_the_server_owns_cannot_be_sent() {
    let app = spawn_app(Backend::Sqlite).await;
    let a = app.org("region-a", "region", "member").await;
    let b = app.org("region-b", "region", "member").await;
    for extra in [
        json!({"title": "x", "status": "running"}),
        json!({"title": "x", "proposer": "region-b"}),
        json!({"title": "x", "leader": "region-a"}),
        json!({"title": "x", "id": "p-mine"}),
    ] {
        let (status, body) = app.call("POST", "/provrum", &a, Some(extra.clone())).await;
        assert_eq!(status, 400, "{extra}: {body}");
    }
    let (_, listed) = app.call("GET", "/provrum", &a, None).await;
    assert_eq!(listed.as_array().map(Vec::len), Some(0), "{listed}");

    let (_, p) = app
        .call("POST", "/provrum", &a, Some(json!({"title": "Ett"})))
        .await;
    let id = p["id"].as_str().expect("id");
    // Interest is the caller's own: naming another organisation is refused.
    let (status, body) = app
        .call(
            "POST",
            &format!("/provrum/{id}/interest"),
            &b,
            Some(json!({"wants_to_lead": false, "org": "region-c"})),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    // No answer carries a token's hash.
    let (status, created) = app
        .call(
            "POST",
            "/orgs/region-a/tokens",
            &app.kansli,
            Some(json!({"label": "andra"})),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let secret = created["token"].as_str().expect("secret");
    let hash = provrum_store::hash_token(secret);
    for path in ["/orgs", "/provrum", &format!("/provrum/{id}"), "/status"] {
        let (_, answer) = app.call("GET", path, &app.kansli, None).await;
        let text = answer.to_string();
        assert!(!text.contains(&hash) && !text.contains(secret), "{path}");
    }
    assert!(!created.to_string().contains(&hash));
}

#[tokio::test]
async fn texts_and_bodies_are_bounded() {
    let app = spawn_app(Backend::Sqlite).await;
    let a = app.org("region-a", "region", "member").await;
    let long = |n: usize| "å".repeat(n);
    for (body, what) in [
        (json!({"title": long(201)}), "title"),
        (
            json!({"title": "x", "description": long(10_001)}),
            "description",
        ),
    ] {
        let (status, answer) = app.call("POST", "/provrum", &a, Some(body)).await;
        assert_eq!(status, 400, "{what}: {answer}");
    }
    let (status, answer) = app
        .call(
            "POST",
            "/provrum",
            &a,
            Some(json!({"title": long(200), "description": long(10_000)})),
        )
        .await;
    assert_eq!(status, 201, "at the bounds: {answer}");

    // A JSON body over the limit is a problem that names the limit.
    let (status, answer) = app
        .call(
            "POST",
            "/provrum",
            &a,
            Some(json!({"title": "x", "description": "y".repeat(300 * 1024)})),
        )
        .await;
    assert_eq!(status, 413, "{answer}");
    assert!(
        answer["detail"]
            .as_str()
            .is_some_and(|d| d.contains("256 kB")),
        "{answer}"
    );
}

#[tokio::test]
async fn ids_no_store_could_hold_are_404_on_the_embedded_store() {
    ids_no_store_could_hold_are_404(spawn_app(Backend::Sqlite).await).await;
}

#[tokio::test]
async fn ids_no_store_could_hold_are_404_on_dynamodb() {
    ids_no_store_could_hold_are_404(spawn_app(Backend::Dynamodb).await).await;
}

async fn ids_no_store_could_hold_are_404(app: TestApp) {
    let a = app.org("region-a", "region", "member").await;
    let id = "p".repeat(3_000);
    for (method, path, token) in [
        ("GET", format!("/provrum/{id}"), &a),
        ("GET", format!("/provrum/{id}/budget"), &a),
        ("POST", format!("/provrum/{id}/withdraw"), &a),
        ("DELETE", format!("/tokens/{id}"), &app.kansli),
    ] {
        let (status, body) = app.call(method, &path, token, None).await;
        assert_eq!(status, 404, "{method} /…{}: {body}", path.len());
    }
    let (status, body) = app
        .call(
            "POST",
            &format!("/orgs/{id}/tokens"),
            &app.kansli,
            Some(json!({"label": "x"})),
        )
        .await;
    assert_eq!(status, 404, "{body}");
}

#[tokio::test]
async fn answers_are_never_cached_nor_sniffed() {
    let app = spawn_app(Backend::Sqlite).await;
    let response = app
        .client
        .post(format!("{}/orgs/reglab/tokens", app.address))
        .bearer_auth(&app.kansli)
        .json(&json!({"label": "ny"}))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 201);
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    assert_eq!(header("cache-control").as_deref(), Some("no-store"));
    assert_eq!(header("x-content-type-options").as_deref(), Some("nosniff"));
    // Errors too.
    let response = app
        .client
        .get(format!("{}/provrum", app.address))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 401);
    assert_eq!(
        response
            .headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
}

#[tokio::test]
async fn a_result_link_is_a_web_address_or_refused() {
    let app = spawn_app(Backend::Sqlite).await;
    let a = app.org("region-a", "region", "member").await;
    let b = app.org("region-b", "region", "member").await;
    let id = provrum(&app, ("region-a", &a), ("region-b", &b), "Länkar").await;
    let (status, body) = app
        .call("POST", &format!("/provrum/{id}/approve"), &app.kansli, None)
        .await;
    assert_eq!(status, 200, "{body}");
    for link in [
        "javascript:alert(document.cookie)",
        "JAVASCRIPT:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://reglab.se/rapport.pdf",
        "//evil.example/rapport",
    ] {
        let (status, body) = app
            .call(
                "POST",
                &format!("/provrum/{id}/result"),
                &a,
                Some(json!({"summary": "Klart.", "link": link})),
            )
            .await;
        assert_eq!(status, 400, "{link}: {body}");
    }
    let (status, body) = app
        .call(
            "POST",
            &format!("/provrum/{id}/result"),
            &a,
            Some(json!({"summary": "Klart.", "link": "https://reglab.se/rapport"})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
}
