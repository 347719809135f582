//! Who is asking: a bearer token, looked up by its SHA-256, bound to one organisation whose
//! membership gives the role. Authorisation is decided here, in one place.

use crate::{ApiError, AppState};
use axum::extract::{FromRef, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;
use provrum_rules::Text;
use provrum_rules::model::Membership;
use provrum_store::{Org, TOKEN_TOUCH_EVERY, Token, find_token};

/// An authenticated caller: the organisation it acts for.
#[derive(Debug, Clone)]
pub struct Actor {
    pub org: Org,
    pub token_id: String,
    /// What the kansli wrote the token is for.
    pub token_label: String,
}

impl Actor {
    pub fn membership(&self) -> Membership {
        self.org.membership
    }

    pub fn caller(&self) -> provrum_rules::process::Caller<'_> {
        provrum_rules::process::Caller {
            org: &self.org.id,
            membership: self.membership(),
        }
    }

    pub fn is_kansli(&self) -> bool {
        self.org.membership == Membership::Kansli
    }
}

/// A caller already authenticated in this process: the web page, which signed its session in
/// and calls the routes on the session's behalf. A request extension, so it can only be set in
/// process, never by anything that arrives over the network.
#[derive(Debug, Clone)]
pub struct SignedIn(pub Actor);

fn missing() -> ApiError {
    ApiError::unauthorized(Text::new(
        "Ange en giltig token: Authorization: Bearer <token>.",
        "Send a valid token: Authorization: Bearer <token>.",
    ))
}

impl<S> FromRequestParts<S> for Actor
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Actor, ApiError> {
        if let Some(SignedIn(actor)) = parts.extensions.get::<SignedIn>() {
            return Ok(actor.clone());
        }
        let state = AppState::from_ref(state);
        let value = parts
            .headers
            .get(header::AUTHORIZATION)
            .ok_or_else(missing)?;
        let value = value.to_str().map_err(|_| missing())?;
        let (scheme, secret) = value.trim().split_once(' ').ok_or_else(missing)?;
        let secret = secret.trim();
        if !scheme.eq_ignore_ascii_case("bearer") {
            return Err(missing());
        }
        let token = find_token(state.store.as_ref(), secret)
            .await?
            .ok_or_else(missing)?;
        if token.revoked_at.is_some() {
            tracing::info!(token = %token.id, "revoked token used");
            return Err(ApiError::unauthorized(Text::new(
                "Token är återkallad.",
                "The token has been revoked.",
            )));
        }
        touch(&state, &token).await;
        let org = state.store.get_org(&token.org).await?.ok_or_else(missing)?;
        tracing::Span::current().record("org", org.id.as_str());
        Ok(Actor {
            org,
            token_id: token.id,
            token_label: token.label,
        })
    }
}

/// Records the token's use for the kansli's list, at most once per [`TOKEN_TOUCH_EVERY`]: no
/// write at all while the stored time is recent, and the store's conditional write makes
/// concurrent requests write it once. A failed touch is logged, never the request's failure.
/// The web page records its sign-ins and visits with it too.
pub async fn touch(state: &AppState, token: &Token) {
    let now = state.clock.now();
    if !provrum_store::touch_due(token.last_used_at, now) {
        return;
    }
    if let Err(e) = state.store.touch_token(token, now, TOKEN_TOUCH_EVERY).await {
        tracing::warn!(token = %token.id, error = %e, "token's last use not recorded");
    }
}
