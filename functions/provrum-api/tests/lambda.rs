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
    let r = response(
        invoke_with_env(
            binary,
            &db,
            http_event(
                "POST",
                "/provrum",
                &[
                    ("authorization", member.as_str()),
                    ("content-type", "application/json"),
                ],
                Some(r#"{"title":"Nattbussar","theme":"Mobilitet"}"#),
            ),
            &env,
        )
        .await,
    );
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
}
