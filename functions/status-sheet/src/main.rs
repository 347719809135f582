//! The status-sheet function: its router under Lambda, or on a local port.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    provrum_http::run::run_function(status_sheet::routes()).await
}
