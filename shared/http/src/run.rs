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
}

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

/// Runs a function: `routes` wrapped by [`crate::app`] over the store from the environment, built
/// once per process.
pub async fn run_function(routes: Router<AppState>) -> Result<(), RunError> {
    crate::init_tracing();
    std::panic::set_hook(Box::new(|info| tracing::error!(panic = %info, "panic")));
    let state = AppState::new(store_from_env().await?);
    let app = crate::app(routes, state);
    if std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some() {
        return lambda_http::run(app)
            .await
            .map_err(|e| RunError::Lambda(e.to_string()));
    }
    let addr = std::env::var("PROVRUM_ADDR").unwrap_or_else(|_| "127.0.0.1:3000".into());
    serve(app, &addr).await
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
