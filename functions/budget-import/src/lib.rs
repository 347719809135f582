//! `budget-import`: `POST /check` (a stateless check of a workbook) and the leader's budget
//! versions of a stored provrum (`POST`/`GET /provrum/{id}/budget`).

use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::{Json, Router};
use provrum_http::openapi::{
    BadPage, BadRequest, Conflict, Forbidden, NotFound, NotWorkbook, TooLarge, Unauthorized,
    Unavailable,
};
use provrum_http::paging::{self, Paging};
use provrum_http::path::ProvrumPath;
use provrum_http::views::{self, Situation, load_provrum};
use provrum_http::{Action, Actor, ApiError, AppState, RequestLang, Upload, authorize};
use provrum_rules::process::{self, Command, Step};
use provrum_rules::{
    Checked, Compliance, Context, Registered, RegisteredOrg, RuleSet, Submission, Text,
};
use provrum_store::{BudgetSummary, BudgetVersion, Provrum};
use provrum_workbook::template::spec::Spec;
use serde::Serialize;
use std::sync::Arc;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The .xlsx content type.
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(check))
        .routes(routes!(template))
        .routes(routes!(template_spec))
        .routes(routes!(upload, versions))
        .layer(DefaultBodyLimit::max(
            provrum_http::upload::upload_body_limit(),
        ))
}

pub fn router(state: AppState) -> Router {
    provrum_http::app(routes().into(), state)
}

/// The routes that take a workbook, in the OpenAPI document: a body of several types.
pub fn describe_uploads(doc: &mut utoipa::openapi::OpenApi) {
    for path in ["/check", "/provrum/{id}/budget"] {
        provrum_http::openapi::takes_upload(doc, path);
    }
}

/// The stored provrum a workbook is uploaded to, owned so that the check can run on its own
/// thread: its title, participants and leader.
struct Owner {
    title: String,
    orgs: Vec<RegisteredOrg>,
    leader: Option<String>,
}

/// Reading and checking is CPU work: off the async threads.
async fn run_check(
    bytes: axum::body::Bytes,
    name: Option<String>,
    rules: Arc<RuleSet>,
    owner: Option<Owner>,
) -> Result<Checked, ApiError> {
    // At most a few checks at once per process: each one holds its workbook's cells.
    let slot = provrum_http::upload::check_slot(provrum_http::upload::CHECK_WAIT).await?;
    let checked = tokio::task::spawn_blocking(move || {
        let ctx = Context {
            ruleset: &rules,
            registered: owner.as_ref().map(|o| Registered {
                title: &o.title,
                orgs: &o.orgs,
                leader: o.leader.as_deref(),
            }),
        };
        let (format, checked) = provrum_workbook::check_detected(&bytes, name.as_deref(), ctx);
        provrum_http::metrics::workbook_checked(checked.report.verdict(), format);
        checked
    })
    .await
    .map_err(|e| {
        tracing::error!(error = %e, "check task failed");
        ApiError::internal()
    });
    drop(slot);
    checked
}

/// Check a workbook (stateless)
#[utoipa::path(post, path = "/check", operation_id = "check", params(RequestLang),
    responses((status = OK, description = "The compliance result", body = Compliance),
        BadRequest, Unauthorized, TooLarge, NotWorkbook, Unavailable))]
async fn check(
    State(state): State<AppState>,
    _actor: Actor,
    RequestLang(lang): RequestLang,
    upload: Upload,
) -> Result<impl IntoResponse, ApiError> {
    let checked = run_check(upload.bytes, upload.file_name, state.rules.clone(), None).await?;
    Ok(Json(checked.report.render(lang)))
}

#[derive(serde::Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct TemplateQuery {
    /// `en` for the English template; any other value, or none, gives the Swedish one.
    lang: Option<String>,
}

/// The blank Reglab workbook
///
/// Anyone may fetch it (`?lang=en` for English).
#[utoipa::path(get, path = "/template.xlsx", operation_id = "template", params(TemplateQuery),
    security(()),
    responses((status = OK, description = "The template", content_type = XLSX,
            body = inline(provrum_http::openapi::Binary)),
        BadRequest))]
async fn template(
    State(state): State<AppState>,
    axum::extract::Query(query): axum::extract::Query<TemplateQuery>,
) -> Result<impl IntoResponse, ApiError> {
    let lang = query
        .lang
        .as_deref()
        .and_then(provrum_rules::Lang::parse)
        .unwrap_or_default();
    let bytes = provrum_workbook::template::build(lang, &state.rules, None).map_err(|e| {
        tracing::error!(error = %e, "template");
        ApiError::internal()
    })?;
    let name = match lang {
        provrum_rules::Lang::Sv => "provrum-mall.xlsx",
        provrum_rules::Lang::En => "provrum-template.xlsx",
    };
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, XLSX.to_string()),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    ))
}

/// The blank Reglab workbook as data: sheets, cells, styles, notes and dropdowns, for clients that build it in place (the Google Sheets add-on)
#[utoipa::path(get, path = "/template.json", operation_id = "templateSpec",
    params(TemplateQuery), security(()),
    responses((status = OK, description = "The template layout", body = Spec), BadRequest))]
async fn template_spec(
    State(state): State<AppState>,
    axum::extract::Query(query): axum::extract::Query<TemplateQuery>,
) -> Json<provrum_workbook::template::spec::Spec> {
    let lang = query
        .lang
        .as_deref()
        .and_then(provrum_rules::Lang::parse)
        .unwrap_or_default();
    Json(provrum_workbook::template::spec::spec(lang, &state.rules))
}

/// Check and store a new budget version (the leader)
#[utoipa::path(post, path = "/provrum/{id}/budget", operation_id = "uploadBudget",
    params(ProvrumPath, RequestLang),
    responses((status = CREATED, description = "Stored", body = BudgetUploaded),
        BadRequest, Unauthorized, Forbidden, NotFound, Conflict, TooLarge, NotWorkbook,
        Unavailable))]
async fn upload(
    State(state): State<AppState>,
    actor: Actor,
    RequestLang(lang): RequestLang,
    ProvrumPath(id): ProvrumPath,
    upload: Upload,
) -> Result<impl IntoResponse, ApiError> {
    let provrum = load_provrum(&state, &id).await?;
    let situation = Situation::load(&state, &[&provrum], actor.caller()).await?;
    let context = situation.context(&state, &provrum);
    // Decided before the workbook is read: nobody but the leader has a file checked here.
    process::permit(Step::UploadBudget, &provrum, actor.caller(), &context)?;
    let mut version = next_version(&state, &provrum, &situation, &actor, upload).await?;
    // FORM-1: a file that is not a readable workbook is refused, not kept as a version.
    let report = &version.checked.report;
    if report.is_unreadable() {
        return Err(ApiError::bad_request(Text::new(
            "Filen kunde inte läsas som en arbetsbok och sparades inte.",
            "The file could not be read as a workbook and was not saved.",
        ))
        .with_findings(report.findings.clone()));
    }
    let command = Command::UploadBudget(version.summary.clone());
    // Refused with its findings, and nothing stored, when the process does not allow it (after
    // the go-ahead: a revision with errors or beyond the grant, PROC-3).
    let decision = process::decide(command, &provrum, actor.caller(), &context)?;
    // The version as the process marked it (a revision after the go-ahead).
    if let Some(summary) = &decision.provrum.latest_budget {
        version.summary = summary.clone();
    }
    let event = views::audit(&decision, &actor.org.id);
    let store = &state.store;
    store
        .add_budget_version(&decision.provrum, &version, &event)
        .await?;
    provrum_http::metrics::budget_version_stored();
    if version.summary.revision {
        state.notify(revised(&decision.provrum, &actor.org.name));
    }
    let answer = BudgetUploaded {
        version: version.summary.version,
        compliance: version.checked.report.render(lang),
    };
    Ok((StatusCode::CREATED, Json(answer)))
}

/// What the kansli hears of a revision after its go-ahead: which version, and that the grant
/// stands.
fn revised(provrum: &Provrum, by: &str) -> provrum_notify::Message {
    let mut m =
        provrum_notify::Message::new(format!("”{}” har en reviderad budget", provrum.title));
    if let Some(latest) = &provrum.latest_budget {
        let approved = provrum
            .approved_budget
            .as_ref()
            .map(|a| format!(" Kansliet godkände version {}.", a.version))
            .unwrap_or_default();
        m = m
            .line(format!(
                "{by} har skickat in version {} efter klartecknet, utan fel och inom den beviljade basfinansieringen.{approved}",
                latest.version
            ))
            .fact("Total budget", latest.total_budget_ore.to_string())
            .fact("Basfinansiering", latest.base_funding_ore.to_string());
    }
    m
}

/// A stored budget version's number and its compliance result.
#[derive(Serialize, ToSchema)]
pub struct BudgetUploaded {
    pub version: u32,
    pub compliance: Compliance,
}

/// A provrum's budget: the latest version in full and a page of the list of versions.
#[derive(Serialize, ToSchema)]
pub struct BudgetVersions {
    pub latest: Option<LatestBudget>,
    /// Oldest first; the `Link` header leads to the next page.
    pub versions: Vec<BudgetSummary>,
}

/// The latest budget version: in brief, its compliance result and what was read.
#[derive(Serialize, ToSchema)]
pub struct LatestBudget {
    pub summary: BudgetSummary,
    pub compliance: Compliance,
    /// The plan, the participants and the budget lines as read from the workbook.
    #[schema(value_type = Object)]
    pub submission: Submission,
}

/// The uploaded workbook checked against the provrum's registered participants, as its next
/// budget version.
async fn next_version(
    state: &AppState,
    provrum: &Provrum,
    situation: &Situation,
    actor: &Actor,
    upload: Upload,
) -> Result<BudgetVersion, ApiError> {
    let owner = Owner {
        title: provrum.title.clone(),
        orgs: provrum
            .participants
            .iter()
            .map(|p| RegisteredOrg {
                id: p.org.clone(),
                name: situation.orgs.name(&p.org),
            })
            .collect(),
        leader: provrum.leader.clone(),
    };
    let bytes = upload.bytes.clone();
    let file_name = upload.file_name.clone();
    let checked = run_check(
        upload.bytes,
        upload.file_name,
        state.rules.clone(),
        Some(owner),
    )
    .await?;
    Ok(BudgetVersion::new(
        &provrum.id,
        provrum.budget_versions + 1,
        &bytes,
        file_name,
        &actor.org.id,
        situation.now,
        checked,
    ))
}

/// Latest budget version and a page of the list of versions, oldest first (participants, kansli)
#[utoipa::path(get, path = "/provrum/{id}/budget", operation_id = "getBudget",
    params(ProvrumPath, RequestLang, Paging),
    responses((status = OK, description = "Budget versions", body = BudgetVersions),
        BadPage, Unauthorized, Forbidden, NotFound, Unavailable))]
async fn versions(
    State(state): State<AppState>,
    actor: Actor,
    RequestLang(lang): RequestLang,
    ProvrumPath(id): ProvrumPath,
    paging: Paging,
) -> Result<axum::response::Response, ApiError> {
    let provrum = load_provrum(&state, &id).await?;
    authorize(Action::ReadBudget, &actor, Some(&provrum))?;
    let page = state
        .store
        .budget_versions_page(id.as_str(), paging.cursor(), paging.limit)
        .await
        .map_err(paging::store_error)?;
    let latest = match provrum.budget_versions {
        0 => None,
        n => state.store.get_budget_version(id.as_str(), n).await?,
    };
    let latest = latest.map(|v| LatestBudget {
        compliance: v.checked.report.render(lang),
        summary: v.summary,
        submission: v.checked.submission,
    });
    let answer = BudgetVersions {
        latest,
        versions: page.items,
    };
    Ok(paging.respond(Json(answer), page.next.as_deref()))
}
