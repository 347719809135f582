//! What the kansli's admin screens read (issue 15): an organisation's tokens without their
//! secrets, a provrum's audit trail, every growing list paged with a `Link` to the next page,
//! the cap on a provrum's budget versions, and who a token acts for (`GET /me`).

use provrum_client::Reply;
use provrum_store::dynamo::DynamoStore;
use provrum_store::{
    AuditEvent, BudgetVersion, MAX_BUDGET_VERSIONS, Store, hash_token, sha256_hex,
};
use provrum_tests::app::{Answer, Backend, TestApp, spawn_app, spawn_app_on, workbook};
use serde_json::{Value, json};
use std::sync::Arc;

/// `GET path` as `token`, in `lang`: status, the whole reply (headers), JSON body.
async fn get(app: &TestApp, path: &str, token: &str, lang: &str) -> (u16, Reply, Value) {
    let reply = app
        .lang(lang)
        .call("GET", path, Some(token), None)
        .await
        .answer();
    (reply.status, reply.clone(), reply.body)
}

/// The next page's path from a `Link: <path>; rel="next"` header, if any.
fn next_link(headers: &Reply) -> Option<String> {
    let link = headers.header("link")?;
    assert!(link.ends_with("; rel=\"next\""), "{link}");
    let inner = link.strip_prefix('<')?.split_once('>')?.0;
    Some(inner.to_string())
}

/// Every page of `path` (starting with `?limit=…`), following the `Link` headers: the page sizes
/// and the items, or `pick` of the body for a body that is not the array itself.
async fn walk(
    app: &TestApp,
    first: &str,
    token: &str,
    pick: fn(&Value) -> &Value,
) -> (Vec<usize>, Vec<Value>) {
    let (mut sizes, mut items) = (Vec::new(), Vec::new());
    let mut path = Some(first.to_string());
    while let Some(p) = path.take() {
        let (status, headers, body) = get(app, &p, token, "sv").await;
        assert_eq!(status, 200, "{p}: {body}");
        let page = pick(&body).as_array().expect("an array").clone();
        sizes.push(page.len());
        items.extend(page);
        path = next_link(&headers);
        assert!(sizes.len() < 50, "paging must end");
    }
    (sizes, items)
}

fn whole(body: &Value) -> &Value {
    body
}

fn assert_problem(status: u16, body: &Value, expected: u16) {
    assert_eq!(status, expected, "{body}");
    assert_eq!(body["status"], expected, "{body}");
    assert!(
        body["detail"].as_str().is_some_and(|d| !d.is_empty()),
        "{body}"
    );
}

async fn tokens_are_listed_for_the_kansli_without_secrets(backend: Backend) {
    let app = spawn_app(provrum::all_routes, backend).await;
    let used = app.org("region-a", "region", "member").await;
    let (status, created) = app
        .create_token(&app.kansli, "region-a", &json!({"label": "Kalkylbladet"}))
        .await
        .parts();
    assert_eq!(status, 201, "{created}");
    let unused = created["token"].as_str().expect("secret").to_string();
    // The first token is used; the second never is.
    let (status, _, _) = get(&app, "/provrum", &used, "sv").await;
    assert_eq!(status, 200);

    let (sizes, tokens) = walk(&app, "/orgs/region-a/tokens?limit=1", &app.kansli, whole).await;
    assert_eq!(sizes, [1, 1]);
    for token in &tokens {
        let mut keys: Vec<&str> = token
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "created_at",
                "id",
                "label",
                "last_used_at",
                "org",
                "revoked_at"
            ],
            "{token}"
        );
        assert_eq!(token["org"], "region-a");
    }
    assert_eq!(
        tokens
            .iter()
            .map(|t| t["label"].clone())
            .collect::<Vec<_>>(),
        [json!("test"), json!("Kalkylbladet")],
        "oldest first"
    );
    assert!(tokens[0]["last_used_at"].is_string(), "{}", tokens[0]);
    assert!(tokens[1]["last_used_at"].is_null(), "{}", tokens[1]);
    assert_eq!(tokens[1]["id"], created["id"]);
    // Neither the secrets nor their hashes appear anywhere in the answer.
    let (_, _, text) = get(&app, "/orgs/region-a/tokens", &app.kansli, "sv").await;
    let text = text.to_string();
    for secret in [&used, &unused] {
        assert!(!text.contains(secret.as_str()), "a secret is shown");
        assert!(!text.contains(&hash_token(secret)), "a hash is shown");
    }
    assert!(!text.contains("hash"), "{text}");

    let id = created["id"].as_str().expect("id");
    let (status, _) = app.revoke_token(&app.kansli, id).await.parts();
    assert_eq!(status, 204);
    let (_, _, listed) = get(&app, "/orgs/region-a/tokens", &app.kansli, "sv").await;
    assert!(listed[1]["revoked_at"].is_string(), "{listed}");
    assert!(listed[0]["revoked_at"].is_null(), "{listed}");

    // The kansli's alone; an unknown organisation is 404; bad paging is 400.
    let (status, _, body) = get(&app, "/orgs/region-a/tokens", &used, "sv").await;
    assert_problem(status, &body, 403);
    let (status, _, body) = get(&app, "/orgs/nobody/tokens", &app.kansli, "en").await;
    assert_problem(status, &body, 404);
    for bad in ["cursor=zz", "cursor=00", "limit=0", "limit=501", "limit=x"] {
        let (status, _, body) = get(
            &app,
            &format!("/orgs/region-a/tokens?{bad}"),
            &app.kansli,
            "sv",
        )
        .await;
        assert_problem(status, &body, 400);
    }
}

#[tokio::test]
async fn tokens_are_listed_for_the_kansli_without_secrets_sqlite() {
    tokens_are_listed_for_the_kansli_without_secrets(Backend::Sqlite).await;
}

#[tokio::test]
async fn tokens_are_listed_for_the_kansli_without_secrets_dynamodb() {
    tokens_are_listed_for_the_kansli_without_secrets(Backend::Dynamodb).await;
}

async fn events_are_the_audit_trail_for_participants_and_the_kansli(backend: Backend) {
    let app = spawn_app(provrum::all_routes, backend).await;
    let a = app.org("region-a", "region", "member").await;
    let b = app.org("region-b", "region", "member").await;
    let outsider = app.org("region-c", "region", "member").await;
    let id = app
        .led_provrum(("region-a", &a), ("region-b", &b), "Spår")
        .await;
    let stored: Vec<String> = app
        .store
        .audit_events(&format!("provrum/{id}"))
        .await
        .expect("events")
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(stored.len() >= 3, "{stored:?}");
    assert_eq!(stored[0], "provrum.proposed");
    for token in [&app.kansli, &a, &b] {
        let (sizes, events) =
            walk(&app, &format!("/provrum/{id}/events?limit=2"), token, whole).await;
        assert!(
            sizes.iter().all(|s| *s <= 2) && sizes.len() >= 2,
            "{sizes:?}"
        );
        let actions: Vec<String> = events
            .iter()
            .map(|e| e["action"].as_str().expect("action").to_string())
            .collect();
        assert_eq!(actions, stored, "oldest first, every page");
        assert!(
            events
                .iter()
                .all(|e| e["entity"] == format!("provrum/{id}") && e["at"].is_string()),
            "{events:?}"
        );
    }
    let (status, _, body) = get(&app, &format!("/provrum/{id}/events"), &outsider, "en").await;
    assert_problem(status, &body, 403);
    assert_eq!(
        body["detail"],
        "The provrum's event log is shown to its participants and the kansli."
    );
    let (status, _, body) = get(&app, "/provrum/pr_nope/events", &app.kansli, "sv").await;
    assert_problem(status, &body, 404);
    // A cursor of another provrum's events is not this one's.
    let (_, headers, _) = get(
        &app,
        &format!("/provrum/{id}/events?limit=1"),
        &app.kansli,
        "sv",
    )
    .await;
    let next = next_link(&headers).expect("a next page");
    let cursor = next
        .split("cursor=")
        .nth(1)
        .and_then(|c| c.split('&').next())
        .expect("cursor");
    let other = app
        .led_provrum(("region-a", &a), ("region-b", &b), "Annat")
        .await;
    let (status, _, body) = get(
        &app,
        &format!("/provrum/{other}/events?cursor={cursor}"),
        &app.kansli,
        "sv",
    )
    .await;
    assert_problem(status, &body, 400);
    assert!(
        body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("sidmarkör")),
        "{body}"
    );
}

#[tokio::test]
async fn events_are_the_audit_trail_for_participants_and_the_kansli_sqlite() {
    events_are_the_audit_trail_for_participants_and_the_kansli(Backend::Sqlite).await;
}

#[tokio::test]
async fn events_are_the_audit_trail_for_participants_and_the_kansli_dynamodb() {
    events_are_the_audit_trail_for_participants_and_the_kansli(Backend::Dynamodb).await;
}

async fn lists_page_with_a_link_to_the_next(backend: Backend) {
    let app = spawn_app(provrum::all_routes, backend).await;
    let a = app.org("region-a", "region", "member").await;
    let b = app.org("region-b", "region", "member").await;
    for i in 0..5 {
        let (status, body) = app
            .propose(&a, &json!({"title": format!("Provrum {i}")}))
            .await
            .parts();
        assert_eq!(status, 201, "{body}");
    }
    let (_, _, everything) = get(&app, "/provrum", &b, "sv").await;
    assert_eq!(
        everything.as_array().map(Vec::len),
        Some(5),
        "one page by default"
    );
    let (sizes, provrum) = walk(&app, "/provrum?limit=2", &b, whole).await;
    assert_eq!(sizes, [2, 2, 1]);
    assert_eq!(provrum, everything.as_array().expect("array").clone());
    let titles: Vec<&str> = provrum
        .iter()
        .map(|p| p["title"].as_str().expect("title"))
        .collect();
    assert_eq!(
        titles,
        [
            "Provrum 0",
            "Provrum 1",
            "Provrum 2",
            "Provrum 3",
            "Provrum 4"
        ]
    );
    // A full last page has no link to an empty one.
    let (sizes, orgs) = walk(&app, "/orgs?limit=3", &b, whole).await;
    assert_eq!(sizes, [3]);
    let ids: Vec<&str> = orgs.iter().map(|o| o["id"].as_str().expect("id")).collect();
    assert_eq!(ids, ["region-a", "region-b", "reglab"]);
    let (sizes, _) = walk(&app, "/orgs?limit=1", &b, whole).await;
    assert_eq!(sizes, [1, 1, 1]);
    for bad in [
        "/provrum?cursor=not-hex",
        "/provrum?cursor=7b7d",
        "/provrum?limit=0",
        "/orgs?limit=100000",
        "/orgs?cursor=",
    ] {
        let (status, _, body) = get(&app, bad, &b, "en").await;
        assert_problem(status, &body, 400);
    }
}

#[tokio::test]
async fn lists_page_with_a_link_to_the_next_sqlite() {
    lists_page_with_a_link_to_the_next(Backend::Sqlite).await;
}

#[tokio::test]
async fn lists_page_with_a_link_to_the_next_dynamodb() {
    lists_page_with_a_link_to_the_next(Backend::Dynamodb).await;
}

/// A provrum with [`MAX_BUDGET_VERSIONS`] budget versions, added straight to the store (one
/// real check, copied), and its leader's token.
async fn full_provrum(app: &TestApp) -> (String, String) {
    let a = app.org("region-a", "region", "member").await;
    let b = app.org("region-b", "region", "member").await;
    let id = app
        .led_provrum(("region-a", &a), ("region-b", &b), "Fullt")
        .await;
    let file = workbook("region-a", &["region-b"]);
    let (status, body) = app.upload_budget(&a, &id, file.clone()).await.parts();
    assert_eq!(status, 201, "{body}");
    let first = app
        .store
        .get_budget_version(&id, 1)
        .await
        .expect("get")
        .expect("version 1");
    let mut provrum = app
        .store
        .get_provrum(&id)
        .await
        .expect("get")
        .expect("provrum");
    for n in 2..=MAX_BUDGET_VERSIONS {
        let version = BudgetVersion::new(
            &id,
            n,
            format!("file {n}").as_bytes(),
            Some(format!("v{n}.xlsx")),
            "region-a",
            chrono::Utc::now(),
            first.checked.clone(),
        );
        let mut next = provrum.clone();
        next.budget_versions = n;
        next.latest_budget = Some(version.summary.clone());
        let event = AuditEvent::new(
            format!("provrum/{id}"),
            "region-a",
            "budget.uploaded",
            json!({"version": n}),
        );
        provrum = app
            .store
            .add_budget_version(&next, &version, &event)
            .await
            .expect("add");
    }
    (id, a)
}

#[tokio::test]
async fn the_budget_version_after_the_200th_is_a_clear_409() {
    let app = spawn_app(provrum::all_routes, Backend::Sqlite).await;
    let (id, leader) = full_provrum(&app).await;
    let path = format!("/provrum/{id}/budget");
    let file = workbook("region-a", &["region-b"]);
    for (lang, text) in [
        ("sv", "Provrummet har redan 200 budgetversioner"),
        ("en", "The provrum already has 200 budget versions"),
    ] {
        let reply = app
            .lang(lang)
            .upload_budget(&leader, &id, file.clone())
            .await
            .answer();
        assert_eq!(reply.status, 409);
        assert_eq!(reply.content_type, "application/problem+json");
        let body: Value = serde_json::from_slice(&reply.bytes).expect("json");
        assert_eq!(body["type"], "urn:provrum:problem:budget-versions-full");
        assert!(
            body["detail"].as_str().is_some_and(|d| d.starts_with(text)),
            "{body}"
        );
    }
    let stored = app
        .store
        .get_provrum(&id)
        .await
        .expect("get")
        .expect("provrum");
    assert_eq!(stored.budget_versions, MAX_BUDGET_VERSIONS);
    assert_eq!(
        app.store
            .get_budget_version(&id, MAX_BUDGET_VERSIONS + 1)
            .await
            .expect("get"),
        None
    );

    // The list of versions pages; the latest is the 200th, on every page.
    let (sizes, versions) = walk(
        &app,
        &format!("{path}?limit=150"),
        &leader,
        |b| &b["versions"],
    )
    .await;
    assert_eq!(sizes, [150, 50]);
    let numbers: Vec<u64> = versions
        .iter()
        .map(|v| v["version"].as_u64().expect("number"))
        .collect();
    assert_eq!(
        numbers,
        (1..=u64::from(MAX_BUDGET_VERSIONS)).collect::<Vec<_>>()
    );
    let (_, _, body) = get(&app, &format!("{path}?limit=1"), &leader, "sv").await;
    assert_eq!(body["latest"]["summary"]["version"], MAX_BUDGET_VERSIONS);
    assert_eq!(
        body["latest"]["summary"]["sha256"],
        sha256_hex(format!("file {MAX_BUDGET_VERSIONS}").as_bytes())
    );
}

/// Authentication records a token's use once, not on every request: against DynamoDB, counted.
#[tokio::test]
async fn a_tokens_use_is_written_once_an_hour_not_per_request() {
    let endpoint = provrum_tests::moto_endpoint();
    let store = DynamoStore::local(&endpoint, provrum_store::new_id("touch-")).await;
    store.create_table().await.expect("table");
    let (counted, counter) = store.counted();
    let app = spawn_app_on(provrum::all_routes, Arc::new(counted), None, None).await;
    let member = app.org("region-a", "region", "member").await;
    counter.take();
    for round in 0..3 {
        let (status, _, _) = get(&app, "/provrum", &member, "sv").await;
        assert_eq!(status, 200);
        let calls = counter.take();
        let updates = calls.get("UpdateItem").copied().unwrap_or(0);
        assert_eq!(updates, u32::from(round == 0), "round {round}: {calls:?}");
    }
    let token = store
        .token_by_hash(&hash_token(&member))
        .await
        .expect("get")
        .expect("token");
    let used = token.last_used_at.expect("recorded");
    assert!(
        (chrono::Utc::now() - used).num_seconds().abs() < 60,
        "{used}"
    );
}

/// `GET /me`: the organisation a token acts for, its kind and membership, and the token's label
/// (never its secret), for the add-on's "Inloggad som …".
#[tokio::test]
async fn me_says_who_the_token_acts_for() {
    let app = spawn_app(provrum::all_routes, Backend::Sqlite).await;
    app.org("region-a", "region", "member").await;
    let (status, created) = app
        .create_token(&app.kansli, "region-a", &json!({"label": "Kalkylbladet"}))
        .await
        .parts();
    assert_eq!(status, 201, "{created}");
    let secret = created["token"].as_str().expect("secret").to_string();

    let (status, me) = app.me(&secret).await.parts();
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["org"]["id"], "region-a");
    assert_eq!(me["org"]["kind"], "region");
    assert_eq!(me["org"]["membership"], "member");
    assert_eq!(me["token"]["id"], created["id"]);
    assert_eq!(me["token"]["label"], "Kalkylbladet");
    assert!(
        !me.to_string().contains(&secret),
        "the secret is never shown again: {me}"
    );

    let (status, me) = app.me(&app.kansli).await.parts();
    assert_eq!((status, &me["org"]["membership"]), (200, &json!("kansli")));

    let (status, problem) = app.me("prv_unknown").await.parts();
    assert_eq!(status, 401, "{problem}");
}

/// `GET /me`'s `actions` say beforehand what the routes then do: a member may propose but not
/// administer or oversee; a partner may not propose (PROC-1, with the finding); the kansli may
/// administer and oversee but not propose. Each refusal's reason is the route's own answer.
#[tokio::test]
async fn me_says_what_the_caller_may_do_as_the_routes_decide() {
    let app = spawn_app(provrum::all_routes, Backend::Sqlite).await;
    let member = app.org("region-a", "region", "member").await;
    let partner = app.org("rise", "other", "partner").await;
    let kansli = app.kansli.clone();
    let expect = [
        (&member, [true, false, false]),
        (&partner, [false, false, false]),
        (&kansli, [false, true, true]),
    ];
    for (token, allowed) in expect {
        let (status, me) = app.me(token).await.parts();
        assert_eq!(status, 200, "{me}");
        let actions = me["actions"].as_array().expect("actions");
        let steps: Vec<&str> = actions
            .iter()
            .map(|a| a["action"].as_str().unwrap_or(""))
            .collect();
        assert_eq!(steps, ["propose", "administer", "oversee"], "{me}");
        let said: Vec<bool> = actions.iter().map(|a| a["allowed"] == true).collect();
        assert_eq!(said, allowed, "{me}");
        // What the routes answer, for the same caller.
        let proposed = app.propose(token, &json!({"title": "Prov"})).await.parts();
        let added = app
            .add_org(token, &json!({"id": format!("x{}", said.len()), "name": "X", "kind": "other", "membership": "member"}))
            .await
            .parts();
        let status_sheet = app.status(token).await.parts();
        for ((action, (status, body)), ok) in actions
            .iter()
            .zip([proposed, added, status_sheet])
            .zip(allowed)
        {
            assert_eq!(status < 300, ok, "{action} vs {status} {body}");
            if !ok {
                assert_eq!(status, 403, "{body}");
                assert_eq!(action["reason"]["sv"], body["detail"], "{action} vs {body}");
                let rules: Vec<&serde_json::Value> = action["findings"]
                    .as_array()
                    .expect("findings")
                    .iter()
                    .map(|f| &f["rule"])
                    .collect();
                let answered: Vec<&serde_json::Value> = body["findings"]
                    .as_array()
                    .map(|f| f.iter().map(|f| &f["rule"]).collect())
                    .unwrap_or_default();
                assert_eq!(rules, answered, "{action} vs {body}");
            }
        }
    }
    let (_, me) = app.me(&partner).await.parts();
    assert_eq!(me["actions"][0]["findings"][0]["rule"], "PROC-1", "{me}");
}

/// A wrong organisation id is answered in the reader's language, naming the rule, not with the
/// JSON parser's words.
#[tokio::test]
async fn a_wrong_org_id_is_explained_in_swedish_and_english() {
    let app = spawn_app(provrum::all_routes, Backend::Sqlite).await;
    let body = json!({"id": "Region Skåne", "name": "Region Skåne", "kind": "region", "membership": "member"});
    let (status, sv) = app.add_org(&app.kansli, &body).await.parts();
    assert_eq!(status, 400, "{sv}");
    assert_eq!(
        sv["detail"],
        "organisations-id \"Region Skåne\": använd 1-64 av a-z, 0-9, - och _ (t.ex. region-skane)"
    );
    let (status, en) = app.lang("en").add_org(&app.kansli, &body).await.parts();
    assert_eq!(status, 400, "{en}");
    assert_eq!(
        en["detail"],
        "organisation id \"Region Skåne\": use 1-64 of a-z, 0-9, - and _ (e.g. region-skane)"
    );
}
