//! What the kansli's admin screens read: an organisation's tokens (never their secrets) and a
//! provrum's audit trail, each paged (see [`provrum_http::paging`]).

use axum::extract::State;
use axum::response::Response;
use chrono::{DateTime, Utc};
use provrum_http::RequestLang;
use provrum_http::openapi::{BadPage, Forbidden, NotFound, Unauthorized, Unavailable};
use provrum_http::paging::{self, Paging};
use provrum_http::path::{OrgPath, ProvrumPath};
use provrum_http::views::{self, load_provrum};
use provrum_http::{Action, Actor, ApiError, AppState, authorize};
use provrum_store::{AuditEvent, Page, Token};
use serde::Serialize;

/// A token as the kansli sees it: who it is for and how it has been used. The secret is never
/// stored and its hash is never shown.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = Token)]
pub struct TokenView {
    pub id: String,
    pub org: String,
    pub label: String,
    pub created_at: DateTime<Utc>,
    /// To within an hour; `null` if it has not been used since this was recorded.
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<Token> for TokenView {
    fn from(token: Token) -> TokenView {
        // Every field by name, so a field added to `Token` (like its hash) is not shown
        // without a decision here.
        let Token {
            id,
            org,
            label,
            hash: _,
            created_at,
            revoked_at,
            last_used_at,
        } = token;
        TokenView {
            id,
            org,
            label,
            created_at,
            last_used_at,
            revoked_at,
        }
    }
}

/// An organisation's tokens, oldest first, revoked ones too (kansli); never their secrets
#[utoipa::path(get, path = "/orgs/{org}/tokens", operation_id = "listTokens",
    params(OrgPath, Paging, RequestLang),
    responses((status = OK, description = "Tokens", body = Vec<TokenView>),
        BadPage, Unauthorized, Forbidden, NotFound, Unavailable))]
pub async fn list_tokens(
    State(state): State<AppState>,
    actor: Actor,
    OrgPath(org): OrgPath,
    paging: Paging,
) -> Result<Response, ApiError> {
    authorize(Action::Administer, &actor, None)?;
    views::load_org(&state, &org).await?;
    let page = state
        .store
        .tokens_page(org.as_str(), paging.cursor(), paging.limit)
        .await
        .map_err(paging::store_error)?;
    Ok(paging.respond_page(Page {
        items: page.items.into_iter().map(TokenView::from).collect(),
        next: page.next,
    }))
}

/// The provrum's audit trail, oldest first (participants, kansli)
#[utoipa::path(get, path = "/provrum/{id}/events", operation_id = "listEvents",
    params(ProvrumPath, Paging, RequestLang),
    responses((status = OK, description = "Events", body = Vec<AuditEvent>),
        BadPage, Unauthorized, Forbidden, NotFound, Unavailable))]
pub async fn events(
    State(state): State<AppState>,
    actor: Actor,
    ProvrumPath(id): ProvrumPath,
    paging: Paging,
) -> Result<Response, ApiError> {
    let provrum = load_provrum(&state, &id).await?;
    authorize(Action::ReadEvents, &actor, Some(&provrum))?;
    let page = state
        .store
        .audit_page(&format!("provrum/{id}"), paging.cursor(), paging.limit)
        .await
        .map_err(paging::store_error)?;
    Ok(paging.respond_page(page))
}
