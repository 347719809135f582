//! Messages to where Reglab's members already talk: one webhook, taking either a Microsoft Teams
//! Workflows payload (an Adaptive Card) or a Slack-compatible one (`{"text": …}`, which Slack,
//! Mattermost and Rocket.Chat accept). Posts are retried on timeouts, connection failures, 429
//! and 5xx, with doubling waits and a bounded number of attempts; a 4xx answer is final.

use serde_json::{Value, json};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    #[error("the webhook address must be https (or http to this computer): {0}")]
    InvalidUrl(String),
    #[error("the webhook refused the message with HTTP {status}")]
    Refused { status: u16 },
    #[error("the webhook did not take the message after {attempts} attempts: {last}")]
    GaveUp { attempts: u32, last: String },
    #[error("could not build an HTTP client: {0}")]
    Client(String),
}

/// What the webhook expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Microsoft Teams "Workflows" (Power Automate) webhook: a message with an Adaptive Card.
    Teams,
    /// Slack incoming webhook, or anything that takes `{"text": …}`.
    Slack,
}

impl Format {
    pub fn parse(text: &str) -> Option<Format> {
        match text.trim().to_ascii_lowercase().as_str() {
            "teams" => Some(Format::Teams),
            "slack" => Some(Format::Slack),
            _ => None,
        }
    }

    /// Slack's own hooks are Slack; anything else is taken to be a Teams Workflows address.
    pub fn for_url(url: &str) -> Format {
        let host = url
            .split("://")
            .nth(1)
            .and_then(|rest| rest.split(['/', ':', '?']).next())
            .unwrap_or_default()
            .to_ascii_lowercase();
        if host == "hooks.slack.com" {
            Format::Slack
        } else {
            Format::Teams
        }
    }
}

/// A message: a heading, sentences, and facts (label, value).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Message {
    pub title: String,
    pub lines: Vec<String>,
    pub facts: Vec<(String, String)>,
}

/// Slack reads `<…>` as mentions and links (`<!channel>`, `<https://x|here>`): members' texts
/// (titles, descriptions, names) are escaped the way Slack asks, so they show as written.
fn slack_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Teams renders a TextBlock's Markdown (links, emphasis): its markup characters are escaped, so
/// a member's `[klicka här](https://…)` shows as text, not as a link.
fn markdown_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '[' | ']' | '*' | '_' | '~' | '`' | '<' | '>') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

impl Message {
    pub fn new(title: impl Into<String>) -> Message {
        Message {
            title: title.into(),
            ..Message::default()
        }
    }

    pub fn line(mut self, line: impl Into<String>) -> Message {
        self.lines.push(line.into());
        self
    }

    pub fn fact(mut self, label: impl Into<String>, value: impl Into<String>) -> Message {
        self.facts.push((label.into(), value.into()));
        self
    }

    /// The message as plain text, as a chat shows it.
    pub fn text(&self) -> String {
        let mut out = vec![self.title.clone()];
        out.extend(self.lines.iter().cloned());
        out.extend(self.facts.iter().map(|(k, v)| format!("{k}: {v}")));
        out.join("\n")
    }

    pub fn payload(&self, format: Format) -> Value {
        match format {
            Format::Slack => {
                let e = slack_escape;
                let mut text = vec![format!("*{}*", e(&self.title))];
                text.extend(self.lines.iter().map(|l| e(l)));
                text.extend(
                    self.facts
                        .iter()
                        .map(|(k, v)| format!("• {}: {}", e(k), e(v))),
                );
                json!({ "text": text.join("\n") })
            }
            Format::Teams => {
                let e = markdown_escape;
                let mut body = vec![json!({
                    "type": "TextBlock", "size": "Medium", "weight": "Bolder",
                    "text": e(&self.title), "wrap": true
                })];
                body.extend(
                    self.lines
                        .iter()
                        .map(|l| json!({ "type": "TextBlock", "text": e(l), "wrap": true })),
                );
                if !self.facts.is_empty() {
                    body.push(json!({
                        "type": "FactSet",
                        "facts": self.facts.iter()
                            .map(|(k, v)| json!({ "title": e(k), "value": e(v) }))
                            .collect::<Vec<_>>()
                    }));
                }
                json!({
                    "type": "message",
                    "summary": self.title,
                    "attachments": [{
                        "contentType": "application/vnd.microsoft.card.adaptive",
                        "contentUrl": null,
                        "content": {
                            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                            "type": "AdaptiveCard",
                            "version": "1.4",
                            "lang": "sv",
                            "body": body
                        }
                    }]
                })
            }
        }
    }
}

/// How hard to try: `attempts` in all, waiting `first_wait`, then twice that, and so on, each
/// attempt given `timeout`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retry {
    pub attempts: u32,
    pub first_wait: Duration,
    pub timeout: Duration,
}

impl Retry {
    /// The longest a post can take: every attempt timing out, and every wait between them.
    pub fn worst_case(&self) -> Duration {
        let attempts = self.attempts.max(1);
        let waits: Duration = (0..attempts - 1)
            .map(|i| self.first_wait.saturating_mul(1 << i.min(16)))
            .sum();
        self.timeout.saturating_mul(attempts) + waits
    }

    /// For notices sent while a request is answered: 3 attempts within about 5 s, so a Lambda
    /// environment kept awake for them is not kept long.
    pub const NOTICE: Retry = Retry {
        attempts: 3,
        first_wait: Duration::from_millis(200),
        timeout: Duration::from_millis(1500),
    };
}

impl Default for Retry {
    /// At most 4 attempts over about 3.5 s of waiting, 5 s each.
    fn default() -> Retry {
        Retry {
            attempts: 4,
            first_wait: Duration::from_millis(500),
            timeout: Duration::from_secs(5),
        }
    }
}

/// A configured webhook.
#[derive(Debug, Clone)]
pub struct Webhook {
    url: String,
    format: Format,
    retry: Retry,
    /// Built at the first post, not at start: building it loads the TLS roots (a few ms of a
    /// function's cold start), and most invocations post nothing. Shared by clones.
    client: Arc<OnceLock<reqwest::Client>>,
}

impl Webhook {
    /// `url` must be https, or http to loopback (a local receiver).
    pub fn new(url: &str, format: Option<Format>, retry: Retry) -> Result<Webhook, NotifyError> {
        let url = url.trim();
        let lower = url.to_ascii_lowercase();
        let loopback = ["http://127.0.0.1", "http://localhost", "http://[::1]"]
            .iter()
            .any(|p| {
                lower
                    .strip_prefix(p)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with([':', '/']))
            });
        if !(lower.starts_with("https://") && lower.len() > "https://".len() || loopback) {
            return Err(NotifyError::InvalidUrl(url.chars().take(80).collect()));
        }
        Ok(Webhook {
            url: url.to_string(),
            format: format.unwrap_or_else(|| Format::for_url(url)),
            retry,
            client: Arc::default(),
        })
    }

    /// The HTTP client, built the first time it is needed.
    fn client(&self) -> Result<&reqwest::Client, NotifyError> {
        if let Some(client) = self.client.get() {
            return Ok(client);
        }
        let built = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| NotifyError::Client(e.to_string()))?;
        Ok(self.client.get_or_init(|| built))
    }

    /// The webhook of `PROVRUM_WEBHOOK_URL` (and `PROVRUM_WEBHOOK_FORMAT`: teams or slack), if set.
    pub fn from_env() -> Result<Option<Webhook>, NotifyError> {
        match std::env::var("PROVRUM_WEBHOOK_URL") {
            Ok(url) if !url.trim().is_empty() => {
                let format = std::env::var("PROVRUM_WEBHOOK_FORMAT")
                    .ok()
                    .and_then(|f| Format::parse(&f));
                Webhook::new(&url, format, Retry::default()).map(Some)
            }
            _ => Ok(None),
        }
    }

    pub fn format(&self) -> Format {
        self.format
    }

    /// Posts `message`; returns how many attempts it took.
    pub async fn post(&self, message: &Message) -> Result<u32, NotifyError> {
        self.post_with(message, self.retry).await
    }

    /// Posts `message`, trying as `retry` says.
    pub async fn post_with(&self, message: &Message, retry: Retry) -> Result<u32, NotifyError> {
        let payload = message.payload(self.format);
        let client = self.client()?;
        let mut wait = retry.first_wait;
        let mut last = String::new();
        let attempts = retry.attempts.max(1);
        for attempt in 1..=attempts {
            let request = client.post(&self.url).timeout(retry.timeout).json(&payload);
            match request.send().await {
                Ok(response) => {
                    let status = response.status();
                    if status.is_success() {
                        return Ok(attempt);
                    }
                    if status.is_client_error() && status.as_u16() != 429 {
                        return Err(NotifyError::Refused {
                            status: status.as_u16(),
                        });
                    }
                    last = format!("HTTP {}", status.as_u16());
                }
                Err(e) if e.is_timeout() => last = "timed out".into(),
                Err(e) => last = e.to_string(),
            }
            tracing::warn!(attempt, attempts, error = %last, "webhook post failed");
            if attempt < attempts {
                tokio::time::sleep(wait).await;
                wait = wait.saturating_mul(2);
            }
        }
        Err(NotifyError::GaveUp { attempts, last })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_webhook_builds_its_http_client_when_it_first_posts_not_when_configured() {
        let hook = Webhook::new("https://example.org/hook", None, Retry::default())
            .expect("a valid address");
        assert!(hook.client.get().is_none(), "no client at start");
        let clone = hook.clone();
        let built = hook.client().expect("a client") as *const reqwest::Client;
        let shared = clone.client().expect("a client") as *const reqwest::Client;
        assert_eq!(built, shared, "clones share the one client");
    }
}
