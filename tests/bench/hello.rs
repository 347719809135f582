//! The cold-start baseline: the smallest axum server, on the same tokio runtime and release
//! profile as the function binaries, answering `GET /health` on `PROVRUM_ADDR`.

use axum::Router;
use axum::routing::get;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::var("PROVRUM_ADDR").unwrap_or_else(|_| "127.0.0.1:3000".into());
    let app = Router::new().route("/health", get(|| async { "ok" }));
    let listener = tokio::net::TcpListener::bind(addr).await?;
    axum::serve(listener, app).await
}
