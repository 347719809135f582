//! `quota-report`: `GET /reports/{year}`, the yearly quota report — the stored one when the
//! scheduled run has made it, otherwise computed now from the stored provrum.

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use provrum_http::views::all_views;
use provrum_http::{Action, Actor, ApiError, AppState, authorize};
use provrum_rules::Text;
use provrum_rules::model::Membership;
use provrum_rules::report::{ReportEntry, YearlyReport, yearly};

pub fn routes() -> Router<AppState> {
    Router::new().route("/reports/{year}", get(report))
}

pub fn router(state: AppState) -> Router {
    provrum_http::app(routes(), state)
}

/// The report for `year` from the store's current state.
pub async fn compute(
    state: &AppState,
    year: i32,
    today: chrono::NaiveDate,
) -> Result<YearlyReport, ApiError> {
    let members = state
        .store
        .list_orgs()
        .await?
        .iter()
        .filter(|o| o.membership == Membership::Member)
        .count() as u32;
    let entries: Vec<ReportEntry> = all_views(state)
        .await?
        .into_iter()
        .map(|v| ReportEntry {
            id: v.id,
            title: v.title,
            status: v.status,
            quota_year: v.quota_year,
            start: v.latest_budget.as_ref().and_then(|b| b.start),
            end: v.latest_budget.as_ref().and_then(|b| b.end),
            base_funding_ore: v.granted_base_funding_ore.unwrap_or_default(),
        })
        .collect();
    Ok(yearly(year, &entries, members, today, &state.rules))
}

async fn report(
    State(state): State<AppState>,
    actor: Actor,
    Path(year): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    authorize(Action::Oversee, &actor, None)?;
    let year: i32 = year
        .parse()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
        .ok_or_else(|| {
            ApiError::bad_request(Text::new(
                "Året ska vara ett årtal, t.ex. 2025.",
                "The year should be a year, e.g. 2025.",
            ))
        })?;
    if let Some(stored) = state.store.get_report(year).await? {
        let mut report = stored.report;
        report["stored_at"] = serde_json::json!(stored.created_at);
        return Ok(Json(report));
    }
    let report = compute(&state, year, chrono::Utc::now().date_naive()).await?;
    Ok(Json(
        serde_json::to_value(report).map_err(|_| ApiError::internal())?,
    ))
}
