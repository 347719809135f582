//! What every provrum function shares: the application state, bearer authentication and the
//! authorisation helpers ([`auth`]), problem+json errors in the request's language
//! ([`problem`]), workbook uploads with the 5 MB limit ([`upload`]), JSON bodies, request ids and
//! structured logs.

pub mod apidoc;
pub mod auth;
pub mod extension;
pub mod metrics;
pub mod openapi;
pub mod paging;
pub mod path;
pub mod policy;
pub mod problem;
pub mod routes;
pub mod run;
pub mod text;
pub mod throttle;
pub mod upload;
pub mod views;

pub use auth::{Actor, SignedIn};
pub use policy::{Action, authorize};
pub use problem::ApiError;
pub use upload::Upload;

use axum::Router;
use axum::extract::{FromRequest, Request};
use axum::http::HeaderValue;
use axum::http::{HeaderName, header};
use chrono::{DateTime, NaiveDate, Utc};
use provrum_rules::{Lang, RuleSet, Text};
use provrum_store::Store;
use std::sync::Arc;
use tower_http::LatencyUnit;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};

/// Built once per process (a Lambda's cold start) and shared by every request.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub rules: Arc<RuleSet>,
    /// Where the members hear about proposals, starts and the yearly report, if configured.
    pub webhook: Option<Arc<provrum_notify::Webhook>>,
    /// Notices in flight, for the Lambda extension that waits for them.
    pub notices: Arc<extension::Tracker>,
    /// What time it is; "today" is the date in Stockholm at that instant.
    pub clock: Clock,
    /// Wrong tokens at the web page's sign-in, counted to slow guessing down.
    pub sign_ins: Arc<throttle::Throttle>,
}

/// Where a function reads the time: the system clock, or a fixed instant in tests, so that a
/// decision about "today" can be tested at any hour of any season.
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>);

impl Clock {
    pub fn system() -> Clock {
        Clock(Arc::new(Utc::now))
    }

    /// Always `at`.
    pub fn fixed(at: DateTime<Utc>) -> Clock {
        Clock(Arc::new(move || at))
    }

    /// Set to `at` now, and running from there at the real clock's pace: a day of one's
    /// choosing, in which what happens still happens one thing after another.
    pub fn starting_at(at: DateTime<Utc>) -> Clock {
        let began = Utc::now();
        Clock(Arc::new(move || at + (Utc::now() - began)))
    }

    pub fn now(&self) -> DateTime<Utc> {
        (self.0)()
    }

    /// Today in Reglab's time (Europe/Stockholm), not in UTC.
    pub fn today(&self) -> NaiveDate {
        provrum_rules::calendar::reglab_date(self.now())
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Clock({})", self.now())
    }
}

impl AppState {
    pub fn new(store: Arc<dyn Store>) -> AppState {
        AppState {
            store,
            rules: Arc::new(RuleSet::provrum_2023()),
            webhook: None,
            notices: Arc::default(),
            clock: Clock::system(),
            sign_ins: Arc::default(),
        }
    }

    pub fn with_clock(mut self, clock: Clock) -> AppState {
        self.clock = clock;
        self
    }

    pub fn with_webhook(mut self, webhook: Option<provrum_notify::Webhook>) -> AppState {
        self.webhook = webhook.map(Arc::new);
        self
    }

    /// Tells the webhook, if any, in the background: the request that caused it neither waits
    /// for it nor fails with it. Returns the task, for tests that want to wait.
    pub fn notify(&self, message: provrum_notify::Message) -> Option<tokio::task::JoinHandle<()>> {
        let webhook = self.webhook.clone()?;
        Some(self.spawn_notice(async move {
            match webhook
                .post_with(&message, provrum_notify::Retry::NOTICE)
                .await
            {
                Ok(attempts) => tracing::info!(title = %message.title, attempts, "webhook told"),
                Err(e) => {
                    tracing::warn!(title = %message.title, error = %e, "webhook not told");
                    // Counted and written at once: the invocation that caused it has ended.
                    metrics::notice_given_up();
                    metrics::flush();
                }
            }
        }))
    }

    /// Runs `notice` in the background, counted in flight until it ends — however it ends: the
    /// count is settled by a guard that is dropped when the task finishes, panics or is
    /// cancelled, so the Lambda extension never waits for a notice that is gone.
    fn spawn_notice(
        &self,
        notice: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> tokio::task::JoinHandle<()> {
        let in_flight = self.notices.notice_started();
        tokio::spawn(async move {
            let _in_flight = in_flight;
            notice.await;
        })
    }
}

/// The request's language, as an extractor.
pub struct RequestLang(pub Lang);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for RequestLang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<RequestLang, Self::Rejection> {
        Ok(RequestLang(
            parts
                .headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .map(Lang::from_accept_language)
                .unwrap_or_default(),
        ))
    }
}

/// A JSON body whose rejections are problems (400 for bad JSON, 415 for another type).
pub struct JsonBody<T>(pub T);

impl<T, S> FromRequest<S> for JsonBody<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<JsonBody<T>, ApiError> {
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(JsonBody(value)),
            Err(rejection) => {
                let text = rejection.body_text();
                Err(match rejection.status() {
                    axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE => {
                        ApiError::unsupported_media(Text::new(
                            "Skicka JSON (Content-Type: application/json).",
                            "Send JSON (Content-Type: application/json).",
                        ))
                    }
                    axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                        ApiError::body_too_large(JSON_LIMIT)
                    }
                    _ => ApiError::bad_request(Text::new(
                        format!("Ogiltig JSON: {text}"),
                        format!("Invalid JSON: {text}"),
                    )),
                })
            }
        }
    }
}

/// The largest JSON body any route takes: a proposal's texts at their longest (10 000 characters
/// each) fit many times over. Upload routes set their own limit.
pub const JSON_LIMIT: usize = 256 * 1024;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Wraps a function's routes with what every function has: problem rendering, request ids,
/// request logs, and a problem for unknown paths.
pub fn app(routes: Router<AppState>, state: AppState) -> Router {
    answering(routes, state)
        // One line per answered request (its status and latency), in the request's span.
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_response(
                    DefaultOnResponse::new()
                        .level(tracing::Level::INFO)
                        .latency_unit(LatencyUnit::Millis),
                ),
        )
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        // Only ever over https, for a year, once a browser has seen it (browsers ignore it on
        // plain http, so `provrum serve` on loopback is unaffected).
        .layer(SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        ))
}

/// The `Strict-Transport-Security` every answer carries.
pub const HSTS: &str = "max-age=31536000; includeSubDomains";

/// [`app`] without its request span, request log and request ids: the answers an HTTP client
/// gets, for a caller in the same process that is itself a request already logged (the web
/// page), so that its calls log inside its span rather than as requests of their own.
pub fn answering(routes: Router<AppState>, state: AppState) -> Router {
    routes
        .fallback(|| async { ApiError::no_such_path() })
        .with_state(state)
        .layer(axum::middleware::from_fn(problem::render))
        .layer(axum::extract::DefaultBodyLimit::max(JSON_LIMIT))
        // Answers carry tokens and members' data: no cache keeps them, no browser guesses types.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
}

/// The span every request's handler and store calls run in: its request id (the caller's
/// `x-request-id`, or one made here and returned in the answer), the route it matched, and the
/// caller's organisation once known. With [`init_tracing`]'s span list, every log line of the
/// request carries them, so one request can be followed in CloudWatch.
fn request_span(request: &Request) -> tracing::Span {
    let id = request
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    let route = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map(|p| p.as_str())
        .unwrap_or("-");
    tracing::info_span!(
        "request",
        method = %request.method(),
        route = %route,
        path = %request.uri().path(),
        request_id = %id,
        org = tracing::field::Empty
    )
}

/// JSON logs to stdout (what CloudWatch and a terminal both read), filtered by `RUST_LOG`.
pub fn init_tracing() {
    let filter =
        tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_current_span(true)
        .with_span_list(true)
        .try_init();
}
