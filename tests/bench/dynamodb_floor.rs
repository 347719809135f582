//! The cold-start floor of any Rust Lambda that talks to DynamoDB: the smallest axum server
//! ([`hello-axum`](hello.rs)) that also builds an `aws-sdk-dynamodb` client from the environment
//! (the standard AWS configuration chain) before it serves `GET /health` on `PROVRUM_ADDR`. The
//! functions start like this and then build their own state; scripts/bench compares them with it.

use axum::Router;
use axum::routing::get;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .load()
        .await;
    let client = aws_sdk_dynamodb::Client::new(&config);
    let addr = std::env::var("PROVRUM_ADDR").unwrap_or_else(|_| "127.0.0.1:3000".into());
    let app = Router::new().route(
        "/health",
        get(move || {
            // The client is kept, as a function keeps its store.
            let _client = &client;
            async { "ok" }
        }),
    );
    let listener = tokio::net::TcpListener::bind(addr).await?;
    axum::serve(listener, app).await
}
