use provrum_http::AppState;
use provrum_store::Store;
use provrum_store::dynamo::DynamoStore;
use provrum_store::sqlite::SqliteStore;
use serde_json::{Value, json};
use std::sync::Arc;

pub enum Backend {
    Sqlite,
    Dynamodb,
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub kansli: String,
    pub store: Arc<dyn Store>,
    _dir: Option<tempfile::TempDir>,
}

/// The moto server scripts/test starts for the DynamoDB runs; a run without it fails, never
/// skips.
pub fn moto_endpoint() -> String {
    std::env::var("PROVRUM_TEST_DYNAMODB_ENDPOINT").expect(
        "PROVRUM_TEST_DYNAMODB_ENDPOINT is not set: the DynamoDB runs use moto, which scripts/test starts",
    )
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, None).await
}

/// The app telling `webhook` (a local receiver) about proposals and starts.
pub async fn spawn_app_with(backend: Backend, webhook: Option<provrum_notify::Webhook>) -> TestApp {
    let (store, dir): (Arc<dyn Store>, _) = match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().expect("tempdir");
            (
                Arc::new(SqliteStore::open(dir.path().join("provrum.db")).expect("sqlite")),
                Some(dir),
            )
        }
        Backend::Dynamodb => {
            let store = DynamoStore::local(&moto_endpoint(), provrum_store::new_id("api-")).await;
            store.create_table().await.expect("table");
            (Arc::new(store), None)
        }
    };
    spawn_app_on(store, webhook, dir).await
}

/// The app over `store` (kept alive with `dir`, if any).
pub async fn spawn_app_on(
    store: Arc<dyn Store>,
    webhook: Option<provrum_notify::Webhook>,
    dir: Option<tempfile::TempDir>,
) -> TestApp {
    let kansli = provrum_tests::seed_kansli(store.as_ref()).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = format!("http://{}", listener.local_addr().expect("addr"));
    let app = provrum::all_routes(AppState::new(store.clone()).with_webhook(webhook));
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    TestApp {
        address,
        client: reqwest::Client::new(),
        kansli,
        store,
        _dir: dir,
    }
}

impl TestApp {
    pub async fn send(&self, request: reqwest::RequestBuilder) -> (u16, Value) {
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        let text = response.text().await.expect("body");
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    pub async fn call(
        &self,
        method: &str,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.address))
            .bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        self.send(request).await
    }

    pub async fn org(&self, id: &str, kind: &str, membership: &str) -> String {
        let (status, body) = self.call("POST", "/orgs", &self.kansli, Some(json!({"id": id, "name": format!("Org {id}"), "kind": kind, "membership": membership}))).await;
        assert_eq!(status, 201, "{body}");
        let (status, body) = self
            .call(
                "POST",
                &format!("/orgs/{id}/tokens"),
                &self.kansli,
                Some(json!({"label": "test"})),
            )
            .await;
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
            .call("POST", "/provrum", leader.1, Some(json!({"title": title})))
            .await;
        assert_eq!(status, 201, "{body}");
        let id = body["id"].as_str().expect("id").to_string();
        let (status, body) = self
            .call(
                "POST",
                &format!("/provrum/{id}/interest"),
                other.1,
                Some(json!({"wants_to_lead": false})),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let (status, body) = self
            .call(
                "PUT",
                &format!("/provrum/{id}/leader"),
                leader.1,
                Some(json!({"org": leader.0})),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        id
    }

    pub async fn upload(&self, path: &str, token: &str, bytes: Vec<u8>) -> (u16, Value) {
        let request = self
            .client
            .post(format!("{}{path}", self.address))
            .bearer_auth(token)
            .header(
                "content-type",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            .body(bytes);
        self.send(request).await
    }
}

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

/// The same, planned in `year` (March to July), so its approval uses that year's quota.
pub fn workbook_in(leader: &str, others: &[&str], year: i32) -> Vec<u8> {
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
