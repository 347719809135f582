//! `quota-report`: `GET /reports/{year}`, the yearly quota report — the stored one when the
//! scheduled run has made it, otherwise computed now from the stored provrum — and that scheduled
//! run: early in January, EventBridge Scheduler asks for the year that ended; the report is
//! computed by the rules crate, stored once, and its summary posted to the members' webhook once.

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

/// The event the schedule sends: its `Input`, with Scheduler's context attributes filled in
/// (`<aws.scheduler.scheduled-time>` and so on; see infra/template.yaml).
#[derive(Debug, Clone, serde::Deserialize)]
pub struct ScheduledRun {
    /// `yearly-quota-report`.
    pub kind: String,
    pub scheduled_time: chrono::DateTime<chrono::Utc>,
    #[serde(default)]
    pub execution_id: Option<String>,
    #[serde(default)]
    pub schedule_arn: Option<String>,
    #[serde(default)]
    pub attempt_number: Option<String>,
}

pub const YEARLY_KIND: &str = "yearly-quota-report";

/// What a scheduled run did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// Stored (now or before) and posted now.
    Told { year: i32, attempts: u32 },
    /// An earlier run already posted it: nothing is sent twice.
    AlreadyTold { year: i32 },
    /// Stored; no webhook is configured.
    Stored { year: i32 },
}

#[derive(Debug, thiserror::Error)]
pub enum ScheduledError {
    #[error("not a scheduled run this function knows: {0}")]
    Unknown(String),
    #[error("the report could not be made or stored: {0}")]
    Report(String),
    #[error("the report is stored, but the webhook was not told: {0}")]
    Webhook(#[from] provrum_notify::NotifyError),
}

/// The year a run at `at` reports on: the one that ended. The schedule fires on a January morning
/// (Stockholm time), hours away from the turn of the year in any time zone.
pub fn year_reported(at: chrono::DateTime<chrono::Utc>) -> i32 {
    use chrono::Datelike;
    at.year() - 1
}

/// The scheduled run: compute, store once, tell once. A rerun (Scheduler's retry, or by hand)
/// finds the stored report and does not post it again once it has been posted.
pub async fn run_scheduled(
    state: &AppState,
    run: &ScheduledRun,
) -> Result<Outcome, ScheduledError> {
    if run.kind != YEARLY_KIND {
        return Err(ScheduledError::Unknown(run.kind.chars().take(60).collect()));
    }
    let year = year_reported(run.scheduled_time);
    let report = compute(state, year, run.scheduled_time.date_naive())
        .await
        .map_err(|e| ScheduledError::Report(format!("{e:?}")))?;
    let value = serde_json::to_value(&report).map_err(|e| ScheduledError::Report(e.to_string()))?;
    let created = state
        .store
        .put_report(&provrum_store::StoredReport {
            year,
            created_at: chrono::Utc::now(),
            report: value,
            notified_at: None,
        })
        .await
        .map_err(|e| ScheduledError::Report(e.to_string()))?;
    let stored = state
        .store
        .get_report(year)
        .await
        .map_err(|e| ScheduledError::Report(e.to_string()))?
        .ok_or_else(|| ScheduledError::Report(format!("report {year} vanished")))?;
    tracing::info!(year, created, execution = ?run.execution_id, "yearly report stored");
    if stored.notified_at.is_some() {
        return Ok(Outcome::AlreadyTold { year });
    }
    let Some(webhook) = &state.webhook else {
        return Ok(Outcome::Stored { year });
    };
    // The summary of what was stored first, so a rerun tells the same figures.
    let stored_report: YearlyReport =
        serde_json::from_value(stored.report).map_err(|e| ScheduledError::Report(e.to_string()))?;
    let attempts = webhook.post(&summary(&stored_report)).await?;
    state
        .store
        .mark_report_notified(year, chrono::Utc::now())
        .await
        .map_err(|e| ScheduledError::Report(e.to_string()))?;
    Ok(Outcome::Told { year, attempts })
}

/// The report in a few Swedish sentences, for the members' chat.
pub fn summary(r: &YearlyReport) -> provrum_notify::Message {
    let mut m = provrum_notify::Message::new(format!("Reglabs provrum: årsrapport för {}", r.year))
        .line(format!(
            "{} av {} provrum startade {}.",
            r.started, r.quota, r.year
        ))
        .line(format!(
            "Reglabs basfinansiering: {} av högst {}.",
            r.base_funding_ore, r.cap_ore
        ))
        .line(format!(
            "Kostnad per medlem: {} (referens {}, medlemsavgiften).",
            r.cost_per_member_ore, r.reference_per_member_ore
        ));
    if r.overdue_results.is_empty() {
        m = m.line("Inga resultat dröjer.");
    } else {
        let late: Vec<String> = r
            .overdue_results
            .iter()
            .map(|o| {
                format!(
                    "«{}» (slutade {}, {} dagar sedan)",
                    o.title, o.end, o.days_overdue
                )
            })
            .collect();
        m = m.line(format!("Resultat som dröjer: {}.", late.join("; ")));
    }
    if r.development_phase {
        m = m.line("Året hör till utvecklingsfasen (2023–2024).");
    }
    for p in &r.provrum {
        let when = match (p.start, p.end) {
            (Some(s), Some(e)) => format!("{s} – {e}"),
            _ => String::new(),
        };
        m = m.fact(
            p.title.clone(),
            format!("{when}, basfinansiering {}", p.base_funding_ore)
                .trim_start_matches(", ")
                .to_string(),
        );
    }
    m.fact("Regelverk", r.ruleset.clone())
}

/// The function's handler for events that are not HTTP requests.
pub async fn on_event(
    state: AppState,
    event: serde_json::Value,
) -> Result<serde_json::Value, String> {
    let run: ScheduledRun =
        serde_json::from_value(event).map_err(|e| format!("not a scheduled run: {e}"))?;
    let outcome = run_scheduled(&state, &run).await.map_err(|e| {
        tracing::error!(error = %e, "scheduled run failed");
        e.to_string()
    })?;
    tracing::info!(?outcome, "scheduled run done");
    serde_json::to_value(outcome).map_err(|e| e.to_string())
}
