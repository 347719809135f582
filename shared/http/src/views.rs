//! What a client reads about a provrum: the stored state plus what is derived (readiness).

use crate::{ApiError, AppState};
use provrum_rules::Finding;
use provrum_rules::model::{ParticipantKind, Status};
use provrum_store::{BudgetSummary, Org, Provrum, ResultReport};
use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, Serialize)]
pub struct ParticipantView {
    pub org: String,
    pub name: String,
    pub kind: Option<ParticipantKind>,
    pub wants_to_lead: bool,
}

#[derive(Debug, Serialize)]
pub struct Readiness {
    pub ready: bool,
    /// Why it is not ready (DELT-3, DELT-5), in both languages.
    pub findings: Vec<Finding>,
}

#[derive(Debug, Serialize)]
pub struct ProvrumView {
    pub id: String,
    pub title: String,
    pub theme: Option<String>,
    pub description: Option<String>,
    pub status: Status,
    pub proposer: String,
    pub leader: Option<String>,
    pub participants: Vec<ParticipantView>,
    pub ready: bool,
    pub readiness: Readiness,
    pub latest_budget: Option<BudgetSummary>,
    pub result: Option<ResultReport>,
    pub quota_year: Option<i32>,
    pub granted_base_funding_ore: Option<provrum_rules::Ore>,
    pub budget_versions: u32,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub version: u64,
}

/// The provrum `id`, or 404 in the caller's language.
impl ProvrumView {
    /// How many of the participants are regions.
    pub fn regions(&self) -> u32 {
        self.participants
            .iter()
            .filter(|p| p.kind == Some(ParticipantKind::Region))
            .count() as u32
    }
}

pub async fn load_provrum(state: &AppState, id: &str) -> Result<Provrum, ApiError> {
    state.store.get_provrum(id).await?.ok_or_else(|| {
        ApiError::not_found(provrum_rules::Text::new(
            format!("Provrummet {id} finns inte."),
            format!("The provrum {id} does not exist."),
        ))
    })
}

pub async fn org_index(state: &AppState) -> Result<HashMap<String, Org>, ApiError> {
    Ok(state
        .store
        .list_orgs()
        .await?
        .into_iter()
        .map(|o| (o.id.clone(), o))
        .collect())
}

pub async fn view(state: &AppState, provrum: &Provrum) -> Result<ProvrumView, ApiError> {
    Ok(view_with(state, provrum, &org_index(state).await?))
}

pub fn view_with(state: &AppState, p: &Provrum, orgs: &HashMap<String, Org>) -> ProvrumView {
    let participants: Vec<ParticipantView> = p
        .participants
        .iter()
        .map(|part| {
            let org = orgs.get(&part.org);
            ParticipantView {
                org: part.org.clone(),
                name: org.map_or_else(|| part.org.clone(), |o| o.name.clone()),
                kind: org.map(|o| ParticipantKind::of(o.kind, o.membership)),
                wants_to_lead: part.wants_to_lead,
            }
        })
        .collect();
    let kinds: Vec<ParticipantKind> = participants.iter().filter_map(|v| v.kind).collect();
    let readiness = match provrum_rules::delt::readiness(&kinds, p.leader.is_some(), &state.rules) {
        Ok(()) => Readiness {
            ready: true,
            findings: Vec::new(),
        },
        Err(findings) => Readiness {
            ready: false,
            findings,
        },
    };
    ProvrumView {
        id: p.id.clone(),
        title: p.title.clone(),
        theme: p.theme.clone(),
        description: p.description.clone(),
        status: p.status,
        proposer: p.proposer.clone(),
        leader: p.leader.clone(),
        participants,
        ready: readiness.ready,
        readiness,
        latest_budget: p.latest_budget.clone(),
        result: p.result.clone(),
        quota_year: p.quota_year,
        granted_base_funding_ore: p.granted_base_funding_ore,
        budget_versions: p.budget_versions,
        created_at: p.created_at,
        updated_at: p.updated_at,
        version: p.version,
    }
}

/// One row of the kansli's status sheet.
#[derive(Debug, Serialize)]
pub struct StatusRow {
    pub id: String,
    pub title: String,
    pub status: Status,
    pub ready: bool,
    pub leader: Option<String>,
    pub participants: u32,
    pub regions: u32,
    pub start: Option<chrono::NaiveDate>,
    pub end: Option<chrono::NaiveDate>,
    pub total_budget_ore: Option<provrum_rules::Ore>,
    pub base_funding_ore: Option<provrum_rules::Ore>,
    pub verdict: Option<provrum_rules::Verdict>,
    pub errors: u32,
    pub warnings: u32,
    pub budget_versions: u32,
    pub quota_year: Option<i32>,
    pub result_overdue: bool,
}

pub fn status_row(view: &ProvrumView, today: chrono::NaiveDate) -> StatusRow {
    let budget = view.latest_budget.as_ref();
    let start = budget.and_then(|b| b.start);
    let end = budget.and_then(|b| b.end);
    StatusRow {
        id: view.id.clone(),
        title: view.title.clone(),
        status: view.status,
        ready: view.ready,
        leader: view.leader.clone(),
        participants: view.participants.len() as u32,
        regions: view.regions(),
        start,
        end,
        total_budget_ore: budget.map(|b| b.total_budget_ore),
        base_funding_ore: budget.map(|b| b.base_funding_ore),
        verdict: budget.map(|b| b.verdict),
        errors: budget.map_or(0, |b| b.errors),
        warnings: budget.map_or(0, |b| b.warnings),
        budget_versions: view.budget_versions,
        quota_year: view
            .quota_year
            .or_else(|| start.map(provrum_rules::kvot::quota_year)),
        result_overdue: provrum_rules::res::result_overdue(view.status, end, today).is_some(),
    }
}

/// Every provrum as views: the organisations and the provrum, each read once (see
/// [`provrum_store::Store::all_provrum`]), whatever the number of provrum.
pub async fn all_views(state: &AppState) -> Result<Vec<ProvrumView>, ApiError> {
    let orgs = org_index(state).await?;
    Ok(state
        .store
        .all_provrum()
        .await?
        .iter()
        .map(|p| view_with(state, p, &orgs))
        .collect())
}
