//! The quota-report function: its router under Lambda (and the yearly schedule's events), or on a
//! local port.

use std::sync::Arc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    provrum_http::run::run_function_with_events(
        quota_report::routes(),
        Arc::new(|state, event| Box::pin(quota_report::on_event(state, event))),
    )
    .await
}
