//! `status-sheet`: `GET /status`, one row per provrum for the kansli's live sheet — JSON, or CSV
//! for `Accept: text/csv`.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use provrum_http::openapi::{Forbidden, Unauthorized, Unavailable};
use provrum_http::views::{StatusRow, all_views_for, status_row};
use provrum_http::{Action, Actor, ApiError, AppState, authorize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(status))
}

pub fn router(state: AppState) -> Router {
    provrum_http::app(routes().into(), state)
}

/// One row per provrum (kansli); CSV for Accept: text/csv
#[utoipa::path(get, path = "/status", operation_id = "status",
    responses((status = OK, description = "Rows", content(
            (Vec<StatusRow> = "application/json"),
            (String = "text/csv"))),
        Unauthorized, Forbidden, Unavailable))]
async fn status(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    authorize(Action::Oversee, &actor, None)?;
    // Today in Stockholm: a provrum that ended yesterday there is overdue, whatever UTC says.
    let today = state.clock.today();
    let rows: Vec<StatusRow> = all_views_for(&state, actor.caller())
        .await?
        .iter()
        .map(|v| status_row(v, today))
        .collect();
    let wants_csv = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/csv"));
    if !wants_csv {
        return Ok(Json(rows).into_response());
    }
    let mut response = csv(&rows).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    Ok(response)
}

/// One CSV field: quoted when needed, and a leading `= + - @` neutralised so a spreadsheet never
/// runs a title as a formula.
fn field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

fn csv(rows: &[StatusRow]) -> String {
    let mut out = String::from(
        "id,title,status,ready,leader,participants,regions,start,end,total_budget_ore,base_funding_ore,verdict,errors,warnings,budget_versions,quota_year,result_overdue,can_start,can_start_reasons\r\n",
    );
    for r in rows {
        let opt = |v: Option<String>| v.unwrap_or_default();
        let cells = [
            r.id.clone(),
            r.title.clone(),
            r.status.as_str().to_string(),
            r.ready.to_string(),
            opt(r.leader.clone()),
            r.participants.to_string(),
            r.regions.to_string(),
            opt(r.start.map(|d| d.to_string())),
            opt(r.end.map(|d| d.to_string())),
            opt(r.total_budget_ore.map(|o| o.ore().to_string())),
            opt(r.base_funding_ore.map(|o| o.ore().to_string())),
            opt(r
                .verdict
                .and_then(|v| serde_json::to_value(v).ok())
                .and_then(|v| v.as_str().map(str::to_string))),
            r.errors.to_string(),
            r.warnings.to_string(),
            r.budget_versions.to_string(),
            opt(r.quota_year.map(|y| y.to_string())),
            r.result_overdue.to_string(),
            r.can_start.to_string(),
            reasons(&r.can_start_reasons),
        ];
        out.push_str(&cells.iter().map(|c| field(c)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out
}

/// Why a provrum cannot start, in a cell: each finding's rule and where it is, e.g.
/// `BUD-4 Budget!C7; DELT-5`.
fn reasons(findings: &[provrum_rules::Finding]) -> String {
    findings
        .iter()
        .map(|f| match &f.location {
            Some(at) => format!("{} {}", f.rule, at.reference()),
            None => f.rule.clone(),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn csv_fields_are_quoted_and_never_formulas() {
        assert_eq!(field("Drönare"), "Drönare");
        assert_eq!(field("AI, data"), "\"AI, data\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(field("-5"), "'-5");
    }
}
