//! What a client reads about a provrum: the stored state plus what is derived (readiness).

use provrum_http::{ApiError, AppState};
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
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub version: u64,
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
        created_at: p.created_at,
        updated_at: p.updated_at,
        version: p.version,
    }
}
