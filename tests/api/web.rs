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
            .contains("FORM-1: Arbetsboken är skadad och kan inte läsas")
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
    let page = get(
        &app,
        &leader,
        &format!("/webb/provrum/{id}?klart=upload_budget"),
    )
    .await;
    assert!(
        page.body.contains("Budgeten är sparad som en ny version."),
        "{}",
        page.body
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
    let page = get(&app, &kansli, &format!("/webb/provrum/{id}?klart=approve")).await;
    assert!(
        page.body.contains(
            "Klartecken givet. Provrummet pågår. Kvotår 2025, basfinansiering 93 000 kr."
        ),
        "{}",
        page.body
    );
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
