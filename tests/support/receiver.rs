//! A webhook receiver on a free loopback port, standing in for Teams or Slack: it keeps every
//! payload, and can answer 503 (optionally after a wait), answer a fixed status, or hold each
//! post until the test lets it go.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use serde_json::Value;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{Notify, Semaphore};

#[derive(Clone, Default)]
pub struct Receiver {
    posts: Arc<Mutex<Vec<Value>>>,
    fail: Arc<Mutex<u32>>,
    status: Arc<Mutex<Option<u16>>>,
    slow: Arc<Mutex<Option<Duration>>>,
    held: Arc<Mutex<Option<Arc<Semaphore>>>>,
    arrived: Arc<Notify>,
    pub url: String,
}

impl Receiver {
    /// Starts one; its address is `url`.
    pub async fn start() -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let receiver = Receiver {
            url: format!("http://{}/hook", listener.local_addr().expect("addr")),
            ..Receiver::default()
        };
        let app = Router::new()
            .route("/hook", post(receive))
            .with_state(receiver.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        receiver
    }

    /// Answer 503 to the next `n` posts, each after `wait` if given.
    pub fn fail_next(&self, n: u32, wait: Option<Duration>) {
        *self.fail.lock().expect("lock") = n;
        *self.slow.lock().expect("lock") = wait;
    }

    /// Answer every post with `status`.
    pub fn answer(&self, status: Option<u16>) {
        *self.status.lock().expect("lock") = status;
    }

    /// Hold every post until [`Receiver::release`].
    pub fn hold(&self) {
        *self.held.lock().expect("lock") = Some(Arc::new(Semaphore::new(0)));
    }

    pub fn release(&self) {
        if let Some(gate) = self.held.lock().expect("lock").take() {
            gate.add_permits(Semaphore::MAX_PERMITS);
        }
    }

    pub fn posts(&self) -> Vec<Value> {
        self.posts.lock().expect("lock").clone()
    }

    /// Waits until at least `n` posts have arrived (at most 10 s).
    pub async fn wait_for(&self, n: usize) -> Vec<Value> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let notified = self.arrived.notified();
            if self.posts().len() >= n {
                return self.posts();
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                panic!("{} posts expected, {} arrived", n, self.posts().len());
            }
        }
    }
}

async fn receive(State(r): State<Receiver>, body: axum::body::Bytes) -> StatusCode {
    let payload: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    r.posts.lock().expect("lock").push(payload);
    r.arrived.notify_waiters();
    let gate = r.held.lock().expect("lock").clone();
    if let Some(gate) = gate {
        let _ = gate.acquire().await;
    }
    if let Some(code) = *r.status.lock().expect("lock") {
        return StatusCode::from_u16(code).unwrap_or(StatusCode::IM_A_TEAPOT);
    }
    let (failing, wait) = {
        let mut left = r.fail.lock().expect("lock");
        let failing = *left > 0;
        *left = left.saturating_sub(1);
        (failing, *r.slow.lock().expect("lock"))
    };
    if failing {
        if let Some(wait) = wait {
            tokio::time::sleep(wait).await;
        }
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    StatusCode::OK
}

/// The text of a Teams (Adaptive Card) payload: its title and lines, one per line.
pub fn card_text(payload: &Value) -> String {
    payload["attachments"][0]["content"]["body"]
        .as_array()
        .map(|blocks| {
            blocks
                .iter()
                .filter_map(|b| b["text"].as_str())
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}
