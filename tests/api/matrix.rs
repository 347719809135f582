//! Who may do what: every kind of caller against every route, the exact status each gets.

use provrum_client::{Body, Method, Request};
use provrum_tests::app::{Answer, Backend, TestApp, spawn_app, workbook_in};
use serde_json::{Value, json};
use std::sync::atomic::{AtomicI32, Ordering};

#[tokio::test]
async fn authorisation_matrix_on_the_embedded_store() {
    matrix(spawn_app(provrum::all_routes, Backend::Sqlite).await).await;
}

#[tokio::test]
async fn authorisation_matrix_on_dynamodb() {
    matrix(spawn_app(provrum::all_routes, Backend::Dynamodb).await).await;
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Who {
    Anonymous,
    Malformed,
    Revoked,
    Partner,
    Outsider,
    Participant,
    Leader,
    Kansli,
}

const EVERYONE: [Who; 8] = [
    Who::Anonymous,
    Who::Malformed,
    Who::Revoked,
    Who::Partner,
    Who::Outsider,
    Who::Participant,
    Who::Leader,
    Who::Kansli,
];

struct World {
    app: TestApp,
    tokens: Vec<(Who, Option<String>)>,
    year: AtomicI32,
}

impl World {
    fn token(&self, who: Who) -> Option<&str> {
        self.tokens
            .iter()
            .find(|(w, _)| *w == who)
            .and_then(|(_, t)| t.as_deref())
    }

    /// A proposed, ready provrum with a clean budget: region-a proposes and leads, region-b takes part.
    async fn provrum(&self) -> String {
        let leader = self.token(Who::Leader).expect("leader");
        let (_, p) = self
            .app
            .propose(leader, &json!({"title": "Matris"}))
            .await
            .parts();
        let id = p["id"].as_str().expect("id").to_string();
        self.app
            .register_interest(
                self.token(Who::Participant).expect("p"),
                &id,
                &json!({"wants_to_lead": false}),
            )
            .await
            .parts();
        self.app
            .choose_leader(leader, &id, &json!({"org": "region-a"}))
            .await
            .parts();
        let year = self.year.fetch_add(1, Ordering::SeqCst);
        let (status, body) = self
            .app
            .upload_budget(leader, &id, workbook_in("region-a", &["region-b"], year))
            .await
            .parts();
        assert_eq!(status, 201, "{body}");
        id
    }

    async fn running(&self) -> String {
        let id = self.provrum().await;
        let (status, body) = self.app.approve(&self.app.kansli, &id).await.parts();
        assert_eq!(status, 200, "{body}");
        id
    }

    async fn request(
        &self,
        who: Who,
        method: &str,
        path: &str,
        body: Option<Value>,
        upload: bool,
    ) -> u16 {
        let method = Method::from_bytes(method.as_bytes()).expect("method");
        let mut request = Request::new(method, path);
        request.token = match who {
            Who::Anonymous => None,
            Who::Malformed => Some("not a token!".into()),
            _ => Some(self.token(who).expect("token").into()),
        };
        if upload {
            request.body = Body::Bytes {
                content_type: "application/octet-stream".into(),
                bytes: workbook_in("region-a", &["region-b"], 2025),
            };
        } else if let Some(body) = body {
            request.body = Body::Json(body);
        }
        self.app.api.send(request).await.answer().status
    }
}

async fn matrix(app: TestApp) {
    let mut tokens = vec![(Who::Anonymous, None), (Who::Malformed, None)];
    for (who, id, kind, membership) in [
        (Who::Leader, "region-a", "region", "member"),
        (Who::Participant, "region-b", "region", "member"),
        (Who::Outsider, "region-c", "region", "member"),
        (Who::Partner, "rise", "other", "partner"),
        (Who::Revoked, "region-d", "region", "member"),
    ] {
        tokens.push((who, Some(app.org(id, kind, membership).await)));
    }
    tokens.push((Who::Kansli, Some(app.kansli.clone())));
    let world = World {
        app,
        tokens,
        // Each provrum its own quota year, all past: a result can be reported from the plan's
        // start date on.
        year: AtomicI32::new(1950),
    };
    let revoked = world.token(Who::Revoked).expect("revoked").to_string();
    let id = world
        .app
        .store
        .token_by_hash(&provrum_store::hash_token(&revoked))
        .await
        .expect("lookup")
        .expect("token")
        .id;
    assert_eq!(
        world
            .app
            .revoke_token(&world.app.kansli, &id)
            .await
            .parts()
            .0,
        204
    );

    use Who::*;
    let unauth = |who: Who, otherwise: u16| {
        if matches!(who, Anonymous | Malformed | Revoked) {
            401
        } else {
            otherwise
        }
    };
    let kansli_only = |who: Who, ok: u16| unauth(who, if who == Kansli { ok } else { 403 });
    let shared = world.provrum().await;
    let mut failures = Vec::new();
    let mut cells = 0;
    let mut n = 0;
    for who in EVERYONE {
        n += 1;
        // (method, path, body, upload, expected): `fresh` is proposed and ready, `running` approved.
        let fresh = world.provrum().await;
        let running = world.running().await;
        let cases: Vec<(&str, String, Option<Value>, bool, u16)> = vec![
            ("GET", "/health".into(), None, false, 200),
            ("GET", "/template.xlsx".into(), None, false, 200),
            ("GET", "/template.json".into(), None, false, 200),
            ("GET", "/orgs".into(), None, false, unauth(who, 200)),
            ("GET", "/me".into(), None, false, unauth(who, 200)),
            (
                "POST",
                "/orgs".into(),
                Some(
                    json!({"id": format!("new-{n}"), "name": "Ny", "kind": "other", "membership": "member"}),
                ),
                false,
                kansli_only(who, 201),
            ),
            (
                "POST",
                "/orgs/region-c/tokens".into(),
                Some(json!({"label": "x"})),
                false,
                kansli_only(who, 201),
            ),
            (
                "POST",
                "/provrum".into(),
                Some(json!({"title": "Nytt"})),
                false,
                unauth(
                    who,
                    if matches!(who, Partner | Kansli) {
                        403
                    } else {
                        201
                    },
                ),
            ),
            ("GET", "/provrum".into(), None, false, unauth(who, 200)),
            (
                "GET",
                format!("/provrum/{shared}"),
                None,
                false,
                unauth(who, 200),
            ),
            ("POST", "/check".into(), None, true, unauth(who, 200)),
            (
                "GET",
                format!("/provrum/{shared}/budget"),
                None,
                false,
                unauth(
                    who,
                    if matches!(who, Outsider | Partner) {
                        403
                    } else {
                        200
                    },
                ),
            ),
            ("GET", "/status".into(), None, false, kansli_only(who, 200)),
            (
                "GET",
                "/reports/2025".into(),
                None,
                false,
                kansli_only(who, 200),
            ),
            (
                "POST",
                format!("/provrum/{fresh}/budget"),
                None,
                true,
                unauth(who, if who == Leader { 201 } else { 403 }),
            ),
            (
                "PUT",
                format!("/provrum/{fresh}/leader"),
                Some(json!({"org": "region-a"})),
                false,
                unauth(
                    who,
                    if matches!(who, Leader | Kansli) {
                        200
                    } else {
                        403
                    },
                ),
            ),
            (
                "POST",
                format!("/provrum/{fresh}/interest"),
                Some(json!({"wants_to_lead": false})),
                false,
                unauth(who, if who == Kansli { 403 } else { 200 }),
            ),
            (
                "POST",
                format!("/provrum/{running}/result"),
                Some(json!({"summary": "Klart."})),
                false,
                unauth(who, if who == Leader { 200 } else { 403 }),
            ),
        ];
        for (method, path, body, upload, expected) in cases {
            cells += 1;
            let got = world.request(who, method, &path, body, upload).await;
            if got != expected {
                failures.push(format!(
                    "{who:?} {method} {path}: expected {expected}, got {got}"
                ));
            }
        }
        // State-ending routes, each on its own fresh provrum.
        let enders: Vec<(&str, &str, u16)> = vec![
            (
                "DELETE",
                "interest",
                unauth(
                    who,
                    match who {
                        Participant => 204,
                        Leader => 409,
                        Kansli => 403,
                        _ => 404,
                    },
                ),
            ),
            ("POST", "approve", kansli_only(who, 200)),
            (
                "POST",
                "withdraw",
                unauth(
                    who,
                    if matches!(who, Leader | Kansli) {
                        200
                    } else {
                        403
                    },
                ),
            ),
        ];
        for (method, action, expected) in enders {
            cells += 1;
            let id = world.provrum().await;
            let got = world
                .request(who, method, &format!("/provrum/{id}/{action}"), None, false)
                .await;
            if got != expected {
                failures.push(format!(
                    "{who:?} {method} /provrum/{{id}}/{action}: expected {expected}, got {got}"
                ));
            }
        }
        cells += 1;
        let token_id = {
            let new = provrum_store::NewToken::generate("region-c", "x", chrono::Utc::now())
                .expect("token");
            world
                .app
                .store
                .create_token(
                    &new.token,
                    &provrum_store::AuditEvent::new(
                        "token/x",
                        "test",
                        "token.created",
                        Value::Null,
                    ),
                )
                .await
                .expect("store");
            new.token.id
        };
        let got = world
            .request(who, "DELETE", &format!("/tokens/{token_id}"), None, false)
            .await;
        if got != kansli_only(who, 204) {
            failures.push(format!(
                "{who:?} DELETE /tokens/{{id}}: expected {}, got {got}",
                kansli_only(who, 204)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {cells} cells wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(cells, 8 * 22);
}
