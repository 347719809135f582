//! Hostile files through the real `provrum check` process: each ends in FORM-1 with a clear
//! message (or, where a file is merely odd, a correct result), within a bound on the CPU time
//! it spends, and no child ever peaks above 100 MB of resident memory.
//!
//! The bounds are on what the child consumed, never on wall-clock time: the machines that run
//! this are shared and noisy, and a debug build that needs 1.5 s on a quiet machine needs 2.5 s
//! with the other core busy. CPU time is what a decompression bomb or a quadratic parser
//! inflates, and it does not grow when the machine is busy. How fast a check is belongs to
//! `scripts/bench`, which records its numbers in BENCHMARKS.md.
//!
//! One test on purpose: getrusage(RUSAGE_CHILDREN) sums over (CPU time) and takes the running
//! maximum of (peak RSS) every child this process has waited for.

use nix::sys::resource::{Usage, UsageWho, getrusage};
use provrum_tests::hostile;
use std::process::Command;
use std::time::Duration;

/// CPU time (user + system) one `provrum check` of a hostile file may use in a debug build.
/// The slowest case needs about 1.5 s; a bomb that is inflated, or a grid that is expanded, costs
/// minutes. The margin is wide so that only a change in kind fails it.
const CPU_BOUND: Duration = Duration::from_secs(15);
/// The child is killed (SIGXCPU, then SIGKILL) past this much CPU time, so a runaway ends the
/// test with a clear failure instead of hanging CI.
const CPU_KILL_SECONDS: u64 = 60;
const MEMORY_BOUND_KB: i64 = 100 * 1024;

/// CPU time (user + system) of every child waited for so far.
fn children_cpu(usage: &Usage) -> Duration {
    let micros = |t: nix::sys::time::TimeVal| {
        Duration::from_secs(t.tv_sec().max(0).unsigned_abs())
            + Duration::from_micros(t.tv_usec().max(0).unsigned_abs())
    };
    micros(usage.user_time()) + micros(usage.system_time())
}

#[test]
fn hostile_files_end_cleanly_cheap_and_small() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cache = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let mut report = Vec::new();
    for case in hostile::cases(&cache) {
        let path = dir.path().join(case.file_name);
        std::fs::write(&path, &case.bytes).expect("write fixture");
        let before = children_cpu(&getrusage(UsageWho::RUSAGE_CHILDREN).expect("getrusage"));
        // prlimit (util-linux) sets RLIMIT_CPU and execs provrum in the same process.
        let output = Command::new("prlimit")
            .arg(format!("--cpu={CPU_KILL_SECONDS}"))
            .arg("--")
            .arg(env!("CARGO_BIN_EXE_provrum"))
            .args(["check", "--format", "json"])
            .arg(&path)
            .output()
            .expect("run provrum under prlimit");
        let usage = getrusage(UsageWho::RUSAGE_CHILDREN).expect("getrusage");
        let cpu = children_cpu(&usage).saturating_sub(before);
        let peak_kb = usage.max_rss();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let result: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
            panic!(
                "{}: no compliance JSON ({e}); exit {:?} after {cpu:?} of CPU; stderr: {}",
                case.name,
                output.status,
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
        assert!(cpu < CPU_BOUND, "{} used {cpu:?} of CPU", case.name);
        assert!(
            peak_kb < MEMORY_BOUND_KB,
            "{}: children peaked at {peak_kb} KB",
            case.name
        );
        report.push(format!(
            "{:<40} {:>6} ms CPU  peak so far {:>6} KB  {}",
            case.name,
            cpu.as_millis(),
            peak_kb,
            result["findings"][0]["message"]
        ));
    }
    println!("{}", report.join("\n"));
}
