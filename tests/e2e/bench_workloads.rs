//! The benchmark's workbooks are what BENCHMARKS.md says they are: valid, of the stated length,
//! with the sums the competitors are held to, and under the size they are named for.

use provrum_rules::ruleset::RuleSet;
use provrum_rules::{Context, Verdict};
use provrum_tests::bench::{budget_book, budget_sums, budget_xlsx_near};

fn checked(bytes: &[u8]) -> provrum_rules::Checked {
    let rs = RuleSet::provrum_2023();
    crate::helpers::checked(bytes, "bench.xlsx", Context::stateless(&rs))
}

#[test]
fn the_realistic_workbook_passes_every_rule_with_the_stated_sums() {
    let c = checked(&budget_book(60).to_xlsx());
    assert_eq!(c.report.findings, vec![]);
    assert_eq!(Verdict::of(&c.report.findings), Verdict::Ok);
    let (lines, total, base) = budget_sums(60);
    assert_eq!(c.submission.budget.len(), lines);
    assert_eq!(c.report.summary.total_budget_ore, total);
    assert_eq!(c.report.summary.base_funding_ore, base);
    assert_eq!(
        base.ore(),
        8_000_000,
        "80 000 kr of base funding, within BUD-4"
    );
}

#[test]
fn a_longer_workbook_keeps_its_sums_and_its_size_bound() {
    let (bytes, lines) = budget_xlsx_near(300_000);
    assert!(bytes.len() <= 300_000, "{} bytes", bytes.len());
    assert!(
        bytes.len() > 280_000,
        "{} bytes: too far under",
        bytes.len()
    );
    let c = checked(&bytes);
    assert_eq!(
        Verdict::of(&c.report.findings),
        Verdict::Ok,
        "{:?}",
        c.report.findings
    );
    let (_, total, base) = budget_sums(lines);
    assert_eq!(c.submission.budget.len(), lines);
    assert_eq!(c.report.summary.total_budget_ore, total);
    assert_eq!(c.report.summary.base_funding_ore, base);
}

/// Runs `provrum-bench` and reads its one JSON object.
fn bench(args: &[&str]) -> serde_json::Value {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_provrum-bench"))
        .args(args)
        .output()
        .expect("provrum-bench");
    assert!(
        out.status.success(),
        "provrum-bench {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON object")
}

#[test]
fn the_bench_tool_times_checks_starts_and_load_as_scripts_bench_reads_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("realistic.xlsx");
    std::fs::write(&file, budget_book(60).to_xlsx()).expect("write");
    let file = file.to_str().expect("path");

    let check = bench(&["check", file, "--runs", "3", "--warmup", "1"]);
    assert_eq!(check["times_ns"].as_array().map(Vec::len), Some(3));
    assert_eq!(check["lines"], 60);
    assert_eq!(check["verdict"], "ok");

    let db = dir.path().join("bench.db");
    let db = db.to_str().expect("path");
    let seeded = bench(&["seed", db, "--provrum", "2"]);
    let token = seeded["token"].as_str().expect("token");
    assert!(token.starts_with("prv_"), "{seeded}");

    // The raw calamine read of the same file: every cell, no sums.
    let raw = bench(&["calamine", file, "--runs", "2", "--warmup", "0"]);
    assert_eq!(raw["times_ns"].as_array().map(Vec::len), Some(2));
    assert!(raw["cells"].as_u64().is_some_and(|c| c >= 60 * 4), "{raw}");

    // The cold start of both baselines, twice, each to its first answer, started as Lambda
    // starts a function (the DynamoDB store from the environment); an answer other than 200 can
    // be the one expected (a function's 401 before it would read the store).
    let hello = env!("CARGO_BIN_EXE_hello-axum");
    let floor = env!("CARGO_BIN_EXE_dynamodb-floor");
    let cold = bench(&[
        "coldstart",
        "--runs",
        "2",
        "--env=PROVRUM_STORE=dynamodb",
        "--env=PROVRUM_TABLE=provrum-bench",
        "--env=AWS_REGION=eu-north-1",
        "--env=AWS_ACCESS_KEY_ID=bench",
        "--env=AWS_SECRET_ACCESS_KEY=bench",
        "--env=AWS_ENDPOINT_URL=http://127.0.0.1:9",
        &format!("hello-axum={hello}=/health=200"),
        &format!("dynamodb-floor={floor}=/health=200"),
        &format!("elsewhere={hello}=/elsewhere=404"),
    ]);
    for name in ["hello-axum", "dynamodb-floor", "elsewhere"] {
        assert_eq!(
            cold[name]["times_ns"].as_array().map(Vec::len),
            Some(2),
            "{name}: {cold}"
        );
    }

    // Load from a second process, on a fixed schedule.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let mut server = std::process::Command::new(hello)
        .env("PROVRUM_ADDR", format!("127.0.0.1:{port}"))
        .spawn()
        .expect("hello-axum");
    let url = format!("http://127.0.0.1:{port}/health");
    for _ in 0..500 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let load = bench(&[
        "load",
        "--url",
        &url,
        "--token",
        token,
        "--rate",
        "200",
        "--requests",
        "20",
        "--connections",
        "2",
    ]);
    let _ = server.kill();
    let _ = server.wait();
    assert_eq!(
        load["times_ns"].as_array().map(Vec::len),
        Some(20),
        "{load}"
    );
    assert_eq!(load["errors"], 0);

    // A route that is not there is a failure, not a measurement.
    let missing = format!("hello-axum={hello}=/status=200");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_provrum-bench"))
        .args(["coldstart", "--runs", "1", &missing])
        .output()
        .expect("provrum-bench");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("404"));
}
