//! A stand-in of the Lambda Runtime API (the part a function uses: `next`, `response`, `error`),
//! so a function binary can be run as Lambda runs it and fed real API Gateway v2 events.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use std::path::Path as FsPath;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, mpsc};

/// What came back for one invocation.
#[derive(Debug)]
pub enum Outcome {
    Response(Value),
    Error(Value),
}

struct Runtime {
    events: Mutex<mpsc::Receiver<Value>>,
    outcomes: mpsc::Sender<Outcome>,
}

async fn next(State(rt): State<Arc<Runtime>>) -> (HeaderMap, Json<Value>) {
    // Hands out one event per call; when none is left the call waits, as Lambda's does.
    let event = rt.events.lock().await.recv().await.unwrap_or(Value::Null);
    let mut headers = HeaderMap::new();
    let id = format!("req-{}", std::process::id());
    for (k, v) in [
        ("lambda-runtime-aws-request-id", id.as_str()),
        ("lambda-runtime-deadline-ms", "4102444800000"),
        (
            "lambda-runtime-invoked-function-arn",
            "arn:aws:lambda:eu-north-1:123456789012:function:provrum-test",
        ),
        (
            "lambda-runtime-trace-id",
            "Root=1-00000000-000000000000000000000000",
        ),
    ] {
        if let Ok(v) = v.parse() {
            headers.insert(k, v);
        }
    }
    (headers, Json(event))
}

async fn on_response(
    State(rt): State<Arc<Runtime>>,
    Path(_id): Path<String>,
    body: axum::body::Bytes,
) -> StatusCode {
    let _ = rt
        .outcomes
        .send(Outcome::Response(
            serde_json::from_slice(&body).unwrap_or(Value::Null),
        ))
        .await;
    StatusCode::ACCEPTED
}

async fn error(State(rt): State<Arc<Runtime>>, body: axum::body::Bytes) -> StatusCode {
    let _ = rt
        .outcomes
        .send(Outcome::Error(
            serde_json::from_slice(&body).unwrap_or(Value::Null),
        ))
        .await;
    StatusCode::ACCEPTED
}

/// An API Gateway HTTP API (payload 2.0) event.
pub fn http_event(method: &str, path: &str, headers: &[(&str, &str)], body: Option<&str>) -> Value {
    let headers: serde_json::Map<String, Value> = headers
        .iter()
        .map(|(k, v)| (k.to_lowercase(), json!(v)))
        .collect();
    json!({
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": "",
        "headers": headers,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "provrum",
            "domainName": "provrum.execute-api.eu-north-1.amazonaws.com",
            "domainPrefix": "provrum",
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "192.0.2.1", "userAgent": "test"},
            "requestId": "test-request",
            "routeKey": "$default",
            "stage": "$default",
            "time": "27/Nov/2026:06:00:00 +0000",
            "timeEpoch": 1795500000000u64
        },
        "body": body,
        "isBase64Encoded": false
    })
}

/// Runs `binary` as Lambda would (Runtime API on loopback, the function's environment) over the
/// embedded store at `db`, feeds it `event`, and returns what it answered. The process is stopped
/// afterwards.
pub async fn invoke(binary: &FsPath, db: &FsPath, event: Value) -> Outcome {
    invoke_with_env(binary, db, event, &[]).await
}

/// [`invoke`] with more of the function's environment (a webhook address, say).
pub async fn invoke_with_env(
    binary: &FsPath,
    db: &FsPath,
    event: Value,
    env: &[(&str, &str)],
) -> Outcome {
    let (event_tx, event_rx) = mpsc::channel(1);
    let (outcome_tx, mut outcome_rx) = mpsc::channel(1);
    let runtime = Arc::new(Runtime {
        events: Mutex::new(event_rx),
        outcomes: outcome_tx,
    });
    let app = Router::new()
        .route("/2018-06-01/runtime/invocation/next", get(next))
        .route(
            "/2018-06-01/runtime/invocation/{id}/response",
            post(on_response),
        )
        .route("/2018-06-01/runtime/invocation/{id}/error", post(error))
        .route("/2018-06-01/runtime/init/error", post(error))
        .with_state(runtime);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let mut child = tokio::process::Command::new(binary)
        .env("AWS_LAMBDA_RUNTIME_API", addr.to_string())
        .env("AWS_LAMBDA_FUNCTION_NAME", "provrum-test")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "1")
        .env("AWS_REGION", "eu-north-1")
        .env("PROVRUM_STORE", "sqlite")
        .env("PROVRUM_DB", db)
        .envs(env.iter().copied())
        .kill_on_drop(true)
        .spawn()
        .expect("start the function");
    event_tx.send(event).await.expect("queue the event");
    let outcome = tokio::time::timeout(Duration::from_secs(30), outcome_rx.recv()).await;
    let _ = child.kill().await;
    server.abort();
    match outcome {
        Ok(Some(outcome)) => outcome,
        Ok(None) => panic!("the runtime stand-in closed without an answer"),
        Err(_) => panic!("{} gave no answer within 30 s", binary.display()),
    }
}

/// An embedded store at `db` with the kansli's organisation; returns a kansli token.
pub async fn seed_kansli(db: &FsPath) -> String {
    crate::seed_kansli(&provrum_store::sqlite::SqliteStore::open(db).expect("store")).await
}

/// The response of an invocation (panics on an error outcome).
pub fn response(outcome: Outcome) -> Value {
    match outcome {
        Outcome::Response(r) => r,
        Outcome::Error(e) => panic!("the function reported an error: {e}"),
    }
}
