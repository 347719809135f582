//! The provrum-api function: its router, and the web page's, under Lambda or on a local port.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    // The web page reads and acts through every function's routes, in process; they are built
    // when the first page asks, not at every cold start.
    let pages = web::routes_over(|| axum::Router::from(provrum_api::every_route()));
    let routes = provrum_api::serving().merge(pages);
    provrum_http::run::run_function(routes).await
}
