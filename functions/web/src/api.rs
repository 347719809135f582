//! The page's way to the API: every read and every step is a request to the same routes an HTTP
//! client calls, sent in process as the signed-in organisation. So the page decides nothing:
//! the routes authorise, the rules decide, the audit trail and the notices follow, and a refusal
//! comes back as the API's problem in the reader's language, findings and all. What the page
//! reads of an answer is declared here, field by field.

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderValue, Method, Request, StatusCode, header};
use provrum_http::{Actor, AppState, SignedIn};
use provrum_rules::finding::RenderedFinding;
use provrum_rules::model::{Membership, OrgKind, ParticipantKind, Status};
use provrum_rules::process::Step;
use provrum_rules::{Compliance, Finding, Lang, Ore, Text, Verdict};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use tower::ServiceExt as _;

/// The largest answer read back (a status table of every provrum fits many times over).
const MAX_ANSWER: usize = 16 << 20;

/// The API's routes, without state: each call wraps them the way a function does
/// ([`provrum_http::app`]), so an answer is exactly what an HTTP client would get.
#[derive(Clone)]
pub struct Api(pub Router<AppState>);

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
    pub title: String,
    pub detail: String,
    #[serde(default)]
    pub findings: Vec<RenderedFinding>,
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
                title: "Internal error".into(),
                detail: "Svaret kunde inte läsas / The answer could not be read.".into(),
                findings: Vec::new(),
            }
        })
    }

    /// The refusal this answer is (its problem body, or its status alone).
    pub fn problem(&self) -> Problem {
        serde_json::from_slice(&self.bytes).unwrap_or_else(|_| Problem {
            status: self.status.as_u16(),
            title: self.status.to_string(),
            detail: String::from_utf8_lossy(&self.bytes)
                .chars()
                .take(500)
                .collect(),
            findings: Vec::new(),
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
    /// `method` on `path` as `actor`, answered in `lang`.
    pub async fn call(
        &self,
        state: &AppState,
        actor: &Actor,
        lang: Lang,
        method: Method,
        path: &str,
        payload: Payload,
    ) -> Answer {
        self.call_accepting(state, actor, lang, method, path, payload, None)
            .await
    }

    /// `GET path` as `actor`, asking for `accept` (`text/csv`).
    pub async fn get_as(
        &self,
        state: &AppState,
        actor: &Actor,
        lang: Lang,
        path: &str,
        accept: &'static str,
    ) -> Answer {
        self.call_accepting(
            state,
            actor,
            lang,
            Method::GET,
            path,
            Payload::Empty,
            Some(accept),
        )
        .await
    }

    #[allow(clippy::too_many_arguments)]
    async fn call_accepting(
        &self,
        state: &AppState,
        actor: &Actor,
        lang: Lang,
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
            HeaderValue::from_static(match lang {
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
        request.extensions_mut().insert(SignedIn(actor.clone()));
        self.send(state, request).await
    }

    /// `GET path` as `actor`, read as `T`.
    pub async fn get<T: DeserializeOwned>(
        &self,
        state: &AppState,
        actor: &Actor,
        lang: Lang,
        path: &str,
    ) -> Result<T, Problem> {
        self.call(state, actor, lang, Method::GET, path, Payload::Empty)
            .await
            .json()
    }

    /// Every item of a paged listing (`Link: <…>; rel="next"`), at most `pages` pages.
    pub async fn all<T: DeserializeOwned>(
        &self,
        state: &AppState,
        actor: &Actor,
        lang: Lang,
        path: &str,
    ) -> Result<Vec<T>, Problem> {
        let mut items = Vec::new();
        let mut next = Some(format!("{path}?limit=500"));
        let mut pages = 0;
        while let Some(at) = next.take() {
            let answer = self
                .call(state, actor, lang, Method::GET, &at, Payload::Empty)
                .await;
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

    async fn send(&self, state: &AppState, request: Request<Body>) -> Answer {
        let app = provrum_http::app(self.0.clone(), state.clone());
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

/// `GET /me`.
#[derive(Debug, Deserialize)]
pub struct Me {
    pub org: Org,
    pub actions: Vec<MyAction>,
}

#[derive(Debug, Deserialize)]
pub struct MyAction {
    pub action: String,
    pub allowed: bool,
    pub reason: Option<Text>,
    #[serde(default)]
    pub findings: Vec<Finding>,
}

impl Me {
    /// The action named `name` (`propose`, `administer`, `oversee`).
    pub fn action(&self, name: &str) -> Option<&MyAction> {
        self.actions.iter().find(|a| a.action == name)
    }

    pub fn may(&self, name: &str) -> bool {
        self.action(name).is_some_and(|a| a.allowed)
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct Org {
    pub id: String,
    pub name: String,
    pub kind: OrgKind,
    pub membership: Membership,
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
    pub actions: Vec<StepAction>,
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

/// One step of the process on a provrum: whether the caller may take it now, and if not, why.
#[derive(Debug, Deserialize)]
pub struct StepAction {
    pub action: Step,
    pub allowed: bool,
    pub reason: Option<Text>,
    #[serde(default)]
    pub findings: Vec<Finding>,
}

#[derive(Debug, Deserialize)]
pub struct BudgetSummary {
    pub version: u32,
    pub file_name: Option<String>,
    pub uploaded_by: String,
    pub uploaded_at: chrono::DateTime<chrono::Utc>,
    pub verdict: Verdict,
    pub errors: u32,
    pub warnings: u32,
}

#[derive(Debug, Deserialize)]
pub struct ResultReport {
    pub summary: String,
    pub link: Option<String>,
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
    pub errors: u32,
    pub budget_versions: u32,
    pub quota_year: Option<i32>,
    pub result_overdue: bool,
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
