//! `provrum-client`: provrum's HTTP API as typed calls, one method per route (the routes of
//! `shared/http/openapi.json`, named after their operation ids), over a [`Transport`]: the app's
//! router in process ([`InProcess`], what `provrum serve --demo` seeds through) or real HTTP
//! ([`Http`], what the test suites use against an app on a port).
//!
//! Every call answers a [`Reply`] that keeps the status and the JSON body, refusals included;
//! [`Reply::json`] decodes it, [`Reply::success`] turns a refusal into an [`Error`]. Bodies are
//! anything that serializes to the JSON the route reads, so the client does not depend on the
//! server's Rust types.

mod transport;

pub use transport::{Body, Http, InProcess, Request, Transport};

pub use axum::http::Method;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// The content type workbook uploads are sent with.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

type Cause = Box<dyn std::error::Error + Send + Sync>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The request could not be built or sent, or its answer not read.
    #[error("{method} {path}: {source}")]
    Transport {
        method: Method,
        path: String,
        source: Cause,
    },
    /// The app answered, but not with what the caller needed.
    #[error("{method} {path}: {status} {body}")]
    Refused {
        method: Method,
        path: String,
        status: u16,
        body: Value,
    },
    /// The answer's JSON is not the shape the caller decodes it as.
    #[error("{method} {path}: the answer is not the expected JSON ({source}): {body}")]
    Decode {
        method: Method,
        path: String,
        body: Value,
        source: serde_json::Error,
    },
}

impl Error {
    fn transport(request: &Request, source: impl Into<Cause>) -> Error {
        Error::Transport {
            method: request.method.clone(),
            path: request.path.clone(),
            source: source.into(),
        }
    }

    fn raw(source: impl Into<Cause>) -> Error {
        Error::Transport {
            method: Method::GET,
            path: String::new(),
            source: source.into(),
        }
    }
}

/// One answer: its status, headers and body, the body also read as JSON.
#[derive(Clone, Debug)]
pub struct Reply {
    pub method: Method,
    pub path: String,
    pub status: u16,
    /// The `content-type` header, empty without one.
    pub content_type: String,
    /// Every header as (lower-case name, value).
    pub headers: Vec<(String, String)>,
    pub bytes: Vec<u8>,
    /// The body as JSON: `Null` when empty, a JSON string holding the text when it is not JSON.
    pub body: Value,
}

impl Reply {
    fn new(
        request: &Request,
        status: u16,
        headers: Vec<(String, String)>,
        bytes: Vec<u8>,
    ) -> Reply {
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        };
        let content_type = headers
            .iter()
            .find(|(name, _)| name == "content-type")
            .map(|(_, value)| value.clone())
            .unwrap_or_default();
        Reply {
            method: request.method.clone(),
            path: request.path.clone(),
            status,
            content_type,
            headers,
            bytes,
            body,
        }
    }

    /// The first value of header `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, value)| value.as_str())
    }

    /// The status and the JSON body.
    pub fn parts(self) -> (u16, Value) {
        (self.status, self.body)
    }

    /// The body decoded as `T` (a `serde_json::Value` takes anything).
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, Error> {
        serde_json::from_value(self.body.clone()).map_err(|source| Error::Decode {
            method: self.method.clone(),
            path: self.path.clone(),
            body: self.body.clone(),
            source,
        })
    }

    /// This reply if its status is 2xx, else a [`Error::Refused`] naming the call.
    pub fn success(self) -> Result<Reply, Error> {
        if (200..300).contains(&self.status) {
            Ok(self)
        } else {
            Err(self.refused())
        }
    }

    /// This reply if its status is `status`, else a [`Error::Refused`] naming the call.
    pub fn expect_status(self, status: u16) -> Result<Reply, Error> {
        if self.status == status {
            Ok(self)
        } else {
            Err(self.refused())
        }
    }

    fn refused(self) -> Error {
        Error::Refused {
            method: self.method,
            path: self.path,
            status: self.status,
            body: self.body,
        }
    }
}

/// The API over `T`, optionally asking for a language (`Accept-Language`).
#[derive(Clone)]
pub struct Client<T> {
    transport: T,
    lang: Option<String>,
}

impl<T: Transport> Client<T> {
    pub fn new(transport: T) -> Client<T> {
        Client {
            transport,
            lang: None,
        }
    }

    pub fn transport(&self) -> &T {
        &self.transport
    }

    /// The same client asking for answers in `lang` (`sv`, `en`).
    pub fn lang(&self, lang: &str) -> Client<T> {
        Client {
            transport: self.transport.clone(),
            lang: Some(lang.to_string()),
        }
    }

    /// Sends `request` (with this client's language unless it names one).
    pub async fn send(&self, mut request: Request) -> Result<Reply, Error> {
        if request.lang.is_none() {
            request.lang = self.lang.clone();
        }
        self.transport.send(request).await
    }

    /// Any route: `method` on `path`, as `token` if given, with a JSON `body` if given. For what
    /// a typed call cannot express (a table of routes, a malformed request).
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Result<Reply, Error> {
        let method = Method::from_bytes(method.as_bytes()).map_err(Error::raw)?;
        let mut request = Request::new(method, path);
        request.token = token.map(str::to_string);
        if let Some(body) = body {
            request.body = Body::Json(body);
        }
        self.send(request).await
    }

    async fn as_(
        &self,
        method: Method,
        path: String,
        token: Option<&str>,
        body: Body,
    ) -> Result<Reply, Error> {
        let mut request = Request::new(method, path);
        request.token = token.map(str::to_string);
        request.body = body;
        self.send(request).await
    }

    async fn with_json(
        &self,
        method: Method,
        path: String,
        token: &str,
        body: &impl Serialize,
    ) -> Result<Reply, Error> {
        let request = Request::new(method.clone(), path.clone());
        let json = serde_json::to_value(body).map_err(|e| Error::transport(&request, e))?;
        self.as_(method, path, Some(token), Body::Json(json)).await
    }

    // --- Open routes -----------------------------------------------------------------------

    /// `GET /health`
    pub async fn health(&self) -> Result<Reply, Error> {
        self.as_(Method::GET, "/health".into(), None, Body::Empty)
            .await
    }

    /// `GET /openapi.json`
    pub async fn openapi(&self) -> Result<Reply, Error> {
        self.as_(Method::GET, "/openapi.json".into(), None, Body::Empty)
            .await
    }

    /// `GET /template.xlsx?lang={lang}`
    pub async fn template(&self, lang: &str) -> Result<Reply, Error> {
        let path = format!("/template.xlsx?lang={lang}");
        self.as_(Method::GET, path, None, Body::Empty).await
    }

    /// `GET /template.json?lang={lang}`
    pub async fn template_spec(&self, lang: &str) -> Result<Reply, Error> {
        let path = format!("/template.json?lang={lang}");
        self.as_(Method::GET, path, None, Body::Empty).await
    }

    // --- Organisations and tokens (the kansli's) ----------------------------------------------

    /// `POST /orgs` with `{id, name, kind, membership}`
    pub async fn add_org(&self, token: &str, org: &impl Serialize) -> Result<Reply, Error> {
        self.with_json(Method::POST, "/orgs".into(), token, org)
            .await
    }

    /// `GET /me`
    pub async fn me(&self, token: &str) -> Result<Reply, Error> {
        self.as_(Method::GET, "/me".into(), Some(token), Body::Empty)
            .await
    }

    /// `GET /orgs`
    pub async fn list_orgs(&self, token: &str) -> Result<Reply, Error> {
        self.as_(Method::GET, "/orgs".into(), Some(token), Body::Empty)
            .await
    }

    /// `POST /orgs/{org}/tokens` with `{label}`
    pub async fn create_token(
        &self,
        token: &str,
        org: &str,
        body: &impl Serialize,
    ) -> Result<Reply, Error> {
        let path = format!("/orgs/{org}/tokens");
        self.with_json(Method::POST, path, token, body).await
    }

    /// `GET /orgs/{org}/tokens`
    pub async fn list_tokens(&self, token: &str, org: &str) -> Result<Reply, Error> {
        let path = format!("/orgs/{org}/tokens");
        self.as_(Method::GET, path, Some(token), Body::Empty).await
    }

    /// `DELETE /tokens/{id}`
    pub async fn revoke_token(&self, token: &str, id: &str) -> Result<Reply, Error> {
        let path = format!("/tokens/{id}");
        self.as_(Method::DELETE, path, Some(token), Body::Empty)
            .await
    }

    // --- Provrum ------------------------------------------------------------------------------

    /// `POST /provrum` with `{title, theme?, …}`
    pub async fn propose(&self, token: &str, proposal: &impl Serialize) -> Result<Reply, Error> {
        self.with_json(Method::POST, "/provrum".into(), token, proposal)
            .await
    }

    /// `GET /provrum`
    pub async fn list_provrum(&self, token: &str) -> Result<Reply, Error> {
        self.as_(Method::GET, "/provrum".into(), Some(token), Body::Empty)
            .await
    }

    /// `GET /provrum/{id}`
    pub async fn get_provrum(&self, token: &str, id: &str) -> Result<Reply, Error> {
        let path = format!("/provrum/{id}");
        self.as_(Method::GET, path, Some(token), Body::Empty).await
    }

    /// `GET /provrum/{id}/events`
    pub async fn list_events(&self, token: &str, id: &str) -> Result<Reply, Error> {
        let path = format!("/provrum/{id}/events");
        self.as_(Method::GET, path, Some(token), Body::Empty).await
    }

    /// `POST /provrum/{id}/interest` with `{wants_to_lead}`
    pub async fn register_interest(
        &self,
        token: &str,
        id: &str,
        interest: &impl Serialize,
    ) -> Result<Reply, Error> {
        let path = format!("/provrum/{id}/interest");
        self.with_json(Method::POST, path, token, interest).await
    }

    /// `DELETE /provrum/{id}/interest`
    pub async fn withdraw_interest(&self, token: &str, id: &str) -> Result<Reply, Error> {
        let path = format!("/provrum/{id}/interest");
        self.as_(Method::DELETE, path, Some(token), Body::Empty)
            .await
    }

    /// `PUT /provrum/{id}/leader` with `{org}`
    pub async fn choose_leader(
        &self,
        token: &str,
        id: &str,
        leader: &impl Serialize,
    ) -> Result<Reply, Error> {
        let path = format!("/provrum/{id}/leader");
        self.with_json(Method::PUT, path, token, leader).await
    }

    /// `POST /provrum/{id}/approve`
    pub async fn approve(&self, token: &str, id: &str) -> Result<Reply, Error> {
        let path = format!("/provrum/{id}/approve");
        self.as_(Method::POST, path, Some(token), Body::Empty).await
    }

    /// `POST /provrum/{id}/withdraw`
    pub async fn withdraw(&self, token: &str, id: &str) -> Result<Reply, Error> {
        let path = format!("/provrum/{id}/withdraw");
        self.as_(Method::POST, path, Some(token), Body::Empty).await
    }

    /// `POST /provrum/{id}/result` with `{summary, link?}`
    pub async fn report_result(
        &self,
        token: &str,
        id: &str,
        result: &impl Serialize,
    ) -> Result<Reply, Error> {
        let path = format!("/provrum/{id}/result");
        self.with_json(Method::POST, path, token, result).await
    }

    // --- Budgets ------------------------------------------------------------------------------

    /// `POST /check` with a workbook (sent as xlsx)
    pub async fn check(&self, token: &str, workbook: Vec<u8>) -> Result<Reply, Error> {
        self.as_(Method::POST, "/check".into(), Some(token), xlsx(workbook))
            .await
    }

    /// `POST /provrum/{id}/budget` with a workbook (sent as xlsx)
    pub async fn upload_budget(
        &self,
        token: &str,
        id: &str,
        workbook: Vec<u8>,
    ) -> Result<Reply, Error> {
        let path = format!("/provrum/{id}/budget");
        self.as_(Method::POST, path, Some(token), xlsx(workbook))
            .await
    }

    /// `GET /provrum/{id}/budget`
    pub async fn get_budget(&self, token: &str, id: &str) -> Result<Reply, Error> {
        let path = format!("/provrum/{id}/budget");
        self.as_(Method::GET, path, Some(token), Body::Empty).await
    }

    // --- The status sheet and the yearly report -----------------------------------------------

    /// `GET /status`
    pub async fn status(&self, token: &str) -> Result<Reply, Error> {
        self.as_(Method::GET, "/status".into(), Some(token), Body::Empty)
            .await
    }

    /// `GET /reports/{year}`
    pub async fn report(&self, token: &str, year: i32) -> Result<Reply, Error> {
        let path = format!("/reports/{year}");
        self.as_(Method::GET, path, Some(token), Body::Empty).await
    }
}

fn xlsx(bytes: Vec<u8>) -> Body {
    Body::Bytes {
        content_type: XLSX.into(),
        bytes,
    }
}
