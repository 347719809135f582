//! One request's log lines can be followed: its handler and every store call it makes run inside
//! the span that carries its request id and the route it matched, so with the JSON logs' span
//! list each line names the request it belongs to.
//!
//! A test binary of its own: `tracing` caches whether a callsite is enabled process-wide, so a
//! span first met by another test's thread (with no subscriber) could be skipped here. Alone in
//! its process, every callsite is first met under this test's subscriber.

use axum::body::Body;
use axum::http::Request;
use provrum_http::AppState;
use provrum_store::sqlite::SqliteStore;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tower::ServiceExt;
use tracing::span::{Attributes, Id};
use tracing_subscriber::Layer;
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;

/// A span's fields as text.
#[derive(Default)]
struct Fields(HashMap<String, String>);

impl tracing::field::Visit for Fields {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0
            .insert(field.name().to_string(), format!("{value:?}"));
    }

    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.0.insert(field.name().to_string(), value.to_string());
    }
}

/// A `store` span seen: its op and its enclosing request span's fields.
type StoreCall = (String, HashMap<String, String>);

/// Each `store` span seen.
#[derive(Clone, Default)]
struct StoreCalls(Arc<Mutex<Vec<StoreCall>>>);

impl<S: tracing::Subscriber + for<'a> LookupSpan<'a>> Layer<S> for StoreCalls {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut fields = Fields::default();
        attrs.record(&mut fields);
        let Some(span) = ctx.span(id) else { return };
        if span.name() == "store" {
            let request = span
                .scope()
                .skip(1)
                .find(|s| s.name() == "request")
                .and_then(|s| s.extensions().get::<Fields>().map(|f| f.0.clone()))
                .unwrap_or_default();
            let op = fields.0.get("op").cloned().unwrap_or_default();
            if let Ok(mut calls) = self.0.lock() {
                calls.push((op, request));
            }
        }
        span.extensions_mut().insert(fields);
    }
}

#[tokio::test(flavor = "current_thread")]
async fn every_store_call_runs_in_its_requests_span_with_the_request_id() {
    let calls = StoreCalls::default();
    let subscriber = tracing_subscriber::registry().with(calls.clone());
    let _guard = tracing::subscriber::set_default(subscriber);

    let store = Arc::new(SqliteStore::in_memory().expect("store"));
    let token = provrum_tests::seed_kansli(store.as_ref()).await;
    let app = provrum::all_routes(AppState::new(store));
    // Seeding ran outside any request; only the request's calls count.
    calls.0.lock().expect("calls").clear();
    let request = Request::get("/orgs")
        .header("authorization", format!("Bearer {token}"))
        .header("x-request-id", "req-16-spans")
        .body(Body::empty())
        .expect("request");
    let answer = app.oneshot(request).await.expect("answer");
    assert_eq!(answer.status(), 200);

    let calls = calls.0.lock().expect("calls").clone();
    let ops: Vec<&str> = calls.iter().map(|(op, _)| op.as_str()).collect();
    // Authentication reads the token, the handler reads a page of organisations.
    assert!(ops.contains(&"token_by_hash"), "{ops:?}");
    assert!(ops.contains(&"orgs_page"), "{ops:?}");
    for (op, request) in &calls {
        assert_eq!(
            request.get("request_id").map(String::as_str),
            Some("req-16-spans"),
            "{op} ran outside its request's span: {request:?}"
        );
        assert_eq!(
            request.get("route").map(String::as_str),
            Some("/orgs"),
            "{op}: {request:?}"
        );
    }
}
