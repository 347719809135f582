//! `quota-report`: `GET /reports/{year}`, the yearly quota report — the stored one when the
//! scheduled run has made it, otherwise computed now from the stored provrum — and that scheduled
//! run: early in January, EventBridge Scheduler asks for the year that ended; the report is
//! computed by the rules crate, stored once, and its summary posted to the members' webhook once.

use axum::extract::{Path, State};
use axum::{Json, Router};
use provrum_http::openapi::{BadRequest, Forbidden, Unauthorized, Unavailable};
use provrum_http::{Action, Actor, ApiError, AppState, authorize};
use provrum_rules::Text;
use provrum_rules::model::Membership;
use provrum_rules::report::{ReportEntry, YearlyReport, yearly};
use provrum_store::PostClaim;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(report))
}

pub fn router(state: AppState) -> Router {
    provrum_http::app(routes().into(), state)
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
    let entries: Vec<ReportEntry> = state
        .store
        .all_provrum()
        .await?
        .into_iter()
        .map(|p| ReportEntry {
            start: p.latest_budget.as_ref().and_then(|b| b.start),
            end: p.latest_budget.as_ref().and_then(|b| b.end),
            id: p.id,
            title: p.title,
            status: p.status,
            quota_year: p.quota_year,
            base_funding_ore: p.granted_base_funding_ore.unwrap_or_default(),
        })
        .collect();
    Ok(yearly(year, &entries, members, today, &state.rules))
}

/// The yearly quota report (kansli)
#[utoipa::path(get, path = "/reports/{year}", operation_id = "report",
    params(("year" = i32, Path, minimum = 2000, maximum = 2100, description = "The quota year")),
    responses((status = OK, description = "The report", body = ReportAnswer),
        BadRequest, Unauthorized, Forbidden, Unavailable))]
async fn report(
    State(state): State<AppState>,
    actor: Actor,
    Path(year): Path<String>,
) -> Result<Json<ReportAnswer>, ApiError> {
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
        return Ok(Json(ReportAnswer {
            report: stored.report,
            stored_at: Some(stored.created_at),
        }));
    }
    let report = compute(&state, year, state.clock.today()).await?;
    Ok(Json(ReportAnswer {
        report: serde_json::to_value(report).map_err(|_| ApiError::internal())?,
        stored_at: None,
    }))
}

/// The yearly report: as stored by the scheduled run (with when), or computed now.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ReportAnswer {
    /// A [`YearlyReport`], as it was when it was stored (a stored report is kept as it was
    /// written, so an older one may lack a field added since).
    #[serde(flatten)]
    #[schema(value_type = YearlyReport)]
    pub report: serde_json::Value,
    /// When the scheduled run stored it; absent for a report computed now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stored_at: Option<chrono::DateTime<chrono::Utc>>,
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
    /// Another run holds the post: this one fails, so that Scheduler tries again later and finds
    /// it posted, or the other run's lease run out.
    #[error("another run is posting the report of {year} (its claim runs to {until})")]
    BeingPosted {
        year: i32,
        until: chrono::DateTime<chrono::Utc>,
    },
}

/// The year a run at `at` reports on: the one that ended, in Stockholm. The schedule fires on a
/// January morning, Stockholm time; a run by hand just after midnight on New Year's Day, when it
/// is still the old year in UTC, reports the year that has just ended there too.
pub fn year_reported(at: chrono::DateTime<chrono::Utc>) -> i32 {
    use chrono::Datelike;
    provrum_rules::calendar::reglab_date(at).year() - 1
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
    let report = compute(
        state,
        year,
        provrum_rules::calendar::reglab_date(run.scheduled_time),
    )
    .await
    .map_err(|e| ScheduledError::Report(format!("{e:?}")))?;
    let value = serde_json::to_value(&report).map_err(|e| ScheduledError::Report(e.to_string()))?;
    let created = state
        .store
        .put_report(&provrum_store::StoredReport {
            year,
            created_at: state.clock.now(),
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
    // Of overlapping runs (Scheduler's retry, a rerun by hand) the one that claims the post
    // sends it; the claim is a lease, so a run that crashed leaves it to a later one.
    let owner = provrum_store::new_id("run-");
    let claim = state
        .store
        .claim_report_post(year, &owner, state.clock.now(), POST_LEASE)
        .await
        .map_err(|e| ScheduledError::Report(e.to_string()))?;
    match claim {
        PostClaim::Claimed { .. } => {}
        PostClaim::Posted => return Ok(Outcome::AlreadyTold { year }),
        PostClaim::Held { by, until } => {
            tracing::warn!(year, %by, %until, "another run is posting the yearly report");
            return Err(ScheduledError::BeingPosted { year, until });
        }
    }
    let attempts = match webhook.post(&summary(&stored_report)).await {
        Ok(attempts) => attempts,
        Err(e) => {
            // Let go, so that Scheduler's retry need not wait for the lease.
            if let Err(release) = state.store.release_report_post(year, &owner).await {
                tracing::warn!(year, error = %release, "the post's claim was not released");
            }
            return Err(e.into());
        }
    };
    provrum_http::metrics::report_posted();
    // A crash here, between the post and the mark, is the one way the report is posted twice:
    // the lease runs out and a rerun posts again.
    state
        .store
        .mark_report_notified(year, state.clock.now())
        .await
        .map_err(|e| ScheduledError::Report(e.to_string()))?;
    Ok(Outcome::Told { year, attempts })
}

/// How long a run holds the post of the yearly report: longer than the function may run (its
/// 60 s timeout in infra/template.yaml, which covers the webhook's bounded retries), so a live
/// run never loses it, and short enough that after a crash Scheduler's next retry takes over.
pub const POST_LEASE: std::time::Duration = std::time::Duration::from_secs(120);

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
            "Kostnad utslaget per medlem: {} (modellens referens {}).",
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
                    "”{}” (slutade {}, {} sedan)",
                    o.title,
                    o.end,
                    provrum_rules::lang::count(o.days_overdue.unsigned_abs(), "dag", "dagar")
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

#[cfg(test)]
mod summary_tests {
    use super::*;
    use provrum_rules::Ore;
    use provrum_rules::report::OverdueResult;

    #[test]
    fn the_summary_spreads_the_cost_per_member_and_counts_days_in_agreement() {
        let report = YearlyReport {
            year: 2025,
            ruleset: "provrum-2023".into(),
            started: 1,
            quota: 2,
            base_funding_ore: Ore::kr(93_000),
            cap_ore: Ore::kr(200_000),
            members: 23,
            cost_per_member_ore: Ore::from_ore(404_347),
            reference_per_member_ore: Ore::kr(8_700),
            provrum: Vec::new(),
            overdue_results: vec![OverdueResult {
                id: "p1".into(),
                title: "Cykelvägar 1".into(),
                end: chrono::NaiveDate::from_ymd_opt(2025, 7, 31).expect("date"),
                days_overdue: 1,
            }],
            development_phase: false,
        };
        let text = summary(&report).text();
        assert!(
            text.contains(
                "\nKostnad utslaget per medlem: 4 043,47 kr (modellens referens 8 700 kr).\n"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "\nResultat som dröjer: ”Cykelvägar 1” (slutade 2025-07-31, 1 dag sedan).\n"
            ),
            "{text}"
        );
    }
}

#[cfg(test)]
mod post_lease_tests {
    use super::POST_LEASE;

    /// The quota-report function's timeout in infra/template.yaml, in seconds.
    fn function_timeout() -> u64 {
        let template = include_str!("../../../infra/template.yaml");
        let at = template
            .find("Binary: quota-report")
            .expect("the quota-report function");
        template[at..]
            .lines()
            .find_map(|line| line.trim().strip_prefix("Timeout:"))
            .and_then(|v| v.trim().parse().ok())
            .expect("its Timeout")
    }

    /// A run never outlives its claim on the post, the webhook's retries included, and the claim
    /// is one the store accepts.
    #[test]
    fn a_run_never_outlives_its_claim_on_the_post() {
        let timeout = std::time::Duration::from_secs(function_timeout());
        assert!(POST_LEASE > timeout, "{POST_LEASE:?} <= {timeout:?}");
        assert!(provrum_notify::Retry::default().worst_case() < timeout);
        assert!(POST_LEASE <= provrum_store::MAX_POST_LEASE);
    }
}
