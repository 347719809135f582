//! Keeping a Lambda environment awake until the notices an invocation started have been posted.
//!
//! Lambda freezes a function's environment as soon as the function has answered and every
//! extension has asked for its next event; a notice still being posted from a spawned task would
//! then stall, and be lost if the environment is recycled. So, when a webhook is configured, the
//! function registers an internal extension (the Lambda Extensions API) that, after each
//! invocation, asks for its next event only once the invocation is done and no notice is in
//! flight (or after a bound, so a stuck webhook cannot hold the function to its timeout).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::Notify;

/// Notices in flight and invocations finished, shared by the handlers and the extension.
#[derive(Debug, Default)]
pub struct Tracker {
    pending: AtomicUsize,
    completed: AtomicU64,
    changed: Notify,
}

impl Tracker {
    pub fn notice_started(&self) {
        self.pending.fetch_add(1, Ordering::SeqCst);
    }

    pub fn notice_finished(&self) {
        self.pending.fetch_sub(1, Ordering::SeqCst);
        self.changed.notify_waiters();
    }

    pub fn invocation_done(&self) {
        self.completed.fetch_add(1, Ordering::SeqCst);
        self.changed.notify_waiters();
    }

    /// Waits until `invocations` invocations are done and no notice is in flight.
    pub async fn settled(&self, invocations: u64) {
        loop {
            let changed = self.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            if self.completed.load(Ordering::SeqCst) >= invocations
                && self.pending.load(Ordering::SeqCst) == 0
            {
                return;
            }
            changed.await;
        }
    }
}

/// How long after an invocation the extension waits for its notices at most: as long as a
/// notice's tries can take (`Retry::NOTICE`), and a little more.
pub fn notice_bound() -> Duration {
    provrum_notify::Retry::NOTICE.worst_case() + Duration::from_millis(500)
}

const NAME: &str = "provrum-notices";

/// Registers the extension with the Runtime API at `api` (host:port) and runs it in the
/// background. Must run before the runtime asks for its first event.
pub async fn start(api: &str, tracker: Arc<Tracker>) -> Result<(), String> {
    let client = reqwest::Client::builder()
        .build()
        .map_err(|e| e.to_string())?;
    let base = format!("http://{api}/2020-01-01/extension");
    let registered = client
        .post(format!("{base}/register"))
        .header("Lambda-Extension-Name", NAME)
        .json(&serde_json::json!({"events": ["INVOKE"]}))
        .send()
        .await
        .map_err(|e| format!("register: {e}"))?;
    if !registered.status().is_success() {
        return Err(format!("register: HTTP {}", registered.status()));
    }
    let id = registered
        .headers()
        .get("Lambda-Extension-Identifier")
        .and_then(|v| v.to_str().ok())
        .ok_or("register: no Lambda-Extension-Identifier")?
        .to_string();
    tokio::spawn(async move {
        let mut invocations = 0u64;
        loop {
            let event = client
                .get(format!("{base}/event/next"))
                .header("Lambda-Extension-Identifier", &id)
                .send()
                .await;
            let event: serde_json::Value = match event {
                Ok(r) => r.json().await.unwrap_or_default(),
                Err(e) => {
                    tracing::warn!(error = %e, "extension: next event");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            };
            if event["eventType"] == "SHUTDOWN" {
                return;
            }
            invocations += 1;
            if tokio::time::timeout(notice_bound(), tracker.settled(invocations))
                .await
                .is_err()
            {
                tracing::warn!("extension: notices still in flight after the bound");
            }
        }
    });
    Ok(())
}
