//! Sign-in throttling: wrong tokens are counted per source address and per token prefix in
//! fixed one-minute windows, and a source or prefix over its limit is told, in Swedish, how
//! long to wait — before the store is asked. Kept in the process's [`crate::AppState`] (each
//! Lambda instance and each `provrum serve` keeps its own counts), which bounds guessing to a
//! few attempts a minute per instance; a token is 256 random bits, so guessing was never the
//! way in, but a form that answers 540 wrong tokens a second invites trying.

use axum::http::HeaderMap;
use chrono::{DateTime, Duration, Utc};
use provrum_rules::Lang;
use std::collections::HashMap;
use std::sync::Mutex;

/// Wrong tokens one source may try per window.
pub const PER_SOURCE: u32 = 10;
/// Wrong tokens with the same first characters per window (one token being guessed at).
pub const PER_PREFIX: u32 = 5;
/// The window.
pub const WINDOW_SECONDS: i64 = 60;
/// The characters of a token that make its prefix: `prv_` and four more.
const PREFIX: usize = 8;
/// The most keys kept; past that, the expired ones are dropped, and if none had, all of them
/// (the limiter forgets rather than grows).
const MAX_KEYS: usize = 10_000;

/// Counts of failures in the current window, by key.
#[derive(Default)]
pub struct Throttle {
    counts: Mutex<HashMap<String, (DateTime<Utc>, u32)>>,
}

fn keys(source: &str, token: &str) -> [(String, u32); 2] {
    let prefix: String = token.chars().take(PREFIX).collect();
    [
        (format!("source:{source}"), PER_SOURCE),
        (format!("prefix:{prefix}"), PER_PREFIX),
    ]
}

impl Throttle {
    /// Whether a sign-in from `source` with `token` may be tried at `now`; if not, the seconds
    /// to wait.
    pub fn allow(&self, source: &str, token: &str, now: DateTime<Utc>) -> Result<(), i64> {
        let Ok(counts) = self.counts.lock() else {
            return Ok(());
        };
        let mut wait = 0;
        for (key, limit) in keys(source, token) {
            if let Some((start, n)) = counts.get(&key) {
                let ends = *start + Duration::seconds(WINDOW_SECONDS);
                if *n >= limit && now < ends {
                    wait = wait.max((ends - now).num_seconds().max(1));
                }
            }
        }
        if wait > 0 { Err(wait) } else { Ok(()) }
    }

    /// A wrong token from `source` at `now`.
    pub fn failed(&self, source: &str, token: &str, now: DateTime<Utc>) {
        let Ok(mut counts) = self.counts.lock() else {
            return;
        };
        if counts.len() >= MAX_KEYS {
            let window = Duration::seconds(WINDOW_SECONDS);
            counts.retain(|_, (start, _)| *start + window > now);
            if counts.len() >= MAX_KEYS {
                counts.clear();
            }
        }
        for (key, _) in keys(source, token) {
            let entry = counts.entry(key).or_insert((now, 0));
            if now >= entry.0 + Duration::seconds(WINDOW_SECONDS) {
                *entry = (now, 0);
            }
            entry.1 += 1;
        }
    }
}

/// Who is signing in, as far as the request tells: the address the connection came from
/// (`provrum serve`), else the client address API Gateway appended to `X-Forwarded-For` (its
/// last entry, which a client cannot forge), else unknown.
pub fn source(headers: &HeaderMap, peer: Option<std::net::SocketAddr>) -> String {
    if let Some(peer) = peer {
        return peer.ip().to_string();
    }
    headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit(',').next())
        .map(|v| v.trim().chars().take(64).collect())
        .unwrap_or_else(|| "unknown".into())
}

/// What the form says to a source or prefix over its limit.
pub fn refusal(lang: Lang, wait: i64) -> String {
    match lang {
        Lang::Sv => format!(
            "För många felaktiga inloggningsförsök. Vänta {wait} sekunder och försök igen, eller be Reglabs kansli om en ny token."
        ),
        Lang::En => format!(
            "Too many failed sign-ins. Wait {wait} seconds and try again, or ask Reglab's kansli for a new token."
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: i64) -> DateTime<Utc> {
        DateTime::UNIX_EPOCH + Duration::seconds(s)
    }

    #[test]
    fn a_source_over_its_limit_waits_out_the_window() {
        let t = Throttle::default();
        for i in 0..PER_SOURCE {
            assert!(t.allow("1.2.3.4", &format!("prv_{i:04}xyz"), at(1)).is_ok());
            t.failed("1.2.3.4", &format!("prv_{i:04}xyz"), at(1));
        }
        assert_eq!(t.allow("1.2.3.4", "prv_9999", at(2)), Err(59));
        assert!(
            t.allow("5.6.7.8", "prv_9999", at(2)).is_ok(),
            "another source"
        );
        assert!(
            t.allow("1.2.3.4", "prv_9999", at(61)).is_ok(),
            "a new window"
        );
    }

    #[test]
    fn one_token_guessed_at_from_many_sources_is_held_too() {
        let t = Throttle::default();
        for i in 0..PER_PREFIX {
            t.failed(&format!("10.0.0.{i}"), "prv_abcd-guess", at(0));
        }
        assert!(t.allow("10.0.0.99", "prv_abcd-other", at(10)).is_err());
        assert!(t.allow("10.0.0.99", "prv_efgh-other", at(10)).is_ok());
    }

    #[test]
    fn the_peer_is_the_source_else_the_last_forwarded_address() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            "6.6.6.6, 9.9.9.9".parse().expect("header"),
        );
        assert_eq!(source(&headers, None), "9.9.9.9");
        let peer: std::net::SocketAddr = "127.0.0.1:5000".parse().expect("addr");
        assert_eq!(source(&headers, Some(peer)), "127.0.0.1");
        assert_eq!(source(&HeaderMap::new(), None), "unknown");
    }
}
