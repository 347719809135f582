//! What SECURITY.md promises that the role matrix does not already show: a role on one provrum
//! gives nothing on another, fields the server owns cannot be sent, texts and bodies are
//! bounded, ids no store could hold are 404s, and answers are never cached.

use provrum_tests::app::{Answer, Backend, TestApp, spawn_app, workbook};
use serde_json::{Value, json};

/// A provrum proposed and led by `leader`, with `other` taking part and a checked budget.
async fn provrum(app: &TestApp, leader: (&str, &str), other: (&str, &str), title: &str) -> String {
    let id = app.led_provrum(leader, other, title).await;
    let (status, body) = app
        .upload_budget(leader.1, &id, workbook(leader.0, &[other.0]))
        .await
        .parts();
    assert_eq!(status, 201, "{body}");
    id
}

#[tokio::test]
async fn a_role_on_one_provrum_gives_nothing_on_another() {
    let app = spawn_app(provrum::all_routes, Backend::Sqlite).await;
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
            let (status, answer) = app.call(method, &path, Some(token), body).await.parts();
            assert_eq!(status, 403, "{who}: {method} {path}: {answer}");
        }
        let (status, answer) = app
            .upload_budget(token, &second, workbook("region-a", &["region-b"]))
            .await
            .parts();
        assert_eq!(status, 403, "{who}: upload: {answer}");
    }
    // And nothing changed on the second.
    let (_, versions) = app.get_budget(&c, &second).await.parts();
    assert_eq!(versions["versions"].as_array().map(Vec::len), Some(1));
    let (_, detail) = app.get_provrum(&c, &second).await.parts();
    assert_eq!(
        (&detail["status"], &detail["leader"]),
        (&json!("proposed"), &json!("region-c"))
    );
}

#[tokio::test]
async fn fields_the_server_owns_cannot_be_sent() {
    let app = spawn_app(provrum::all_routes, Backend::Sqlite).await;
    let a = app.org("region-a", "region", "member").await;
    let b = app.org("region-b", "region", "member").await;
    for extra in [
        json!({"title": "x", "status": "running"}),
        json!({"title": "x", "proposer": "region-b"}),
        json!({"title": "x", "leader": "region-a"}),
        json!({"title": "x", "id": "p-mine"}),
    ] {
        let (status, body) = app.propose(&a, &extra).await.parts();
        assert_eq!(status, 400, "{extra}: {body}");
    }
    let (_, listed) = app.list_provrum(&a).await.parts();
    assert_eq!(listed.as_array().map(Vec::len), Some(0), "{listed}");

    let (_, p) = app.propose(&a, &json!({"title": "Ett"})).await.parts();
    let id = p["id"].as_str().expect("id");
    // Interest is the caller's own: naming another organisation is refused.
    let (status, body) = app
        .register_interest(&b, id, &json!({"wants_to_lead": false, "org": "region-c"}))
        .await
        .parts();
    assert_eq!(status, 400, "{body}");
    // No answer carries a token's hash.
    let (status, created) = app
        .create_token(&app.kansli, "region-a", &json!({"label": "andra"}))
        .await
        .parts();
    assert_eq!(status, 201, "{created}");
    let secret = created["token"].as_str().expect("secret");
    let hash = provrum_store::hash_token(secret);
    for path in ["/orgs", "/provrum", &format!("/provrum/{id}"), "/status"] {
        let (_, answer) = app.call("GET", path, Some(&app.kansli), None).await.parts();
        let text = answer.to_string();
        assert!(!text.contains(&hash) && !text.contains(secret), "{path}");
    }
    assert!(!created.to_string().contains(&hash));
}

#[tokio::test]
async fn texts_and_bodies_are_bounded() {
    let app = spawn_app(provrum::all_routes, Backend::Sqlite).await;
    let a = app.org("region-a", "region", "member").await;
    let long = |n: usize| "å".repeat(n);
    for (body, what) in [
        (json!({"title": long(201)}), "title"),
        (
            json!({"title": "x", "description": long(10_001)}),
            "description",
        ),
    ] {
        let (status, answer) = app.propose(&a, &body).await.parts();
        assert_eq!(status, 400, "{what}: {answer}");
    }
    let (status, answer) = app
        .propose(
            &a,
            &json!({"title": long(200), "description": long(10_000)}),
        )
        .await
        .parts();
    assert_eq!(status, 201, "at the bounds: {answer}");

    // A JSON body over the limit is a problem that names the limit.
    let (status, answer) = app
        .propose(
            &a,
            &json!({"title": "x", "description": "y".repeat(300 * 1024)}),
        )
        .await
        .parts();
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
    ids_no_store_could_hold_are_404(spawn_app(provrum::all_routes, Backend::Sqlite).await).await;
}

#[tokio::test]
async fn ids_no_store_could_hold_are_404_on_dynamodb() {
    ids_no_store_could_hold_are_404(spawn_app(provrum::all_routes, Backend::Dynamodb).await).await;
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
        let (status, body) = app.call(method, &path, Some(token), None).await.parts();
        assert_eq!(status, 404, "{method} /…{}: {body}", path.len());
    }
    let (status, body) = app
        .create_token(&app.kansli, &id, &json!({"label": "x"}))
        .await
        .parts();
    assert_eq!(status, 404, "{body}");
}

#[tokio::test]
async fn answers_are_never_cached_nor_sniffed() {
    let app = spawn_app(provrum::all_routes, Backend::Sqlite).await;
    let reply = app
        .create_token(&app.kansli, "reglab", &json!({"label": "ny"}))
        .await
        .answer();
    assert_eq!(reply.status, 201);
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    assert_eq!(reply.header("x-content-type-options"), Some("nosniff"));
    // Errors too.
    let reply = app.call("GET", "/provrum", None, None).await.answer();
    assert_eq!(reply.status, 401);
    assert_eq!(reply.header("cache-control"), Some("no-store"));
}

#[tokio::test]
async fn a_result_link_is_a_web_address_or_refused() {
    let app = spawn_app(provrum::all_routes, Backend::Sqlite).await;
    let a = app.org("region-a", "region", "member").await;
    let b = app.org("region-b", "region", "member").await;
    let id = provrum(&app, ("region-a", &a), ("region-b", &b), "Länkar").await;
    let (status, body) = app.approve(&app.kansli, &id).await.parts();
    assert_eq!(status, 200, "{body}");
    for link in [
        "javascript:alert(document.cookie)",
        "JAVASCRIPT:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://reglab.se/rapport.pdf",
        "//evil.example/rapport",
    ] {
        let (status, body) = app
            .report_result(&a, &id, &json!({"summary": "Klart.", "link": link}))
            .await
            .parts();
        assert_eq!(status, 400, "{link}: {body}");
    }
    let (status, body) = app
        .report_result(
            &a,
            &id,
            &json!({"summary": "Klart.", "link": "https://reglab.se/rapport"}),
        )
        .await
        .parts();
    assert_eq!(status, 200, "{body}");
}
