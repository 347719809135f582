//! The pages every organisation uses: the overview, proposing, a provrum with its budget and
//! the steps its `actions` allow, uploading a budget version, and checking a workbook. Each step
//! is the API's request for it; a refusal is shown with the API's own words and findings.

use crate::api::{Answer, Budget, Me, Payload, Problem, ProvrumView};
use crate::pages::{
    code, column_heads, done_banner, href, href_query, layout, local_time, participant_word,
    summary, t, verdict_word,
};
use crate::words::words;
use crate::{Asked, Change, DONE_COOKIE, Fields, Visit, html};
use axum::extract::{FromRequest, Path, Request};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html as markup};
use provrum_http::{ApiError, Upload};
use provrum_rules::finding::RenderedFinding;
use provrum_rules::model::Status;
use provrum_rules::phase::Phase;
use provrum_rules::process::Step;
use provrum_rules::{Compliance, Finding, Lang, ProvrumId, Severity, Verdict};
use serde::Deserialize;

/// What a page that answers a form shows besides its content: what was just done (the
/// `klart` of the redirect: a step's name, or `proposed`), or what was refused (and which field
/// the refusal is about).
#[derive(Default)]
pub(crate) struct Outcome {
    pub done: Option<String>,
    pub problem: Option<(Problem, &'static str)>,
}

impl Outcome {
    fn refused(problem: Problem, field: &'static str) -> Outcome {
        Outcome {
            done: None,
            problem: Some((problem, field)),
        }
    }

    fn status(&self) -> StatusCode {
        self.problem
            .as_ref()
            .and_then(|(p, _)| StatusCode::from_u16(p.status).ok())
            .unwrap_or(StatusCode::OK)
    }
}

/// A refusal the page itself words (a form left empty).
pub(crate) fn own_problem(lang: Lang, sv: &str, en: &str) -> Problem {
    Problem {
        status: 400,
        detail: match lang {
            Lang::Sv => sv.to_string(),
            Lang::En => en.to_string(),
        },
        findings: Vec::new(),
        field: None,
    }
}

/// The error summary of a refusal: its sentence, then each finding, all linking to `field`.
pub(crate) fn problem_summary(lang: Lang, problem: &Problem, field: &str) -> Markup {
    let place = format!("#{field}");
    let entries: Vec<(String, String)> = std::iter::once(problem.detail.clone())
        .chain(problem.findings.iter().map(finding_line))
        .map(|message| (place.clone(), message))
        .collect();
    summary(words(lang).errors_heading, &entries)
}

/// A finding on one line: its rule with the rule's title, every cell it is about (each cell
/// that adds to a sum), and what it says.
fn finding_line(f: &RenderedFinding) -> String {
    let rule = if f.title.is_empty() {
        f.rule.clone()
    } else {
        format!("{} {}", f.rule, f.title)
    };
    match cells_of(f) {
        Some(cells) => format!("{rule} ({cells}): {}", f.message),
        None => format!("{rule}: {}", f.message),
    }
}

/// Where a finding is: every cell that adds to its sum, or its one place.
fn cells_of(f: &RenderedFinding) -> Option<String> {
    if f.cells.len() > 1 {
        let sheet = &f.cells[0].sheet;
        let cells: Vec<String> = f
            .cells
            .iter()
            .map(|c| match (&c.cell, &c.sheet == sheet) {
                (Some(cell), true) => cell.clone(),
                _ => c.reference(),
            })
            .collect();
        return Some(format!("{sheet}!{}", cells.join(", ")));
    }
    f.location.as_ref().map(|at| at.reference())
}

// --- The overview -----------------------------------------------------------------------------

/// The start page: who is signed in, the provrum the organisation can see, the template, a
/// check of a workbook, and the proposal form where `/me` allows it.
pub(crate) async fn home(visit: Visit) -> Response {
    overview(&visit, Outcome::default(), &Proposal::default()).await
}

#[derive(Default, Deserialize)]
pub(crate) struct Proposal {
    #[serde(default)]
    title: String,
    #[serde(default)]
    theme: String,
    #[serde(default)]
    description: String,
}

async fn overview(visit: &Visit, outcome: Outcome, kept: &Proposal) -> Response {
    let me: Me = match visit.get("/me").await {
        Ok(me) => me,
        Err(p) => return failed(visit.lang, &p),
    };
    let list: Vec<ProvrumView> = match visit.all("/provrum").await {
        Ok(list) => list,
        Err(p) => return failed(visit.lang, &p),
    };
    html(
        outcome.status(),
        overview_page(visit.lang, &me, &list, &outcome, kept),
    )
}

fn no_such_provrum(lang: Lang) -> Response {
    failed(
        lang,
        &own_problem(
            lang,
            "Det finns inget sådant provrum.",
            "There is no such provrum.",
        ),
    )
}

/// A page for a refusal that leaves nothing to show (the store did not answer, say).
pub(crate) fn failed(lang: Lang, problem: &Problem) -> Response {
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = markup! {
        (problem_summary(lang, problem, "innehall"))
        h1 { (t(lang, "Det gick inte", "That did not work")) }
        p { a href=(href(crate::BASE, lang)) { (t(lang, "Till översikten", "To the overview")) } }
    };
    html(
        status,
        layout(
            lang,
            crate::BASE,
            t(lang, "Det gick inte", "That did not work"),
            true,
            None,
            body,
        ),
    )
}

/// The kansli's pages, for those who may open them (who is signed in is in every page's
/// header).
fn kansli_nav(lang: Lang, me: &Me) -> Markup {
    markup! {
        @if me.may("oversee") || me.may("administer") {
            nav aria-label=(t(lang, "Kansliets sidor", "The kansli's pages")) {
                ul.nav {
                    @if me.may("oversee") {
                        li { a href=(href("/webb/status", lang)) { (t(lang, "Statustabell", "Status table")) } }
                        li { a href=(href("/webb/rapport", lang)) { (t(lang, "Årsrapport", "Yearly report")) } }
                    }
                    @if me.may("administer") {
                        li { a href=(href("/webb/organisationer", lang)) { (t(lang, "Organisationer och tokens", "Organisations and tokens")) } }
                    }
                }
            }
        }
    }
}

fn overview_page(
    lang: Lang,
    me: &Me,
    list: &[ProvrumView],
    outcome: &Outcome,
    kept: &Proposal,
) -> Markup {
    let w = words(lang);
    let error_at = |name: &str| {
        outcome
            .problem
            .as_ref()
            .filter(|(_, field)| *field == name)
            .map(|(p, _)| p.detail.as_str())
    };
    let description_error = error_at("description");
    let body = markup! {
        @if let Some((problem, field)) = &outcome.problem { (problem_summary(lang, problem, field)) }
        h1 { (w.home_title) }
        (kansli_nav(lang, me))
        @if list.is_empty() {
            p { (w.none) }
        } @else {
            table {
                caption { (w.caption) }
                (column_heads(&[
                    w.col_title,
                    w.col_status,
                    w.col_leader,
                    w.col_ready,
                    w.col_yours,
                ]))
                tbody {
                    @for p in list {
                        tr {
                            th scope="row" { a href=(href(&format!("/webb/provrum/{}", p.id), lang)) { (p.title) } }
                            td { (p.phase_text.get(lang)) }
                            td { (p.leader.as_deref().map(|l| p.name_of(l)).unwrap_or(w.no_leader)) }
                            td { (if p.ready { w.yes } else { w.no }) }
                            td { (if p.participants.iter().any(|x| x.org == me.org.id) { w.yes } else { w.no }) }
                        }
                    }
                }
            }
        }
        @if !list.is_empty() { p.hint { (w.col_ready) ": " (w.ready_means) } }
        section aria-labelledby="mall-rubrik" {
            h2 #mall-rubrik { (t(lang, "Budgetmallen", "The budget template")) }
            p {
                (t(lang, "Projektplanen och budgeten fylls i Reglabs mall: ", "The project plan and budget are filled in Reglab's template: "))
                a href={ "/template.xlsx?lang=" (code(lang)) } download { (t(lang, "Ladda ner mallen (.xlsx)", "Download the template (.xlsx)")) }
                "."
            }
            (check_form(lang))
        }
        section aria-labelledby="forslag-rubrik" {
            h2 #forslag-rubrik { (t(lang, "Föreslå ett provrum", "Propose a provrum")) }
            @match me.action("propose") {
                Some(a) if a.allowed => {
                    form method="post" action=(href("/webb/provrum", lang)) novalidate {
                        (text_field("title", t(lang, "Titel", "Title"), &kept.title, error_at("title")))
                        (text_field("theme", t(lang, "Tema (valfritt)", "Theme (optional)"), &kept.theme, error_at("theme")))
                        div.field.error[description_error.is_some()] {
                            label for="description" { (t(lang, "Beskrivning (valfri)", "Description (optional)")) }
                            @if let Some(m) = description_error { p.error-message #description-error { (m) } }
                            textarea #description name="description" rows="4"
                                aria-describedby=[description_error.is_some().then_some("description-error")]
                                aria-invalid=(if description_error.is_some() { "true" } else { "false" }) { (kept.description) }
                        }
                        button type="submit" { (t(lang, "Föreslå provrummet", "Propose the provrum")) }
                    }
                }
                Some(a) => { p { (a.reason.as_ref().map(|r| r.get(lang)).unwrap_or_default()) } (finding_list(lang, &a.findings)) }
                None => {}
            }
        }
    };
    layout(
        lang,
        crate::BASE,
        w.home_title,
        outcome.problem.is_some(),
        Some(&me.org),
        body,
    )
}

/// A labelled text field, with `error` said at it.
fn text_field(name: &str, label: &str, value: &str, error: Option<&str>) -> Markup {
    let error_id = format!("{name}-error");
    markup! {
        div.field.error[error.is_some()] {
            label for=(name) { (label) }
            @if let Some(m) = error { p.error-message id=(error_id) { (m) } }
            input id=(name) type="text" name=(name) value=(value)
                aria-describedby=[error.is_some().then_some(&error_id)]
                aria-invalid=(if error.is_some() { "true" } else { "false" });
        }
    }
}

/// Findings of the process (both languages kept), in a list.
pub(crate) fn finding_list(lang: Lang, findings: &[Finding]) -> Markup {
    markup! {
        @if !findings.is_empty() {
            ul.findings {
                @for f in findings { li { (finding_line(&f.render(lang))) } }
            }
        }
    }
}

/// The files the upload fields offer.
const WORKBOOK_FILES: &str = ".xlsx,.xlsm,.xls,.ods";

/// What a workbook to upload may be, with the API's own limit.
fn workbook_kinds(lang: Lang) -> String {
    let mb = provrum_http::upload::max_upload_mb();
    match lang {
        Lang::Sv => format!("Excel (.xlsx, .xlsm, .xls) eller OpenDocument (.ods), högst {mb} MB."),
        Lang::En => format!("Excel (.xlsx, .xlsm, .xls) or OpenDocument (.ods), at most {mb} MB."),
    }
}

/// The form that checks a workbook without storing it.
fn check_form(lang: Lang) -> Markup {
    markup! {
        form method="post" enctype="multipart/form-data" action=(href("/webb/kontrollera", lang)) {
            div.field {
                label for="check-file" { (t(lang, "Kontrollera en ifylld arbetsbok", "Check a filled-in workbook")) }
                p.hint #check-file-hint { (workbook_kinds(lang)) " " (t(lang, "Inget sparas.", "Nothing is stored.")) }
                input #check-file type="file" name="file" accept=(WORKBOOK_FILES) aria-describedby="check-file-hint";
            }
            button.secondary type="submit" { (t(lang, "Kontrollera", "Check")) }
        }
    }
}

/// Proposes a provrum (`POST /provrum`), then opens it.
pub(crate) async fn propose(Change(visit): Change, Fields(kept): Fields<Proposal>) -> Response {
    let lang = visit.lang;
    let optional = |s: &str| {
        let s = s.trim();
        (!s.is_empty()).then(|| s.to_string())
    };
    let body = serde_json::json!({
        "title": kept.title,
        "theme": optional(&kept.theme),
        "description": optional(&kept.description),
    });
    let answer = visit
        .call(Method::POST, "/provrum", Payload::Json(body))
        .await;
    match answer.json::<serde_json::Value>() {
        Ok(created) => {
            let id = created["id"].as_str().unwrap_or_default();
            done(lang, id, "proposed")
        }
        Err(problem) => {
            let field = proposal_field(&problem, &kept);
            overview(&visit, Outcome::refused(problem, field), &kept).await
        }
    }
}

/// The proposal form's field a refusal is about: the one the API names, or, for a request the
/// API found too large to read, the field that holds the most text.
fn proposal_field(problem: &Problem, kept: &Proposal) -> &'static str {
    match problem.field.as_deref() {
        Some("theme") => "theme",
        Some("description") => "description",
        Some(_) => "title",
        None if problem.status == 413 => [
            ("title", kept.title.len()),
            ("theme", kept.theme.len()),
            ("description", kept.description.len()),
        ]
        .into_iter()
        .max_by_key(|(_, n)| *n)
        .map_or("title", |(f, _)| f),
        None => "title",
    }
}

/// Back to provrum `id`'s page, saying what was done (`klart`): the page shows it only to the
/// browser that took the step, which carries it in a cookie for a minute ([`DONE_COOKIE`]).
fn done(lang: Lang, id: &str, what: &str) -> Response {
    let to = href_query(
        &format!("/webb/provrum/{id}"),
        &format!("klart={what}"),
        lang,
    );
    crate::setting_cookie(
        Redirect::to(&to).into_response(),
        DONE_COOKIE,
        &format!("{id}.{what}"),
        60,
    )
}

// --- A provrum --------------------------------------------------------------------------------

#[derive(Default, Deserialize)]
pub(crate) struct Done {
    klart: Option<String>,
}

/// A provrum: what it is, who takes part, its budget versions, and the steps the caller may
/// take (and why not the others).
pub(crate) async fn page(
    visit: Visit,
    Path(id): Path<String>,
    Asked(done): Asked<Done>,
    headers: HeaderMap,
) -> Response {
    // "Done" only from the step just taken here: the URL alone says nothing.
    let taken = crate::cookie(&headers, DONE_COOKIE, 200);
    let done = done
        .klart
        .filter(|what| taken.as_deref() == Some(format!("{id}.{what}").as_str()));
    let outcome = Outcome {
        done,
        problem: None,
    };
    let page = show(&visit, &id, outcome, &StepForm::default()).await;
    match taken {
        Some(_) => crate::setting_cookie(page, DONE_COOKIE, "", 0),
        None => page,
    }
}

fn done_words(lang: Lang, what: &str) -> Option<&'static str> {
    Some(match what {
        "proposed" => t(
            lang,
            "Provrummet är föreslaget. Nu kan andra organisationer anmäla intresse.",
            "The provrum is proposed. Other organisations can now register interest.",
        ),
        "register_interest" => t(
            lang,
            "Ert svar är sparat. Den som föreslog provrummet väljer provrumsledare bland deltagarna.",
            "Your answer is saved. The proposer chooses the leader among the participants.",
        ),
        "withdraw_interest" => t(
            lang,
            "Ert intresse är återkallat. Ni deltar inte längre i provrummet.",
            "Your interest is withdrawn. You no longer take part in the provrum.",
        ),
        "choose_leader" => t(
            lang,
            "Provrumsledaren är vald. Nästa steg: provrumsledaren skickar in projektplanen och budgeten.",
            "The leader is chosen. Next: the leader submits the project plan and the budget.",
        ),
        "upload_budget" => t(
            lang,
            "Budgeten är sparad som en ny version. Resultatet står under Budget.",
            "The budget is saved as a new version. The result is under Budget.",
        ),
        "approve" => t(lang, "Klartecken givet.", "Go-ahead given."),
        "withdraw" => t(
            lang,
            "Provrummet är återtaget. Det kan inte längre ändras.",
            "The provrum is withdrawn. It can no longer change.",
        ),
        "report_result" => t(
            lang,
            "Resultatet är återrapporterat. Tack! Alla medlemmar kan nu läsa det här.",
            "The result is reported. Thank you! Every member can now read it here.",
        ),
        _ => return None,
    })
}

/// What happens after the go-ahead, from the provrum's dates.
fn after_go_ahead(lang: Lang, p: &ProvrumView) -> String {
    let due = p.result_due.map(|d| d.to_string()).unwrap_or_default();
    match (p.phase, lang) {
        (Phase::Starting, Lang::Sv) => format!(
            "Provrummet startar {}; provrumsledaren återrapporterar resultatet senast {due}.",
            p.start.map(|d| d.to_string()).unwrap_or_default()
        ),
        (Phase::Starting, Lang::En) => format!(
            "The provrum starts on {}; the leader reports its result by {due}.",
            p.start.map(|d| d.to_string()).unwrap_or_default()
        ),
        (Phase::Ended | Phase::Overdue, Lang::Sv) => {
            format!(
                "Planens slutdatum har passerat; provrumsledaren återrapporterar resultatet nu (senast {due})."
            )
        }
        (Phase::Ended | Phase::Overdue, Lang::En) => {
            format!(
                "The plan's end date has passed; the leader reports the result now (due {due})."
            )
        }
        (_, Lang::Sv) => {
            format!("Provrummet pågår; provrumsledaren återrapporterar resultatet senast {due}.")
        }
        (_, Lang::En) => format!("The provrum is running; the leader reports its result by {due}."),
    }
}

/// What happens after a budget version is stored: fix its errors, or wait for the kansli.
fn after_upload(lang: Lang, p: &ProvrumView, budget: &Result<Budget, Problem>) -> &'static str {
    let errors = budget
        .as_ref()
        .ok()
        .and_then(|b| b.latest.as_ref())
        .is_some_and(|l| l.compliance.verdict == Verdict::Errors);
    match (errors, p.status) {
        (true, _) => t(
            lang,
            "Rätta felen och skicka in en ny version; kansliet kan ge klartecken först när budgeten är utan fel.",
            "Fix the errors and submit a new version; the kansli can give the go-ahead only to a budget without errors.",
        ),
        (false, Status::Proposed) => t(
            lang,
            "Nästa steg: Reglabs kansli granskar budgeten och ger klartecken.",
            "Next: Reglab's kansli reviews the budget and gives the go-ahead.",
        ),
        (false, _) => t(
            lang,
            "Revisionen gäller inom den beviljade basfinansieringen; kansliet har fått veta.",
            "The revision stands within the granted base funding; the kansli has been told.",
        ),
    }
}

/// What a step's form sent, kept to show again after a refusal.
#[derive(Default, Deserialize)]
pub(crate) struct StepForm {
    #[serde(default)]
    summary: String,
    #[serde(default)]
    link: String,
    #[serde(default)]
    org: String,
    #[serde(default)]
    wants_to_lead: Option<String>,
    #[serde(default)]
    confirm: Option<String>,
}

pub(crate) async fn show(visit: &Visit, id: &str, outcome: Outcome, kept: &StepForm) -> Response {
    let lang = visit.lang;
    let Ok(id) = ProvrumId::parse(id) else {
        return no_such_provrum(lang);
    };
    let path = format!("/provrum/{}", id.as_str());
    let view: ProvrumView = match visit.get(&path).await {
        Ok(v) => v,
        Err(p) => return failed(lang, &p),
    };
    // Participants and the kansli read the budget; for others the section says why not.
    let budget: Result<Budget, Problem> = visit.get(&format!("{path}/budget?limit=500")).await;
    html(
        outcome.status(),
        provrum_page(lang, &visit.actor.org, &view, &budget, &outcome, kept),
    )
}

fn provrum_page(
    lang: Lang,
    who: &provrum_store::Org,
    p: &ProvrumView,
    budget: &Result<Budget, Problem>,
    outcome: &Outcome,
    kept: &StepForm,
) -> Markup {
    let w = words(lang);
    let base = format!("/webb/provrum/{}", p.id);
    let done = outcome.done.as_deref();
    let message = done.and_then(|what| done_words(lang, what));
    // Just after a step, the latest budget's errors are what to fix first.
    let to_fix = budget
        .as_ref()
        .ok()
        .and_then(|b| b.latest.as_ref())
        .filter(|l| l.compliance.verdict == Verdict::Errors && message.is_some());
    let errors = outcome.problem.is_some() || to_fix.is_some();
    let body = markup! {
        @if let Some((problem, field)) = &outcome.problem {
            (problem_summary(lang, problem, field))
        } @else if let Some(l) = to_fix {
            (fix_first(lang, &l.compliance))
        }
        @if let Some(message) = message {
            @if let (true, Some(year), Some(base)) = (p.status == Status::Running && done == Some("approve"), p.quota_year, p.granted_base_funding_ore) {
                (done_banner(&format!("{message} {} {year}, {} {base}. {}", t(lang, "Kvotår", "Quota year"), t(lang, "basfinansiering", "base funding"), after_go_ahead(lang, p))))
            } @else if done == Some("upload_budget") {
                (done_banner(&format!("{message} {}", after_upload(lang, p, budget))))
            } @else {
                (done_banner(message))
            }
        }
        p { a href=(href(crate::BASE, lang)) { "← " (t(lang, "Översikt", "Overview")) } }
        h1 { (p.title) }
        dl.facts {
            dt { (t(lang, "Status", "Status")) } dd { (p.phase_text.get(lang)) }
            @if let Some(theme) = &p.theme { dt { (t(lang, "Tema", "Theme")) } dd { (theme) } }
            dt { (t(lang, "Föreslaget av", "Proposed by")) } dd { (p.name_of(&p.proposer)) }
            dt { (w.col_leader) } dd { (p.leader.as_deref().map(|l| p.name_of(l)).unwrap_or(w.no_leader)) }
            @if p.status == Status::Proposed {
                dt { (w.col_ready) } dd { (if p.ready { w.yes } else { w.no }) " – " span.hint { (w.ready_means) } }
            }
            @if let (Some(start), Some(end)) = (p.start, p.end) { dt { (t(lang, "Planerad period", "Planned period")) } dd { (start) " – " (end) } }
            @if let Some(at) = p.approved_at { dt { (t(lang, "Klartecken", "Go-ahead")) } dd { (local_time(at)) } }
            @if let (Status::Running, Some(due)) = (p.status, p.result_due) { dt { (t(lang, "Resultatet återrapporteras senast", "Result due by")) } dd { (due) } }
            @if let Some(a) = &p.approved_budget { dt { (t(lang, "Godkänd budget", "Approved budget")) } dd { (t(lang, "Godkänd version", "Approved version")) " " (a.version) } }
            @if let Some(year) = p.quota_year { dt { (t(lang, "Kvotår", "Quota year")) } dd { (year) } }
            @if let Some(base) = p.granted_base_funding_ore { dt { (t(lang, "Beviljad basfinansiering", "Granted base funding")) } dd { (base) } }
        }
        @if let Some(d) = &p.description { p.description { (d) } }
        @if !p.ready { (finding_list(lang, &p.readiness.findings)) }
        h2 { (t(lang, "Deltagare", "Participants")) }
        @if p.participants.is_empty() {
            p { (t(lang, "Inga ännu.", "None yet.")) }
        } @else {
            ul {
                @for x in &p.participants {
                    li {
                        (x.name) " (" (participant_word(lang, x.kind)) ")"
                        @if p.leader.as_deref() == Some(x.org.as_str()) { " – " strong { (t(lang, "provrumsledare", "leader")) } }
                        @else if x.wants_to_lead { " – " (t(lang, "vill vara provrumsledare", "wants to lead")) }
                    }
                }
            }
        }
        @if let Some(r) = &p.result {
            h2 { (t(lang, "Resultat", "Result")) }
            p { (r.summary) }
            @if let Some(link) = &r.link { p { a href=(link) rel="noopener noreferrer" { (link) } } }
        }
        h2 #budget { (t(lang, "Budget", "Budget")) }
        @match budget {
            Ok(b) => { (budget_section(lang, p, b)) }
            Err(problem) => { p { (problem.detail) } }
        }
        h2 { (t(lang, "Steg", "Steps")) }
        (steps(lang, p, &who.id, &base, kept, outcome))
    };
    layout(lang, &base, &p.title, errors, Some(who), body)
}

/// GOV.UK's error summary for a budget's errors: what to fix first, each linking to its row.
fn fix_first(lang: Lang, c: &Compliance) -> Markup {
    let entries: Vec<(String, String)> = c
        .findings
        .iter()
        .enumerate()
        .filter(|(_, f)| f.severity == Severity::Error)
        .map(|(i, f)| (format!("#fynd-{}", i + 1), finding_line(f)))
        .collect();
    summary(t(lang, "Åtgärda detta först", "Fix these first"), &entries)
}

fn budget_section(lang: Lang, p: &ProvrumView, b: &Budget) -> Markup {
    markup! {
        @match &b.latest {
            None => p { (t(lang, "Ingen budget är inlämnad ännu.", "No budget has been submitted yet.")) },
            Some(latest) => {
                p {
                    (t(lang, "Senaste versionen", "Latest version")) " " (latest.summary.version) ": "
                    strong { (verdict_word(lang, latest.compliance.verdict)) }
                    ". " (t(lang, "Total budget", "Total budget")) " " (latest.compliance.summary.total_budget_ore)
                    ", " (t(lang, "varav Reglabs basfinansiering", "of which Reglab's base funding")) " " (latest.compliance.summary.base_funding_ore) "."
                }
                (findings_table(lang, &latest.compliance))
            }
        }
        @if !b.versions.is_empty() {
            table {
                caption { (t(lang, "Budgetversioner", "Budget versions")) }
                (column_heads(&[
                    t(lang, "Version", "Version"),
                    t(lang, "Fil", "File"),
                    t(lang, "Inlämnad", "Submitted"),
                    t(lang, "Av", "By"),
                    t(lang, "Bedömning", "Verdict"),
                    t(lang, "Fel", "Errors"),
                    t(lang, "Varningar", "Warnings"),
                ]))
                tbody {
                    @for v in b.versions.iter().rev() {
                        tr {
                            th scope="row" {
                                (v.version)
                                @if p.approved_budget.as_ref().is_some_and(|a| a.version == v.version) { " – " (t(lang, "godkänd", "approved")) }
                                @else if v.revision { " – " (t(lang, "revision", "revision")) }
                            }
                            td { (v.file_name.as_deref().unwrap_or("–")) }
                            td { (local_time(v.uploaded_at)) }
                            td { (p.name_of(&v.uploaded_by)) }
                            td { (verdict_word(lang, v.verdict)) }
                            td { (v.errors) }
                            td { (v.warnings) }
                        }
                    }
                }
            }
        }
    }
}

/// A compliance result as a table: rule, severity, what is wrong, the model's sentence, the cell.
pub(crate) fn findings_table(lang: Lang, c: &Compliance) -> Markup {
    markup! {
        @if c.findings.is_empty() {
            p { (t(lang, "Regelkontrollen hittade inget att anmärka på.", "The rules found nothing to remark on.")) }
        } @else {
            table.findings-table {
                caption { (t(lang, "Regelkontrollens fynd", "What the rules found")) }
                (column_heads(&[
                    t(lang, "Regel", "Rule"),
                    t(lang, "Allvar", "Severity"),
                    t(lang, "Vad som är fel", "What is wrong"),
                    t(lang, "Modellen säger", "The model says"),
                    t(lang, "Cell", "Cell"),
                ]))
                tbody {
                    @for (i, f) in c.findings.iter().enumerate() {
                        tr id={ "fynd-" (i + 1) } tabindex="-1" {
                            th scope="row" { (f.rule) @if !f.title.is_empty() { br; span.hint { (f.title) } } }
                            td { @match f.severity {
                                Severity::Error => strong.sev-error { (t(lang, "Fel", "Error")) },
                                Severity::Warning => span.sev-warning { (t(lang, "Varning", "Warning")) },
                            } }
                            td { (f.message) }
                            td { (f.source.as_deref().unwrap_or("–")) }
                            td { (cells_of(f).unwrap_or_else(|| "–".into())) }
                        }
                    }
                }
            }
        }
    }
}

/// The steps: a form for each the caller may take now, then the others with why not.
fn steps(
    lang: Lang,
    p: &ProvrumView,
    me: &str,
    base: &str,
    kept: &StepForm,
    outcome: &Outcome,
) -> Markup {
    let mine = p.participants.iter().find(|x| x.org == me);
    let allowed: Vec<_> = p.actions.iter().filter(|a| a.allowed).collect();
    let refused: Vec<_> = p.actions.iter().filter(|a| !a.allowed).collect();
    let in_error = |field: &str| outcome.problem.as_ref().is_some_and(|(_, f)| *f == field);
    markup! {
        @if allowed.is_empty() {
            p { (t(lang, "Det finns inget steg för er att ta nu.", "There is no step for you to take now.")) }
        }
        @for a in &allowed {
            @let action = href(&format!("{base}/steg/{}", step_name(a.action)), lang);
            @match a.action {
                // Taking part already, with nothing to answer (a partner, the leader): no form.
                Step::RegisterInterest if mine.is_some() && !(a.wants_to_lead.as_ref().is_some_and(|o| o.allowed) && p.leader.as_deref() != Some(me)) => {}
                Step::RegisterInterest => {
                    form.step id={ "steg-" (step_name(a.action)) } method="post" action=(action) {
                        h3 { (if mine.is_some() { t(lang, "Ert svar", "Your answer") } else { t(lang, "Anmäl intresse", "Register interest") }) }
                        @if a.wants_to_lead.as_ref().is_some_and(|o| o.allowed) && p.leader.as_deref() != Some(me) {
                            div.field.checkbox {
                                input #wants_to_lead type="checkbox" name="wants_to_lead" value="ja"
                                    checked[kept.wants_to_lead.is_some() || mine.is_some_and(|x| x.wants_to_lead)];
                                label for="wants_to_lead" { (t(lang, "Vi vill vara provrumsledare", "We want to lead")) }
                            }
                        } @else if let Some(reason) = a.wants_to_lead.as_ref().and_then(|o| o.reason.as_ref()) {
                            p.hint { (reason.get(lang)) }
                        }
                        button type="submit" { (if mine.is_some() { t(lang, "Spara svaret", "Save the answer") } else { t(lang, "Anmäl intresse", "Register interest") }) }
                    }
                }
                Step::WithdrawInterest => {
                    form.step id={ "steg-" (step_name(a.action)) } method="post" action=(action) {
                        h3 { (t(lang, "Dra tillbaka intresset", "Withdraw your interest")) }
                        button.secondary type="submit" { (t(lang, "Dra tillbaka intresset", "Withdraw interest")) }
                    }
                }
                Step::ChooseLeader => {
                    form.step id={ "steg-" (step_name(a.action)) } method="post" action=(action) {
                        h3 { (t(lang, "Välj provrumsledare", "Choose the leader")) }
                        div.field.error[in_error("org")] {
                            label for="org" { (t(lang, "Provrumsledare", "Leader")) }
                            p.hint #org-hint { (t(lang, "Deltagande medlemmar; de som vill leda står först. Partner kan inte leda.", "Participating members; those who want to lead come first. Partners cannot lead.")) }
                            select #org name="org" aria-describedby="org-hint" {
                                @for x in a.leaders.iter().flatten().filter_map(|org| p.participants.iter().find(|x| &x.org == org)) {
                                    option value=(x.org) selected[x.org == kept.org || (kept.org.is_empty() && p.leader.as_deref() == Some(x.org.as_str()))] {
                                        (x.name) @if x.wants_to_lead { " – " (t(lang, "vill leda", "wants to lead")) }
                                    }
                                }
                            }
                        }
                        button type="submit" { (t(lang, "Välj", "Choose")) }
                    }
                }
                Step::UploadBudget => {
                    form.step id={ "steg-" (step_name(a.action)) } method="post" enctype="multipart/form-data" action=(href(&format!("{base}/budget"), lang)) {
                        h3 { (t(lang, "Skicka in budgeten", "Submit the budget")) }
                        div.field.error[in_error("file")] {
                            label for="file" { (t(lang, "Ifylld arbetsbok", "Filled-in workbook")) }
                            p.hint #file-hint { (t(lang, "Reglabs mall, ifylld:", "Reglab's template, filled in:")) " " (workbook_kinds(lang)) " " (t(lang, "Den kontrolleras och sparas som en ny budgetversion.", "It is checked and saved as a new budget version.")) }
                            @if let Some((problem, "file")) = &outcome.problem { p.error-message #file-error { (problem.detail) } }
                            input #file type="file" name="file" accept=(WORKBOOK_FILES)
                                aria-describedby=(if in_error("file") { "file-hint file-error" } else { "file-hint" })
                                aria-invalid=(if in_error("file") { "true" } else { "false" });
                        }
                        button type="submit" { (t(lang, "Kontrollera och spara", "Check and save")) }
                    }
                }
                Step::Approve => {
                    form.step id={ "steg-" (step_name(a.action)) } method="post" action=(action) {
                        h3 { (t(lang, "Ge klartecken", "Give the go-ahead")) }
                        (confirm_box(lang, "confirm-approve", in_error("confirm-approve"), t(lang, "Jag har granskat provrummet och budgeten. Klartecken kan inte ångras.", "I have reviewed the provrum and the budget. The go-ahead cannot be undone.")))
                        button type="submit" { (t(lang, "Ge klartecken", "Give the go-ahead")) }
                    }
                }
                Step::Withdraw => {
                    form.step id={ "steg-" (step_name(a.action)) } method="post" action=(action) {
                        h3 { (t(lang, "Dra tillbaka provrummet", "Withdraw the provrum")) }
                        (confirm_box(lang, "confirm-withdraw", in_error("confirm-withdraw"), t(lang, "Provrummet återtas för alla deltagare. Det kan inte ångras.", "The provrum is withdrawn for every participant. It cannot be undone.")))
                        button.warning type="submit" { (t(lang, "Dra tillbaka provrummet", "Withdraw the provrum")) }
                    }
                }
                Step::ReportResult => {
                    form.step id={ "steg-" (step_name(a.action)) } method="post" action=(action) novalidate {
                        h3 { (t(lang, "Återrapportera resultatet", "Report the result")) }
                        div.field.error[in_error("summary")] {
                            label for="summary" { (t(lang, "Vad kom ni fram till?", "What did you find out?")) }
                            @if let Some((problem, "summary")) = &outcome.problem { p.error-message #summary-error { (problem.detail) } }
                            textarea #summary name="summary" rows="5"
                                aria-describedby=[in_error("summary").then_some("summary-error")]
                                aria-invalid=(if in_error("summary") { "true" } else { "false" }) { (kept.summary) }
                        }
                        div.field.error[in_error("link")] {
                            label for="link" { (t(lang, "Länk till mer (valfri)", "Link to more (optional)")) }
                            @if let Some((problem, "link")) = &outcome.problem { p.error-message #link-error { (problem.detail) } }
                            input #link type="url" name="link" value=(kept.link)
                                aria-describedby=[in_error("link").then_some("link-error")]
                                aria-invalid=(if in_error("link") { "true" } else { "false" });
                        }
                        button type="submit" { (t(lang, "Återrapportera", "Report")) }
                    }
                }
            }
        }
        @if !refused.is_empty() {
            details.refused open[refused.iter().any(|a| a.action == Step::Approve && !a.findings.is_empty())] {
                summary { (t(lang, "Steg som inte går nu", "Steps not possible now")) " (" (refused.len()) ")" }
                ul {
                    @for a in &refused {
                        li {
                            strong { (step_title(lang, a.action)) } ": "
                            (a.reason.as_ref().map(|r| r.get(lang)).unwrap_or_default())
                            (finding_list(lang, &a.findings))
                        }
                    }
                }
            }
        }
    }
}

/// What an irreversible step's box says when it was not ticked (Swedish, English).
const CONFIRM: (&str, &str) = (
    "Kryssa i rutan för att bekräfta.",
    "Tick the box to confirm.",
);

fn confirm_box(lang: Lang, id: &str, error: bool, text: &str) -> Markup {
    let error_id = format!("{id}-error");
    markup! {
        div.field.checkbox.error[error] {
            @if error { p.error-message id=(error_id) { (t(lang, CONFIRM.0, CONFIRM.1)) } }
            input id=(id) type="checkbox" name="confirm" value="ja"
                aria-describedby=[error.then_some(&error_id)]
                aria-invalid=(if error { "true" } else { "false" });
            label for=(id) { (text) }
        }
    }
}

fn step_title(lang: Lang, step: Step) -> &'static str {
    match step {
        Step::RegisterInterest => t(lang, "Anmäl intresse", "Register interest"),
        Step::WithdrawInterest => t(lang, "Dra tillbaka intresset", "Withdraw interest"),
        Step::ChooseLeader => t(lang, "Välj provrumsledare", "Choose the leader"),
        Step::UploadBudget => t(lang, "Skicka in budgeten", "Submit the budget"),
        Step::Approve => t(lang, "Ge klartecken", "Give the go-ahead"),
        Step::Withdraw => t(lang, "Dra tillbaka provrummet", "Withdraw the provrum"),
        Step::ReportResult => t(lang, "Återrapportera resultatet", "Report the result"),
    }
}

fn step_name(step: Step) -> String {
    serde_json::to_value(step)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// Takes step `step` on provrum `id`: the request its action names, with what the form sent.
pub(crate) async fn step(
    Change(visit): Change,
    Path((id, step)): Path<(String, String)>,
    Fields(kept): Fields<StepForm>,
) -> Response {
    let lang = visit.lang;
    let step = match serde_json::from_value::<Step>(serde_json::Value::String(step)) {
        Ok(s) if s != Step::UploadBudget => s,
        _ => {
            return failed(
                lang,
                &own_problem(
                    lang,
                    "Det finns inget sådant steg.",
                    "There is no such step.",
                ),
            );
        }
    };
    let Ok(pid) = ProvrumId::parse(&id) else {
        return no_such_provrum(lang);
    };
    if matches!(step, Step::Approve | Step::Withdraw) && kept.confirm.is_none() {
        let problem = own_problem(lang, CONFIRM.0, CONFIRM.1);
        let field = if step == Step::Approve {
            "confirm-approve"
        } else {
            "confirm-withdraw"
        };
        return show(&visit, &id, Outcome::refused(problem, field), &kept).await;
    }
    let (method, path) = step.route(pid.as_str());
    let payload = match step {
        Step::RegisterInterest => {
            Payload::Json(serde_json::json!({"wants_to_lead": kept.wants_to_lead.is_some()}))
        }
        Step::ChooseLeader => Payload::Json(serde_json::json!({"org": kept.org})),
        Step::ReportResult => {
            let link = kept.link.trim();
            Payload::Json(serde_json::json!({
                "summary": kept.summary,
                "link": (!link.is_empty()).then_some(link),
            }))
        }
        _ => Payload::Empty,
    };
    let method = Method::from_bytes(method.as_bytes()).unwrap_or(Method::POST);
    let answer = visit.call(method, &path, payload).await;
    if answer.ok() {
        return done(lang, pid.as_str(), &step_name(step));
    }
    let problem = answer.problem();
    let field = match step {
        Step::ChooseLeader => "org",
        Step::ReportResult if problem.field.as_deref() == Some("link") => "link",
        Step::ReportResult => "summary",
        Step::Approve => "confirm-approve",
        Step::Withdraw => "confirm-withdraw",
        _ => "steg",
    };
    show(&visit, &id, Outcome::refused(problem, field), &kept).await
}

// --- Workbooks --------------------------------------------------------------------------------

/// Sends the form's workbook to the API's `path` as one `file` part, named as it was uploaded
/// (what the upload routes read): its name and the answer, or why there is no workbook.
async fn send_workbook(
    visit: &Visit,
    request: Request,
    path: &str,
) -> Result<(Option<String>, Answer), Problem> {
    let lang = visit.lang;
    let upload = Upload::from_request(request, &visit.state)
        .await
        .map_err(|e| problem_of(&e, lang))?;
    if upload.bytes.is_empty() {
        return Err(own_problem(
            lang,
            "Välj en arbetsbok att ladda upp (.xlsx, .xlsm, .xls eller .ods).",
            "Choose a workbook to upload (.xlsx, .xlsm, .xls or .ods).",
        ));
    }
    let name = upload.file_name.clone();
    let answer = visit.call(Method::POST, path, as_form(upload)).await;
    Ok((name, answer))
}

pub(crate) fn problem_of(e: &ApiError, lang: Lang) -> Problem {
    let body = e.body(lang);
    Problem {
        status: body.status,
        detail: body.detail,
        findings: body.findings,
        field: body.field,
    }
}

/// The workbook as a form of one part, `file`, named as it was uploaded: what the API's upload
/// routes read.
fn as_form(upload: Upload) -> Payload {
    let boundary = format!("provrum-{}", provrum_store::new_id(""));
    let name: String = upload
        .file_name
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_control() && *c != '"' && *c != '\\')
        .take(200)
        .collect();
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(&upload.bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    Payload::Raw(
        format!("multipart/form-data; boundary={boundary}"),
        body.into(),
    )
}

/// Checks the workbook and stores it as the provrum's next budget version
/// (`POST /provrum/{id}/budget`); a file that cannot be read is refused and nothing is stored.
pub(crate) async fn upload(
    Change(visit): Change,
    Path(id): Path<String>,
    request: Request,
) -> Response {
    let lang = visit.lang;
    let Ok(pid) = ProvrumId::parse(&id) else {
        return no_such_provrum(lang);
    };
    let path = format!("/provrum/{}/budget", pid.as_str());
    let problem = match send_workbook(&visit, request, &path).await {
        Ok((_, answer)) if answer.ok() => return done(lang, pid.as_str(), "upload_budget"),
        Ok((_, answer)) => answer.problem(),
        Err(problem) => problem,
    };
    show(
        &visit,
        &id,
        Outcome::refused(problem, "file"),
        &StepForm::default(),
    )
    .await
}

/// Checks a workbook without storing anything (`POST /check`) and shows what the rules found.
pub(crate) async fn check(Change(visit): Change, request: Request) -> Response {
    let lang = visit.lang;
    match send_workbook(&visit, request, "/check").await {
        Ok((name, answer)) => checked_page(
            lang,
            &visit.actor.org,
            name.as_deref(),
            answer.json::<Compliance>(),
        ),
        Err(problem) => checked_page(lang, &visit.actor.org, None, Err(problem)),
    }
}

fn checked_page(
    lang: Lang,
    who: &provrum_store::Org,
    name: Option<&str>,
    result: Result<Compliance, Problem>,
) -> Response {
    let title = t(lang, "Kontroll av arbetsbok", "Workbook check");
    let (status, errors, body) = match &result {
        Err(problem) => (
            StatusCode::from_u16(problem.status).unwrap_or(StatusCode::BAD_REQUEST),
            true,
            markup! {
                (problem_summary(lang, problem, "check-file"))
                h1 { (title) }
                (check_form(lang))
            },
        ),
        Ok(c) => (
            StatusCode::OK,
            c.verdict == Verdict::Errors,
            markup! {
                @if c.verdict == Verdict::Errors { (fix_first(lang, c)) }
                h1 { (title) }
                p {
                    (t(lang, "Resultat för", "Result for")) " ”" (name.unwrap_or("?")) "”: "
                    strong { (verdict_word(lang, c.verdict)) }
                    "."
                    // A file that is not a workbook (FORM-1) has no budget to sum.
                    @if !c.findings.iter().any(|f| f.rule == provrum_rules::form::FORM_1.id) {
                        " " (t(lang, "Total budget", "Total budget")) " " (c.summary.total_budget_ore)
                        ", " (t(lang, "varav Reglabs basfinansiering", "of which Reglab's base funding")) " " (c.summary.base_funding_ore) "."
                    }
                }
                p { (t(lang, "Inget har sparats. Provrumsledaren skickar in budgeten från provrummets sida.", "Nothing has been stored. The leader submits the budget from the provrum's page.")) }
                (findings_table(lang, c))
                h2 { (t(lang, "Kontrollera en till", "Check another")) }
                (check_form(lang))
            },
        ),
    };
    let body = markup! {
        (body)
        p { a href=(href(crate::BASE, lang)) { "← " (t(lang, "Översikt", "Overview")) } }
    };
    html(
        status,
        layout(lang, crate::BASE, title, errors, Some(who), body),
    )
}
