//! What the kansli's admin screens read: an organisation's tokens (never their secrets) and a
//! provrum's audit trail, each paged (see [`provrum_http::paging`]).

use axum::extract::{Path, State};
use axum::response::Response;
use chrono::{DateTime, Utc};
use provrum_http::paging::{self, Paging};
use provrum_http::views::{self, load_provrum};
use provrum_http::{Action, Actor, ApiError, AppState, authorize};
use provrum_store::{Page, Token};
use serde::Serialize;

/// A token as the kansli sees it: who it is for and how it has been used. The secret is never
/// stored and its hash is never shown.
#[derive(Debug, Serialize)]
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

/// `GET /orgs/{org}/tokens`: the organisation's tokens, oldest first, revoked ones too
/// (the kansli's).
pub async fn list_tokens(
    State(state): State<AppState>,
    actor: Actor,
    Path(org): Path<String>,
    paging: Paging,
) -> Result<Response, ApiError> {
    authorize(Action::Administer, &actor, None)?;
    views::load_org(&state, &org).await?;
    let page = state
        .store
        .tokens_page(&org, paging.cursor(), paging.limit)
        .await
        .map_err(paging::store_error)?;
    Ok(paging.respond_page(Page {
        items: page.items.into_iter().map(TokenView::from).collect(),
        next: page.next,
    }))
}

/// `GET /provrum/{id}/events`: the provrum's audit trail, oldest first (its participants and
/// the kansli).
pub async fn events(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
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
