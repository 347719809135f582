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

/// A notice in flight: it counts until this is dropped — when the notice's task ends, panics
/// or is cancelled alike.
#[must_use = "the notice counts as in flight until this is dropped"]
#[derive(Debug)]
pub struct NoticeInFlight(Arc<Tracker>);

impl Drop for NoticeInFlight {
    fn drop(&mut self) {
        self.0.pending.fetch_sub(1, Ordering::SeqCst);
        self.0.changed.notify_waiters();
    }
}

/// An invocation being handled: it is counted done when this is dropped — when the handler
/// answers, fails before it reaches the router, returns an error or panics alike. Without that,
/// one invocation never marked done would leave the extension one behind for the rest of the
/// environment's life, waiting the full bound after every invocation.
#[must_use = "the invocation is counted done when this is dropped"]
#[derive(Debug)]
pub struct InvocationInProgress(Arc<Tracker>);

impl Drop for InvocationInProgress {
    fn drop(&mut self) {
        self.0.completed.fetch_add(1, Ordering::SeqCst);
        self.0.changed.notify_waiters();
    }
}

impl Tracker {
    /// Counts a notice in flight until the returned guard is dropped.
    pub fn notice_started(self: &Arc<Self>) -> NoticeInFlight {
        self.pending.fetch_add(1, Ordering::SeqCst);
        NoticeInFlight(self.clone())
    }

    /// Counts an invocation done when the returned guard is dropped.
    pub fn invocation_started(self: &Arc<Self>) -> InvocationInProgress {
        InvocationInProgress(self.clone())
    }

    /// Notices in flight now.
    pub fn in_flight(&self) -> usize {
        self.pending.load(Ordering::SeqCst)
    }

    /// Invocations done so far.
    pub fn invocations_done(&self) -> u64 {
        self.completed.load(Ordering::SeqCst)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_notice_that_panics_is_no_longer_in_flight() {
        let tracker = Arc::new(Tracker::default());
        let in_flight = tracker.notice_started();
        let task = tokio::spawn(async move {
            let _in_flight = in_flight;
            panic!("a library panicked while posting");
        });
        assert!(task.await.is_err_and(|e| e.is_panic()));
        assert_eq!(tracker.in_flight(), 0);
    }

    #[tokio::test]
    async fn a_cancelled_notice_is_no_longer_in_flight() {
        let tracker = Arc::new(Tracker::default());
        let in_flight = tracker.notice_started();
        let task = tokio::spawn(async move {
            let _in_flight = in_flight;
            std::future::pending::<()>().await;
        });
        assert_eq!(tracker.in_flight(), 1);
        task.abort();
        assert!(task.await.is_err_and(|e| e.is_cancelled()));
        assert_eq!(tracker.in_flight(), 0);
    }

    #[tokio::test]
    async fn an_invocation_that_panics_is_counted_done() {
        let tracker = Arc::new(Tracker::default());
        let invocation = tracker.invocation_started();
        let task = tokio::spawn(async move {
            let _invocation = invocation;
            panic!("the handler panicked");
        });
        assert!(task.await.is_err_and(|e| e.is_panic()));
        assert_eq!(tracker.invocations_done(), 1);
        // So the extension is not one behind: the first invocation is settled at once.
        tokio::time::timeout(Duration::from_secs(60), tracker.settled(1))
            .await
            .expect("settled");
    }
}
