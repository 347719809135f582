//! `/openapi.json` describes exactly the routes the API was specified with, and every route it
//! describes is served. (`docs/api.md` is rendered from `/openapi.json`, so it cannot be the
//! contract: the list below is.)

use provrum_tests::app::{Answer, Backend, spawn_app};
use std::collections::BTreeSet;

/// The routes the API's specification fixes (plus `GET /provrum/{id}`'s siblings as named there).
const SPECIFIED: [(&str, &str); 21] = [
    ("get", "/health"),
    ("get", "/template.xlsx"),
    ("post", "/orgs"),
    ("get", "/orgs"),
    ("post", "/orgs/{org}/tokens"),
    ("delete", "/tokens/{id}"),
    ("post", "/provrum"),
    ("get", "/provrum"),
    ("get", "/provrum/{id}"),
    ("post", "/provrum/{id}/interest"),
    ("delete", "/provrum/{id}/interest"),
    ("put", "/provrum/{id}/leader"),
    ("post", "/check"),
    ("post", "/provrum/{id}/budget"),
    ("get", "/provrum/{id}/budget"),
    ("post", "/provrum/{id}/approve"),
    ("post", "/provrum/{id}/withdraw"),
    ("post", "/provrum/{id}/result"),
    ("get", "/status"),
    ("get", "/reports/{year}"),
    ("get", "/openapi.json"),
];

/// Routes of our own beyond the specification (it leaves room for them, as long as they are
/// published).
const OURS: [(&str, &str); 4] = [
    // Who the caller is, for the add-on's settings dialog (issue 17).
    ("get", "/me"),
    // The template as data, for the Sheets add-on's "Skapa mall".
    ("get", "/template.json"),
    // What the kansli's admin screens read (issue 15): an organisation's tokens, a provrum's
    // audit trail.
    ("get", "/orgs/{org}/tokens"),
    ("get", "/provrum/{id}/events"),
];

#[tokio::test]
async fn openapi_describes_exactly_the_served_routes() {
    let app = spawn_app(provrum::all_routes, Backend::Sqlite).await;
    let response = app.openapi().await.answer();
    assert_eq!(response.status, 200, "served without a token");
    let doc: serde_json::Value = serde_json::from_slice(&response.bytes).expect("json");
    assert_eq!(doc["openapi"], "3.1.0");
    let described: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .flat_map(|(path, ops)| {
            ops.as_object()
                .expect("operations")
                .keys()
                .map(move |m| (m.clone(), path.clone()))
        })
        .collect();
    let contract: BTreeSet<(String, String)> = SPECIFIED
        .iter()
        .chain(OURS.iter())
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    assert_eq!(described, contract);

    // Every $ref resolves.
    let text = doc.to_string();
    for name in text
        .split("#/components/schemas/")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap_or_default())
    {
        assert!(
            doc["components"]["schemas"].get(name).is_some(),
            "unresolved schema {name}"
        );
    }

    // Every described operation is routed: the answer is never the router's own 404 or 405.
    for (method, path) in &described {
        let concrete = path
            .replace("{org}", "reglab")
            .replace("{id}", "x")
            .replace("{year}", "2025");
        let method = method.to_uppercase();
        let reply = app
            .call(&method, &concrete, Some(&app.kansli), None)
            .await
            .answer();
        let status = reply.status;
        let body = String::from_utf8_lossy(&reply.bytes);
        assert_ne!(status, 405, "{method} {path}");
        assert!(
            !(status == 404 && body.contains("Adressen finns inte")),
            "{method} {path} is described but not routed"
        );
    }
}

#[tokio::test]
async fn the_frameworks_own_refusals_are_problem_json_too() {
    let app = spawn_app(provrum::all_routes, Backend::Sqlite).await;
    for (method, path, status) in [
        ("GET", "/template.json?lang=sv&lang=en", 400),
        ("GET", "/provrum/x/budget", 404),
        ("PATCH", "/provrum", 405),
    ] {
        let response = app
            .lang("en")
            .call(method, path, Some(&app.kansli), None)
            .await
            .answer();
        assert_eq!(response.status, status, "{method} {path}");
        assert_eq!(
            response.content_type, "application/problem+json",
            "{method} {path}"
        );
        let body: serde_json::Value = serde_json::from_slice(&response.bytes).expect("json");
        assert_eq!(body["status"], status, "{body}");
        assert!(
            body["detail"].as_str().is_some_and(|d| !d.is_empty()),
            "{body}"
        );
    }
}
