//! The provrum-api function: its router under Lambda, or on a local port.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    provrum_http::run::run_function(provrum_api::routes()).await
}
