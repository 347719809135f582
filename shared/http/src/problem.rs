//! Errors as `application/problem+json` (RFC 9457), in the language the request asked for.
//!
//! Handlers return [`ApiError`], which carries its texts in both languages; the [`render`]
//! middleware, which knows the request's `Accept-Language`, writes the body.

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use provrum_rules::finding::RenderedFinding;
use provrum_rules::{Finding, Lang, Text};
use provrum_store::StoreError;
use std::sync::Arc;

/// An error answer: status, a stable problem type, title and detail in both languages, and the
/// findings when the model's rules refused the request.
#[derive(Debug, Clone)]
pub struct ApiError(Box<Problem>);

/// What an [`ApiError`] says (boxed, so that `Result<_, ApiError>` stays small).
#[derive(Debug, Clone)]
pub struct Problem {
    pub status: StatusCode,
    /// The last part of the problem type, e.g. `forbidden` → `urn:provrum:problem:forbidden`.
    pub kind: &'static str,
    pub title: Text,
    pub detail: Text,
    pub findings: Vec<Finding>,
    /// The request's field at fault (`title`, `summary` …), where one is.
    pub field: Option<&'static str>,
}

/// The process's refusals, as answers: a step that is not the caller's 403, something it is not
/// part of 404, a state that does not allow it 409, the model's rules 409 with their findings.
impl From<provrum_rules::process::Refusal> for ApiError {
    fn from(refusal: provrum_rules::process::Refusal) -> ApiError {
        use provrum_rules::process::Refusal;
        match refusal {
            Refusal::Forbidden { message, findings } => {
                ApiError::forbidden(message).with_findings(findings)
            }
            Refusal::NotFound { message } => ApiError::not_found(message),
            Refusal::State { message } => ApiError::conflict(message),
            Refusal::Rules { findings } => ApiError::refused(findings),
            Refusal::Full { message } => ApiError::versions_full(message),
        }
    }
}

impl std::ops::Deref for ApiError {
    type Target = Problem;

    fn deref(&self) -> &Problem {
        &self.0
    }
}

impl ApiError {
    pub fn new(status: StatusCode, kind: &'static str, title: Text, detail: Text) -> ApiError {
        ApiError(Box::new(Problem {
            status,
            kind,
            title,
            detail,
            findings: Vec::new(),
            field: None,
        }))
    }

    pub fn with_findings(mut self, findings: Vec<Finding>) -> ApiError {
        self.0.findings = findings;
        self
    }

    /// The refusal is about the request's field `name`.
    pub fn at_field(mut self, name: &'static str) -> ApiError {
        self.0.field = Some(name);
        self
    }

    /// What the answer says, for those who count or log it.
    pub fn problem(&self) -> &Problem {
        &self.0
    }

    pub fn unauthorized(detail: Text) -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            Text::new("Inloggning krävs", "Authentication required"),
            detail,
        )
    }

    pub fn forbidden(detail: Text) -> ApiError {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            Text::new("Inte tillåtet", "Forbidden"),
            detail,
        )
    }

    pub fn not_found(detail: Text) -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not-found",
            Text::new("Finns inte", "Not found"),
            detail,
        )
    }

    /// 404 for a path no route serves.
    pub fn no_such_path() -> ApiError {
        ApiError::not_found(Text::new("Adressen finns inte.", "No such path."))
    }

    pub fn bad_request(detail: Text) -> ApiError {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad-request",
            Text::new("Felaktig begäran", "Bad request"),
            detail,
        )
    }

    /// 409: the request breaks the model's rules; the findings say which.
    pub fn refused(findings: Vec<Finding>) -> ApiError {
        let ids: Vec<&str> = findings.iter().map(|f| f.rule.as_str()).collect();
        let ids = ids.join(", ");
        ApiError::new(
            StatusCode::CONFLICT,
            "rules",
            Text::new("Reglerna tillåter det inte", "The rules do not allow it"),
            Text::new(
                format!("Begäran bryter mot {ids}."),
                format!("The request breaks {ids}."),
            ),
        )
        .with_findings(findings)
    }

    /// 409: a provrum's budget versions are at their bound.
    pub fn versions_full(detail: Text) -> ApiError {
        ApiError::new(
            StatusCode::CONFLICT,
            "budget-versions-full",
            Text::new("För många budgetversioner", "Too many budget versions"),
            detail,
        )
    }

    pub fn conflict(detail: Text) -> ApiError {
        ApiError::new(
            StatusCode::CONFLICT,
            "conflict",
            Text::new("Konflikt", "Conflict"),
            detail,
        )
    }

    /// 413 for an upload over [`crate::upload::max_upload`].
    pub fn too_large() -> ApiError {
        let mb = crate::upload::max_upload_mb();
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too-large",
            Text::new("Filen är för stor", "File too large"),
            Text::new(
                format!("Filen får vara högst {mb} MB."),
                format!("The file may be at most {mb} MB."),
            ),
        )
    }

    /// A JSON body over [`crate::JSON_LIMIT`].
    pub fn body_too_large(limit: usize) -> ApiError {
        let kb = limit / 1024;
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too-large",
            Text::new("För stor begäran", "Request too large"),
            Text::new(
                format!(
                    "För lång text: begärans innehåll får vara högst {kb} kB. Korta texten och försök igen."
                ),
                format!(
                    "Too long a text: the request body may be at most {kb} kB. Shorten it and try again."
                ),
            ),
        )
    }

    pub fn unsupported_media(detail: Text) -> ApiError {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            Text::new("Fel filtyp", "Unsupported media type"),
            detail,
        )
    }

    pub fn unavailable() -> ApiError {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            Text::new("Tillfälligt otillgänglig", "Temporarily unavailable"),
            Text::new(
                "Lagringen svarar inte just nu. En ändring du skickade har sparats helt eller inte alls; \
                 se efter hur det blev och försök igen om en stund.",
                "Storage is not answering. A change you sent was saved whole or not at all; \
                 check how it went and try again shortly.",
            ),
        )
    }

    /// The process is checking as many workbooks as it may at once ([`crate::upload`]'s cap).
    pub fn busy() -> ApiError {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "busy",
            Text::new("Upptagen", "Busy"),
            Text::new(
                "Servern kontrollerar redan många arbetsböcker samtidigt. Ingenting har sparats; \
                 skicka filen igen om en stund.",
                "The server is already checking many workbooks at once. Nothing has been saved; \
                 send the file again shortly.",
            ),
        )
    }

    pub fn internal() -> ApiError {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            Text::new("Internt fel", "Internal error"),
            Text::new(
                "Något gick fel hos oss. Felet är loggat.",
                "Something went wrong on our side. It has been logged.",
            ),
        )
    }

    /// The body in one language.
    pub fn body(&self, lang: Lang) -> ProblemBody {
        ProblemBody {
            kind: format!("urn:provrum:problem:{}", self.kind),
            title: self.title.get(lang).to_string(),
            status: self.status.as_u16(),
            detail: self.detail.get(lang).to_string(),
            findings: self.findings.iter().map(|f| f.render(lang)).collect(),
            field: self.field.map(str::to_string),
        }
    }
}

/// An error answer's body: `application/problem+json` (RFC 9457), in the request's language.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[schema(as = Problem)]
pub struct ProblemBody {
    /// `urn:provrum:problem:<kind>`, stable: what a client decides on.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// The model's findings, when its rules refused the request (absent otherwise).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<RenderedFinding>,
    /// The request's field the refusal is about (`title`, `summary` …), where there is one, so
    /// a form can say it at that field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        match e {
            StoreError::NotFound(what) => ApiError::not_found(Text::new(
                format!("Hittades inte: {what}."),
                format!("Not found: {what}."),
            )),
            StoreError::AlreadyExists(what) => ApiError::conflict(Text::new(
                format!("Finns redan: {what}."),
                format!("Already exists: {what}."),
            )),
            StoreError::Conflict(what) => ApiError::conflict(Text::new(
                format!("Någon annan ändrade samtidigt; läs om och försök igen ({what})."),
                format!("Someone else changed it at the same time; read again and retry ({what})."),
            )),
            StoreError::Contended(what) => {
                tracing::warn!(error = %what, "store contended");
                ApiError::conflict(Text::new(
                    "Någon ändrade detta i samma ögonblick; försök igen.",
                    "Someone changed this at the same moment; try again.",
                ))
            }
            StoreError::Refused(findings) => ApiError::refused(findings),
            StoreError::TooLarge(what) => ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too-large",
                Text::new("För stort", "Too large"),
                Text::new(
                    format!("För stort att spara: {what}."),
                    format!("Too large to store: {what}."),
                ),
            ),
            // The one bounded collection: a provrum's budget versions, when another upload
            // took the last place at the same moment.
            StoreError::Full(_) => {
                ApiError::versions_full(provrum_rules::process::budget_versions_full())
            }
            StoreError::Invalid(what) => ApiError::bad_request(Text::new(
                format!("Ogiltigt värde: {what}."),
                format!("Invalid value: {what}."),
            )),
            StoreError::Unavailable(what) => {
                tracing::warn!(error = %what, "store unavailable");
                ApiError::unavailable()
            }
            StoreError::Corrupt(what) | StoreError::Backend(what) => {
                tracing::error!(error = %what, "store failure");
                ApiError::internal()
            }
        }
    }
}

/// What the middleware renders: the error travels in the response's extensions.
#[derive(Clone)]
struct Pending(Arc<ApiError>);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = self.status.into_response();
        // A body in Swedish in case no middleware renders it (it always does in our routers).
        let fallback = serde_json::to_vec(&self.body(Lang::Sv)).unwrap_or_default();
        *response.body_mut() = fallback.into();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if self.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        }
        response.extensions_mut().insert(Pending(Arc::new(self)));
        response
    }
}

/// The language a request asked for (`Accept-Language`; Swedish unless English is preferred).
pub fn request_lang(request: &Request) -> Lang {
    request
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(Lang::from_accept_language)
        .unwrap_or_default()
}

/// Renders every [`ApiError`] in the request's language, and turns axum's own bare 404/405/413
/// answers into problems too.
pub async fn render(request: Request, next: Next) -> Response {
    let lang = request_lang(&request);
    let response = next.run(request).await;
    if let Some(Pending(error)) = response.extensions().get::<Pending>().cloned() {
        let (mut parts, _) = response.into_parts();
        let body = serde_json::to_vec(&error.body(lang)).unwrap_or_default();
        parts.headers.remove(header::CONTENT_LENGTH);
        return Response::from_parts(parts, body.into());
    }
    let is_bare = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_none_or(|v| v.as_bytes().starts_with(b"text/plain"));
    if response.status().is_client_error() && is_bare {
        let error = match response.status() {
            StatusCode::NOT_FOUND => ApiError::no_such_path(),
            StatusCode::METHOD_NOT_ALLOWED => ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method-not-allowed",
                Text::new("Metoden stöds inte", "Method not allowed"),
                Text::new(
                    "Den här adressen stöder inte metoden.",
                    "This path does not support the method.",
                ),
            ),
            StatusCode::PAYLOAD_TOO_LARGE => ApiError::too_large(),
            // A framework's own refusal (a query, path or header it could not parse): its short
            // text becomes the detail.
            status => {
                let text = axum::body::to_bytes(response.into_body(), 1024)
                    .await
                    .map(|b| String::from_utf8_lossy(&b).trim().to_string())
                    .unwrap_or_default();
                ApiError::new(
                    status,
                    "bad-request",
                    Text::new("Felaktig begäran", "Bad request"),
                    Text::new(
                        format!("Begäran kunde inte tolkas: {text}"),
                        format!("The request could not be understood: {text}"),
                    ),
                )
            }
        };
        let mut rendered = error.clone().into_response();
        *rendered.body_mut() = serde_json::to_vec(&error.body(lang))
            .unwrap_or_default()
            .into();
        return rendered;
    }
    response
}
