//! The binary under the Lambda runtime, fed real API Gateway v2 events: what it counts.

use provrum_tests::emf;
use provrum_tests::lambda::{
    TRACE_ID, checked_emf, http_event_bytes, invoke_logged, led_provrum_in, response, seeded_db,
};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The JSON log lines written inside an invocation (in the runtime's span; EMF lines have none).
fn invocation_logs(stdout: &[String]) -> Vec<serde_json::Value> {
    stdout
        .iter()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|l| l.get("spans").is_some())
        .collect()
}

/// One upload by the leader: the workbook checked (its verdict and format) and the budget
/// version stored, as EMF lines in the function's own log, each valid by the format's published
/// schema and naming the invocation and its trace.
#[tokio::test]
async fn an_upload_writes_its_business_metrics_as_valid_emf() {
    let (_dir, db, _kansli) = seeded_db().await;
    let (id, leader) = led_provrum_in(&db).await;
    let binary = std::path::Path::new(env!("CARGO_BIN_EXE_budget-import"));
    let auth = format!("Bearer {leader}");
    let workbook = provrum_tests::app::workbook("org-a", &["org-b"]);
    let env = [("PROVRUM_STACK", "provrum-test")];
    let event = http_event_bytes(
        "POST",
        &format!("/provrum/{id}/budget"),
        &[("authorization", &auth), ("content-type", XLSX)],
        &workbook,
    );
    let (outcome, stdout) = invoke_logged(binary, &db, event, &env).await;
    let r = response(outcome);
    assert_eq!(r["statusCode"], 201, "{r}");
    let body: serde_json::Value =
        serde_json::from_str(r["body"].as_str().unwrap_or_default()).expect("json");
    let verdict = body["compliance"]["verdict"].as_str().expect("verdict");

    let lines = checked_emf(&stdout);
    let mut values = emf::values(&lines);
    values.sort_by(|a, b| a.0.cmp(&b.0));
    let stack = "Stack=provrum-test".to_string();
    assert_eq!(
        values,
        vec![
            ("BudgetVersionsStored".into(), vec![stack.clone()], 1.0),
            (
                "WorkbooksChecked".into(),
                vec![stack, format!("Verdict={verdict}"), "Format=xlsx".into()],
                1.0
            ),
        ]
    );
    for line in &lines {
        assert_eq!(line["_aws"]["CloudWatchMetrics"][0]["Namespace"], "Provrum");
        assert_eq!(line["traceId"], TRACE_ID);
        assert_eq!(line["function"], "provrum-test");
        assert!(line["requestId"].is_string(), "{line}");
    }
    // Every log line of the invocation names its trace, from the gateway's request to the
    // answer, and the request's line says how it ended.
    let logs = invocation_logs(&stdout);
    assert!(
        logs.iter().any(|l| l["fields"]["status"] == 201),
        "{stdout:?}"
    );
    for line in logs {
        assert_eq!(line["spans"][0]["xrayTraceId"], TRACE_ID, "{line}");
    }
}

/// A file that is no workbook is counted too, under its verdict and format `unknown`.
#[tokio::test]
async fn a_file_that_is_no_workbook_is_counted_as_unknown() {
    let (_dir, db, kansli) = seeded_db().await;
    let binary = std::path::Path::new(env!("CARGO_BIN_EXE_budget-import"));
    let auth = format!("Bearer {kansli}");
    let event = http_event_bytes(
        "POST",
        "/check",
        &[("authorization", &auth), ("content-type", XLSX)],
        b"%PDF-1.7 not a workbook",
    );
    let (outcome, stdout) = invoke_logged(binary, &db, event, &[]).await;
    assert_eq!(response(outcome)["statusCode"], 200);
    let values = emf::values(&checked_emf(&stdout));
    assert_eq!(
        values,
        vec![(
            "WorkbooksChecked".into(),
            vec![
                "Stack=provrum".into(),
                "Verdict=errors".into(),
                "Format=unknown".into()
            ],
            1.0
        )]
    );
}

/// An upload that fails because DynamoDB does not answer can be followed from the gateway's
/// request to the store: every line the invocation logs names its trace and Lambda's request id
/// (the access log's `integrationRequestId`), and one says what DynamoDB did.
#[tokio::test]
async fn a_failed_upload_can_be_followed_to_dynamodb_by_its_trace() {
    let (_dir, db, _kansli) = seeded_db().await;
    let binary = std::path::Path::new(env!("CARGO_BIN_EXE_budget-import"));
    // A port nothing listens on: every DynamoDB call is refused.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let endpoint = format!("http://{}", closed.local_addr().expect("addr"));
    drop(closed);
    let env = [
        ("PROVRUM_STORE", "dynamodb"),
        ("PROVRUM_TABLE", "provrum"),
        ("AWS_ENDPOINT_URL", endpoint.as_str()),
        ("AWS_ACCESS_KEY_ID", "test"),
        ("AWS_SECRET_ACCESS_KEY", "test"),
    ];
    let event = http_event_bytes(
        "POST",
        "/provrum/pr_abcdefghijklmnop/budget",
        &[
            ("authorization", "Bearer prv_leaked-or-not"),
            ("content-type", XLSX),
        ],
        &provrum_tests::app::workbook("org-a", &["org-b"]),
    );
    let (outcome, stdout) = invoke_logged(binary, &db, event, &env).await;
    let r = response(outcome);
    assert_eq!(r["statusCode"], 503, "{r}");
    let logs = invocation_logs(&stdout);
    for line in &logs {
        assert_eq!(line["spans"][0]["xrayTraceId"], TRACE_ID, "{line}");
        assert!(line["spans"][0]["requestId"].is_string(), "{line}");
    }
    let failed = logs
        .iter()
        .find(|l| l["fields"]["message"] == "DynamoDB call failed")
        .unwrap_or_else(|| panic!("no line says which DynamoDB call failed: {stdout:#?}"));
    println!("{failed}");
    assert_eq!(failed["span"]["name"], "store", "{failed}");
    assert!(failed["span"]["op"].is_string(), "{failed}");
    assert!(
        failed["spans"]
            .as_array()
            .is_some_and(|s| s.iter().any(|s| s["route"] == "/provrum/{id}/budget")),
        "{failed}"
    );
    assert!(
        logs.iter()
            .any(|l| l["fields"]["message"] == "store unavailable"),
        "{stdout:#?}"
    );
    assert!(
        logs.iter().any(|l| l["fields"]["status"] == 503),
        "the request's own line: {stdout:#?}"
    );
}
