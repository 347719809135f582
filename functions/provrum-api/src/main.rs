//! The provrum-api function: its router, and the web page's, under Lambda or on a local port.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    // The web page reads and acts through every function's routes, in process.
    let api = axum::Router::from(provrum_api::every_route());
    let routes = axum::Router::from(provrum_api::routes()).merge(web::routes(api));
    provrum_http::run::run_function(routes).await
}
