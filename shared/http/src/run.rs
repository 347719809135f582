//! How a function binary runs: under the Lambda runtime when `AWS_LAMBDA_RUNTIME_API` is set,
//! otherwise on a local port. The same router serves both.

use crate::AppState;
use axum::Router;
use provrum_store::Store;
use provrum_store::dynamo::DynamoStore;
use provrum_store::sqlite::SqliteStore;
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

/// The store the environment names: `PROVRUM_STORE=dynamodb` with `PROVRUM_TABLE` (through the
/// standard AWS configuration chain), or the embedded store in `PROVRUM_DB` (default
/// `provrum.db`).
pub async fn store_from_env() -> Result<Arc<dyn Store>, RunError> {
    match std::env::var("PROVRUM_STORE").as_deref() {
        Ok("dynamodb") => {
            let table = std::env::var("PROVRUM_TABLE")
                .map_err(|_| RunError::Config("PROVRUM_TABLE is not set".into()))?;
            Ok(Arc::new(DynamoStore::from_env(table).await))
        }
        Ok("sqlite") | Err(_) => {
            let path = std::env::var("PROVRUM_DB").unwrap_or_else(|_| "provrum.db".into());
            Ok(Arc::new(SqliteStore::open(path)?))
        }
        Ok(other) => Err(RunError::Config(format!(
            "PROVRUM_STORE={other}: use sqlite or dynamodb"
        ))),
    }
}

/// What both ways of running a function share: JSON logs, panics logged, and the state over the
/// store and webhook the environment names, built once per process, with `routes` wrapped by
/// [`crate::app`].
async fn start(routes: Router<AppState>) -> Result<(AppState, Router), RunError> {
    crate::init_tracing();
    std::panic::set_hook(Box::new(|info| tracing::error!(panic = %info, "panic")));
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

/// Runs a function's `routes` under Lambda, or on a local port.
pub async fn run_function(routes: Router<AppState>) -> Result<(), RunError> {
    let (state, app) = start(routes).await?;
    if let Ok(api) = std::env::var("AWS_LAMBDA_RUNTIME_API") {
        let app = keep_awake_for_notices(&api, &state, app).await;
        return lambda_http::run(app)
            .await
            .map_err(|e| RunError::Lambda(e.to_string()));
    }
    serve_locally(app).await
}

/// Like [`run_function`], for a function that also takes events other than HTTP requests: under
/// Lambda, an API Gateway event goes to the router and any other event to `on_event`.
pub async fn run_function_with_events(
    routes: Router<AppState>,
    on_event: EventHandler,
) -> Result<(), RunError> {
    let (state, app) = start(routes).await?;
    if let Ok(api) = std::env::var("AWS_LAMBDA_RUNTIME_API") {
        let app = keep_awake_for_notices(&api, &state, app).await;
        let handler =
            lambda_http::service_fn(move |event: lambda_http::LambdaEvent<serde_json::Value>| {
                dispatch(app.clone(), state.clone(), on_event.clone(), event)
            });
        return lambda_http::lambda_runtime::run(handler)
            .await
            .map_err(|e| RunError::Lambda(e.to_string()));
    }
    serve_locally(app).await
}

async fn dispatch(
    app: Router,
    state: AppState,
    on_event: EventHandler,
    event: lambda_http::LambdaEvent<serde_json::Value>,
) -> Result<serde_json::Value, lambda_http::Error> {
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
    let outcome = on_event(state.clone(), payload).await;
    state.notices.invocation_done();
    outcome.map_err(lambda_http::Error::from)
}

/// With a webhook under Lambda: registers the extension that keeps the environment awake until
/// an invocation's notices are posted, and marks each HTTP invocation done when it has answered.
async fn keep_awake_for_notices(api: &str, state: &AppState, app: Router) -> Router {
    if state.webhook.is_none() {
        return app;
    }
    if let Err(e) = crate::extension::start(api, state.notices.clone()).await {
        tracing::warn!(error = %e, "no notices extension: notices may stall when Lambda freezes");
        return app;
    }
    let notices = state.notices.clone();
    app.layer(axum::middleware::from_fn(
        move |request: axum::extract::Request, next: axum::middleware::Next| {
            let notices = notices.clone();
            async move {
                let response = next.run(request).await;
                notices.invocation_done();
                response
            }
        },
    ))
}

/// Serves on `addr` until Ctrl-C or SIGTERM.
pub async fn serve(app: Router, addr: &str) -> Result<(), RunError> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(addr = %listener.local_addr()?, "listening");
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown())
        .await?;
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
