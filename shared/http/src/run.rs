//! How a function binary runs: under the Lambda runtime when `AWS_LAMBDA_RUNTIME_API` is set,
//! otherwise on a local port. The same router serves both.

use crate::AppState;
use axum::Router;
use provrum_store::Store;
use provrum_store::dynamo::DynamoStore;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("configuration: {0}")]
    Config(String),
    #[error("store: {0}")]
    Store(#[from] provrum_store::StoreError),
    #[error("serve: {0}")]
    Io(#[from] std::io::Error),
    #[error("lambda runtime: {0}")]
    Lambda(String),
    #[error("webhook: {0}")]
    Webhook(#[from] provrum_notify::NotifyError),
}

/// What a function does with an event that is not an HTTP request (a schedule's, say): the
/// state and the event's JSON in, a JSON answer or an error message out.
pub type EventHandler = Arc<
    dyn Fn(
            AppState,
            serde_json::Value,
        ) -> std::pin::Pin<
            Box<dyn std::future::Future<Output = Result<serde_json::Value, String>> + Send>,
        > + Send
        + Sync,
>;

/// Whether this process was started by the Lambda runtime.
fn under_lambda() -> bool {
    std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some()
        || std::env::var_os("AWS_LAMBDA_FUNCTION_NAME").is_some()
}

/// The store the environment names: `PROVRUM_STORE=dynamodb` with `PROVRUM_TABLE` (through the
/// standard AWS configuration chain), or the embedded store in `PROVRUM_DB` (default
/// `provrum.db`). Under Lambda the store must be named: a function that fell back to SQLite
/// would write to its own /tmp, answer as if all were well, and lose everything at its next
/// cold start.
pub async fn store_from_env() -> Result<Arc<dyn Store>, RunError> {
    store_named(
        std::env::var("PROVRUM_STORE").ok().as_deref(),
        under_lambda(),
    )
    .await
}

async fn store_named(name: Option<&str>, under_lambda: bool) -> Result<Arc<dyn Store>, RunError> {
    match name {
        Some("dynamodb") => {
            let table = std::env::var("PROVRUM_TABLE")
                .ok()
                .filter(|t| !t.is_empty())
                .ok_or_else(|| {
                    RunError::Config("PROVRUM_STORE=dynamodb but PROVRUM_TABLE is not set".into())
                })?;
            Ok(Arc::new(DynamoStore::from_env(table).await))
        }
        None if under_lambda => Err(RunError::Config(
            "PROVRUM_STORE is not set: under Lambda set PROVRUM_STORE=dynamodb and \
             PROVRUM_TABLE (the function never falls back to SQLite in /tmp)"
                .into(),
        )),
        #[cfg(feature = "sqlite")]
        Some("sqlite") | None => {
            let path = std::env::var("PROVRUM_DB").unwrap_or_else(|_| "provrum.db".into());
            Ok(Arc::new(provrum_store::sqlite::SqliteStore::open(path)?))
        }
        #[cfg(not(feature = "sqlite"))]
        Some("sqlite") | None => Err(RunError::Config(
            "this build has no embedded store (it is built for Lambda, without the sqlite \
             feature): set PROVRUM_STORE=dynamodb and PROVRUM_TABLE, or run `provrum serve`"
                .into(),
        )),
        Some(other) => Err(RunError::Config(format!(
            "PROVRUM_STORE={}: use sqlite or dynamodb",
            other.chars().take(40).collect::<String>()
        ))),
    }
}

/// What both ways of running a function share: JSON logs, panics logged, and the state over the
/// store and webhook the environment names, built once per process, with `routes` wrapped by
/// [`crate::app`].
async fn start(routes: Router<AppState>) -> Result<(AppState, Router), RunError> {
    crate::init_tracing();
    std::panic::set_hook(Box::new(|info| tracing::error!(panic = %info, "panic")));
    if under_lambda() {
        let stack = std::env::var("PROVRUM_STACK").unwrap_or_else(|_| "provrum".into());
        crate::metrics::init(&stack);
    }
    let state =
        AppState::new(store_from_env().await?).with_webhook(provrum_notify::Webhook::from_env()?);
    let app = crate::app(routes, state.clone());
    Ok((state, app))
}

/// Outside Lambda: serves on `PROVRUM_ADDR` (default 127.0.0.1:3000).
async fn serve_locally(app: Router) -> Result<(), RunError> {
    let addr = std::env::var("PROVRUM_ADDR").unwrap_or_else(|_| "127.0.0.1:3000".into());
    serve(app, &addr).await
}

/// Runs a function's `routes` under Lambda, or on a local port. A function that cannot start
/// says why in one log line and exits with a failure, which Lambda reports as an init error.
pub async fn run_function(routes: impl Into<Router<AppState>>) -> ExitCode {
    exit(run(routes.into(), None).await)
}

/// Like [`run_function`], for a function that also takes events other than HTTP requests: under
/// Lambda, an API Gateway event goes to the router and any other event to `on_event`.
pub async fn run_function_with_events(
    routes: impl Into<Router<AppState>>,
    on_event: EventHandler,
) -> ExitCode {
    exit(run(routes.into(), Some(on_event)).await)
}

fn exit(outcome: Result<(), RunError>) -> ExitCode {
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // The subscriber may not be up if the error came before it; then stderr has it.
            if tracing::dispatcher::has_been_set() {
                tracing::error!(error = %e, "the function cannot run");
            } else {
                eprintln!("the function cannot run: {e}");
            }
            ExitCode::FAILURE
        }
    }
}

async fn run(routes: Router<AppState>, on_event: Option<EventHandler>) -> Result<(), RunError> {
    let (state, app) = start(routes).await?;
    let Ok(api) = std::env::var("AWS_LAMBDA_RUNTIME_API") else {
        return serve_locally(app).await;
    };
    keep_awake_for_notices(&api, &state).await;
    let handler =
        lambda_http::service_fn(move |event: lambda_http::LambdaEvent<serde_json::Value>| {
            dispatch(app.clone(), state.clone(), on_event.clone(), event)
        });
    lambda_http::lambda_runtime::run(handler)
        .await
        .map_err(|e| RunError::Lambda(e.to_string()))
}

/// One invocation: an API Gateway event goes to the router, any other to `on_event` (if the
/// function takes such events). However it ends — answered, refused before it reached the
/// router, failed or panicked — it is counted done for the notices extension.
///
/// Its business metrics are written when it ends. (Every log line it writes names Lambda's
/// request id and the X-Ray trace id: the runtime runs it in its span "Lambda runtime invoke",
/// with `requestId` and `xrayTraceId`.)
async fn dispatch(
    app: Router,
    state: AppState,
    on_event: Option<EventHandler>,
    event: lambda_http::LambdaEvent<serde_json::Value>,
) -> Result<serde_json::Value, lambda_http::Error> {
    let _done = state.notices.invocation_started();
    let _metrics = crate::metrics::Invocation::of(&event.context);
    let lambda_http::LambdaEvent { payload, context } = event;
    if payload.get("requestContext").is_some() {
        let request: lambda_http::request::LambdaRequest = serde_json::from_value(payload)?;
        let adapter = lambda_http::Adapter::from(app);
        let response = lambda_http::tower::ServiceExt::oneshot(
            adapter,
            lambda_http::LambdaEvent::new(request, context),
        )
        .await?;
        return Ok(serde_json::to_value(response)?);
    }
    let Some(on_event) = on_event else {
        return Err("this function takes API Gateway HTTP events only".into());
    };
    on_event(state.clone(), payload)
        .await
        .map_err(lambda_http::Error::from)
}

/// With a webhook under Lambda: registers the extension that keeps the environment awake until
/// an invocation's notices are posted (each invocation is counted done by [`dispatch`]).
async fn keep_awake_for_notices(api: &str, state: &AppState) {
    if state.webhook.is_none() {
        return;
    }
    if let Err(e) = crate::extension::start(api, state.notices.clone()).await {
        tracing::warn!(error = %e, "no notices extension: notices may stall when Lambda freezes");
    }
}

/// Serves on `addr` until Ctrl-C or SIGTERM.
pub async fn serve(app: Router, addr: &str) -> Result<(), RunError> {
    serve_on(app, tokio::net::TcpListener::bind(addr).await?).await
}

/// How long `provrum serve` waits for a client: for a request's headers once they have begun,
/// for a connection that sends nothing at all (a new one, or one kept alive after its last
/// answer), and for a whole request, its body included (a client trickling a byte a second is
/// cut off).
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    pub headers: std::time::Duration,
    pub idle: std::time::Duration,
    pub request: std::time::Duration,
}

impl Default for Timeouts {
    fn default() -> Timeouts {
        Timeouts {
            headers: std::time::Duration::from_secs(10),
            idle: std::time::Duration::from_secs(30),
            request: std::time::Duration::from_secs(60),
        }
    }
}

/// A connection that ends when nothing has come from the client for `idle`: a read that has
/// waited that long fails with `TimedOut`, and the server closes the connection.
struct Idle<T> {
    io: T,
    idle: std::time::Duration,
    deadline: std::pin::Pin<Box<tokio::time::Sleep>>,
}

impl<T> Idle<T> {
    fn new(io: T, idle: std::time::Duration) -> Idle<T> {
        Idle {
            io,
            idle,
            deadline: Box::pin(tokio::time::sleep(idle)),
        }
    }
}

impl<T: tokio::io::AsyncRead + Unpin> tokio::io::AsyncRead for Idle<T> {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        use std::task::Poll;
        let this = &mut *self;
        match std::pin::Pin::new(&mut this.io).poll_read(cx, buf) {
            Poll::Ready(done) => {
                let next = tokio::time::Instant::now() + this.idle;
                this.deadline.as_mut().reset(next);
                Poll::Ready(done)
            }
            Poll::Pending => match this.deadline.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(Err(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    "the client sent nothing for too long",
                ))),
                Poll::Pending => Poll::Pending,
            },
        }
    }
}

impl<T: tokio::io::AsyncWrite + Unpin> tokio::io::AsyncWrite for Idle<T> {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        data: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        std::pin::Pin::new(&mut self.io).poll_write(cx, data)
    }

    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

/// [`serve`] on a listener already bound (so that its address can be told first).
pub async fn serve_on(app: Router, listener: tokio::net::TcpListener) -> Result<(), RunError> {
    serve_with(app, listener, Timeouts::default(), shutdown()).await
}

/// [`serve_on`] with `timeouts`, until `stop` completes. Each connection knows its peer
/// (`ConnectInfo`), which the sign-in throttle counts by.
pub async fn serve_with(
    app: Router,
    listener: tokio::net::TcpListener,
    timeouts: Timeouts,
    stop: impl std::future::Future<Output = ()>,
) -> Result<(), RunError> {
    use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
    use tower::ServiceExt as _;
    tracing::info!(addr = %listener.local_addr()?, "listening");
    let app = app.layer(tower_http::timeout::TimeoutLayer::with_status_code(
        axum::http::StatusCode::REQUEST_TIMEOUT,
        timeouts.request,
    ));
    let mut builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(timeouts.headers);
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(Some(timeouts.headers))
        .keep_alive_timeout(timeouts.headers);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    tokio::pin!(stop);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    tracing::warn!(error = %e, "a connection could not be accepted");
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let app = app.clone();
        let service = hyper::service::service_fn(
            move |mut request: hyper::Request<hyper::body::Incoming>| {
                request
                    .extensions_mut()
                    .insert(axum::extract::ConnectInfo(peer));
                app.clone().oneshot(request.map(axum::body::Body::new))
            },
        );
        let connection = builder
            .serve_connection_with_upgrades(TokioIo::new(Idle::new(stream, timeouts.idle)), service)
            .into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "a connection ended");
            }
        });
    }
    // Requests under way finish; then the server stops.
    graceful.shutdown().await;
    Ok(())
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

    /// A server with short timeouts on a free port, answering `ok` (after reading the body).
    async fn short_server() -> std::net::SocketAddr {
        let app = Router::new().route(
            "/",
            axum::routing::post(|body: axum::body::Bytes| async move { format!("{}", body.len()) })
                .get(|| async { "ok" }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let timeouts = Timeouts {
            headers: std::time::Duration::from_millis(300),
            idle: std::time::Duration::from_millis(400),
            request: std::time::Duration::from_millis(600),
        };
        tokio::spawn(serve_with(app, listener, timeouts, std::future::pending()));
        addr
    }

    /// Reads until the server closes the connection (or 10 s pass, far beyond any timeout
    /// here): what it sent.
    async fn until_closed(stream: &mut tokio::net::TcpStream) -> Option<String> {
        let mut seen = Vec::new();
        let read = tokio::time::timeout(std::time::Duration::from_secs(10), async {
            let mut buf = [0u8; 1024];
            loop {
                match stream.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => seen.extend_from_slice(&buf[..n]),
                }
            }
        })
        .await;
        read.ok()
            .map(|()| String::from_utf8_lossy(&seen).into_owned())
    }

    #[tokio::test]
    async fn a_client_that_sends_nothing_or_idles_is_let_go() {
        let addr = short_server().await;
        // Connected, silent: closed once the headers' time is up.
        let mut silent = tokio::net::TcpStream::connect(addr).await.expect("connect");
        assert_eq!(until_closed(&mut silent).await.as_deref(), Some(""));
        // Half a header, then nothing.
        let mut slow = tokio::net::TcpStream::connect(addr).await.expect("connect");
        slow.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n")
            .await
            .expect("write");
        assert!(
            until_closed(&mut slow).await.is_some(),
            "a slow header is cut off"
        );
        // A request answered, then the connection kept alive and idle: closed too.
        let mut idle = tokio::net::TcpStream::connect(addr).await.expect("connect");
        idle.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .expect("write");
        let seen = until_closed(&mut idle).await.expect("closed after idling");
        assert!(seen.starts_with("HTTP/1.1 200"), "{seen}");
    }

    #[tokio::test]
    async fn a_body_trickled_a_byte_at_a_time_is_timed_out() {
        let addr = short_server().await;
        let mut trickle = tokio::net::TcpStream::connect(addr).await.expect("connect");
        trickle
            .write_all(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n")
            .await
            .expect("write");
        let writer = tokio::spawn(async move {
            for _ in 0..100 {
                if trickle.write_all(b"x").await.is_err() {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            trickle
        });
        let mut trickle = writer.await.expect("writer");
        let seen = until_closed(&mut trickle).await.unwrap_or_default();
        assert!(seen.starts_with("HTTP/1.1 408"), "{seen}");
    }

    fn state() -> AppState {
        let store = provrum_store::sqlite::SqliteStore::in_memory().expect("store");
        AppState::new(Arc::new(store))
    }

    fn event(payload: serde_json::Value) -> lambda_http::LambdaEvent<serde_json::Value> {
        lambda_http::LambdaEvent::new(payload, lambda_http::Context::default())
    }

    #[tokio::test]
    async fn an_invocation_that_fails_before_the_router_is_counted_done() {
        let state = state();
        // Shaped like an API Gateway event, but not one: refused before the router.
        let broken = event(serde_json::json!({"requestContext": 7, "rawPath": []}));
        let answer = dispatch(Router::new(), state.clone(), None, broken).await;
        assert!(answer.is_err());
        assert_eq!(state.notices.invocations_done(), 1);
    }

    #[tokio::test]
    async fn an_event_a_function_does_not_take_is_refused_and_counted_done() {
        let state = state();
        let answer = dispatch(
            Router::new(),
            state.clone(),
            None,
            event(serde_json::json!({"kind": "yearly-quota-report"})),
        )
        .await;
        assert!(answer.is_err());
        assert_eq!(state.notices.invocations_done(), 1);
    }

    #[tokio::test]
    async fn an_event_handler_that_panics_is_counted_done() {
        let state = state();
        let on_event: EventHandler = Arc::new(|_, _| Box::pin(async { panic!("a bug") }));
        // The router's body is not Sync, so the invocation runs as a local task.
        let local = tokio::task::LocalSet::new();
        let invocation = local
            .run_until(async {
                tokio::task::spawn_local(dispatch(
                    Router::new(),
                    state.clone(),
                    Some(on_event),
                    event(serde_json::json!({"kind": "anything"})),
                ))
                .await
            })
            .await;
        assert!(invocation.is_err_and(|e| e.is_panic()));
        assert_eq!(state.notices.invocations_done(), 1);
    }

    #[tokio::test]
    async fn under_lambda_a_store_must_be_named() {
        let refused = store_named(None, true).await.err().expect("refused");
        assert!(
            refused.to_string().contains("PROVRUM_STORE is not set"),
            "{refused}"
        );
        assert!(store_named(Some("mongodb"), true).await.is_err());
    }
}
