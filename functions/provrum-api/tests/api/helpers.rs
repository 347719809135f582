use provrum_http::AppState;
use provrum_store::Store;
use provrum_store::sqlite::SqliteStore;
use std::sync::Arc;

pub struct TestApp {
    pub address: String,
    pub store: Arc<dyn Store>,
    pub client: reqwest::Client,
    /// The kansli's token, seeded directly in the store (the first token always is: `provrum token create`).
    pub kansli: String,
    _dir: tempfile::TempDir,
}

pub async fn spawn_app() -> TestApp {
    let dir = tempfile::tempdir().expect("tempdir");
    let store: Arc<dyn Store> =
        Arc::new(SqliteStore::open(dir.path().join("provrum.db")).expect("store"));
    let kansli = provrum_tests::seed_kansli(store.as_ref()).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = format!("http://{}", listener.local_addr().expect("addr"));
    let app = provrum_api::router(AppState::new(store.clone()));
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    TestApp {
        address,
        store,
        client: reqwest::Client::new(),
        kansli,
        _dir: dir,
    }
}

pub struct Reply {
    pub status: u16,
    pub content_type: String,
    pub body: serde_json::Value,
}

impl TestApp {
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<serde_json::Value>,
    ) -> Reply {
        self.call_lang(method, path, token, body, None).await
    }

    pub async fn call_lang(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<serde_json::Value>,
        lang: Option<&str>,
    ) -> Reply {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.address));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        if let Some(lang) = lang {
            request = request.header("Accept-Language", lang);
        }
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let text = response.text().await.expect("body");
        let body = if text.is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text))
        };
        Reply {
            status,
            content_type,
            body,
        }
    }

    /// Adds an organisation through the API and returns a token for it.
    pub async fn org(&self, id: &str, name: &str, kind: &str, membership: &str) -> String {
        let r = self
            .call("POST", "/orgs", Some(&self.kansli), Some(serde_json::json!({"id": id, "name": name, "kind": kind, "membership": membership})))
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let r = self
            .call(
                "POST",
                &format!("/orgs/{id}/tokens"),
                Some(&self.kansli),
                Some(serde_json::json!({"label": "test"})),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        r.body["token"].as_str().expect("token").to_string()
    }
}

/// The rule ids of a problem's findings.
pub fn rules(body: &serde_json::Value) -> Vec<String> {
    body["findings"]
        .as_array()
        .map(|f| {
            f.iter()
                .filter_map(|x| x["rule"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}
