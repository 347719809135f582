//! The API test kit, shared by the provrum-tests API suite (`tests/api`) and provrum-api's own
//! (`functions/provrum-api/tests/api`): the app spawned on port 0 over a fresh store (SQLite in a
//! temporary directory or a fresh table on moto), the kansli's token, and the typed
//! [`provrum_client`] calls over HTTP, reached through the [`TestApp`] itself
//! (`app.propose(&token, &json!({..}))`).

use provrum_client::{Client, Error, Http, Reply};
use provrum_http::AppState;
use provrum_store::Store;
use provrum_store::dynamo::DynamoStore;
use provrum_store::sqlite::SqliteStore;
use serde_json::{Value, json};
use std::sync::Arc;

/// Which store the spawned app runs on.
pub enum Backend {
    Sqlite,
    /// A fresh table on moto ([`crate::moto_endpoint`]).
    Dynamodb,
}

/// What the suite serves: `provrum::all_routes` (every function, as `provrum serve` mounts
/// them) or one function's router (`provrum_api::router`).
pub type Routes = fn(AppState) -> axum::Router;

/// A running app: its address, a typed client for it, the kansli's token and its store.
pub struct TestApp {
    pub address: String,
    pub api: Client<Http>,
    /// The underlying HTTP client, for requests the typed calls do not cover (multipart forms,
    /// other authorization schemes).
    pub client: reqwest::Client,
    /// The kansli's token, seeded directly in the store (the first token always is: `provrum
    /// token create`).
    pub kansli: String,
    pub store: Arc<dyn Store>,
    _dir: Option<tempfile::TempDir>,
}

impl std::ops::Deref for TestApp {
    type Target = Client<Http>;

    fn deref(&self) -> &Client<Http> {
        &self.api
    }
}

pub async fn spawn_app(routes: Routes, backend: Backend) -> TestApp {
    spawn_app_with(routes, backend, None).await
}

/// The app telling `webhook` (a local receiver) about proposals and starts.
pub async fn spawn_app_with(
    routes: Routes,
    backend: Backend,
    webhook: Option<provrum_notify::Webhook>,
) -> TestApp {
    let (store, dir): (Arc<dyn Store>, _) = match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().expect("tempdir");
            (
                Arc::new(SqliteStore::open(dir.path().join("provrum.db")).expect("sqlite")),
                Some(dir),
            )
        }
        Backend::Dynamodb => {
            let store =
                DynamoStore::local(&crate::moto_endpoint(), provrum_store::new_id("api-")).await;
            store.create_table().await.expect("table");
            (Arc::new(store), None)
        }
    };
    spawn_app_on(routes, store, webhook, dir).await
}

/// The app over `store` (kept alive with `dir`, if any).
pub async fn spawn_app_on(
    routes: Routes,
    store: Arc<dyn Store>,
    webhook: Option<provrum_notify::Webhook>,
    dir: Option<tempfile::TempDir>,
) -> TestApp {
    let kansli = crate::seed_kansli(store.as_ref()).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = format!("http://{}", listener.local_addr().expect("addr"));
    let app = routes(AppState::new(store.clone()).with_webhook(webhook));
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    let http = Http::new(address.clone());
    TestApp {
        client: http.reqwest().clone(),
        api: Client::new(http),
        address,
        kansli,
        store,
        _dir: dir,
    }
}

/// A call's answer in a test, where a request that cannot be sent is a failure.
pub trait Answer {
    /// The reply, panicking if the request could not be sent or read.
    fn answer(self) -> Reply;
    /// The status and the JSON body.
    fn parts(self) -> (u16, Value);
}

impl Answer for Result<Reply, Error> {
    fn answer(self) -> Reply {
        self.unwrap_or_else(|e| panic!("{e}"))
    }

    fn parts(self) -> (u16, Value) {
        self.answer().parts()
    }
}

impl TestApp {
    /// Sends a request built on [`TestApp::client`] and reads its answer.
    pub async fn send(&self, request: reqwest::RequestBuilder) -> (u16, Value) {
        self.api.transport().send_raw(request).await.parts()
    }

    /// Adds organisation `id` named `Org {id}` (the names [`workbook`] lists) and returns a
    /// token for it.
    pub async fn org(&self, id: &str, kind: &str, membership: &str) -> String {
        self.org_named(id, &format!("Org {id}"), kind, membership)
            .await
    }

    /// Adds an organisation through the API and returns a token for it.
    pub async fn org_named(&self, id: &str, name: &str, kind: &str, membership: &str) -> String {
        let org = json!({"id": id, "name": name, "kind": kind, "membership": membership});
        let (status, body) = self.add_org(&self.kansli, &org).await.parts();
        assert_eq!(status, 201, "{body}");
        let (status, body) = self
            .create_token(&self.kansli, id, &json!({"label": "test"}))
            .await
            .parts();
        assert_eq!(status, 201, "{body}");
        body["token"].as_str().expect("token").to_string()
    }

    /// A provrum `title` proposed by `leader` (org id, token), with `other` taking part and
    /// `leader` chosen to lead: ready for a budget. Its id.
    pub async fn led_provrum(
        &self,
        leader: (&str, &str),
        other: (&str, &str),
        title: &str,
    ) -> String {
        let (status, body) = self
            .propose(leader.1, &json!({"title": title}))
            .await
            .parts();
        assert_eq!(status, 201, "{body}");
        let id = body["id"].as_str().expect("id").to_string();
        let (status, body) = self
            .register_interest(other.1, &id, &json!({"wants_to_lead": false}))
            .await
            .parts();
        assert_eq!(status, 200, "{body}");
        let (status, body) = self
            .choose_leader(leader.1, &id, &json!({"org": leader.0}))
            .await
            .parts();
        assert_eq!(status, 200, "{body}");
        id
    }
}

/// The rule ids of a problem's findings.
pub fn rules(body: &Value) -> Vec<String> {
    body["findings"]
        .as_array()
        .map(|f| {
            f.iter()
                .filter_map(|x| x["rule"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// A valid workbook whose participants are the given organisations' display names.
pub fn workbook(leader: &str, others: &[&str]) -> Vec<u8> {
    workbook_in(leader, others, 2025)
}

/// The same, planned in `year` (March to July), so its approval uses that year's quota. Its
/// plan keeps the example's name, so an upload to a provrum titled otherwise also warns PLAN-4:
/// [`workbook_titled`] is the plan of one provrum.
pub fn workbook_in(leader: &str, others: &[&str], year: i32) -> Vec<u8> {
    workbook_of(None, leader, others, year)
}

/// A valid workbook that is the plan of the provrum called `title` (PLAN-4), planned in 2025.
pub fn workbook_titled(title: &str, leader: &str, others: &[&str]) -> Vec<u8> {
    workbook_of(Some(title), leader, others, 2025)
}

fn workbook_of(title: Option<&str>, leader: &str, others: &[&str], year: i32) -> Vec<u8> {
    use provrum_rules::model::{ParticipantKind, Role};
    let mut filled = provrum_workbook::template::example(provrum_rules::Lang::Sv);
    filled.participants = std::iter::once((
        format!("Org {leader}"),
        ParticipantKind::Region,
        Role::Leader,
    ))
    .chain(others.iter().map(|o| {
        (
            format!("Org {o}"),
            ParticipantKind::Region,
            Role::Participant,
        )
    }))
    .collect();
    for line in &mut filled.budget {
        if line.funder.is_some() {
            line.funder = Some(format!("Org {leader}"));
        }
    }
    for (field, entry) in &mut filled.plan {
        let date = |m, d| chrono::NaiveDate::from_ymd_opt(year, m, d).expect("date");
        match field {
            provrum_rules::layout::PlanField::StartDate => {
                *entry = provrum_workbook::template::Entry::Date(date(3, 1))
            }
            provrum_rules::layout::PlanField::EndDate => {
                *entry = provrum_workbook::template::Entry::Date(date(7, 31))
            }
            provrum_rules::layout::PlanField::Name => {
                if let Some(title) = title {
                    *entry = provrum_workbook::template::Entry::Text(title.to_string())
                }
            }
            _ => {}
        }
    }
    provrum_workbook::template::build(
        provrum_rules::Lang::Sv,
        &provrum_rules::RuleSet::provrum_2023(),
        Some(&filled),
    )
    .expect("workbook")
}
