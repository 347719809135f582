//! The web page's sessions: a browser signs in once with its token and then carries a session
//! secret in a cookie. Like a token's, the secret is 256 random bits, shown once (in the
//! `Set-Cookie`), and stored only as its SHA-256 ([`hash_token`]). A session ends after a working day, on
//! sign-out, and as soon as the token it was opened with is revoked.

use crate::token::{find_token, new_secret};
use crate::{Store, Token, hash_token};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// How long a session lasts: a working day, then the token is asked for again.
pub const SESSION_LENGTH: Duration = Duration::hours(9);

/// A stored session: the hash of its secret, the token it was opened with, and its end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub hash: String,
    /// The hash of the token signed in with: the session lives only as long as that token.
    pub token_hash: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// A new session: the secret for the cookie, and what is stored.
pub struct NewSession {
    pub secret: String,
    pub session: Session,
}

impl std::fmt::Debug for NewSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewSession")
            .field("secret", &"[redacted]")
            .field("session", &self.session)
            .finish()
    }
}

impl NewSession {
    /// A session for `token`, from `now` for [`SESSION_LENGTH`]. Fails only without randomness.
    pub fn start(token: &Token, now: DateTime<Utc>) -> crate::Result<NewSession> {
        let secret = new_secret("ses_")?;
        let session = Session {
            hash: hash_token(&secret),
            token_hash: token.hash.clone(),
            created_at: now,
            expires_at: now + SESSION_LENGTH,
        };
        Ok(NewSession { secret, session })
    }
}

/// Opens a session for the token whose secret is `token_secret`: `None` when no such token
/// is in force (unknown or revoked).
pub async fn sign_in(
    store: &dyn Store,
    token_secret: &str,
    now: DateTime<Utc>,
) -> crate::Result<Option<(NewSession, Token)>> {
    let Some(token) = find_token(store, token_secret).await? else {
        return Ok(None);
    };
    if token.revoked_at.is_some() {
        return Ok(None);
    }
    let new = NewSession::start(&token, now)?;
    store.create_session(&new.session).await?;
    Ok(Some((new, token)))
}

/// The session a cookie's `secret` names and its token, if both are in force at `now`: not
/// expired, not signed out, and the token not revoked.
pub async fn signed_in(
    store: &dyn Store,
    secret: &str,
    now: DateTime<Utc>,
) -> crate::Result<Option<(Session, Token)>> {
    // The store answers only a session that has not ended at `now`.
    let Some(session) = store.session_by_hash(&hash_token(secret), now).await? else {
        return Ok(None);
    };
    let Some(token) = store.token_by_hash(&session.token_hash).await? else {
        return Ok(None);
    };
    if token.revoked_at.is_some() {
        return Ok(None);
    }
    Ok(Some((session, token)))
}
