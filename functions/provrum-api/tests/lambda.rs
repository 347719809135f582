//! The binary under the Lambda runtime, fed real API Gateway v2 events.

use provrum_tests::lambda::{http_event, invoke, invoke_with_env, response, seeded_db};

#[tokio::test]
async fn answers_api_gateway_events_under_the_lambda_runtime() {
    let (_dir, db, kansli) = seeded_db().await;
    let binary = std::path::Path::new(env!("CARGO_BIN_EXE_provrum-api"));
    let r = response(invoke(binary, &db, http_event("GET", "/health", &[], None)).await);
    assert_eq!(
        (r["statusCode"].as_u64(), r["body"].as_str()),
        (Some(200), Some("ok"))
    );
    let auth = format!("Bearer {kansli}");
    let body =
        r#"{"id":"region-skane","name":"Region Skåne","kind":"region","membership":"member"}"#;
    let r = response(
        invoke(
            binary,
            &db,
            http_event(
                "POST",
                "/orgs",
                &[
                    ("authorization", &auth),
                    ("content-type", "application/json"),
                ],
                Some(body),
            ),
        )
        .await,
    );
    assert_eq!(r["statusCode"], 201, "{r}");
    let org: serde_json::Value =
        serde_json::from_str(r["body"].as_str().unwrap_or_default()).expect("json");
    assert_eq!(org["name"], "Region Skåne");
    let r = response(
        invoke(
            binary,
            &db,
            http_event("GET", "/orgs", &[("accept-language", "en")], None),
        )
        .await,
    );
    assert_eq!(r["statusCode"], 401);
    assert_eq!(r["headers"]["content-type"], "application/problem+json");
    let problem: serde_json::Value =
        serde_json::from_str(r["body"].as_str().unwrap_or_default()).expect("json");
    assert_eq!(problem["title"], "Authentication required");
}

/// Lambda freezes the environment once the function has answered and its extensions have asked
/// for their next event: the notice of a proposal, retried after a 503, must still arrive.
#[tokio::test]
async fn a_notice_is_posted_before_lambda_freezes_the_environment() {
    let (_dir, db, kansli) = seeded_db().await;
    let binary = std::path::Path::new(env!("CARGO_BIN_EXE_provrum-api"));
    let auth = format!("Bearer {kansli}");
    let json_headers = [
        ("authorization", auth.as_str()),
        ("content-type", "application/json"),
    ];
    let org =
        r#"{"id":"region-skane","name":"Region Skåne","kind":"region","membership":"member"}"#;
    let r = response(
        invoke(
            binary,
            &db,
            http_event("POST", "/orgs", &json_headers, Some(org)),
        )
        .await,
    );
    assert_eq!(r["statusCode"], 201, "{r}");
    let r = response(
        invoke(
            binary,
            &db,
            http_event(
                "POST",
                "/orgs/region-skane/tokens",
                &json_headers,
                Some(r#"{"label":"test"}"#),
            ),
        )
        .await,
    );
    assert_eq!(r["statusCode"], 201, "{r}");
    let token: serde_json::Value =
        serde_json::from_str(r["body"].as_str().unwrap_or_default()).expect("json");
    let member = format!("Bearer {}", token["token"].as_str().expect("token"));

    let receiver = provrum_tests::receiver::Receiver::start().await;
    receiver.fail_next(1, None);
    let env = [("PROVRUM_WEBHOOK_URL", receiver.url.as_str())];
    let propose = |title: &str| {
        http_event(
            "POST",
            "/provrum",
            &[
                ("authorization", member.as_str()),
                ("content-type", "application/json"),
            ],
            Some(&format!(r#"{{"title":"{title}","theme":"Mobilitet"}}"#)),
        )
    };
    let r = response(invoke_with_env(binary, &db, propose("Nattbussar"), &env).await);
    assert_eq!(r["statusCode"], 201, "{r}");
    // By the time the stand-in froze (killed) the process, the notice had been retried and taken.
    let posts = receiver.posts();
    assert_eq!(posts.len(), 2, "{posts:?}");
    assert!(
        provrum_tests::receiver::card_text(&posts[1])
            .starts_with("Nytt förslag till provrum: ”Nattbussar”"),
        "{}",
        posts[1]
    );

    // A notice that fails every attempt is given up, and counted before Lambda freezes.
    receiver.fail_next(10, None);
    let (outcome, stdout) =
        provrum_tests::lambda::invoke_logged(binary, &db, propose("Nattbåtar"), &env).await;
    assert_eq!(response(outcome)["statusCode"], 201);
    assert_eq!(receiver.posts().len(), 5, "three more attempts");
    assert_eq!(
        provrum_tests::emf::values(&provrum_tests::lambda::checked_emf(&stdout)),
        vec![(
            "NoticesGivenUp".to_string(),
            vec!["Stack=provrum".to_string()],
            1.0
        )]
    );
}

/// Approvals through the binary: one refused by the model's rules and one started, each counted
/// as an EMF line in the function's own log that is valid by the format's published schema.
#[tokio::test]
async fn an_approval_writes_its_business_metrics_as_valid_emf() {
    use provrum_tests::app::{Answer, spawn_app_on, workbook_in};
    use provrum_tests::emf;
    use provrum_tests::lambda::{checked_emf, invoke_logged};
    // The steps before the kansli's are taken through every function's routes, over the store
    // the binary then opens.
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("provrum.db");
    let store = std::sync::Arc::new(provrum_store::sqlite::SqliteStore::open(&db).expect("db"));
    let every = |state| provrum_http::app(provrum_api::every_route().into(), state);
    let app = spawn_app_on(every, store, None, None).await;
    let a = app.org("org-a", "region", "member").await;
    let b = app.org("org-b", "region", "member").await;
    let id = app
        .led_provrum(("org-a", &a), ("org-b", &b), "Nattbussar")
        .await;
    let binary = std::path::Path::new(env!("CARGO_BIN_EXE_provrum-api"));
    let auth = format!("Bearer {}", app.kansli);
    let approve = || {
        http_event(
            "POST",
            &format!("/provrum/{id}/approve"),
            &[("authorization", &auth)],
            None,
        )
    };

    // No budget yet: refused, counted under the rules that refused it.
    let (outcome, stdout) = invoke_logged(binary, &db, approve(), &[]).await;
    let r = response(outcome);
    assert_eq!(r["statusCode"], 409, "{r}");
    let refusal: serde_json::Value =
        serde_json::from_str(r["body"].as_str().unwrap_or_default()).expect("json");
    let mut rules: Vec<String> = provrum_tests::app::rules(&refusal);
    rules.sort();
    rules.dedup();
    assert!(!rules.is_empty(), "{refusal}");
    let refused: Vec<(String, Vec<String>, f64)> = rules
        .iter()
        .map(|rule| {
            let dims = vec!["Stack=provrum".to_string(), format!("Rule={rule}")];
            ("ApprovalsRefused".to_string(), dims, 1.0)
        })
        .collect();
    let mut counted = emf::values(&checked_emf(&stdout));
    counted.sort_by(|x, y| x.1.cmp(&y.1));
    assert_eq!(counted, refused);

    // With a budget without errors (planned next year, within its quota): started.
    let (status, body) = app
        .upload_budget(&a, &id, workbook_in("org-a", &["org-b"], 2027))
        .await
        .parts();
    assert_eq!(status, 201, "{body}");
    let (outcome, stdout) = invoke_logged(binary, &db, approve(), &[]).await;
    let r = response(outcome);
    assert_eq!(r["statusCode"], 200, "{r}");
    assert_eq!(
        emf::values(&checked_emf(&stdout)),
        vec![(
            "ApprovalsStarted".to_string(),
            vec!["Stack=provrum".to_string()],
            1.0
        )]
    );
}
