//! The quota-report function: its router under Lambda, or on a local port.

#[tokio::main]
async fn main() -> Result<(), provrum_http::run::RunError> {
    provrum_http::run::run_function(quota_report::routes()).await
}
