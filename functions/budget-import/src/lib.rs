//! `budget-import`: `POST /check` (a stateless check of a workbook) and the leader's budget
//! versions of a stored provrum (`POST`/`GET /provrum/{id}/budget`).

use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::post;
use axum::{Json, Router};
use provrum_http::paging::{self, Paging};
use provrum_http::views::{self, Situation, load_provrum};
use provrum_http::{Action, Actor, ApiError, AppState, RequestLang, Upload, authorize};
use provrum_rules::process::{self, Command, Step};
use provrum_rules::{Checked, Context, RegisteredOrg, RuleSet};
use provrum_store::{BudgetVersion, Provrum};
use std::sync::Arc;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/check", post(check))
        .route("/template.xlsx", axum::routing::get(template))
        .route("/template.json", axum::routing::get(template_spec))
        .route("/provrum/{id}/budget", post(upload).get(versions))
        .layer(DefaultBodyLimit::max(
            provrum_http::upload::upload_body_limit(),
        ))
}

pub fn router(state: AppState) -> Router {
    provrum_http::app(routes(), state)
}

/// Reading and checking is CPU work: off the async threads.
async fn run_check(
    bytes: axum::body::Bytes,
    name: Option<String>,
    rules: Arc<RuleSet>,
    registered: Option<Vec<RegisteredOrg>>,
) -> Result<Checked, ApiError> {
    tokio::task::spawn_blocking(move || {
        let ctx = Context {
            ruleset: &rules,
            registered: registered.as_deref(),
        };
        provrum_workbook::check(&bytes, name.as_deref(), ctx)
    })
    .await
    .map_err(|e| {
        tracing::error!(error = %e, "check task failed");
        ApiError::internal()
    })
}

async fn check(
    State(state): State<AppState>,
    _actor: Actor,
    RequestLang(lang): RequestLang,
    upload: Upload,
) -> Result<impl IntoResponse, ApiError> {
    let checked = run_check(upload.bytes, upload.file_name, state.rules.clone(), None).await?;
    Ok(Json(checked.report.render(lang)))
}

#[derive(serde::Deserialize)]
struct TemplateQuery {
    lang: Option<String>,
}

/// The blank Reglab workbook; anyone may fetch it (`?lang=en` for English).
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
            (
                axum::http::header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    ))
}

/// The same template as data, for clients that build it in place (the Sheets add-on).
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

async fn upload(
    State(state): State<AppState>,
    actor: Actor,
    RequestLang(lang): RequestLang,
    Path(id): Path<String>,
    upload: Upload,
) -> Result<impl IntoResponse, ApiError> {
    let provrum = load_provrum(&state, &id).await?;
    let situation = Situation::load(&state, &[&provrum], actor.caller()).await?;
    let context = situation.context(&state, &provrum);
    // Decided before the workbook is read: nobody but the leader has a file checked here.
    process::permit(Step::UploadBudget, &provrum, actor.caller(), &context)?;
    let version = next_version(&state, &provrum, &situation, &actor, upload).await?;
    let command = Command::UploadBudget(version.summary.clone());
    let decision = process::decide(command, &provrum, actor.caller(), &context)?;
    let event = views::audit(&decision, &actor.org.id);
    let store = &state.store;
    store
        .add_budget_version(&decision.provrum, &version, &event)
        .await?;
    let compliance = version.checked.report.render(lang);
    let answer = serde_json::json!({"version": version.summary.version, "compliance": compliance});
    Ok((StatusCode::CREATED, Json(answer)))
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
    let registered: Vec<RegisteredOrg> = provrum
        .participants
        .iter()
        .map(|p| RegisteredOrg {
            id: p.org.clone(),
            name: situation.orgs.name(&p.org),
        })
        .collect();
    let bytes = upload.bytes.clone();
    let file_name = upload.file_name.clone();
    let checked = run_check(
        upload.bytes,
        upload.file_name,
        state.rules.clone(),
        Some(registered),
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

/// The latest version in full, and a page of the list of versions (oldest first; the `Link`
/// header leads to the next page).
async fn versions(
    State(state): State<AppState>,
    actor: Actor,
    RequestLang(lang): RequestLang,
    Path(id): Path<String>,
    paging: Paging,
) -> Result<axum::response::Response, ApiError> {
    let provrum = load_provrum(&state, &id).await?;
    authorize(Action::ReadBudget, &actor, Some(&provrum))?;
    let page = state
        .store
        .budget_versions_page(&id, paging.cursor(), paging.limit)
        .await
        .map_err(paging::store_error)?;
    let latest = match provrum.budget_versions {
        0 => None,
        n => state.store.get_budget_version(&id, n).await?,
    };
    let latest = latest.map(|v| serde_json::json!({"summary": v.summary, "compliance": v.checked.report.render(lang), "submission": v.checked.submission}));
    Ok(paging.respond(
        Json(serde_json::json!({"latest": latest, "versions": page.items})),
        page.next.as_deref(),
    ))
}
