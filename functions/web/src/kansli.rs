//! The kansli's pages: the status table (sorted, filtered by year, as CSV), the yearly report
//! with its chart, and organisations with their tokens. Each reads and acts through the API,
//! so a member who opens one sees the API's refusal, not a page of its own.

use crate::api::{Org, Payload, Problem, Report, StatusRow, TokenCreated, TokenView};
use crate::pages::{
    Who, column_heads, done_banner, href, href_query, kind_word, layout, local_time,
    membership_word, status_word, t, verdict_word,
};
use crate::provrum::{failed, finding_list, own_problem, problem_summary};
use crate::words::words;
use crate::{Asked, Change, Fields, Visit, html};
use axum::extract::Path;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html as markup};
use provrum_rules::model::{Membership, OrgKind, Status};
use provrum_rules::phase::Phase;
use provrum_rules::{Lang, Ore, OrgId, TokenId};
use serde::Deserialize;
use std::collections::HashMap;

// --- The status table -------------------------------------------------------------------------

#[derive(Default, Deserialize)]
pub(crate) struct StatusQuery {
    ar: Option<String>,
    sortera: Option<String>,
    ordning: Option<String>,
}

/// The columns the table sorts by: (key, Swedish, English).
/// The key columns come first, so that at 1280 px they are in view without scrolling.
const COLUMNS: [(&str, &str, &str); 9] = [
    ("titel", "Provrum", "Provrum"),
    ("status", "Status", "Status"),
    ("klartecken", "Kan få klartecken", "Can get the go-ahead"),
    ("resultat", "Resultat", "Result"),
    ("ledare", "Provrumsledare", "Leader"),
    ("start", "Period", "Period"),
    ("budget", "Total budget", "Total budget"),
    ("bas", "Basfinansiering", "Base funding"),
    ("kvotar", "Kvotår", "Quota year"),
];

/// Every provrum as the status sheet shows it, sorted and filtered as the query asks.
pub(crate) async fn status(visit: Visit, Asked(q): Asked<StatusQuery>) -> Response {
    let lang = visit.lang;
    let rows: Vec<StatusRow> = match visit.get("/status").await {
        Ok(rows) => rows,
        Err(p) => return failed(lang, &p),
    };
    let names = match org_names(&visit).await {
        Ok(n) => n,
        Err(p) => return failed(lang, &p),
    };
    let year = q.ar.as_deref().and_then(|y| y.parse::<i32>().ok());
    let mut years: Vec<i32> = rows.iter().filter_map(row_year).collect();
    years.sort_unstable();
    years.dedup();
    let mut shown: Vec<&StatusRow> = rows
        .iter()
        .filter(|r| year.is_none() || row_year(r) == year)
        .collect();
    let key = q
        .sortera
        .as_deref()
        .filter(|k| COLUMNS.iter().any(|(c, _, _)| c == k))
        .unwrap_or("titel");
    let descending = q.ordning.as_deref() == Some("fallande");
    shown.sort_by(|a, b| {
        let order = compare(key, a, b, &names);
        if descending { order.reverse() } else { order }
    });
    let sort = Sort {
        key,
        descending,
        year,
    };
    html(
        StatusCode::OK,
        status_page(lang, Some(&visit.actor.org), &shown, &years, &sort, &names),
    )
}

/// The year a row belongs to: its quota year, else its planned start's.
fn row_year(r: &StatusRow) -> Option<i32> {
    use chrono::Datelike;
    r.quota_year.or_else(|| r.start.map(|s| s.year()))
}

fn compare(
    key: &str,
    a: &StatusRow,
    b: &StatusRow,
    names: &HashMap<String, String>,
) -> std::cmp::Ordering {
    let leader = |r: &StatusRow| {
        r.leader
            .as_ref()
            .map(|l| names.get(l).cloned().unwrap_or_else(|| l.clone()))
    };
    let by = match key {
        "status" => a.status.as_str().cmp(b.status.as_str()),
        "ledare" => leader(a).cmp(&leader(b)),
        "start" => a.start.cmp(&b.start),
        "resultat" => a.result_due.cmp(&b.result_due),
        "budget" => a.total_budget_ore.cmp(&b.total_budget_ore),
        "bas" => a.base_funding_ore.cmp(&b.base_funding_ore),
        "kvotar" => a.quota_year.cmp(&b.quota_year),
        "klartecken" => a.can_start.cmp(&b.can_start),
        _ => std::cmp::Ordering::Equal,
    };
    by.then_with(|| a.title.to_lowercase().cmp(&b.title.to_lowercase()))
}

struct Sort<'a> {
    key: &'a str,
    descending: bool,
    year: Option<i32>,
}

impl Sort<'_> {
    /// The link that sorts by `key`: the other way round if it already sorts by it.
    fn link(&self, key: &str, lang: Lang) -> String {
        let order = if key == self.key && !self.descending {
            "fallande"
        } else {
            "stigande"
        };
        let year = self.year.map(|y| format!("&ar={y}")).unwrap_or_default();
        href_query(
            "/webb/status",
            &format!("sortera={key}&ordning={order}{year}"),
            lang,
        )
    }

    fn aria(&self, key: &str) -> Option<&'static str> {
        (key == self.key).then_some(if self.descending {
            "descending"
        } else {
            "ascending"
        })
    }
}

fn ore(amount: Option<Ore>) -> String {
    amount.map(|a| a.to_string()).unwrap_or_else(|| "–".into())
}

fn status_page(
    lang: Lang,
    who: Who<'_>,
    rows: &[&StatusRow],
    years: &[i32],
    sort: &Sort<'_>,
    names: &HashMap<String, String>,
) -> Markup {
    let w = words(lang);
    let title = t(lang, "Statustabell", "Status table");
    let body = markup! {
        p { a href=(href(crate::BASE, lang)) { "← " (t(lang, "Översikt", "Overview")) } }
        h1 { (title) }
        form.filter method="get" action="/webb/status" {
            @if lang == Lang::En { input type="hidden" name="lang" value="en"; }
            input type="hidden" name="sortera" value=(sort.key);
            input type="hidden" name="ordning" value=(if sort.descending { "fallande" } else { "stigande" });
            div.field {
                label for="ar" { (t(lang, "Kvotår", "Quota year")) }
                select #ar name="ar" {
                    option value="" selected[sort.year.is_none()] { (t(lang, "Alla år", "All years")) }
                    @for y in years { option value=(y) selected[sort.year == Some(*y)] { (y) } }
                }
            }
            button.secondary type="submit" { (t(lang, "Visa", "Show")) }
        }
        p {
            a href="/webb/status.csv" download { (t(lang, "Ladda ner hela tabellen som CSV", "Download the whole table as CSV")) }
        }
        @if rows.is_empty() {
            p { (t(lang, "Inga provrum.", "No provrum.")) }
        } @else {
            div.scroll role="region" aria-labelledby="status-caption" tabindex="0" {
            table.status {
                caption #status-caption {
                    (title) " – " (rows.len()) " " (t(lang, "provrum", "provrum"))
                    span.visually-hidden { ". " (t(lang, "Kolumnrubrikerna sorterar tabellen.", "The column headings sort the table.")) }
                }
                thead { tr {
                    @for (key, sv, en) in COLUMNS {
                        th scope="col" aria-sort=[sort.aria(key)] {
                            a href=(sort.link(key, lang)) { (t(lang, sv, en)) }
                        }
                    }
                } }
                tbody {
                    @for r in rows {
                        tr {
                            th scope="row" {
                                a href=(href(&format!("/webb/provrum/{}", r.id), lang)) { (r.title) }
                            }
                            td { (r.phase_text.get(lang)) @if r.status == Status::Proposed { br; span.hint { (w.col_ready) ": " (if r.ready { w.yes } else { w.no }) } } }
                            td {
                                @if let Some(at) = r.approved_at {
                                    (t(lang, "Startad", "Started")) " " (local_date(at))
                                    @if let Some(v) = r.approved_version { br; span.hint { (t(lang, "Godkänd version", "Approved version")) " " (v) } }
                                } @else if r.status == Status::Proposed {
                                    @if r.can_start { strong { (w.yes) } } @else { (w.no) }
                                    (finding_list(lang, &r.can_start_reasons))
                                } @else { "–" }
                            }
                            td { (result_words(lang, r)) }
                            td { (r.leader.as_ref().map(|l| names.get(l).cloned().unwrap_or_else(|| l.clone())).unwrap_or_else(|| w.no_leader.to_string())) br; span.hint { (r.participants) " " (t(lang, "deltagare", "participants")) ", " (r.regions) " " (t(lang, "regioner", "regions")) } }
                            td.period { (r.start.map(|d| d.to_string()).unwrap_or_else(|| "–".into())) br; (r.end.map(|d| format!("– {d}")).unwrap_or_default()) }
                            td.num { (ore(r.total_budget_ore)) @if let Some(v) = r.verdict { br; span.hint { (verdict_word(lang, v)) ", v" (r.budget_versions) } } }
                            td.num { (ore(r.base_funding_ore)) }
                            td { (r.quota_year.map(|y| y.to_string()).unwrap_or_else(|| "–".into())) }
                        }
                    }
                }
            }
            }
        }
    };
    layout(lang, "/webb/status", title, false, who, body)
}

/// The result column: reported, due by a date, or overdue since it.
fn result_words(lang: Lang, r: &StatusRow) -> Markup {
    let due = r.result_due.map(|d| d.to_string()).unwrap_or_default();
    markup! {
        @match r.phase {
            Phase::Reported => { (t(lang, "Återrapporterat", "Reported")) }
            Phase::Overdue => { strong.sev-error { (t(lang, "Försenat", "Overdue")) } br; span.hint { (t(lang, "skulle ha kommit", "was due")) " " (due) } }
            Phase::Starting | Phase::Running | Phase::Ended => { (t(lang, "Senast", "Due by")) " " (due) }
            Phase::Proposed | Phase::Withdrawn => { "–" }
        }
    }
}

/// A time's date as Reglab's calendar has it (Stockholm).
fn local_date(at: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDate {
    provrum_rules::calendar::reglab_date(at)
}

/// The organisations' names by id.
async fn org_names(visit: &Visit) -> Result<HashMap<String, String>, Problem> {
    let orgs: Vec<Org> = visit.all("/orgs").await?;
    Ok(orgs.into_iter().map(|o| (o.id, o.name)).collect())
}

/// The status table as the API's CSV (`GET /status`, `Accept: text/csv`), for a spreadsheet.
pub(crate) async fn status_csv(visit: Visit) -> Response {
    let lang = visit.lang;
    let answer = visit.get_as("/status", "text/csv").await;
    if !answer.ok() {
        return failed(lang, &answer.problem());
    }
    let name = format!("provrum-status-{}.csv", visit.state.clock.today());
    let mut response = (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/csv; charset=utf-8"),
        )],
        answer.bytes,
    )
        .into_response();
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

// --- The yearly report ------------------------------------------------------------------------

#[derive(Default, Deserialize)]
pub(crate) struct YearQuery {
    ar: Option<String>,
}

/// The yearly quota report (`GET /reports/{year}`), this year's unless another is asked for.
pub(crate) async fn report(visit: Visit, Asked(query): Asked<YearQuery>) -> Response {
    use chrono::Datelike;
    let lang = visit.lang;
    let this_year = visit.state.clock.today().year();
    let asked = query.ar.unwrap_or_default();
    let year = if asked.trim().is_empty() {
        this_year.to_string()
    } else {
        asked.trim().to_string()
    };
    let path = format!("/reports/{}", year_segment(&year));
    match visit.get::<Report>(&path).await {
        Ok(r) => html(
            StatusCode::OK,
            report_page(lang, Some(&visit.actor.org), &year, Ok(&r)),
        ),
        Err(p) if p.status == 400 => html(
            StatusCode::BAD_REQUEST,
            report_page(lang, Some(&visit.actor.org), &year, Err(&p)),
        ),
        Err(p) => failed(lang, &p),
    }
}

/// `year` as a path segment: a number passes as it is; anything else goes as a value the API
/// refuses, so that what a year is (and the sentence saying so) stays the API's.
fn year_segment(year: &str) -> String {
    if year.chars().all(|c| c.is_ascii_digit()) && !year.is_empty() && year.len() <= 4 {
        year.to_string()
    } else {
        "x".to_string()
    }
}

fn report_page(lang: Lang, who: Who<'_>, year: &str, report: Result<&Report, &Problem>) -> Markup {
    let title = t(lang, "Årsrapport", "Yearly report");
    let body = markup! {
        @if let Err(p) = report { (problem_summary(lang, p, "ar")) }
        p { a href=(href(crate::BASE, lang)) { "← " (t(lang, "Översikt", "Overview")) } }
        h1 { (title) @if let Ok(r) = report { " " (r.year) } }
        form.filter method="get" action="/webb/rapport" novalidate {
            @if lang == Lang::En { input type="hidden" name="lang" value="en"; }
            div.field.error[report.is_err()] {
                label for="ar" { (t(lang, "Kvotår", "Quota year")) }
                @if let Err(p) = report { p.error-message #ar-error { (p.detail) } }
                input #ar.short type="text" inputmode="numeric" name="ar" value=(year)
                    aria-describedby=[report.is_err().then_some("ar-error")]
                    aria-invalid=(if report.is_err() { "true" } else { "false" });
            }
            button.secondary type="submit" { (t(lang, "Visa", "Show")) }
        }
        @if let Ok(r) = report {
            p {
                @match r.stored_at {
                    Some(at) => { (t(lang, "Rapporten sparades av den årliga körningen", "The report was stored by the yearly run")) " " (local_time(at)) "." }
                    None => { (t(lang, "Rapporten är beräknad nu, med dagens uppgifter.", "The report is computed now, from today's data.")) }
                }
            }
            (chart(lang, r))
            dl.facts {
                dt { (t(lang, "Startade provrum", "Provrum started")) } dd { (r.started) " " (t(lang, "av högst", "of at most")) " " (r.quota) }
                dt { (t(lang, "Basfinansiering", "Base funding")) } dd { (r.base_funding_ore) " " (t(lang, "av högst", "of at most")) " " (r.cap_ore) }
                dt { (t(lang, "Kostnad per medlem", "Cost per member")) } dd { (r.cost_per_member_ore) " (" (r.members) " " (t(lang, "medlemmar; modellens riktvärde", "members; the model's reference")) " " (r.reference_per_member_ore) ")" }
            }
            @if !r.provrum.is_empty() {
                table {
                    caption { (t(lang, "Provrum som startade på årets kvot", "Provrum started on the year's quota")) }
                    (column_heads(&[
                        t(lang, "Provrum", "Provrum"),
                        t(lang, "Status", "Status"),
                        t(lang, "Start", "Start"),
                        t(lang, "Slut", "End"),
                        t(lang, "Basfinansiering", "Base funding"),
                    ]))
                    tbody {
                        @for p in &r.provrum {
                            tr {
                                th scope="row" { a href=(href(&format!("/webb/provrum/{}", p.id), lang)) { (p.title) } }
                                td { (status_word(lang, p.status)) }
                                td { (p.start.map(|d| d.to_string()).unwrap_or_default()) }
                                td { (p.end.map(|d| d.to_string()).unwrap_or_default()) }
                                td.num { (p.base_funding_ore) }
                            }
                        }
                    }
                }
            }
            h2 { (t(lang, "Försenade resultat", "Overdue results")) }
            @if r.overdue_results.is_empty() {
                p { (t(lang, "Inga.", "None.")) }
            } @else {
                ul {
                    @for o in &r.overdue_results {
                        li { a href=(href(&format!("/webb/provrum/{}", o.id), lang)) { (o.title) } ": "
                            (t(lang, "slutade", "ended")) " " (o.end) ", " (o.days_overdue) " " (t(lang, "dagar sedan", "days ago")) }
                    }
                }
            }
        }
    };
    layout(lang, "/webb/rapport", title, report.is_err(), who, body)
}

/// The year's use of the quota, drawn by the server (every SVG element closed explicitly: in
/// HTML, an SVG element written like a void one would swallow those after it): the base funding of each started provrum
/// against the cap, and the provrum against the quota. Presentation attributes only (the
/// Content-Security-Policy allows no inline style); the table below says the same in words.
fn chart(lang: Lang, r: &Report) -> Markup {
    const WIDTH: f64 = 600.0;
    const COLOURS: [&str; 4] = ["#1f4e79", "#00703c", "#6f3b8f", "#8a4b08"];
    let cap = r.cap_ore.ore().max(1) as f64;
    let scale_to = cap.max(r.base_funding_ore.ore() as f64);
    let mut x = 0.0;
    let segments: Vec<(f64, f64, &str)> = r
        .provrum
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let w = (p.base_funding_ore.ore().max(0) as f64) / scale_to * WIDTH;
            let segment = (x, w, COLOURS[i % COLOURS.len()]);
            x += w;
            segment
        })
        .collect();
    let cap_x = cap / scale_to * WIDTH;
    let quota = r.quota.max(1);
    let slot = WIDTH / f64::from(quota.max(r.started));
    let described = format!(
        "{} {} {} {}. {} {} {} {}.",
        t(lang, "Basfinansiering", "Base funding"),
        r.base_funding_ore,
        t(lang, "av", "of"),
        r.cap_ore,
        t(lang, "Startade provrum", "Provrum started"),
        r.started,
        t(lang, "av", "of"),
        r.quota
    );
    markup! {
        figure.chart {
            svg role="img" aria-labelledby="diagram-titel diagram-text" viewBox="0 0 640 190" width="100%" xmlns="http://www.w3.org/2000/svg" {
                title #diagram-titel { (t(lang, "Årets kvot", "The year's quota")) }
                desc #diagram-text { (described) }
                text x="0" y="16" font-size="14" fill="#1b1b1b" { (t(lang, "Basfinansiering", "Base funding")) ": " (r.base_funding_ore) " / " (r.cap_ore) }
                rect x="0" y="26" width=(WIDTH) height="36" fill="#f3f2f1" stroke="#505a5f" {}
                @for (sx, sw, colour) in &segments {
                    rect x=(format!("{sx:.1}")) y="26" width=(format!("{sw:.1}")) height="36" fill=(colour) stroke="#ffffff" {}
                }
                line x1=(format!("{cap_x:.1}")) y1="20" x2=(format!("{cap_x:.1}")) y2="68" stroke="#b10e1e" stroke-width="3" {}
                text x="0" y="104" font-size="14" fill="#1b1b1b" { (t(lang, "Provrum", "Provrum")) ": " (r.started) " / " (r.quota) }
                @for i in 0..quota.max(r.started) {
                    rect x=(format!("{:.1}", f64::from(i) * slot)) y="114" width=(format!("{:.1}", slot - 6.0)) height="36"
                        fill=(if i < r.started { COLOURS[i as usize % COLOURS.len()] } else { "#f3f2f1" }) stroke="#505a5f" {}
                }
                text x="0" y="178" font-size="12" fill="#505a5f" { (t(lang, "Röd linje: taket för basfinansiering.", "Red line: the cap on base funding.")) }
            }
            figcaption { (described) }
        }
    }
}

// --- Organisations and tokens -----------------------------------------------------------------

#[derive(Default, Deserialize)]
pub(crate) struct NewOrg {
    #[serde(default)]
    id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    membership: String,
}

/// Every organisation, and the form that adds one.
pub(crate) async fn orgs(visit: Visit) -> Response {
    orgs_view(&visit, None, &NewOrg::default()).await
}

async fn orgs_view(visit: &Visit, problem: Option<Problem>, kept: &NewOrg) -> Response {
    let lang = visit.lang;
    // Adding is the kansli's: a member sees the API's refusal instead of the page.
    let me: crate::api::Me = match visit.get("/me").await {
        Ok(me) => me,
        Err(p) => return failed(lang, &p),
    };
    if let Some(a) = me.action("administer").filter(|a| !a.allowed) {
        let p = Problem {
            status: 403,
            detail: a
                .reason
                .as_ref()
                .map(|r| r.get(lang).to_string())
                .unwrap_or_default(),
            findings: Vec::new(),
            field: None,
        };
        return failed(lang, &p);
    }
    let list: Vec<Org> = match visit.all("/orgs").await {
        Ok(l) => l,
        Err(p) => return failed(lang, &p),
    };
    let status = problem
        .as_ref()
        .and_then(|p| StatusCode::from_u16(p.status).ok())
        .unwrap_or(StatusCode::OK);
    html(
        status,
        orgs_page(lang, Some(&visit.actor.org), &list, problem.as_ref(), kept),
    )
}

fn orgs_page(
    lang: Lang,
    who: Who<'_>,
    list: &[Org],
    problem: Option<&Problem>,
    kept: &NewOrg,
) -> Markup {
    let title = t(
        lang,
        "Organisationer och tokens",
        "Organisations and tokens",
    );
    let error = problem.is_some();
    let body = markup! {
        @if let Some(p) = problem { (problem_summary(lang, p, "id")) }
        p { a href=(href(crate::BASE, lang)) { "← " (t(lang, "Översikt", "Overview")) } }
        h1 { (title) }
        table {
            caption { (t(lang, "Organisationer", "Organisations")) " (" (list.len()) ")" }
            (column_heads(&[
                t(lang, "Namn", "Name"),
                t(lang, "Id", "Id"),
                t(lang, "Slag", "Kind"),
                t(lang, "Roll", "Role"),
            ]))
            tbody {
                @for o in list {
                    tr {
                        th scope="row" { a href=(href(&format!("/webb/organisationer/{}", o.id), lang)) { (o.name) } }
                        td { code { (o.id) } }
                        td { (kind_word(lang, o.kind)) }
                        td { (membership_word(lang, o.membership)) }
                    }
                }
            }
        }
        h2 { (t(lang, "Lägg till en organisation", "Add an organisation")) }
        form method="post" action=(href("/webb/organisationer", lang)) novalidate {
            div.field.error[error] {
                label for="id" { (t(lang, "Id", "Id")) }
                p.hint #id-hint { (t(lang, "Små bokstäver, siffror och bindestreck, t.ex. region-skane. Kan inte ändras.", "Lower-case letters, digits and hyphens, e.g. region-skane. Cannot be changed.")) }
                @if let Some(p) = problem { p.error-message #id-error { (p.detail) } }
                input #id type="text" name="id" value=(kept.id) spellcheck="false"
                    aria-describedby=(if error { "id-hint id-error" } else { "id-hint" })
                    aria-invalid=(if error { "true" } else { "false" });
            }
            div.field {
                label for="name" { (t(lang, "Namn", "Name")) }
                input #name type="text" name="name" value=(kept.name);
            }
            div.field {
                label for="kind" { (t(lang, "Slag", "Kind")) }
                select #kind name="kind" {
                    @for (value, k) in [("region", OrgKind::Region), ("other", OrgKind::Other)] {
                        option value=(value) selected[kept.kind == value] { (kind_word(lang, k)) }
                    }
                }
            }
            div.field {
                label for="membership" { (t(lang, "Roll", "Role")) }
                select #membership name="membership" {
                    @for (value, m) in [("member", Membership::Member), ("partner", Membership::Partner), ("kansli", Membership::Kansli)] {
                        option value=(value) selected[kept.membership == value] { (membership_word(lang, m)) }
                    }
                }
            }
            button type="submit" { (t(lang, "Lägg till", "Add")) }
        }
    };
    layout(lang, "/webb/organisationer", title, error, who, body)
}

/// Adds an organisation (`POST /orgs`), then opens it.
pub(crate) async fn add_org(Change(visit): Change, Fields(kept): Fields<NewOrg>) -> Response {
    let lang = visit.lang;
    let body = serde_json::json!({
        "id": kept.id.trim(), "name": kept.name, "kind": kept.kind, "membership": kept.membership,
    });
    let answer = visit.call(Method::POST, "/orgs", Payload::Json(body)).await;
    match answer.json::<Org>() {
        Ok(org) => {
            let path = format!("/webb/organisationer/{}", org.id);
            Redirect::to(&href(&path, lang)).into_response()
        }
        Err(problem) => orgs_view(&visit, Some(problem), &kept).await,
    }
}

/// An organisation's tokens, the form that creates one, and a revoke button for each.
pub(crate) async fn org(visit: Visit, Path(org): Path<String>) -> Response {
    org_view(&visit, &org, OrgOutcome::default()).await
}

/// What an organisation's page shows besides its tokens: a token just created, a token just
/// revoked, or a refusal and the field it is about.
#[derive(Default)]
struct OrgOutcome {
    created: Option<TokenCreated>,
    revoked: bool,
    problem: Option<(Problem, String)>,
}

impl OrgOutcome {
    fn refused(problem: Problem, field: String) -> OrgOutcome {
        OrgOutcome {
            problem: Some((problem, field)),
            ..Default::default()
        }
    }
}

fn no_such_org(lang: Lang) -> Response {
    failed(
        lang,
        &own_problem(
            lang,
            "Det finns ingen sådan organisation.",
            "There is no such organisation.",
        ),
    )
}

async fn org_view(visit: &Visit, org: &str, outcome: OrgOutcome) -> Response {
    let lang = visit.lang;
    let Ok(org) = OrgId::parse(org) else {
        return no_such_org(lang);
    };
    let orgs: Vec<Org> = match visit.all("/orgs").await {
        Ok(l) => l,
        Err(p) => return failed(lang, &p),
    };
    let Some(found) = orgs.into_iter().find(|o| o.id == org.as_str()) else {
        return no_such_org(lang);
    };
    let path = format!("/orgs/{}/tokens", org.as_str());
    let tokens: Vec<TokenView> = match visit.all(&path).await {
        Ok(l) => l,
        Err(p) => return failed(lang, &p),
    };
    let status = outcome
        .problem
        .as_ref()
        .and_then(|(p, _)| StatusCode::from_u16(p.status).ok())
        .unwrap_or(StatusCode::OK);
    html(
        status,
        org_page(
            lang,
            Some(&visit.actor.org),
            &visit.actor.token_id,
            &found,
            &tokens,
            &outcome,
        ),
    )
}

fn org_page(
    lang: Lang,
    who: Who<'_>,
    mine: &str,
    org: &Org,
    tokens: &[TokenView],
    outcome: &OrgOutcome,
) -> Markup {
    let base = format!("/webb/organisationer/{}", org.id);
    let body = markup! {
        @if let Some((p, field)) = &outcome.problem { (problem_summary(lang, p, field)) }
        @if outcome.revoked { (done_banner(t(lang, "Token är återkallad. Inloggningar med den slutar gälla nu.", "The token is revoked. Sign-ins with it stop working now."))) }
        p { a href=(href("/webb/organisationer", lang)) { "← " (t(lang, "Organisationer och tokens", "Organisations and tokens")) } }
        h1 { (org.name) }
        p { code { (org.id) } " – " (kind_word(lang, org.kind)) ", " (membership_word(lang, org.membership)) }
        @if let Some(created) = &outcome.created {
            div.done role="status" {
                h2 { (t(lang, "Ny token", "New token")) }
                p { strong { (t(lang, "Den visas bara nu.", "It is shown only now.")) } " "
                    (t(lang, "Kopiera den och lämna den till organisationen på ett säkert sätt, till exempel i ett krypterat meddelande – aldrig i samma e-post som användarnamnet.", "Copy it and hand it to the organisation securely, for example in an encrypted message – never in the same e-mail as the user name.")) }
                div.field {
                    label for="new-token" { (t(lang, "Token för", "Token for")) " ”" (created.label) "”" }
                    input #new-token.token type="text" readonly value=(created.token) spellcheck="false" autocomplete="off";
                }
            }
        }
        table {
            caption { (t(lang, "Tokens", "Tokens")) " (" (tokens.len()) ")" }
            (column_heads(&[
                t(lang, "Etikett", "Label"),
                t(lang, "Skapad", "Created"),
                t(lang, "Senast använd", "Last used"),
                t(lang, "Återkalla", "Revoke"),
            ]))
            tbody {
                @for tok in tokens {
                    tr {
                        th scope="row" {
                            (if tok.label.is_empty() { "–" } else { &tok.label })
                            @if tok.id == mine { br; strong { (t(lang, "Din inloggning använder den här token; återkallar du den loggas du ut.", "Your sign-in uses this token; revoking it signs you out.")) } }
                        }
                        td { (local_time(tok.created_at)) }
                        td { (tok.last_used_at.map(local_time).unwrap_or_else(|| t(lang, "aldrig", "never").into())) }
                        td {
                            @if let Some(at) = tok.revoked_at {
                                (t(lang, "Återkallad", "Revoked")) " " (local_time(at))
                            } @else {
                                form.inline method="post" action=(href(&format!("/webb/tokens/{}/aterkalla", tok.id), lang)) {
                                    input type="hidden" name="org" value=(org.id);
                                    div.checkbox {
                                        input id={ "confirm-" (tok.id) } type="checkbox" name="confirm" value="ja";
                                        label for={ "confirm-" (tok.id) } { (t(lang, "Ja, återkalla", "Yes, revoke")) span.visually-hidden { " ”" (tok.label) "”" } }
                                    }
                                    button.warning type="submit" { (t(lang, "Återkalla", "Revoke")) span.visually-hidden { " ”" (tok.label) "”" } }
                                }
                            }
                        }
                    }
                }
            }
        }
        h2 { (t(lang, "Skapa en token", "Create a token")) }
        form method="post" action=(href(&format!("{base}/tokens"), lang)) {
            div.field {
                label for="label" { (t(lang, "Vad den är till för", "What it is for")) }
                p.hint #label-hint { (t(lang, "Till exempel personens namn och kalkylark, så att ni kan skilja tokens åt.", "For example the person's name and spreadsheet, so you can tell tokens apart.")) }
                input #label type="text" name="label" aria-describedby="label-hint";
            }
            button type="submit" { (t(lang, "Skapa token", "Create token")) }
        }
    };
    layout(lang, &base, &org.name, outcome.problem.is_some(), who, body)
}

#[derive(Default, Deserialize)]
pub(crate) struct LabelForm {
    #[serde(default)]
    label: String,
}

/// Creates a token (`POST /orgs/{org}/tokens`) and shows its secret this once.
pub(crate) async fn create_token(
    Change(visit): Change,
    Path(org): Path<String>,
    Fields(form): Fields<LabelForm>,
) -> Response {
    let lang = visit.lang;
    let Ok(id) = OrgId::parse(&org) else {
        return no_such_org(lang);
    };
    let path = format!("/orgs/{}/tokens", id.as_str());
    let answer = visit
        .call(
            Method::POST,
            &path,
            Payload::Json(serde_json::json!({"label": form.label})),
        )
        .await;
    let outcome = match answer.json::<TokenCreated>() {
        Ok(created) => OrgOutcome {
            created: Some(created),
            ..Default::default()
        },
        Err(p) => OrgOutcome::refused(p, "label".into()),
    };
    org_view(&visit, &org, outcome).await
}

#[derive(Default, Deserialize)]
pub(crate) struct RevokeForm {
    #[serde(default)]
    org: String,
    #[serde(default)]
    confirm: Option<String>,
}

/// Revokes a token (`DELETE /tokens/{id}`) once the box is ticked; its sessions end with it.
pub(crate) async fn revoke_token(
    Change(visit): Change,
    Path(id): Path<String>,
    Fields(form): Fields<RevokeForm>,
) -> Response {
    let lang = visit.lang;
    let Ok(token) = TokenId::parse(&id) else {
        return failed(
            lang,
            &own_problem(
                lang,
                "Det finns ingen sådan token.",
                "There is no such token.",
            ),
        );
    };
    let field = format!("confirm-{}", token.as_str());
    if form.confirm.is_none() {
        let p = own_problem(
            lang,
            "Kryssa i rutan ”Ja, återkalla” för att återkalla token.",
            "Tick ”Yes, revoke” to revoke the token.",
        );
        return org_view(&visit, &form.org, OrgOutcome::refused(p, field)).await;
    }
    // The token must be the organisation's whose page the form was on: a form naming another
    // organisation revokes nothing and says so there.
    let listed = match OrgId::parse(&form.org) {
        Ok(org) => {
            visit
                .all::<TokenView>(&format!("/orgs/{}/tokens", org.as_str()))
                .await
        }
        Err(_) => return no_such_org(lang),
    };
    match listed {
        Ok(tokens) if tokens.iter().any(|t| t.id == token.as_str()) => {}
        Ok(_) => {
            let p = own_problem(
                lang,
                "Token hör inte till den här organisationen och återkallades inte.",
                "The token does not belong to this organisation and was not revoked.",
            );
            return org_view(&visit, &form.org, OrgOutcome::refused(p, field)).await;
        }
        Err(p) => return failed(lang, &p),
    }
    let path = format!("/tokens/{}", token.as_str());
    let answer = visit.call(Method::DELETE, &path, Payload::Empty).await;
    // The kansli revoked the token its own session runs on: that session has ended.
    if answer.ok() && token.as_str() == visit.actor.token_id {
        return crate::setting_cookie(crate::to_sign_in(lang), crate::COOKIE, "", 0);
    }
    let outcome = if answer.ok() {
        OrgOutcome {
            revoked: true,
            ..Default::default()
        }
    } else {
        OrgOutcome::refused(answer.problem(), field)
    };
    org_view(&visit, &form.org, outcome).await
}
