//! What `provrum serve` runs, as a library so the end-to-end tests run exactly the same thing.

pub mod docs;

use axum::Router;
use provrum_http::AppState;

/// Every function's routes on one router: the local server's whole API, and the web page.
pub fn all_routes(state: AppState) -> Router {
    let api = Router::from(provrum_api::every_route());
    provrum_http::app(api.clone().merge(web::routes(api)), state)
}
