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
        "Path=/;",
        "Max-Age=32400",
    ] {
        assert!(set.contains(flag), "{flag} in {set}");
    }
    let cookie = cookie_of(&signed);
    assert!(
        cookie.starts_with("__Host-provrum_session=ses_"),
        "{cookie}"
    );
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
        home(&app, &format!("__Host-provrum_session={old}"))
            .await
            .status,
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

/// POSTs a workbook to `url` as the page's upload form sends it (one part, `file`, named
/// `name`), as `cookie`, from the site `site` says (`Sec-Fetch-Site`).
async fn upload(url: &str, cookie: &str, site: &str, name: &str, bytes: Vec<u8>) -> Page {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
    );
    read(
        browser()
            .post(url)
            .header("cookie", cookie)
            .header("sec-fetch-site", site)
            .multipart(form),
    )
    .await
}

/// The page at `path` as `cookie`.
async fn get(app: &TestApp, cookie: &str, path: &str) -> Page {
    read(
        browser()
            .get(format!("{}{path}", app.address))
            .header("cookie", cookie),
    )
    .await
}

/// A form POST from the page itself.
async fn post(app: &TestApp, cookie: &str, path: &str, form: &[(&str, &str)]) -> Page {
    let body: Vec<String> = form
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect();
    read(
        browser()
            .post(format!("{}{path}", app.address))
            .header("cookie", cookie)
            .header("sec-fetch-site", "same-origin")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.join("&")),
    )
    .await
}

/// `text` as a form value (UTF-8, percent-encoded).
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn versions(app: &TestApp, id: &str) -> u32 {
    app.store
        .get_provrum(id)
        .await
        .expect("store")
        .expect("provrum")
        .budget_versions
}

#[tokio::test]
async fn a_leader_uploads_a_budget_and_the_kansli_gives_the_go_ahead_through_the_pages() {
    let app = spawn_app(provrum::all_routes, Backend::Sqlite).await;
    let a = app.org("region-a", "region", "member").await;
    let b = app.org("region-b", "region", "member").await;
    let id = app
        .led_provrum(("region-a", &a), ("region-b", &b), "Webbprov")
        .await;
    let leader = cookie_of(&sign_in(&app, &a).await);
    let upload_to = format!("{}/webb/provrum/{id}/budget", app.address);

    // No file chosen: said at the top and at the field, nothing stored.
    let page = upload(&upload_to, &leader, "same-origin", "", Vec::new()).await;
    assert_eq!(page.status, 400);
    assert!(
        page.body.contains("<title>Fel: Webbprov – Provrum</title>"),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains(r##"<a href="#file">Välj en arbetsbok att ladda upp"##)
    );

    // A hostile file (not a workbook, though named like one): a Swedish sentence, nothing stored.
    let page = upload(
        &upload_to,
        &leader,
        "same-origin",
        "budget.xlsx",
        b"PK\x03\x04 not a zip at all".repeat(64),
    )
    .await;
    assert!([400, 415].contains(&page.status), "{}", page.status);
    assert!(
        page.body.contains(
            r##"<a href="#file">Filen kunde inte läsas som en arbetsbok och sparades inte.</a>"##
        ),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("FORM-1 Filen kan inte läsas: Arbetsboken är skadad och kan inte läsas")
    );
    assert_eq!(versions(&app, &id).await, 0);

    // From another site: refused before the file is read.
    let page = upload(
        &upload_to,
        &leader,
        "cross-site",
        "budget.xlsx",
        provrum_tests::app::workbook_titled("Webbprov", "region-a", &["region-b"]),
    )
    .await;
    assert_eq!(page.status, 403);
    assert_eq!(versions(&app, &id).await, 0);

    // The workbook: stored as version 1, then shown with its verdict and history.
    let page = upload(
        &upload_to,
        &leader,
        "same-origin",
        "budget.xlsx",
        provrum_tests::app::workbook_titled("Webbprov", "region-a", &["region-b"]),
    )
    .await;
    assert_eq!(
        (page.status, page.header("location")),
        (
            303,
            format!("/webb/provrum/{id}?klart=upload_budget").as_str()
        )
    );
    assert_eq!(versions(&app, &id).await, 1);
    // "Done" is said to the browser that took the step (its cookie), never from a URL alone.
    let taken = cookie_of(&page);
    assert!(taken.starts_with("__Host-provrum_klart="), "{taken}");
    let by_url = get(
        &app,
        &leader,
        &format!("/webb/provrum/{id}?klart=upload_budget"),
    )
    .await;
    assert!(
        !by_url.body.contains("Budgeten är sparad"),
        "{}",
        by_url.body
    );
    let page = get(
        &app,
        &format!("{leader}; {taken}"),
        &format!("/webb/provrum/{id}?klart=upload_budget"),
    )
    .await;
    assert!(
        page.body.contains(
            "Budgeten är sparad som en ny version. Resultatet står under Budget. Nästa steg: Reglabs kansli granskar budgeten och ger klartecken."
        ),
        "{}",
        page.body
    );
    assert!(
        page.header("set-cookie")
            .starts_with("__Host-provrum_klart=;"),
        "said once: {}",
        page.header("set-cookie")
    );
    assert!(
        page.body
            .contains("Senaste versionen 1: <strong>Inga fel</strong>"),
        "{}",
        page.body
    );
    assert!(page.body.contains("<td>budget.xlsx</td>"));
    assert!(
        !page.body.contains("steg-approve"),
        "the go-ahead is the kansli's"
    );

    // A member is refused the kansli's pages in the API's words.
    let page = get(&app, &leader, "/webb/status").await;
    assert_eq!(page.status, 403);
    assert!(page.body.contains("Bara Reglabs kansli"), "{}", page.body);

    // The kansli: the box must be ticked, then the go-ahead with its quota year.
    let kansli = cookie_of(&sign_in(&app, &app.kansli).await);
    let page = get(&app, &kansli, &format!("/webb/provrum/{id}")).await;
    assert!(page.body.contains(r#"id="steg-approve""#), "{}", page.body);
    let approve = format!("/webb/provrum/{id}/steg/approve");
    let page = post(&app, &kansli, &approve, &[]).await;
    assert_eq!(page.status, 400);
    assert!(
        page.body
            .contains(r##"<a href="#confirm-approve">Kryssa i rutan för att bekräfta.</a>"##),
        "{}",
        page.body
    );
    let page = post(&app, &kansli, &approve, &[("confirm", "ja")]).await;
    assert_eq!(page.status, 303);
    let taken = cookie_of(&page);
    // Another provrum's page is not told of this step, whatever its URL says.
    let elsewhere = get(
        &app,
        &format!("{kansli}; {taken}"),
        "/webb/provrum/pr_someotherprovrumxx?klart=approve",
    )
    .await;
    assert!(!elsewhere.body.contains("Klartecken givet"));
    let page = get(
        &app,
        &format!("{kansli}; {taken}"),
        &format!("/webb/provrum/{id}?klart=approve"),
    )
    .await;
    // The example workbook is planned for March to July 2025: long past, its result due.
    assert!(
        page.body.contains(
            "Klartecken givet. Kvotår 2025, basfinansiering 93 000 kr. Planens slutdatum har passerat; provrumsledaren återrapporterar resultatet nu (senast 2025-08-31)."
        ),
        "{}",
        page.body
    );
    assert!(page.body.contains("Godkänd version 1"), "{}", page.body);
    let status = get(
        &app,
        &kansli,
        "/webb/status?ar=2025&sortera=bas&ordning=fallande",
    )
    .await;
    assert_eq!(status.status, 200);
    assert!(status.body.contains(r#"aria-sort="descending""#));
    assert!(status.body.contains("Webbprov"));
    let report = get(&app, &kansli, "/webb/rapport?ar=2025").await;
    assert!(report.body.contains("<svg role=\"img\""), "{}", report.body);
    assert!(
        report
            .body
            .contains("Basfinansiering 93 000 kr av 200 000 kr.")
    );
    let wrong = get(&app, &kansli, "/webb/rapport?ar=tjugo").await;
    assert_eq!(wrong.status, 400);
    assert!(
        wrong
            .body
            .contains("<title>Fel: Årsrapport – Provrum</title>")
    );
}

#[tokio::test]
async fn the_kansli_adds_an_organisation_and_hands_out_and_revokes_a_token() {
    let app = spawn_app(provrum::all_routes, Backend::Sqlite).await;
    let kansli = cookie_of(&sign_in(&app, &app.kansli).await);
    let page = post(
        &app,
        &kansli,
        "/webb/organisationer",
        &[
            ("id", "Region Skåne"),
            ("name", "Region Skåne"),
            ("kind", "region"),
            ("membership", "member"),
        ],
    )
    .await;
    assert_eq!(page.status, 400);
    assert!(
        page.body
            .contains("<title>Fel: Organisationer och tokens – Provrum</title>")
    );
    let page = post(
        &app,
        &kansli,
        "/webb/organisationer",
        &[
            ("id", "region-skane"),
            ("name", "Region Skåne"),
            ("kind", "region"),
            ("membership", "member"),
        ],
    )
    .await;
    assert_eq!(
        (page.status, page.header("location")),
        (303, "/webb/organisationer/region-skane")
    );
    let page = post(
        &app,
        &kansli,
        "/webb/organisationer/region-skane/tokens",
        &[("label", "Anna, budgetark")],
    )
    .await;
    assert_eq!(page.status, 200);
    let secret = page
        .body
        .split(r#"readonly value=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the new token, shown once")
        .to_string();
    assert!(secret.starts_with("prv_"));
    let member = cookie_of(&sign_in(&app, &secret).await);
    assert_eq!(home(&app, &member).await.status, 200);
    // Not shown again.
    let page = get(&app, &kansli, "/webb/organisationer/region-skane").await;
    assert!(!page.body.contains(&secret));
    let token_id = page
        .body
        .split("/webb/tokens/")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .expect("a revoke form")
        .to_string();
    let revoke = format!("/webb/tokens/{token_id}/aterkalla");
    let page = post(&app, &kansli, &revoke, &[("org", "region-skane")]).await;
    assert_eq!(page.status, 400, "not without the box ticked");
    assert_eq!(home(&app, &member).await.status, 200);
    let page = post(
        &app,
        &kansli,
        &revoke,
        &[("org", "region-skane"), ("confirm", "ja")],
    )
    .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Token är återkallad."));
    assert_eq!(
        home(&app, &member).await.status,
        303,
        "its session ended with it"
    );
}

/// POST /webb/logga-in with `token` and the page to return to, from `cookie`'s browser.
async fn sign_in_to(app: &TestApp, token: &str, till: &str, cookie: &str) -> Page {
    let body = format!("lang=sv&till={}&token={}", encode(till), encode(token));
    read(
        browser()
            .post(format!("{}/webb/logga-in", app.address))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin")
            .header("cookie", cookie)
            .body(body),
    )
    .await
}

/// Issue 28's sign-in and session hardening: a deep link returns there after signing in (a
/// page of this site only), a new sign-in ends the browser's previous session, wrong tokens are
/// throttled with a Swedish message, every answer says HSTS, and a sign-in counts as a use of
/// the token.
#[tokio::test]
async fn signing_in_returns_to_the_page_asked_for_and_is_throttled() {
    let app = spawn_app(provrum::all_routes, Backend::Sqlite).await;
    let token = app.org("region-a", "region", "member").await;
    // Asked for the status table without a session: to the sign-in form, which returns there.
    let page = read(browser().get(format!("{}/webb/status?ar=2025", app.address))).await;
    assert_eq!(
        (page.status, page.header("location")),
        (303, "/webb/logga-in?till=/webb/status%3Far%3D2025")
    );
    let form = read(browser().get(format!("{}{}", app.address, page.header("location")))).await;
    assert!(
        form.body
            .contains(r#"<input type="hidden" name="till" value="/webb/status?ar=2025">"#),
        "{}",
        form.body
    );
    assert!(!form.header("strict-transport-security").is_empty());
    let signed = sign_in_to(&app, &token, "/webb/status?ar=2025", "").await;
    assert_eq!(
        (signed.status, signed.header("location")),
        (303, "/webb/status?ar=2025")
    );
    // Never another host or a scheme: those return to the overview.
    for till in [
        "//evil.example/webb",
        "https://evil.example/webb",
        "/\\evil",
        "/provrum",
    ] {
        let page = sign_in_to(&app, &token, till, "").await;
        assert_eq!(page.header("location"), "/webb", "{till}");
    }
    // A new sign-in in the same browser ends the session it had.
    let first = cookie_of(&signed);
    assert_eq!(home(&app, &first).await.status, 200);
    let second = cookie_of(&sign_in_to(&app, &token, "/webb", &first).await);
    assert_eq!(home(&app, &second).await.status, 200);
    assert_eq!(
        home(&app, &first).await.status,
        303,
        "the old session ended"
    );
    // "Senast använd": the web sign-ins are a use of the token.
    let tokens = app
        .store
        .tokens_page("region-a", None, 10)
        .await
        .expect("tokens");
    assert!(tokens.items[0].last_used_at.is_some());

    // Ten wrong tokens a minute from one source, then the form says to wait.
    for i in 0..10 {
        let page = sign_in(&app, &format!("prv_{i:04}-wrong-token")).await;
        assert_eq!(page.status, 401, "attempt {i}");
    }
    let page = sign_in(&app, "prv_once-more").await;
    assert_eq!(page.status, 429);
    assert!(
        page.body
            .contains("För många felaktiga inloggningsförsök. Vänta"),
        "{}",
        page.body
    );
    assert!(!page.header("retry-after").is_empty());
    // One token guessed at is held after five tries, from anywhere: the prefix counts too.
    let other = spawn_app(provrum::all_routes, Backend::Sqlite).await;
    for i in 0..5 {
        let page = sign_in(&other, &format!("prv_abcd{i}-guess")).await;
        assert_eq!(page.status, 401, "guess {i}");
    }
    assert_eq!(sign_in(&other, "prv_abcd-guess-again").await.status, 429);
    assert_eq!(sign_in(&other, "prv_efgh-guess").await.status, 401);
}

/// Issue 28's forms: a text over its bound is refused at its field, in the form's words, with
/// what was typed kept; a file that is not a workbook shows no totals; the revoke form checks
/// that the token is the organisation's and warns before the kansli revokes its own.
#[tokio::test]
async fn forms_keep_what_was_typed_and_the_revoke_form_checks_its_token() {
    let app = spawn_app(provrum::all_routes, Backend::Sqlite).await;
    let a = app.org("region-a", "region", "member").await;
    let leader = cookie_of(&sign_in(&app, &a).await);
    let long = "x".repeat(300_000);
    let page = post(
        &app,
        &leader,
        "/webb/provrum",
        &[("title", "Ett bra provrum"), ("description", &long)],
    )
    .await;
    assert_eq!(
        page.status,
        413,
        "{}",
        &page.body[..500.min(page.body.len())]
    );
    assert!(
        page.body
            .contains(r##"<a href="#description">För lång text"##)
    );
    assert!(
        page.body.contains(r#"value="Ett bra provrum""#),
        "the title is kept"
    );
    assert!(page.body.contains(&long), "the description is kept");
    let page = post(
        &app,
        &leader,
        "/webb/provrum",
        &[("title", "   "), ("theme", "Tema")],
    )
    .await;
    assert!(
        page.body
            .contains("Fyll i ”Titel”; fältet får inte vara tomt."),
        "{}",
        page.body
    );
    let page = post(
        &app,
        &leader,
        "/webb/provrum",
        &[("title", "Ok"), ("theme", &"t".repeat(201))],
    )
    .await;
    assert!(
        page.body.contains(
            r##"<a href="#theme">För lång text i ”Tema”: högst 200 tecken, men 201 skrevs."##
        ),
        "{}",
        page.body
    );

    // A .csv checked: FORM-1, and no totals of a budget that is not there.
    let page = upload(
        &format!("{}/webb/kontrollera", app.address),
        &leader,
        "same-origin",
        "budget.csv",
        b"Kostnadspost;Belopp\nResor;100\n".to_vec(),
    )
    .await;
    assert!(page.body.contains("FORM-1"), "{}", page.body);
    assert!(!page.body.contains("Total budget"), "{}", page.body);

    // The revoke form: another organisation's token in it revokes nothing.
    let b = app.org("region-b", "region", "member").await;
    let kansli = cookie_of(&sign_in(&app, &app.kansli).await);
    let of_b = app
        .store
        .token_by_hash(&hash_token(&b))
        .await
        .expect("store")
        .expect("token");
    let page = post(
        &app,
        &kansli,
        &format!("/webb/tokens/{}/aterkalla", of_b.id),
        &[("org", "region-a"), ("confirm", "ja")],
    )
    .await;
    assert!(
        page.body
            .contains("Token hör inte till den här organisationen och återkallades inte."),
        "{}",
        page.body
    );
    assert_eq!(
        home(&app, &cookie_of(&sign_in(&app, &b).await))
            .await
            .status,
        200
    );
    // The kansli's own token is marked before it is revoked, and revoking it signs out.
    let own = app
        .store
        .token_by_hash(&hash_token(&app.kansli))
        .await
        .expect("store")
        .expect("token");
    let page = get(&app, &kansli, "/webb/organisationer/reglab").await;
    assert!(
        page.body.contains("Din inloggning använder den här token"),
        "{}",
        page.body
    );
    let page = post(
        &app,
        &kansli,
        &format!("/webb/tokens/{}/aterkalla", own.id),
        &[("org", "reglab"), ("confirm", "ja")],
    )
    .await;
    assert_eq!(
        (page.status, page.header("location")),
        (303, "/webb/logga-in")
    );
    assert_eq!(home(&app, &kansli).await.status, 303);
}
