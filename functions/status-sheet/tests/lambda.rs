//! The binary under the Lambda runtime, fed real API Gateway v2 events.

use provrum_tests::lambda::{http_event, invoke, response, seeded_db};

#[tokio::test]
async fn answers_api_gateway_events_under_the_lambda_runtime() {
    let (_dir, db, kansli) = seeded_db().await;
    let binary = std::path::Path::new(env!("CARGO_BIN_EXE_status-sheet"));
    let auth = format!("Bearer {kansli}");
    let r = response(
        invoke(
            binary,
            &db,
            http_event(
                "GET",
                "/status",
                &[("authorization", &auth), ("accept", "text/csv")],
                None,
            ),
        )
        .await,
    );
    assert_eq!(r["statusCode"], 200, "{r}");
    assert!(
        r["body"]
            .as_str()
            .unwrap_or_default()
            .starts_with("id,title,status,ready"),
        "{r}"
    );
    let r = response(invoke(binary, &db, http_event("GET", "/status", &[], None)).await);
    assert_eq!(r["statusCode"], 401);
}

#[test]
fn under_lambda_without_a_named_store_the_init_fails_with_one_clear_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_status-sheet"))
        .current_dir(dir.path())
        // Never reached: the function must stop before it asks for an event.
        .env("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9")
        .env("AWS_LAMBDA_FUNCTION_NAME", "provrum-test")
        .env("TMPDIR", dir.path())
        .env_remove("PROVRUM_STORE")
        .env_remove("PROVRUM_TABLE")
        .env_remove("PROVRUM_DB")
        .output()
        .expect("run the function");
    assert!(!output.status.success(), "{output:?}");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let lines: Vec<&str> = said.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line, not {lines:#?}");
    assert!(
        lines[0].contains("PROVRUM_STORE is not set") && lines[0].contains("\"level\":\"ERROR\""),
        "{}",
        lines[0]
    );
    // Nothing written: no SQLite file in the working directory or in TMPDIR.
    let written: Vec<_> = std::fs::read_dir(dir.path())
        .expect("read dir")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert!(written.is_empty(), "wrote {written:?}");
}
