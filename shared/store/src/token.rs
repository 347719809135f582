//! Bearer tokens: 256 random bits, shown once, stored only as their SHA-256.

use crate::{Token, sha256_hex};
use chrono::{DateTime, Utc};

/// A new token: the secret (shown once) and what is stored.
pub struct NewToken {
    pub secret: String,
    pub token: Token,
}

impl std::fmt::Debug for NewToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewToken")
            .field("secret", &"[redacted]")
            .field("token", &self.token)
            .finish()
    }
}

const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";

pub(crate) fn base32(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 8 / 5 + 1);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            out.push(ALPHABET[((buffer >> (bits - 5)) & 31) as usize] as char);
            bits -= 5;
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// The stored form of a secret.
pub fn hash_token(secret: &str) -> String {
    sha256_hex(secret.trim().as_bytes())
}

/// Whether two byte strings are equal, in time that depends on their lengths only, never on
/// where they first differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len()
        && std::hint::black_box(a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y))) == 0
}

impl Token {
    /// Whether `secret` is this token's. The store finds a token by the hash of what was
    /// presented; this compares the two hashes again in constant time, so that neither the
    /// lookup's index nor a store that answered loosely decides alone.
    pub fn verifies(&self, secret: &str) -> bool {
        constant_time_eq(self.hash.as_bytes(), hash_token(secret).as_bytes())
    }
}

/// A presented secret (a token, a session) longer than this is none of ours: it is refused
/// before any lookup.
pub const MAX_SECRET: usize = 256;

/// A new secret: `prefix` and 256 random bits in base32. Fails only without randomness.
pub(crate) fn new_secret(prefix: &str) -> crate::Result<String> {
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret)
        .map_err(|e| crate::StoreError::Backend(format!("no randomness for a secret: {e}")))?;
    Ok(format!("{prefix}{}", base32(&secret)))
}

/// The token whose secret `secret` is, found by its hash and verified in constant time; `None`
/// for anything else (empty, too long, unknown). Whether it is revoked is the caller's to say.
pub async fn find_token(store: &dyn crate::Store, secret: &str) -> crate::Result<Option<Token>> {
    let secret = secret.trim();
    if secret.is_empty() || secret.len() > MAX_SECRET {
        return Ok(None);
    }
    Ok(store
        .token_by_hash(&hash_token(secret))
        .await?
        .filter(|token| token.verifies(secret)))
}

impl NewToken {
    /// A fresh token for `org`. Fails only if the operating system has no randomness.
    pub fn generate(org: &str, label: &str, now: DateTime<Utc>) -> crate::Result<NewToken> {
        let secret = new_secret("prv_")?;
        let token = Token {
            id: crate::new_id(provrum_rules::TokenId::PREFIX),
            org: org.to_string(),
            label: label.to_string(),
            hash: hash_token(&secret),
            created_at: now,
            revoked_at: None,
            last_used_at: None,
        };
        Ok(NewToken { secret, token })
    }
}

/// Generates a token for `org` and stores its hash with the audit event `token.created`, the
/// one way every caller (the API, the CLI, the demo) issues tokens. The secret is in the result,
/// shown once.
pub async fn issue_token(
    store: &dyn crate::Store,
    org: &str,
    label: &str,
    actor: &str,
) -> crate::Result<NewToken> {
    let new = NewToken::generate(org, label, Utc::now())?;
    let event = crate::AuditEvent::new(
        format!("token/{}", new.token.id),
        actor,
        "token.created",
        serde_json::json!({"org": org, "label": label}),
    );
    store.create_token(&new.token, &event).await?;
    Ok(new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_long_and_stored_hashed() {
        let a = NewToken::generate("reglab", "test", Utc::now()).expect("random");
        let b = NewToken::generate("reglab", "test", Utc::now()).expect("random");
        assert_ne!(a.secret, b.secret);
        assert!(
            a.secret.starts_with("prv_") && a.secret.len() == 4 + 52,
            "{}",
            a.secret
        );
        assert_eq!(a.token.hash, hash_token(&a.secret));
        assert!(
            !format!("{a:?}").contains(&a.secret),
            "Debug never prints the secret"
        );
    }

    #[test]
    fn a_token_verifies_its_own_secret_only() {
        let a = NewToken::generate("reglab", "test", Utc::now()).expect("random");
        let b = NewToken::generate("reglab", "test", Utc::now()).expect("random");
        assert!(a.token.verifies(&a.secret));
        assert!(
            a.token.verifies(&format!(" {} ", a.secret)),
            "as presented, trimmed"
        );
        assert!(!a.token.verifies(&b.secret));
        let mut near = a.secret.clone().into_bytes();
        let last = near.len() - 1;
        near[last] = if near[last] == b'a' { b'b' } else { b'a' };
        assert!(!a.token.verifies(&String::from_utf8(near).expect("ascii")));
        assert!(!a.token.verifies(""));
    }

    #[test]
    fn constant_time_eq_is_equality() {
        assert!(constant_time_eq(b"", b""));
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"xbc"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
    }

    #[test]
    fn base32_is_rfc4648_lowercase_without_padding() {
        assert_eq!(base32(b"foobar"), "mzxw6ytboi");
    }
}
