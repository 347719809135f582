//! A token never reaches the logs: a real `provrum serve`, logging everything (`PROVRUM_LOG=trace`),
//! sees tokens created, used, refused, revoked and used again, and its output holds none of
//! them — nor their hashes.

mod common;

use common::{ADD_KANSLI, provrum};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// `provrum ARGS`, which must succeed: its stdout.
fn run(args: &[&str]) -> String {
    let out = provrum(args, &[]);
    assert!(
        out.status.success(),
        "provrum {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// One HTTP/1.1 request; the status and the body.
fn call(addr: &str, method: &str, path: &str, auth: Option<&str>, body: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    let auth = auth
        .map(|a| format!("Authorization: {a}\r\n"))
        .unwrap_or_default();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Content-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).expect("send");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("answer");
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

fn field(json: &str, name: &str) -> String {
    let value: serde_json::Value = serde_json::from_str(json).expect("JSON");
    value[name].as_str().expect(name).to_string()
}

#[test]
fn no_token_reaches_the_logs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("provrum.db");
    let db = db.to_str().expect("utf-8 path");
    run(&[&ADD_KANSLI[..], &["--db", db]].concat());
    let kansli = run(&["token", "create", "--org", "reglab", "--db", db]);
    assert!(kansli.starts_with("prv_"), "{kansli}");

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let addr = format!("127.0.0.1:{port}");
    let (out, err) = (dir.path().join("serve.out"), dir.path().join("serve.err"));
    let mut serve = Command::new(env!("CARGO_BIN_EXE_provrum"))
        .args(["serve", "--db", db, "--addr", &addr])
        .env("PROVRUM_LOG", "trace")
        .env("RUST_LOG", "trace")
        .stdout(std::fs::File::create(&out).expect("log"))
        .stderr(Stdio::from(std::fs::File::create(&err).expect("log")))
        .spawn()
        .expect("serve");
    let started = Instant::now();
    while TcpStream::connect(&addr).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "provrum serve did not listen"
        );
        std::thread::sleep(Duration::from_millis(50));
    }

    let bearer = |t: &str| format!("Bearer {t}");
    let (status, _) = call(
        &addr,
        "POST",
        "/orgs",
        Some(&bearer(&kansli)),
        r#"{"id":"region-a","name":"Region A","kind":"region","membership":"member"}"#,
    );
    assert_eq!(status, 201);
    let (status, created) = call(
        &addr,
        "POST",
        "/orgs/region-a/tokens",
        Some(&bearer(&kansli)),
        r#"{"label":"läcka"}"#,
    );
    assert_eq!(status, 201, "{created}");
    let member = field(&created, "token");
    let member_id = field(&created, "id");
    let guessed = format!("prv_{}", "a".repeat(52));
    let basic = "Basic cmVnaW9uLWE6aGVtbGlndA==";
    for (auth, expected) in [
        (bearer(&member), 200),
        (bearer(&guessed), 401),
        (basic.to_string(), 401),
        (format!("bearer   {member}  "), 200),
    ] {
        let (status, body) = call(&addr, "GET", "/provrum", Some(&auth), "");
        assert_eq!(status, expected, "{auth}: {body}");
    }
    let (status, _) = call(
        &addr,
        "DELETE",
        &format!("/tokens/{member_id}"),
        Some(&bearer(&kansli)),
        "",
    );
    assert_eq!(status, 204);
    let (status, _) = call(&addr, "GET", "/provrum", Some(&bearer(&member)), "");
    assert_eq!(status, 401, "revoked");

    let _ = serve.kill();
    let _ = serve.wait();
    let logs = std::fs::read_to_string(&out).expect("logs")
        + &std::fs::read_to_string(&err).expect("logs");
    // The logs are there, and detailed: the requests, and the revoked token by its id.
    assert!(logs.contains("/orgs/region-a/tokens"), "{logs}");
    assert!(logs.contains("revoked token used") && logs.contains(&member_id));
    for (what, secret) in [
        ("the kansli's token", kansli.as_str()),
        ("a member's token", member.as_str()),
        ("a guessed token", guessed.as_str()),
        ("a Basic credential", basic),
    ] {
        let secret = secret.trim_start_matches("Basic ");
        assert!(!logs.contains(secret), "{what} is in the logs");
        let hash = provrum_store::hash_token(secret);
        assert!(!logs.contains(&hash), "{what}'s hash is in the logs");
    }
    assert!(
        !logs.contains("prv_"),
        "something token-like is in the logs"
    );
    assert!(
        !logs.to_ascii_lowercase().contains("authorization"),
        "an Authorization header is in the logs"
    );
}
