//! Paged listings: `?cursor=…&limit=…` in, a JSON body and, when more follows, a
//! `Link: <…?cursor=…&limit=…>; rel="next"` header out (RFC 8288). The body stays what it was
//! (an array, mostly), so a client that reads one page reads what it always did; the header
//! says where the next page is, and is absent on the last.
//!
//! Cursors are the store's, opaque to clients: one the store did not issue for this very
//! listing is a 400 problem, never a 500.

use crate::ApiError;
use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Uri, header};
use axum::response::{IntoResponse, Response};
use provrum_rules::Text;
use provrum_store::{MAX_PAGE, Page, StoreError};

/// The page size when a request names none.
pub const DEFAULT_LIMIT: u32 = 100;

/// The longest cursor read (the stores' are far shorter).
pub const MAX_CURSOR: usize = 2048;

/// Which page a request asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paging {
    /// Where the listing continues; `None` for the first page.
    pub cursor: Option<String>,
    /// 1–[`MAX_PAGE`]; [`DEFAULT_LIMIT`] unless asked.
    pub limit: u32,
    /// The request's path, that the next page's link repeats.
    path: String,
}

fn bad_limit() -> ApiError {
    ApiError::bad_request(Text::new(
        format!("limit ska vara ett heltal från 1 till {MAX_PAGE}."),
        format!("limit must be a whole number from 1 to {MAX_PAGE}."),
    ))
}

fn unreadable_query() -> ApiError {
    ApiError::bad_request(Text::new(
        "Frågan i adressen kunde inte tolkas.",
        "The address's query could not be read.",
    ))
}

fn bad_cursor() -> ApiError {
    ApiError::bad_request(Text::new(
        "Okänd sidmarkör (cursor). Börja om från första sidan, utan cursor.",
        "Unknown cursor. Start again from the first page, without a cursor.",
    ))
}

impl Paging {
    /// The page `query` (a URL's query string) asks for, on `path`.
    pub fn parse(path: &str, query: Option<&str>) -> Result<Paging, ApiError> {
        let uri: Uri = match query {
            None => path.parse(),
            Some(q) => format!("{path}?{q}").parse(),
        }
        .map_err(|_| unreadable_query())?;
        Paging::of(&uri)
    }

    /// The page a request's `uri` asks for.
    pub fn of(uri: &Uri) -> Result<Paging, ApiError> {
        let pairs: Vec<(String, String)> = match uri.query() {
            None => Vec::new(),
            Some(_) => {
                Query::<Vec<(String, String)>>::try_from_uri(uri)
                    .map_err(|_| unreadable_query())?
                    .0
            }
        };
        let path = uri.path();
        let once = |name: &str| -> Result<Option<String>, ApiError> {
            let mut values = pairs.iter().filter(|(k, _)| k == name).map(|(_, v)| v);
            match (values.next(), values.next()) {
                (None, _) => Ok(None),
                (Some(v), None) => Ok(Some(v.clone())),
                (Some(_), Some(_)) => Err(ApiError::bad_request(Text::new(
                    format!("{name} får anges en gång."),
                    format!("{name} may be given once."),
                ))),
            }
        };
        let limit = match once("limit")? {
            None => DEFAULT_LIMIT,
            Some(text) => match text.parse::<u32>() {
                Ok(n) if (1..=MAX_PAGE).contains(&n) => n,
                _ => return Err(bad_limit()),
            },
        };
        let cursor = match once("cursor")? {
            None => None,
            Some(c) if c.is_empty() || c.len() > MAX_CURSOR || !c.is_ascii() => {
                return Err(bad_cursor());
            }
            Some(c) => Some(c),
        };
        Ok(Paging {
            cursor,
            limit,
            path: path.to_string(),
        })
    }

    pub fn cursor(&self) -> Option<&str> {
        self.cursor.as_deref()
    }

    /// The `Link` header's value for the page after this one, at `next`.
    pub fn link(&self, next: &str) -> Option<HeaderValue> {
        HeaderValue::from_str(&format!(
            "<{}?cursor={next}&limit={}>; rel=\"next\"",
            self.path, self.limit
        ))
        .ok()
    }

    /// `page` as a JSON array, with a `Link` to the next page when there is one.
    pub fn respond_page<T: serde::Serialize>(&self, page: Page<T>) -> Response {
        self.respond(axum::Json(page.items), page.next.as_deref())
    }

    /// `body` with a `Link` to the next page when there is one.
    pub fn respond(&self, body: impl IntoResponse, next: Option<&str>) -> Response {
        let mut response = body.into_response();
        if let Some(link) = next.and_then(|n| self.link(n)) {
            response.headers_mut().insert(header::LINK, link);
        }
        response
    }
}

/// A listing's store error: a cursor the store did not issue is the client's 400.
pub fn store_error(e: StoreError) -> ApiError {
    match e {
        StoreError::Invalid(_) => bad_cursor(),
        other => other.into(),
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Paging {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Paging, ApiError> {
        Paging::of(&parts.uri)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_asked_for_within_bounds() {
        let first = Paging::parse("/orgs", None).expect("first page");
        assert_eq!((first.cursor(), first.limit), (None, DEFAULT_LIMIT));
        let next = Paging::parse("/orgs", Some("cursor=abc&limit=500")).expect("page");
        assert_eq!((next.cursor(), next.limit), (Some("abc"), 500));
        assert_eq!(
            next.link("def").expect("link"),
            "</orgs?cursor=def&limit=500>; rel=\"next\""
        );
        for bad in [
            "limit=0",
            "limit=501",
            "limit=-1",
            "limit=x",
            "limit=",
            "cursor=",
            "cursor=a&cursor=b",
            "limit=1&limit=2",
        ] {
            let e = Paging::parse("/orgs", Some(bad)).expect_err(bad);
            assert_eq!(e.status, axum::http::StatusCode::BAD_REQUEST, "{bad}");
        }
        let long = format!("cursor={}", "a".repeat(MAX_CURSOR + 1));
        assert!(Paging::parse("/orgs", Some(&long)).is_err());
        assert_eq!(
            store_error(StoreError::Invalid("x".into())).status,
            axum::http::StatusCode::BAD_REQUEST
        );
    }
}
