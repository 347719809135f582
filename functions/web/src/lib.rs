//! `web`: the web page, a second thin front end over the same functions as the API. Pages are
//! rendered on the server (maud) and work without JavaScript; every rule stays in
//! `shared/rules`, and a page shows what the provrum views and their `actions` say.
//!
//! Signing in: the token is typed once into a form and exchanged for a session (stored as a
//! hash, a working day long); the browser keeps only the session, in an `HttpOnly; Secure;
//! SameSite=Strict` cookie. Every state-changing request must come from this site
//! (`Sec-Fetch-Site`, else `Origin`), and every page carries a strict Content-Security-Policy:
//! no script and no inline style at all.

mod api;
mod kansli;
mod pages;
mod provrum;
mod words;

use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use provrum_http::{Actor, ApiError, AppState, RequestLang};
use provrum_rules::Lang;
use provrum_store::{MAX_SECRET, SESSION_LENGTH, hash_token, sign_in, signed_in};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use tower_http::set_header::SetResponseHeaderLayer;

pub use api::Api;

/// The cookie that carries the session secret. `__Host-`: only ever set by this host, over
/// https, for every path, so that no other site or subdomain can plant or shadow it.
pub const COOKIE: &str = "__Host-provrum_session";
/// The cookie that says which step was just taken (`<provrum id>.<step>`), for the banner of
/// the page the step returns to: a URL alone never shows "done".
pub const DONE_COOKIE: &str = "__Host-provrum_klart";
/// Where the pages live.
pub const BASE: &str = "/webb";
/// The largest form the pages read (the workbook forms have the upload limit).
pub const FORM_LIMIT: usize = 1 << 20;

/// The policy every page is served with: its own stylesheet, nothing else; no script, no
/// inline style, no frames, forms only to itself.
pub const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; \
                       frame-ancestors 'none'; base-uri 'none'";

/// Every route the page serves, as (method, path): what the SAM template must route to the
/// function that serves it (scripts/infra-check compares them, `provrum web-routes` prints them).
pub const ROUTES: [(&str, &str); 20] = [
    ("GET", BASE),
    ("GET", "/webb/logga-in"),
    ("POST", "/webb/logga-in"),
    ("POST", "/webb/logga-ut"),
    ("GET", "/webb/tillganglighet"),
    ("GET", "/webb/stil.css"),
    ("GET", "/webb/ikon.svg"),
    ("POST", "/webb/provrum"),
    ("GET", "/webb/provrum/{id}"),
    ("POST", "/webb/provrum/{id}/steg/{step}"),
    ("POST", "/webb/provrum/{id}/budget"),
    ("POST", "/webb/kontrollera"),
    ("GET", "/webb/status"),
    ("GET", "/webb/status.csv"),
    ("GET", "/webb/rapport"),
    ("GET", "/webb/organisationer"),
    ("POST", "/webb/organisationer"),
    ("GET", "/webb/organisationer/{org}"),
    ("POST", "/webb/organisationer/{org}/tokens"),
    ("POST", "/webb/tokens/{id}/aterkalla"),
];

/// The pages' router over `api`, the routes every read and step goes to (a test checks it
/// serves exactly [`ROUTES`]).
pub fn routes(api: Router<AppState>) -> Router<AppState> {
    routes_over(move || api.clone())
}

/// [`routes`] over the routes `api` builds when the first page asks for them.
pub fn routes_over(api: impl Fn() -> Router<AppState> + Send + Sync + 'static) -> Router<AppState> {
    let uploads = Router::new()
        .route("/webb/provrum/{id}/budget", post(provrum::upload))
        .route("/webb/kontrollera", post(provrum::check))
        .layer(DefaultBodyLimit::max(
            provrum_http::upload::upload_body_limit(),
        ));
    Router::new()
        .route(BASE, get(provrum::home))
        .route("/webb/logga-in", get(sign_in_page).post(sign_in_form))
        .route("/webb/logga-ut", post(sign_out))
        .route("/webb/tillganglighet", get(statement))
        .route("/webb/stil.css", get(stylesheet))
        .route("/webb/ikon.svg", get(icon))
        .route("/webb/provrum", post(provrum::propose))
        .route("/webb/provrum/{id}", get(provrum::page))
        .route("/webb/provrum/{id}/steg/{step}", post(provrum::step))
        .merge(uploads)
        .route("/webb/status", get(kansli::status))
        .route("/webb/status.csv", get(kansli::status_csv))
        .route("/webb/rapport", get(kansli::report))
        .route(
            "/webb/organisationer",
            get(kansli::orgs).post(kansli::add_org),
        )
        .route("/webb/organisationer/{org}", get(kansli::org))
        .route(
            "/webb/organisationer/{org}/tokens",
            post(kansli::create_token),
        )
        .route("/webb/tokens/{id}/aterkalla", post(kansli::revoke_token))
        // A form of the pages is read whole up to 1 MB (beyond the API's own bounds on each
        // field, so that the API can say which field is too long, with the text kept).
        .layer(DefaultBodyLimit::max(FORM_LIMIT))
        .layer(Extension(Api::new(api)))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
}

/// The page's language: `?lang=en` or `?lang=sv`, otherwise the browser's (`Accept-Language`).
pub(crate) struct PageLang(pub(crate) Lang);

impl<S: Send + Sync> FromRequestParts<S> for PageLang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<PageLang, Self::Rejection> {
        let asked = parts.uri.query().and_then(|q| {
            q.split('&')
                .filter_map(|pair| pair.split_once('='))
                .find(|(name, _)| *name == "lang")
                .and_then(|(_, value)| Lang::parse(value))
        });
        let RequestLang(browser) = RequestLang::from_request_parts(parts, state).await?;
        Ok(PageLang(asked.unwrap_or(browser)))
    }
}

/// The address the request's connection came from, where the server knows it (`provrum
/// serve`: `ConnectInfo`).
pub(crate) struct Peer(pub Option<std::net::SocketAddr>);

impl<S: Send + Sync> FromRequestParts<S> for Peer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Peer, Self::Rejection> {
        Ok(Peer(
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|c| c.0),
        ))
    }
}

/// The value of cookie `name` a request carries, if any (at most `max` bytes).
pub(crate) fn cookie(headers: &HeaderMap, name: &str, max: usize) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(found, _)| *found == name)
        .map(|(_, value)| value.trim().to_string())
        .filter(|v| !v.is_empty() && v.len() <= max)
}

/// The session secret a request's cookie carries, if any.
fn session_secret(headers: &HeaderMap) -> Option<String> {
    cookie(headers, COOKIE, MAX_SECRET)
}

/// Whether a state-changing request comes from this site: the browser's `Sec-Fetch-Site`
/// says so, or, from a browser that does not send it, `Origin` names the host the request
/// went to. A request with neither is not from a browser page, and no cookie rides along
/// unasked.
fn from_this_site(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return site == "same-origin" || site == "none";
    }
    match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        None => true,
        Some(origin) => {
            let host = headers
                .get(header::HOST)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            origin
                .split_once("://")
                .is_some_and(|(_, rest)| !host.is_empty() && rest == host)
        }
    }
}

/// A signed-in visit: the organisation acting (as the API's routes know it), the page's
/// language, and the way to the API. Extracted from the request's session; without a valid one
/// the visitor is sent to sign in.
pub(crate) struct Visit {
    pub state: AppState,
    pub api: Api,
    pub actor: Actor,
    pub lang: Lang,
}

/// A visit that changes something: it must also come from this site.
pub(crate) struct Change(pub Visit);

impl Visit {
    async fn of(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
        changes: bool,
    ) -> Result<Visit, Response> {
        let lang = match PageLang::from_request_parts(parts, state).await {
            Ok(PageLang(lang)) => lang,
            Err(never) => match never {},
        };
        let headers = &parts.headers;
        if changes && !from_this_site(headers) {
            return Err(html(StatusCode::FORBIDDEN, pages::refused(lang)));
        }
        let Some(api) = parts.extensions.get::<Api>().cloned() else {
            return Err(unavailable(
                lang,
                "the web page's routes were built without the API",
            ));
        };
        // A page asked for without a session returns there after signing in (a step does not:
        // its form is gone with the session).
        let again = |lang| match changes {
            false => to_sign_in_from(lang, &parts.uri),
            true => to_sign_in(lang),
        };
        let Some(secret) = session_secret(headers) else {
            return Err(again(lang));
        };
        let found = signed_in(state.store.as_ref(), &secret, state.clock.now())
            .await
            .map_err(|e| unavailable(lang, e))?;
        let Some((_, token)) = found else {
            return Err(again(lang));
        };
        // So is every visit (recorded at most once an hour).
        provrum_http::auth::touch(state, &token).await;
        let Some(org) = state
            .store
            .get_org(&token.org)
            .await
            .map_err(|e| unavailable(lang, e))?
        else {
            return Err(again(lang));
        };
        tracing::Span::current().record("org", org.id.as_str());
        Ok(Visit {
            actor: Actor {
                org,
                token_id: token.id,
                token_label: token.label,
            },
            state: state.clone(),
            api,
            lang,
        })
    }
}

impl FromRequestParts<AppState> for Visit {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Visit, Response> {
        Visit::of(parts, state, false).await
    }
}

impl FromRequestParts<AppState> for Change {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Change, Response> {
        Visit::of(parts, state, true).await.map(Change)
    }
}

/// A form's fields, or their defaults when the body is not the form the page sent: each page
/// then says in its own words what is missing.
pub(crate) struct Fields<T>(pub T);

impl<T: DeserializeOwned + Default, S: Send + Sync> FromRequest<S> for Fields<T> {
    type Rejection = std::convert::Infallible;

    async fn from_request(request: Request, state: &S) -> Result<Fields<T>, Self::Rejection> {
        Ok(Fields(
            Form::<T>::from_request(request, state)
                .await
                .map(|Form(fields)| fields)
                .unwrap_or_default(),
        ))
    }
}

/// A query's parameters, or their defaults when it cannot be read.
pub(crate) struct Asked<T>(pub T);

impl<T: DeserializeOwned + Default, S: Send + Sync> FromRequestParts<S> for Asked<T> {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Asked<T>, Self::Rejection> {
        Ok(Asked(
            Query::<T>::from_request_parts(parts, state)
                .await
                .map(|Query(asked)| asked)
                .unwrap_or_default(),
        ))
    }
}

/// The store did not answer: the API's own problem for it, as a page.
pub(crate) fn unavailable(lang: Lang, e: impl std::fmt::Display) -> Response {
    tracing::error!(error = %e, "the web page could not read the store");
    let mut page = provrum::failed(lang, &provrum::problem_of(&ApiError::unavailable(), lang));
    page.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    page
}

pub(crate) fn html(status: StatusCode, markup: maud::Markup) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        markup.into_string(),
    )
        .into_response()
}

pub(crate) fn to_sign_in(lang: Lang) -> Response {
    Redirect::to(&pages::href("/webb/logga-in", lang)).into_response()
}

/// To the sign-in form, which then returns to `uri` (a page of this site, asked for without a
/// session).
fn to_sign_in_from(lang: Lang, uri: &axum::http::Uri) -> Response {
    let path = uri.path_and_query().map_or(BASE, |p| p.as_str());
    match back_to(Some(path)) {
        Some(path) if path != BASE => {
            let query = format!("till={}", form_urlencoded_path(path));
            Redirect::to(&pages::href_query("/webb/logga-in", &query, lang)).into_response()
        }
        _ => to_sign_in(lang),
    }
}

/// The page to return to after signing in: a path of the pages themselves (`/webb…`), never
/// another host (`//evil`, `/\evil`), another scheme or anything with control characters.
fn back_to(asked: Option<&str>) -> Option<&str> {
    let path = asked?;
    let own = path == BASE || path.starts_with("/webb/") || path.starts_with("/webb?");
    let safe = !path.contains("//")
        && !path.contains('\\')
        && !path.chars().any(|c| c.is_control() || c.is_whitespace())
        && path.len() <= 500
        && !path.starts_with("/webb/logga-");
    (own && safe).then_some(path)
}

/// `path` as a query value: only what a path and its query may hold is kept as it is.
fn form_urlencoded_path(path: &str) -> String {
    path.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

#[derive(Default, Deserialize)]
struct SignInAsked {
    till: Option<String>,
}

async fn sign_in_page(PageLang(lang): PageLang, Asked(asked): Asked<SignInAsked>) -> Response {
    html(
        StatusCode::OK,
        pages::sign_in(lang, None, back_to(asked.till.as_deref())),
    )
}

#[derive(Deserialize)]
struct SignInForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    lang: Option<String>,
    #[serde(default)]
    till: Option<String>,
}

/// Exchanges a token for a session: the cookie, then the start page (303). A wrong token is
/// answered with the form again, its error summarised at the top.
async fn sign_in_form(
    State(state): State<AppState>,
    PageLang(browser): PageLang,
    Peer(peer): Peer,
    headers: HeaderMap,
    form: Result<Form<SignInForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let (token, asked, till) = match form {
        Ok(Form(f)) => (f.token, f.lang, f.till),
        Err(_) => (String::new(), None, None),
    };
    let till = back_to(till.as_deref());
    let lang = asked.as_deref().and_then(Lang::parse).unwrap_or(browser);
    if !from_this_site(&headers) {
        return html(StatusCode::FORBIDDEN, pages::refused(lang));
    }
    let token = token.trim();
    if token.is_empty() {
        return html(
            StatusCode::BAD_REQUEST,
            pages::sign_in(lang, Some(words::words(lang).token_missing), till),
        );
    }
    // Throttled per source and per token prefix before the store is asked.
    let source = provrum_http::throttle::source(&headers, peer);
    if let Err(wait) = state.sign_ins.allow(&source, token, state.clock.now()) {
        let mut page = html(
            StatusCode::TOO_MANY_REQUESTS,
            pages::sign_in(
                lang,
                Some(&provrum_http::throttle::refusal(lang, wait)),
                till,
            ),
        );
        if let Ok(v) = HeaderValue::from_str(&wait.to_string()) {
            page.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return page;
    }
    match sign_in(state.store.as_ref(), token, state.clock.now()).await {
        Ok(Some((session, token))) => {
            // "Senast använd": a sign-in is a use of the token.
            provrum_http::auth::touch(&state, &token).await;
            // A new sign-in in this browser ends the session it had.
            if let Some(old) = session_secret(&headers)
                && let Err(e) = state.store.delete_session(&hash_token(&old)).await
            {
                return unavailable(lang, e);
            }
            let to = match till {
                Some(path) => path.to_string(),
                None => pages::href(BASE, lang),
            };
            with_cookie(
                Redirect::to(&to).into_response(),
                &session.secret,
                SESSION_LENGTH.num_seconds(),
            )
        }
        Ok(None) => {
            state.sign_ins.failed(&source, token, state.clock.now());
            html(
                StatusCode::UNAUTHORIZED,
                pages::sign_in(lang, Some(words::words(lang).token_refused), till),
            )
        }
        Err(e) => unavailable(lang, e),
    }
}

/// Ends the session and clears the cookie.
async fn sign_out(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    headers: HeaderMap,
) -> Response {
    if !from_this_site(&headers) {
        return html(StatusCode::FORBIDDEN, pages::refused(lang));
    }
    if let Some(secret) = session_secret(&headers)
        && let Err(e) = state.store.delete_session(&hash_token(&secret)).await
    {
        return unavailable(lang, e);
    }
    with_cookie(to_sign_in(lang), "", 0)
}

/// `answer` setting the session cookie to `secret` for `max_age` seconds (0 clears it): only
/// over https, never to scripts, never sent along from another site.
fn with_cookie(answer: Response, secret: &str, max_age: i64) -> Response {
    setting_cookie(answer, COOKIE, secret, max_age)
}

/// `answer` setting cookie `name` (a `__Host-` one: `Path=/`, `Secure`, no domain) to `value`
/// for `max_age` seconds (0 clears it), never to scripts, never sent along from another site.
pub(crate) fn setting_cookie(
    mut answer: Response,
    name: &str,
    value: &str,
    max_age: i64,
) -> Response {
    let cookie =
        format!("{name}={value}; Path=/; Max-Age={max_age}; HttpOnly; Secure; SameSite=Strict");
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        answer.headers_mut().append(header::SET_COOKIE, value);
    }
    answer
}

async fn statement(PageLang(lang): PageLang) -> Response {
    html(StatusCode::OK, pages::statement(lang))
}

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../static/stil.css"),
    )
        .into_response()
}

async fn icon() -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        include_str!("../static/ikon.svg"),
    )
        .into_response()
}
