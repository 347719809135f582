//! The web page's sign-in over real HTTP: a token exchanged once for a session in an
//! `HttpOnly; Secure; SameSite=Strict` cookie, the pages behind it, sign-out, an expired and a
//! revoked session, a cross-site POST refused, a strict Content-Security-Policy everywhere, and
//! errors summarised the way GOV.UK's error summary does.

use chrono::Duration;
use provrum_store::{Session, hash_token};
use provrum_tests::app::{Answer, Backend, TestApp, spawn_app};
use serde_json::json;

/// A browser that follows no redirect, so that each answer can be read.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

struct Page {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: String,
}

impl Page {
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

async fn read(request: reqwest::RequestBuilder) -> Page {
    let answer = request.send().await.expect("send");
    Page {
        status: answer.status().as_u16(),
        headers: answer.headers().clone(),
        body: answer.text().await.expect("body"),
    }
}

/// POST /webb/logga-in with `token`, as the page's own form sends it.
async fn sign_in(app: &TestApp, token: &str) -> Page {
    let body = format!("lang=sv&token={}", token.replace('+', "%2B"));
    read(
        browser()
            .post(format!("{}/webb/logga-in", app.address))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin")
            .body(body),
    )
    .await
}

/// The session cookie's `name=value` from a sign-in answer.
fn cookie_of(page: &Page) -> String {
    let set = page.header("set-cookie");
    set.split(';').next().expect("a cookie").to_string()
}

async fn home(app: &TestApp, cookie: &str) -> Page {
    read(
        browser()
            .get(format!("{}/webb", app.address))
            .header("cookie", cookie),
    )
    .await
}

#[tokio::test]
async fn a_token_signs_in_once_and_the_session_cookie_is_strict() {
    let app = spawn_app(provrum::all_routes, Backend::Sqlite).await;
    let token = app
        .org_named("region-a", "Region Alfa", "region", "member")
        .await;
    let (status, _) = app
        .propose(
            &token,
            &json!({"title": "<script>alert(1)</script>Cykelstråk"}),
        )
        .await
        .parts();
    assert_eq!(status, 201);

    // Not signed in: the start page sends to the sign-in form.
    let page = read(browser().get(format!("{}/webb", app.address))).await;
    assert_eq!(
        (page.status, page.header("location")),
        (303, "/webb/logga-in")
    );
    let form = read(browser().get(format!("{}/webb/logga-in", app.address))).await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains(r#"<html lang="sv">"#), "{}", form.body);
    assert!(form.body.contains("<title>Logga in – Provrum</title>"));
    assert!(form.body.contains(r#"type="password" name="token""#));

    let signed = sign_in(&app, &token).await;
    assert_eq!((signed.status, signed.header("location")), (303, "/webb"));
    let set = signed.header("set-cookie");
    for flag in [
        "HttpOnly",
        "Secure",
        "SameSite=Strict",
        "Path=/webb",
        "Max-Age=32400",
    ] {
        assert!(set.contains(flag), "{flag} in {set}");
    }
    let cookie = cookie_of(&signed);
    assert!(cookie.starts_with("provrum_session=ses_"), "{cookie}");
    assert!(!set.contains(&token) && !signed.header("location").contains("prv_"));

    let page = home(&app, &cookie).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body
            .contains("Inloggad som <strong>Region Alfa</strong>")
    );
    assert!(
        page.body
            .contains("&lt;script&gt;alert(1)&lt;/script&gt;Cykelstråk"),
        "a title is text: {}",
        page.body
    );
    assert!(!page.body.contains("<script"), "no script on any page");
    assert!(!page.body.contains(&token), "the token is never in a page");
    assert!(!page.body.contains("style="), "no inline style");
    let csp = page.header("content-security-policy");
    assert!(
        csp.contains("default-src 'none'") && csp.contains("style-src 'self'"),
        "{csp}"
    );
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(page.header("cache-control"), "no-store");

    // In English by the browser's language, or by the switch.
    let english = read(
        browser()
            .get(format!("{}/webb", app.address))
            .header("cookie", &cookie)
            .header("accept-language", "en-GB"),
    )
    .await;
    assert!(english.body.contains(r#"<html lang="en">"#));
    assert!(
        english
            .body
            .contains("Signed in as <strong>Region Alfa</strong>")
    );
    let switched = read(
        browser()
            .get(format!("{}/webb?lang=en", app.address))
            .header("cookie", &cookie),
    )
    .await;
    assert!(switched.body.contains("Sign out"));

    // Sign-out ends the session: the same cookie no longer signs in.
    let out = read(
        browser()
            .post(format!("{}/webb/logga-ut", app.address))
            .header("cookie", &cookie)
            .header("sec-fetch-site", "same-origin"),
    )
    .await;
    assert_eq!(
        (out.status, out.header("location")),
        (303, "/webb/logga-in")
    );
    assert!(out.header("set-cookie").contains("Max-Age=0"));
    assert_eq!(home(&app, &cookie).await.status, 303);
}

#[tokio::test]
async fn a_wrong_token_is_summarised_at_the_top_and_the_title_says_error() {
    let app = spawn_app(provrum::all_routes, Backend::Sqlite).await;
    let page = sign_in(&app, "prv_wrong").await;
    assert_eq!(page.status, 401);
    assert!(page.header("set-cookie").is_empty(), "no session");
    assert!(
        page.body.contains("<title>Fel: Logga in – Provrum</title>"),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains(r#"<div class="error-summary" role="alert""#)
    );
    assert!(
        page.body
            .contains(r##"<a href="#token">Token godtogs inte"##)
    );
    assert!(page.body.contains(r#"aria-invalid="true""#));
    let empty = sign_in(&app, "").await;
    assert_eq!(empty.status, 400);
    assert!(empty.body.contains("Skriv in din token."));
    let long = sign_in(&app, &"x".repeat(10_000)).await;
    assert_eq!(
        long.status, 401,
        "a token too long to be one is refused before any lookup"
    );
}

#[tokio::test]
async fn a_cross_site_post_is_refused_and_opens_nothing() {
    let app = spawn_app(provrum::all_routes, Backend::Sqlite).await;
    let token = app.org("region-a", "region", "member").await;
    let body = format!("token={token}");
    for (name, value) in [
        ("sec-fetch-site", "cross-site"),
        ("sec-fetch-site", "same-site"),
        ("origin", "https://evil.example"),
    ] {
        let page = read(
            browser()
                .post(format!("{}/webb/logga-in", app.address))
                .header("content-type", "application/x-www-form-urlencoded")
                .header(name, value)
                .body(body.clone()),
        )
        .await;
        assert_eq!(page.status, 403, "{name}: {value}");
        assert!(page.header("set-cookie").is_empty());
        assert!(
            page.body
                .contains("Begäran kom inte från Provrums egen sida")
        );
    }
    // Signed in, a sign-out from another site leaves the session as it was.
    let cookie = cookie_of(&sign_in(&app, &token).await);
    let out = read(
        browser()
            .post(format!("{}/webb/logga-ut", app.address))
            .header("cookie", &cookie)
            .header("sec-fetch-site", "cross-site"),
    )
    .await;
    assert_eq!(out.status, 403);
    assert_eq!(home(&app, &cookie).await.status, 200);
}

#[tokio::test]
async fn an_expired_or_revoked_session_signs_in_again() {
    let app = spawn_app(provrum::all_routes, Backend::Sqlite).await;
    let (status, created) = {
        app.org("region-a", "region", "member").await;
        app.create_token(&app.kansli, "region-a", &json!({"label": "webben"}))
            .await
            .parts()
    };
    assert_eq!(status, 201, "{created}");
    let token = created["token"].as_str().expect("secret");

    // A session that ended an hour ago (a working day after it began).
    let now = chrono::Utc::now();
    let old = "ses_ended-an-hour-ago";
    app.store
        .create_session(&Session {
            hash: hash_token(old),
            token_hash: hash_token(token),
            created_at: now - Duration::hours(10),
            expires_at: now - Duration::hours(1),
        })
        .await
        .expect("store");
    assert_eq!(
        home(&app, &format!("provrum_session={old}")).await.status,
        303
    );

    // A session whose token the kansli revokes.
    let cookie = cookie_of(&sign_in(&app, token).await);
    assert_eq!(home(&app, &cookie).await.status, 200);
    let id = created["id"].as_str().expect("id");
    let (status, _) = app.revoke_token(&app.kansli, id).await.parts();
    assert_eq!(status, 204);
    let page = home(&app, &cookie).await;
    assert_eq!(
        (page.status, page.header("location")),
        (303, "/webb/logga-in")
    );
    assert_eq!(sign_in(&app, token).await.status, 401);
}

#[tokio::test]
async fn the_accessibility_statement_is_linked_from_every_page() {
    let app = spawn_app(provrum::all_routes, Backend::Sqlite).await;
    for path in [
        "/webb/logga-in",
        "/webb/tillganglighet",
        "/webb/logga-in?lang=en",
    ] {
        let page = read(browser().get(format!("{}{path}", app.address))).await;
        assert_eq!(page.status, 200, "{path}");
        assert!(
            page.body.contains(r#"href="/webb/tillganglighet"#),
            "{path}"
        );
        assert!(
            page.body.contains(r##"<a class="skip" href="#innehall">"##),
            "{path}"
        );
    }
    let statement = read(browser().get(format!("{}/webb/tillganglighet", app.address))).await;
    assert!(
        statement
            .body
            .contains("<h1>Tillgänglighetsredogörelse</h1>")
    );
    assert!(statement.body.contains("WCAG 2.1 nivå AA"));
    assert!(
        statement
            .body
            .contains("Myndigheten för digital förvaltning (Digg)")
    );
    let css = read(browser().get(format!("{}/webb/stil.css", app.address))).await;
    assert_eq!(css.header("content-type"), "text/css; charset=utf-8");
}

/// The router serves every route `web::ROUTES` lists (what the SAM template must route, as the
/// infra check compares), and nothing more under /webb.
#[tokio::test]
async fn the_page_serves_exactly_its_listed_routes() {
    let app = spawn_app(provrum::all_routes, Backend::Sqlite).await;
    for (method, path) in web::ROUTES {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let page = read(
            browser()
                .request(method.clone(), format!("{}{path}", app.address))
                .header("sec-fetch-site", "same-origin"),
        )
        .await;
        assert!(
            ![404, 405].contains(&page.status),
            "{method} {path}: {}",
            page.status
        );
    }
    for path in ["/webb/okand", "/webb/logga-in/extra", "/webb/"] {
        let page = read(browser().get(format!("{}{path}", app.address))).await;
        assert_eq!(page.status, 404, "{path}");
    }
}
