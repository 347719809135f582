//! The provrum-api function: its router, and the web page's, under Lambda or on a local port.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let routes = axum::Router::from(provrum_api::routes()).merge(web::routes());
    provrum_http::run::run_function(routes).await
}
