//! How a request reaches the app: through an in-process router (`provrum serve --demo`'s
//! seeder) or over HTTP (the test suites, against an app listening on a port).

use crate::{Error, Reply};
use axum::http::header::{ACCEPT_LANGUAGE, AUTHORIZATION, CONTENT_TYPE};
use std::future::Future;
use tower::ServiceExt as _;

/// The largest answer the in-process transport reads (the template workbook is the largest).
const MAX_ANSWER: usize = 64 << 20;

/// One request as a client sends it.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: axum::http::Method,
    /// The path and query, e.g. `/provrum/pr_1/interest`.
    pub path: String,
    /// The bearer token, if the call is made as someone.
    pub token: Option<String>,
    /// `Accept-Language`, if the caller asks for one.
    pub lang: Option<String>,
    pub headers: Vec<(String, String)>,
    pub body: Body,
}

/// What a request carries.
#[derive(Clone, Debug)]
pub enum Body {
    Empty,
    Json(serde_json::Value),
    /// Raw bytes with their content type: a workbook upload.
    Bytes {
        content_type: String,
        bytes: Vec<u8>,
    },
}

impl Request {
    pub fn new(method: axum::http::Method, path: impl Into<String>) -> Request {
        Request {
            method,
            path: path.into(),
            token: None,
            lang: None,
            headers: Vec::new(),
            body: Body::Empty,
        }
    }

    /// The headers the request goes out with, as (name, value).
    fn header_lines(&self) -> Vec<(String, String)> {
        let mut lines = Vec::new();
        if let Some(token) = &self.token {
            lines.push((AUTHORIZATION.to_string(), format!("Bearer {token}")));
        }
        if let Some(lang) = &self.lang {
            lines.push((ACCEPT_LANGUAGE.to_string(), lang.clone()));
        }
        match &self.body {
            Body::Empty => {}
            Body::Json(_) => lines.push((CONTENT_TYPE.to_string(), "application/json".into())),
            Body::Bytes { content_type, .. } => {
                lines.push((CONTENT_TYPE.to_string(), content_type.clone()))
            }
        }
        lines.extend(self.headers.iter().cloned());
        lines
    }

    fn body_bytes(&self) -> Vec<u8> {
        match &self.body {
            Body::Empty => Vec::new(),
            Body::Json(value) => value.to_string().into_bytes(),
            Body::Bytes { bytes, .. } => bytes.clone(),
        }
    }
}

/// Sends a request and reads the whole answer.
pub trait Transport: Clone + Send + Sync {
    fn send(&self, request: Request) -> impl Future<Output = Result<Reply, Error>> + Send;
}

/// The app's router called in process (tower `oneshot`): no socket, same routes and layers.
#[derive(Clone)]
pub struct InProcess {
    router: axum::Router,
}

impl InProcess {
    pub fn new(router: axum::Router) -> InProcess {
        InProcess { router }
    }
}

impl Transport for InProcess {
    async fn send(&self, request: Request) -> Result<Reply, Error> {
        let mut builder = axum::http::Request::builder()
            .method(request.method.clone())
            .uri(&request.path);
        for (name, value) in request.header_lines() {
            builder = builder.header(name, value);
        }
        let http = builder
            .body(axum::body::Body::from(request.body_bytes()))
            .map_err(|e| Error::transport(&request, e))?;
        let response = self
            .router
            .clone()
            .oneshot(http)
            .await
            .map_err(|e| Error::transport(&request, e))?;
        let status = response.status().as_u16();
        let headers = header_pairs(response.headers());
        let bytes = axum::body::to_bytes(response.into_body(), MAX_ANSWER)
            .await
            .map_err(|e| Error::transport(&request, e))?;
        Ok(Reply::new(&request, status, headers, bytes.to_vec()))
    }
}

/// The app over HTTP at `base` (e.g. `http://127.0.0.1:38211`).
#[derive(Clone)]
pub struct Http {
    base: String,
    client: reqwest::Client,
}

impl Http {
    pub fn new(base: impl Into<String>) -> Http {
        Http {
            base: base.into(),
            client: reqwest::Client::new(),
        }
    }

    /// The address requests go to.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The underlying HTTP client, for what the typed calls do not cover (multipart forms).
    pub fn reqwest(&self) -> &reqwest::Client {
        &self.client
    }

    /// The full URL of `path`, for requests built on [`Http::reqwest`].
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Sends a request built on [`Http::reqwest`] and reads its answer as a [`Reply`].
    pub async fn send_raw(&self, request: reqwest::RequestBuilder) -> Result<Reply, Error> {
        let built = request.build().map_err(Error::raw)?;
        let described = Request::new(built.method().clone(), built.url().path());
        let response = self
            .client
            .execute(built)
            .await
            .map_err(|e| Error::transport(&described, e))?;
        reply_of(&described, response).await
    }
}

async fn reply_of(request: &Request, response: reqwest::Response) -> Result<Reply, Error> {
    let status = response.status().as_u16();
    let headers = header_pairs(response.headers());
    let bytes = response
        .bytes()
        .await
        .map_err(|e| Error::transport(request, e))?;
    Ok(Reply::new(request, status, headers, bytes.to_vec()))
}

impl Transport for Http {
    async fn send(&self, request: Request) -> Result<Reply, Error> {
        let mut http = self
            .client
            .request(request.method.clone(), self.url(&request.path));
        for (name, value) in request.header_lines() {
            http = http.header(name, value);
        }
        if !matches!(request.body, Body::Empty) {
            http = http.body(request.body_bytes());
        }
        let response = http
            .send()
            .await
            .map_err(|e| Error::transport(&request, e))?;
        reply_of(&request, response).await
    }
}

fn header_pairs(headers: &axum::http::HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_string(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect()
}
