//! A stand-in of the Lambda Runtime API (the part a function uses: `next`, `response`, `error`,
//! and the Extensions API's `register` and `event/next`), so a function binary can be run as Lambda
//! runs it and fed real API Gateway v2 events. As Lambda does, it "freezes" the environment (here:
//! kills the process) once the function has answered and every registered extension has asked for
//! its next event.

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
    /// The extension's INVOKE events, sent when the runtime takes its event.
    extension_events: Mutex<Option<mpsc::Receiver<Value>>>,
    extension_tx: Mutex<Option<mpsc::Sender<Value>>>,
    /// How many times the extension has asked for its next event.
    extension_calls: std::sync::atomic::AtomicU32,
    extension_waiting: tokio::sync::Notify,
}

async fn register(State(rt): State<Arc<Runtime>>) -> (HeaderMap, Json<Value>) {
    let (tx, rx) = mpsc::channel(4);
    *rt.extension_tx.lock().await = Some(tx);
    *rt.extension_events.lock().await = Some(rx);
    let mut headers = HeaderMap::new();
    if let Ok(v) = "ext-1".parse() {
        headers.insert("lambda-extension-identifier", v);
    }
    (
        headers,
        Json(
            json!({"functionName": "provrum-test", "functionVersion": "1", "handler": "bootstrap"}),
        ),
    )
}

async fn extension_next(State(rt): State<Arc<Runtime>>) -> Json<Value> {
    rt.extension_calls
        .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    rt.extension_waiting.notify_waiters();
    let mut events = rt.extension_events.lock().await;
    let event = match events.as_mut() {
        Some(rx) => rx.recv().await,
        None => None,
    };
    Json(event.unwrap_or(Value::Null))
}

async fn next(State(rt): State<Arc<Runtime>>) -> (HeaderMap, Json<Value>) {
    // Hands out one event per call; when none is left the call waits, as Lambda's does.
    let event = rt.events.lock().await.recv().await.unwrap_or(Value::Null);
    let mut headers = HeaderMap::new();
    let id = format!("req-{}", std::process::id());
    if let Some(tx) = rt.extension_tx.lock().await.as_ref() {
        let _ = tx
            .send(json!({"eventType": "INVOKE", "requestId": id, "deadlineMs": 4102444800000u64}))
            .await;
    }
    for (k, v) in [
        ("lambda-runtime-aws-request-id", id.as_str()),
        ("lambda-runtime-deadline-ms", "4102444800000"),
        (
            "lambda-runtime-invoked-function-arn",
            "arn:aws:lambda:eu-north-1:123456789012:function:provrum-test",
        ),
        ("lambda-runtime-trace-id", TRACE_ID),
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

/// The X-Ray trace header every invocation is given, as Lambda gives it with active tracing.
pub const TRACE_ID: &str =
    "Root=1-6749f3a0-5f1c2b7e9d8a4c3b2a1f0e9d;Parent=53995c3f42cd8ad8;Sampled=1";

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
    invoke_logged(binary, db, event, env).await.0
}

/// [`invoke_with_env`], and the lines the function wrote to stdout (its logs, as CloudWatch
/// Logs would receive them).
pub async fn invoke_logged(
    binary: &FsPath,
    db: &FsPath,
    event: Value,
    env: &[(&str, &str)],
) -> (Outcome, Vec<String>) {
    let (event_tx, event_rx) = mpsc::channel(1);
    let (outcome_tx, mut outcome_rx) = mpsc::channel(1);
    let runtime = Arc::new(Runtime {
        events: Mutex::new(event_rx),
        outcomes: outcome_tx,
        extension_events: Mutex::new(None),
        extension_tx: Mutex::new(None),
        extension_calls: std::sync::atomic::AtomicU32::new(0),
        extension_waiting: tokio::sync::Notify::new(),
    });
    let app = Router::new()
        .route("/2018-06-01/runtime/invocation/next", get(next))
        .route(
            "/2018-06-01/runtime/invocation/{id}/response",
            post(on_response),
        )
        .route("/2018-06-01/runtime/invocation/{id}/error", post(error))
        .route("/2018-06-01/runtime/init/error", post(error))
        .route("/2020-01-01/extension/register", post(register))
        .route("/2020-01-01/extension/event/next", get(extension_next))
        .with_state(runtime.clone());
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
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start the function");
    let stdout = child.stdout.take().expect("piped stdout");
    let logged = tokio::spawn(async move {
        use tokio::io::AsyncBufReadExt;
        let mut lines = tokio::io::BufReader::new(stdout).lines();
        let mut logged = Vec::new();
        while let Ok(Some(line)) = lines.next_line().await {
            logged.push(line);
        }
        logged
    });
    event_tx.send(event).await.expect("queue the event");
    let outcome = tokio::time::timeout(Duration::from_secs(30), outcome_rx.recv()).await;
    // Freeze: at once, or, with an extension, once it has asked for its next event again (its
    // first call was before the invocation).
    if runtime.extension_tx.lock().await.is_some() {
        let asked_again = async {
            loop {
                let waiting = runtime.extension_waiting.notified();
                tokio::pin!(waiting);
                waiting.as_mut().enable();
                if runtime
                    .extension_calls
                    .load(std::sync::atomic::Ordering::SeqCst)
                    >= 2
                {
                    return;
                }
                waiting.await;
            }
        };
        let _ = tokio::time::timeout(Duration::from_secs(30), asked_again).await;
    }
    let _ = child.kill().await;
    server.abort();
    let logged = logged.await.unwrap_or_default();
    match outcome {
        Ok(Some(outcome)) => (outcome, logged),
        Ok(None) => panic!("the runtime stand-in closed without an answer"),
        Err(_) => panic!("{} gave no answer within 30 s", binary.display()),
    }
}

/// A fresh embedded store in a temporary directory with the kansli's organisation: the directory
/// (the store lives as long as it does), the database's path and a kansli token.
pub async fn seeded_db() -> (tempfile::TempDir, std::path::PathBuf, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("provrum.db");
    let store = provrum_store::sqlite::SqliteStore::open(&db).expect("store");
    let kansli = crate::seed_kansli(&store).await;
    (dir, db, kansli)
}

/// The response of an invocation (panics on an error outcome).
pub fn response(outcome: Outcome) -> Value {
    match outcome {
        Outcome::Response(r) => r,
        Outcome::Error(e) => panic!("the function reported an error: {e}"),
    }
}

/// A provrum in the store at `db` as a function meets it once proposed, joined and led: `org-a`
/// (a region, leading) and `org-b` (a region) take part, with no budget yet. The provrum's id
/// and a token of `org-a`, the leader. Written straight into the store, as the functions under
/// test here do not take those steps.
pub async fn led_provrum_in(db: &FsPath) -> (String, String) {
    let store = provrum_store::sqlite::SqliteStore::open(db).expect("store");
    let tokens = crate::seed_regions(&store, &["org-a", "org-b"], |id| format!("Org {id}")).await;
    let id = provrum_store::new_id(provrum_rules::ids::ProvrumId::PREFIX);
    let provrum = crate::led_provrum(&id, "Nattbussar", "org-a", "org-b", chrono::Utc::now());
    crate::seed_provrum_as_is(&store, &provrum).await;
    (id, tokens[0].clone())
}

/// An API Gateway HTTP API event with a binary body (a workbook), as API Gateway sends one:
/// base64-encoded.
pub fn http_event_bytes(method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Value {
    use base64::Engine;
    let mut event = http_event(method, path, headers, None);
    event["body"] = json!(base64::engine::general_purpose::STANDARD.encode(body));
    event["isBase64Encoded"] = json!(true);
    event
}

/// The EMF lines of a function's stdout, each checked against the format ([`crate::emf`]), and
/// printed, so `cargo test -- --nocapture` shows what CloudWatch would receive.
pub fn checked_emf(stdout: &[String]) -> Vec<Value> {
    let lines = crate::emf::lines(stdout);
    for line in &lines {
        println!("{line}");
        let problems = crate::emf::problems(line);
        assert!(problems.is_empty(), "{line}: {problems:?}");
    }
    lines
}
