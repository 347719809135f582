//! Hostile files through the real `provrum check` process: each ends in FORM-1 with a clear
//! message (or, where a file is merely odd, a correct result), within a time bound, and no child
//! ever peaks above 100 MB of resident memory.
//!
//! One test on purpose: the peak RSS of children is read with getrusage(RUSAGE_CHILDREN), which
//! is a running maximum over every child this process has waited for.

use nix::sys::resource::{UsageWho, getrusage};
use provrum_tests::hostile;
use std::process::Command;
use std::time::{Duration, Instant};

/// Issue 8: "each ending in FORM-1 or a correct check within 2 s and 100 MB" (a debug build).
const TIME_BOUND: Duration = Duration::from_secs(2);
const MEMORY_BOUND_KB: i64 = 100 * 1024;

#[test]
fn hostile_files_end_cleanly_fast_and_small() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cache = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let mut report = Vec::new();
    for case in hostile::cases(&cache) {
        let path = dir.path().join(case.file_name);
        std::fs::write(&path, &case.bytes).expect("write fixture");
        let started = Instant::now();
        let output = Command::new(env!("CARGO_BIN_EXE_provrum"))
            .args(["check", "--format", "json"])
            .arg(&path)
            .output()
            .expect("run provrum");
        let elapsed = started.elapsed();
        let peak_kb = getrusage(UsageWho::RUSAGE_CHILDREN)
            .expect("getrusage")
            .max_rss();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let result: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
            panic!(
                "{}: no compliance JSON ({e}); stderr: {}",
                case.name,
                String::from_utf8_lossy(&output.stderr)
            )
        });
        match case.form_1 {
            Some(words) => {
                assert_eq!(output.status.code(), Some(1), "{}: {stdout}", case.name);
                assert_eq!(
                    result["findings"][0]["rule"], "FORM-1",
                    "{}: {stdout}",
                    case.name
                );
                let message = result["findings"][0]["message"]
                    .as_str()
                    .unwrap_or_default();
                assert!(
                    message.contains(words),
                    "{}: {message:?} should say {words:?}",
                    case.name
                );
            }
            None => {
                assert_eq!(output.status.code(), Some(0), "{}: {stdout}", case.name);
                assert_eq!(result["verdict"], "ok", "{}: {stdout}", case.name);
            }
        }
        assert!(elapsed < TIME_BOUND, "{} took {elapsed:?}", case.name);
        assert!(
            peak_kb < MEMORY_BOUND_KB,
            "{}: children peaked at {peak_kb} KB",
            case.name
        );
        report.push(format!(
            "{:<40} {:>6} ms  peak so far {:>6} KB  {}",
            case.name,
            elapsed.as_millis(),
            peak_kb,
            result["findings"][0]["message"]
        ));
    }
    println!("{}", report.join("\n"));
}
