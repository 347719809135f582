//! What the fuzz targets in `fuzz/` run, here so that the regression test replays every saved
//! input through the very same code (`tests/e2e/fuzz_regressions.rs`).
//!
//! Each function takes the fuzzer's bytes and panics when a promise is broken. A panic inside a
//! library, which [`provrum_workbook::read`] contains and answers with FORM-1, is not one: see
//! [`contain_library_panics`].
//!
//! - [`workbook`]: any bytes → the compliance result or FORM-1 alone, with known rule ids and
//!   locations on sheets the file has.
//! - [`xlsx_part`]: the valid workbook with one zip part replaced by the input, stored
//!   uncompressed, so the fuzzer mutates the XML itself and not a deflate stream.
//! - [`upload`]: an HTTP request to `budget-import` built from the input (route, token, framing,
//!   body) against a fresh embedded store: never a 5xx, every error a problem, and a stored
//!   budget version exactly when the leader got 201, with the hash of what was sent.

use crate::Book;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use provrum_rules::model::Status;
use provrum_rules::{Context, RuleSet};
use provrum_store::sqlite::SqliteStore;
use provrum_store::{Provrum, Store};
use std::io::{Cursor, Read, Write};
use std::path::Path;
use std::sync::{Arc, OnceLock};
use tower::ServiceExt;

/// A fuzz target: the fuzzer's bytes in, a panic when a promise is broken.
pub type Target = fn(&[u8]);

/// The targets, by name: what `scripts/fuzz` runs and the regression test replays.
pub const TARGETS: [(&str, Target); 3] = [
    ("workbook", workbook),
    ("xlsx_part", xlsx_part),
    ("upload", upload),
];

/// Silences the panic hook for panics raised in other crates' code, which the workbook reader
/// contains and answers with FORM-1 (the process's contract). A panic in this workspace's code
/// aborts, contained or not: the fuzzer reports it as a crash.
pub fn contain_library_panics() {
    std::panic::set_hook(Box::new(|info| {
        let ours = info.location().is_some_and(|l| {
            let file = l.file();
            !(file.contains("/.cargo/registry/")
                || file.contains("/rustc/")
                || file.starts_with("/rust/"))
        });
        if ours {
            eprintln!("panic in provrum's own code: {info}");
            std::process::abort();
        }
    }));
}

/// Any bytes, as an upload: the compliance result, or FORM-1 and nothing else.
pub fn workbook(data: &[u8]) {
    let rules = RuleSet::provrum_2023();
    let ctx = Context {
        ruleset: &rules,
        registered: None,
    };
    // The check as the service runs it (the Budget sheet streamed) is the check of the sheets
    // read whole, and each .xlsx part inflated once ends as when the guard checked the whole zip
    // first.
    let (read, checked) = crate::check_streamed_as_whole(data, "fuzz.xlsx", ctx);
    assert_eq!(
        read,
        provrum_workbook::read_guard_first(data, Some("fuzz.xlsx")),
        "inflating once changed the read"
    );
    let report = &checked.report;
    let unreadable = report.findings.iter().any(|f| f.rule == "FORM-1");
    if unreadable {
        assert_eq!(report.findings.len(), 1, "FORM-1 comes alone: {report:?}");
        assert_eq!(report.summary, Default::default());
        return;
    }
    // Read: the findings point into the workbook.
    let sheets: Vec<String> = match &read {
        Ok(workbook) => workbook.sheets.iter().map(|s| s.name.clone()).collect(),
        Err(e) => panic!("checked without FORM-1, but the read failed: {e}"),
    };
    for finding in &report.findings {
        let rule = provrum_rules::rule(&finding.rule)
            .unwrap_or_else(|| panic!("unknown rule {}", finding.rule));
        assert_eq!(rule.severity, finding.severity, "{}", finding.rule);
        assert!(
            !finding.text.sv.trim().is_empty(),
            "{}: no Swedish",
            rule.id
        );
        assert!(
            !finding.text.en.trim().is_empty(),
            "{}: no English",
            rule.id
        );
        if let Some(location) = &finding.location {
            assert!(
                sheets.contains(&location.sheet) || rule.id == "FORM-2",
                "{} points at sheet {:?}, not in {sheets:?}",
                rule.id,
                location.sheet
            );
        }
    }
    for lang in [provrum_rules::Lang::Sv, provrum_rules::Lang::En] {
        let rendered = serde_json::to_string(&report.render(lang));
        assert!(rendered.is_ok(), "the result renders as JSON");
    }
}

/// The valid workbook's zip parts, in order: (name, content).
fn valid_parts() -> &'static [(String, Vec<u8>)] {
    static PARTS: OnceLock<Vec<(String, Vec<u8>)>> = OnceLock::new();
    PARTS.get_or_init(|| {
        let bytes = Book::valid_sv().to_xlsx();
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("the fixture is a zip");
        (0..zip.len())
            .map(|i| {
                let mut entry = zip.by_index(i).expect("entry");
                let mut content = Vec::new();
                entry.read_to_end(&mut content).expect("entry content");
                (entry.name().expect("name").to_string(), content)
            })
            .collect()
    })
}

/// The valid workbook with part `index` (mod the number of parts) replaced by `content`, every
/// part stored uncompressed.
pub fn xlsx_with_part(index: usize, content: &[u8]) -> Vec<u8> {
    let parts = valid_parts();
    let replaced = index % parts.len();
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .large_file(false);
    for (i, (name, original)) in parts.iter().enumerate() {
        let body = if i == replaced {
            content
        } else {
            original.as_slice()
        };
        zip.start_file(name.as_str(), options).expect("zip entry");
        zip.write_all(body).expect("zip write");
    }
    zip.finish().expect("zip finish").into_inner()
}

/// The first byte picks a part of the valid workbook; the rest replaces it.
pub fn xlsx_part(data: &[u8]) {
    let Some((&index, content)) = data.split_first() else {
        return;
    };
    workbook(&xlsx_with_part(index as usize, content));
}

/// Who sends the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sender {
    Leader,
    OtherMember,
    Kansli,
    Stranger,
}

/// How the file is framed.
#[derive(Clone, Copy, Debug)]
enum Framing {
    Raw(Option<&'static str>),
    /// A form with the file in a part named `file`, or in a part with another name.
    Form {
        part: &'static str,
    },
    /// The input is the whole multipart body, boundary `B`.
    FormAsIs,
}

const RAW_TYPES: [Option<&str>; 8] = [
    Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    Some("application/vnd.oasis.opendocument.spreadsheet"),
    Some("application/vnd.ms-excel"),
    Some("application/octet-stream"),
    Some("application/zip"),
    Some("text/plain"),
    Some("application/json"),
    None,
];

/// A budget-import app over a fresh embedded store: a leader's, another member's and the
/// kansli's tokens, and one running provrum `pr_fuzzfuzzfuzzfuzz` led by the leader.
struct Stage {
    store: Arc<SqliteStore>,
    app: axum::Router,
    leader: String,
    other: String,
    kansli: String,
}

async fn stage() -> Stage {
    let store = Arc::new(SqliteStore::in_memory().expect("in-memory store"));
    let kansli = crate::seed_kansli(store.as_ref()).await;
    let now = chrono::Utc::now();
    // The organisations of the valid workbook (`Book::valid_sv`), so that it is this
    // provrum's (DELT-8) and its upload is stored.
    let names = |id: &str| {
        match id {
            "region-a" => "Region Östergötland",
            "region-b" => "Region Skåne",
            _ => "Norrköpings kommun",
        }
        .to_string()
    };
    let mut tokens = crate::seed_regions(
        store.as_ref(),
        &["region-a", "region-b", "norrkoping"],
        names,
    )
    .await;
    let mut provrum = Provrum {
        status: Status::Running,
        started_at: Some(now),
        quota_year: Some(2026),
        ..crate::led_provrum(
            "pr_fuzzfuzzfuzzfuzz",
            "Drönare – nya frågeställningar",
            "region-a",
            "region-b",
            now,
        )
    };
    provrum.participants.push(provrum_store::Participant {
        org: "norrkoping".into(),
        wants_to_lead: false,
        joined_at: now,
    });
    tokens.pop();
    crate::seed_provrum_as_is(store.as_ref(), &provrum).await;
    let state = provrum_http::AppState::new(store.clone());
    let other = tokens.pop().expect("two tokens");
    let leader = tokens.pop().expect("two tokens");
    Stage {
        store,
        app: budget_import::router(state),
        leader,
        other,
        kansli,
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
    })
}

/// The first byte picks the route and the sender, the second the framing and the language; the
/// rest is the file.
pub fn upload(data: &[u8]) {
    upload_status(data);
}

/// [`upload`], answering the response's status (`None` for inputs under two bytes).
pub fn upload_status(data: &[u8]) -> Option<StatusCode> {
    let [route, frame, file @ ..] = data else {
        return None;
    };
    let path = match route & 3 {
        0 | 1 => "/check",
        2 => "/provrum/pr_fuzzfuzzfuzzfuzz/budget",
        _ => "/provrum/pr_fuzzfuzzfuzznone/budget",
    };
    let sender = [
        Sender::Leader,
        Sender::OtherMember,
        Sender::Kansli,
        Sender::Stranger,
    ][(route >> 2 & 3) as usize];
    let framing = match frame & 15 {
        n @ 0..8 => Framing::Raw(RAW_TYPES[n as usize]),
        8..11 => Framing::Form { part: "file" },
        11 => Framing::Form { part: "fil" },
        _ => Framing::FormAsIs,
    };
    let lang = if frame & 16 == 0 { "sv" } else { "en" };
    Some(runtime().block_on(send(path, sender, framing, lang, file)))
}

async fn send(path: &str, sender: Sender, framing: Framing, lang: &str, file: &[u8]) -> StatusCode {
    let stage = stage().await;
    let token = match sender {
        Sender::Leader => stage.leader.clone(),
        Sender::OtherMember => stage.other.clone(),
        Sender::Kansli => stage.kansli.clone(),
        Sender::Stranger => "prv_not-a-token".to_string(),
    };
    let mut request = Request::post(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::ACCEPT_LANGUAGE, lang);
    let body = match framing {
        Framing::Raw(content_type) => {
            if let Some(content_type) = content_type {
                request = request.header(header::CONTENT_TYPE, content_type);
            }
            file.to_vec()
        }
        Framing::Form { part } => {
            // As a client does: a boundary the file does not contain (RFC 7578 §4.1), or the
            // form would end where the file happens to spell it.
            let boundary = (0u64..)
                .map(|n| format!("B{n}"))
                .find(|b| !contains(file, format!("--{b}").as_bytes()))
                .unwrap_or_default();
            request = request.header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            );
            let mut body = format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{part}\"; filename=\"f.xlsx\"\r\n\r\n"
            )
            .into_bytes();
            body.extend_from_slice(file);
            body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
            body
        }
        Framing::FormAsIs => {
            request = request.header(header::CONTENT_TYPE, "multipart/form-data; boundary=B");
            file.to_vec()
        }
    };
    let request = request.body(Body::from(body)).expect("request");
    let response = stage
        .app
        .clone()
        .oneshot(request)
        .await
        .expect("infallible");
    let status = response.status();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let bytes = axum::body::to_bytes(response.into_body(), 64 * 1024 * 1024)
        .await
        .expect("the body is read");
    let json: serde_json::Value = serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("{status}: the body is not JSON ({e})"));

    assert!(!status.is_server_error(), "{status}: {json}");
    if status.is_client_error() {
        assert!(
            content_type.starts_with("application/problem+json"),
            "{status} as {content_type}"
        );
        assert_eq!(json["status"], status.as_u16(), "{json}");
        assert!(
            json["title"].as_str().is_some_and(|t| !t.is_empty()),
            "{json}"
        );
    }
    if sender == Sender::Stranger {
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{json}");
    }
    if status.is_success() {
        let compliance = if path == "/check" {
            assert_eq!(status, StatusCode::OK);
            &json
        } else {
            assert_eq!(status, StatusCode::CREATED);
            &json["compliance"]
        };
        assert!(
            ["ok", "warnings", "errors"].contains(&compliance["verdict"].as_str().unwrap_or("")),
            "{json}"
        );
    }

    // The store: a budget version exactly when the leader's upload was accepted, whole.
    let versions = stage
        .store
        .list_budget_versions("pr_fuzzfuzzfuzzfuzz")
        .await
        .expect("versions");
    let provrum = stage
        .store
        .get_provrum("pr_fuzzfuzzfuzzfuzz")
        .await
        .expect("read")
        .expect("pr_fuzzfuzzfuzzfuzz");
    if status == StatusCode::CREATED {
        assert_eq!(sender, Sender::Leader, "only the leader uploads");
        assert_eq!(path, "/provrum/pr_fuzzfuzzfuzzfuzz/budget");
        assert_eq!(versions.len(), 1);
        assert_eq!(provrum.budget_versions, 1);
        let stored = stage
            .store
            .get_budget_version("pr_fuzzfuzzfuzzfuzz", 1)
            .await
            .expect("read")
            .expect("version 1");
        assert_eq!(
            stored.summary.sha256.len(),
            64,
            "the version has its file's hash"
        );
        if !matches!(framing, Framing::FormAsIs) {
            assert_eq!(stored.summary.sha256, provrum_store::sha256_hex(file));
        }
        assert_eq!(
            provrum.latest_budget.map(|b| b.sha256),
            Some(stored.summary.sha256)
        );
    } else {
        assert!(versions.is_empty(), "{status}, yet a version was stored");
        assert_eq!(provrum.budget_versions, 0);
        assert!(provrum.latest_budget.is_none());
    }
    status
}

/// Writes each target's starting corpus into `dir/<target>/`: valid workbooks in every format,
/// and the hostile files of the test suite that are small enough to mutate.
pub fn write_seeds(dir: &Path) -> std::io::Result<usize> {
    let book = Book::valid_sv();
    let mut files: Vec<(String, Vec<u8>)> = vec![
        ("valid.xlsx".into(), book.to_xlsx()),
        ("valid.ods".into(), book.to_ods()),
        ("valid.xls".into(), book.to_xls()),
        ("valid-en.xlsx".into(), Book::valid_en_shuffled().to_xlsx()),
        (
            "xls-panics-calamine".into(),
            crate::hostile::xls_that_panics_calamine(),
        ),
        ("corrupted.xlsx".into(), crate::hostile::corrupted()),
        ("xlsb".into(), crate::hostile::xlsb()),
        ("password".into(), crate::hostile::password_protected()),
        (
            "ods-repeated".into(),
            crate::hostile::ods_repeated_columns(),
        ),
        (
            "claimed-strings".into(),
            crate::hostile::claimed_strings(4_000_000_000),
        ),
    ];
    files.retain(|(_, bytes)| bytes.len() <= 256 * 1024);
    let mut written = 0;
    let mut put = |target: &str, name: &str, bytes: &[u8]| -> std::io::Result<()> {
        let dir = dir.join(target);
        std::fs::create_dir_all(&dir)?;
        std::fs::write(dir.join(name), bytes)?;
        written += 1;
        Ok(())
    };
    for (name, bytes) in &files {
        put("workbook", name, bytes)?;
    }
    for (i, (name, content)) in valid_parts().iter().enumerate() {
        let mut input = vec![i as u8];
        input.extend_from_slice(content);
        put("xlsx_part", &name.replace('/', "_"), &input)?;
    }
    let valid = book.to_xlsx();
    for (route, frame, name) in [
        (0u8, 0u8, "check-raw"),
        (0, 8, "check-form"),
        (2, 0, "upload-leader-raw"),
        (2, 8 | 16, "upload-leader-form-en"),
        (2 | 4, 0, "upload-other-member"),
        (2 | 8, 3, "upload-kansli"),
        (3, 0, "upload-unknown"),
    ] {
        let mut input = vec![route, frame];
        input.extend_from_slice(&valid);
        put("upload", name, &input)?;
    }
    let mut as_is = vec![2u8, 12];
    as_is.extend_from_slice(
        b"--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.xlsx\"\r\n\r\n",
    );
    as_is.extend_from_slice(&valid);
    as_is.extend_from_slice(b"\r\n--B--\r\n");
    put("upload", "upload-form-as-is", &as_is)?;
    Ok(written)
}
