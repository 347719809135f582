//! The page's way to the API: every read and every step is a request to the same routes an HTTP
//! client calls, sent in process as the signed-in organisation. So the page decides nothing:
//! the routes authorise, the rules decide, the audit trail and the notices follow, and a refusal
//! comes back as the API's problem in the reader's language, findings and all.

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderValue, Method, Request, StatusCode, header};
use provrum_http::{AppState, SignedIn};
use provrum_rules::finding::RenderedFinding;
use provrum_rules::model::{ParticipantKind, Status};
use provrum_rules::process::Step;
use provrum_rules::{Compliance, Finding, Lang, Ore, Text, Verdict};
pub use provrum_store::{BudgetSummary, Org, ResultReport};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::sync::{Arc, OnceLock};
use tower::ServiceExt as _;

/// The largest answer read back (a status table of every provrum fits many times over).
const MAX_ANSWER: usize = 16 << 20;

/// The API's routes, wrapped the way a function wraps them ([`provrum_http::answering`]), so an
/// answer is exactly what an HTTP client would get; the call logs inside the page's request. The
/// routes are built and wrapped on the first call and kept (building every function's routes
/// with their OpenAPI descriptions takes milliseconds a function's start need not pay before
/// anyone asks for a page), not again on every call of every page.
#[derive(Clone)]
pub struct Api {
    routes: Arc<dyn Fn() -> Router<AppState> + Send + Sync>,
    app: Arc<OnceLock<Router>>,
}

/// An answer: its status, headers and body.
pub struct Answer {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub bytes: axum::body::Bytes,
}

/// A refusal as the API words it (`application/problem+json`), in the page's language.
#[derive(Debug, Clone, Deserialize)]
pub struct Problem {
    pub status: u16,
    pub detail: String,
    #[serde(default)]
    pub findings: Vec<RenderedFinding>,
    /// The request's field it is about, where the API says so.
    #[serde(default)]
    pub field: Option<String>,
}

impl Answer {
    pub fn ok(&self) -> bool {
        self.status.is_success()
    }

    /// The body as `T`, or the refusal.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, Problem> {
        if !self.ok() {
            return Err(self.problem());
        }
        serde_json::from_slice(&self.bytes).map_err(|e| {
            tracing::error!(error = %e, "the web page could not read an answer of the API");
            Problem {
                status: 500,
                detail: "Svaret kunde inte läsas / The answer could not be read.".into(),
                findings: Vec::new(),
                field: None,
            }
        })
    }

    /// The refusal this answer is (its problem body, or its status alone).
    pub fn problem(&self) -> Problem {
        serde_json::from_slice(&self.bytes).unwrap_or_else(|_| Problem {
            status: self.status.as_u16(),
            detail: String::from_utf8_lossy(&self.bytes)
                .chars()
                .take(500)
                .collect(),
            findings: Vec::new(),
            field: None,
        })
    }
}

/// What a request carries.
pub enum Payload {
    Empty,
    Json(serde_json::Value),
    /// A body as the browser sent it, with its content type (a workbook form).
    Raw(String, axum::body::Bytes),
}

impl Api {
    /// An API whose routes `routes` builds, when first called.
    pub fn new(routes: impl Fn() -> Router<AppState> + Send + Sync + 'static) -> Api {
        Api {
            routes: Arc::new(routes),
            app: Arc::default(),
        }
    }

    /// `method` on `path` as the visit's organisation, answered in its language, asking for
    /// `accept` if given.
    async fn call(
        &self,
        visit: &crate::Visit,
        method: Method,
        path: &str,
        payload: Payload,
        accept: Option<&'static str>,
    ) -> Answer {
        let (content_type, body) = match payload {
            Payload::Empty => (None, Body::empty()),
            Payload::Json(value) => (
                Some("application/json".to_string()),
                Body::from(value.to_string()),
            ),
            Payload::Raw(kind, bytes) => (Some(kind), Body::from(bytes)),
        };
        let mut request = Request::new(body);
        *request.method_mut() = method;
        match path.parse() {
            Ok(uri) => *request.uri_mut() = uri,
            Err(_) => return Answer::failed(StatusCode::BAD_REQUEST),
        }
        let headers = request.headers_mut();
        headers.insert(
            header::ACCEPT_LANGUAGE,
            HeaderValue::from_static(match visit.lang {
                Lang::Sv => "sv",
                Lang::En => "en",
            }),
        );
        if let Some(accept) = accept {
            headers.insert(header::ACCEPT, HeaderValue::from_static(accept));
        }
        if let Some(kind) = content_type.and_then(|k| HeaderValue::from_str(&k).ok()) {
            headers.insert(header::CONTENT_TYPE, kind);
        }
        request
            .extensions_mut()
            .insert(SignedIn(visit.actor.clone()));
        self.send(&visit.state, request).await
    }

    async fn send(&self, state: &AppState, request: Request<Body>) -> Answer {
        let app = self
            .app
            .get_or_init(|| provrum_http::answering((self.routes)(), state.clone()))
            .clone();
        let response = match app.oneshot(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        };
        let status = response.status();
        let headers = response.headers().clone();
        match axum::body::to_bytes(response.into_body(), MAX_ANSWER).await {
            Ok(bytes) => Answer {
                status,
                headers,
                bytes,
            },
            Err(e) => {
                tracing::error!(error = %e, "the web page could not read an answer of the API");
                Answer::failed(StatusCode::INTERNAL_SERVER_ERROR)
            }
        }
    }
}

/// The API as the signed-in visitor: every call of a page goes through these.
impl crate::Visit {
    /// `method` on `path`, answered in the page's language.
    pub async fn call(&self, method: Method, path: &str, payload: Payload) -> Answer {
        self.api.call(self, method, path, payload, None).await
    }

    /// `GET path`, read as `T`.
    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, Problem> {
        self.call(Method::GET, path, Payload::Empty).await.json()
    }

    /// `GET path`, asking for `accept` (`text/csv`).
    pub async fn get_as(&self, path: &str, accept: &'static str) -> Answer {
        self.api
            .call(self, Method::GET, path, Payload::Empty, Some(accept))
            .await
    }

    /// Every item of a paged listing (`Link: <…>; rel="next"`), at most 20 pages of 500.
    pub async fn all<T: DeserializeOwned>(&self, path: &str) -> Result<Vec<T>, Problem> {
        let mut items = Vec::new();
        let mut next = Some(format!("{path}?limit=500"));
        let mut pages = 0;
        while let Some(at) = next.take() {
            let answer = self.call(Method::GET, &at, Payload::Empty).await;
            items.extend(answer.json::<Vec<T>>()?);
            pages += 1;
            next = answer
                .headers
                .get(header::LINK)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split_once('<'))
                .and_then(|(_, rest)| rest.split_once('>'))
                .map(|(target, _)| target.to_string())
                .filter(|_| pages < 20);
        }
        Ok(items)
    }
}

impl Answer {
    fn failed(status: StatusCode) -> Answer {
        Answer {
            status,
            headers: Default::default(),
            bytes: Default::default(),
        }
    }
}

// --- What the page reads of the API's answers ------------------------------------------------
// The API's own types where the crates share them (an organisation, a budget version in brief,
// a result: `provrum_store`), and elsewhere the fields the page reads, declared here.

/// `GET /me`.
#[derive(Debug, Deserialize)]
pub struct Me {
    pub org: Org,
    /// `propose`, `administer`, `oversee`.
    pub actions: Vec<Action<String>>,
}

/// Something the caller could do (an action of `/me`, a step of a provrum): whether it may now,
/// and if not, why.
#[derive(Debug, Deserialize)]
pub struct Action<A> {
    pub action: A,
    pub allowed: bool,
    pub reason: Option<Text>,
    #[serde(default)]
    pub findings: Vec<Finding>,
    /// `register_interest`: whether the caller may also offer to lead.
    #[serde(default)]
    pub wants_to_lead: Option<provrum_rules::process::Offer>,
    /// `choose_leader`: the organisations it may choose.
    #[serde(default)]
    pub leaders: Option<Vec<String>>,
}

impl Me {
    /// The action named `name` (`propose`, `administer`, `oversee`).
    pub fn action(&self, name: &str) -> Option<&Action<String>> {
        self.actions.iter().find(|a| a.action == name)
    }

    pub fn may(&self, name: &str) -> bool {
        self.action(name).is_some_and(|a| a.allowed)
    }
}

/// `GET /provrum/{id}` and the listing's items.
#[derive(Debug, Deserialize)]
pub struct ProvrumView {
    pub id: String,
    pub title: String,
    pub theme: Option<String>,
    pub description: Option<String>,
    pub status: Status,
    pub proposer: String,
    pub leader: Option<String>,
    pub participants: Vec<Participant>,
    pub ready: bool,
    pub readiness: Readiness,
    pub result: Option<ResultReport>,
    pub quota_year: Option<i32>,
    pub granted_base_funding_ore: Option<Ore>,
    pub approved_budget: Option<provrum_rules::provrum::ApprovedBudget>,
    pub start: Option<chrono::NaiveDate>,
    pub end: Option<chrono::NaiveDate>,
    pub approved_at: Option<chrono::DateTime<chrono::Utc>>,
    pub phase: provrum_rules::phase::Phase,
    pub phase_text: Text,
    pub result_due: Option<chrono::NaiveDate>,
    pub actions: Vec<Action<Step>>,
}

impl ProvrumView {
    /// The name of organisation `org` as the provrum knows it.
    pub fn name_of<'a>(&'a self, org: &'a str) -> &'a str {
        self.participants
            .iter()
            .find(|p| p.org == org)
            .map_or(org, |p| p.name.as_str())
    }
}

#[derive(Debug, Deserialize)]
pub struct Participant {
    pub org: String,
    pub name: String,
    pub kind: Option<ParticipantKind>,
    pub wants_to_lead: bool,
}

#[derive(Debug, Deserialize)]
pub struct Readiness {
    pub findings: Vec<Finding>,
}

/// `GET /provrum/{id}/budget`.
#[derive(Debug, Deserialize)]
pub struct Budget {
    pub latest: Option<LatestBudget>,
    pub versions: Vec<BudgetSummary>,
}

#[derive(Debug, Deserialize)]
pub struct LatestBudget {
    pub summary: BudgetSummary,
    pub compliance: Compliance,
}

/// One row of `GET /status`.
#[derive(Debug, Deserialize)]
pub struct StatusRow {
    pub id: String,
    pub title: String,
    pub status: Status,
    pub ready: bool,
    pub leader: Option<String>,
    pub participants: u32,
    pub regions: u32,
    pub start: Option<chrono::NaiveDate>,
    pub end: Option<chrono::NaiveDate>,
    pub total_budget_ore: Option<Ore>,
    pub base_funding_ore: Option<Ore>,
    pub verdict: Option<Verdict>,
    pub budget_versions: u32,
    pub quota_year: Option<i32>,
    pub phase: provrum_rules::phase::Phase,
    pub phase_text: Text,
    pub result_due: Option<chrono::NaiveDate>,
    pub approved_at: Option<chrono::DateTime<chrono::Utc>>,
    pub approved_version: Option<u32>,
    pub can_start: bool,
    #[serde(default)]
    pub can_start_reasons: Vec<Finding>,
}

/// `GET /reports/{year}`.
#[derive(Debug, Deserialize)]
pub struct Report {
    pub year: i32,
    pub started: u32,
    pub quota: u32,
    pub base_funding_ore: Ore,
    pub cap_ore: Ore,
    pub members: u32,
    pub cost_per_member_ore: Ore,
    pub reference_per_member_ore: Ore,
    pub provrum: Vec<ReportEntry>,
    pub overdue_results: Vec<Overdue>,
    pub stored_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Debug, Deserialize)]
pub struct ReportEntry {
    pub id: String,
    pub title: String,
    pub status: Status,
    pub start: Option<chrono::NaiveDate>,
    pub end: Option<chrono::NaiveDate>,
    pub base_funding_ore: Ore,
}

#[derive(Debug, Deserialize)]
pub struct Overdue {
    pub id: String,
    pub title: String,
    pub end: chrono::NaiveDate,
    pub days_overdue: i64,
}

/// `GET /orgs/{org}/tokens`.
#[derive(Debug, Deserialize)]
pub struct TokenView {
    pub id: String,
    pub label: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub last_used_at: Option<chrono::DateTime<chrono::Utc>>,
    pub revoked_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// `POST /orgs/{org}/tokens`: the secret, shown once.
#[derive(Debug, Deserialize)]
pub struct TokenCreated {
    pub token: String,
    pub label: String,
}
