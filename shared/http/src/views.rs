//! What a client reads about a provrum: the stored state plus what is derived (readiness).

use crate::{ApiError, AppState};
use provrum_rules::Finding;
use provrum_rules::kvot::QuotaYear;
use provrum_rules::model::{ParticipantKind, Status};
use provrum_rules::process::{self, Action, Caller, Context, Directory, OrgFacts, Step};
use provrum_rules::provrum::ApprovedBudget;
use provrum_rules::{OrgId, ProvrumId};
use provrum_store::{BudgetSummary, Org, Provrum, ResultReport};
use serde::Serialize;
use std::collections::HashMap;

/// Every organisation by id, as the process looks them up.
pub struct OrgIndex(pub HashMap<String, Org>);

impl Directory for OrgIndex {
    fn facts(&self, org: &str) -> Option<OrgFacts<'_>> {
        self.0.get(org).map(|o| OrgFacts {
            name: &o.name,
            kind: o.kind,
            membership: o.membership,
        })
    }
}

impl OrgIndex {
    /// The organisation's name, or its id when it is not registered.
    pub fn name(&self, org: &str) -> String {
        self.0
            .get(org)
            .map_or_else(|| org.to_string(), |o| o.name.clone())
    }
}

impl std::ops::Deref for OrgIndex {
    type Target = HashMap<String, Org>;

    fn deref(&self) -> &HashMap<String, Org> {
        &self.0
    }
}

/// What the process needs besides a provrum, read once per request: the organisations, the use
/// of each quota year a provrum would start in, and the time.
pub struct Situation {
    pub orgs: OrgIndex,
    pub quotas: HashMap<i32, QuotaYear>,
    pub now: chrono::DateTime<chrono::Utc>,
}

impl Situation {
    /// Read for `provrum`: the quota years only where the kansli could approve one of them
    /// (nobody else is ever offered the step that needs them).
    pub async fn load(
        state: &AppState,
        provrum: &[&Provrum],
        caller: Caller<'_>,
    ) -> Result<Situation, ApiError> {
        let mut quotas = HashMap::new();
        if caller.membership == provrum_rules::model::Membership::Kansli {
            for year in provrum
                .iter()
                .filter(|p| p.status == Status::Proposed)
                .filter_map(|p| p.planned_quota_year())
            {
                if let std::collections::hash_map::Entry::Vacant(slot) = quotas.entry(year) {
                    slot.insert(state.store.quota(year).await?);
                }
            }
        }
        Ok(Situation {
            orgs: OrgIndex(org_index(state).await?),
            quotas,
            now: state.clock.now(),
        })
    }

    /// The process's context before there is a provrum (a proposal).
    pub fn context_for_proposal<'a>(&'a self, state: &'a AppState) -> Context<'a> {
        Context {
            rules: &state.rules,
            orgs: &self.orgs,
            quota: None,
            now: self.now,
        }
    }

    /// The process's context for `provrum`.
    pub fn context<'a>(&'a self, state: &'a AppState, provrum: &Provrum) -> Context<'a> {
        Context {
            rules: &state.rules,
            orgs: &self.orgs,
            quota: provrum
                .planned_quota_year()
                .and_then(|y| self.quotas.get(&y).copied()),
            now: self.now,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ParticipantView {
    pub org: String,
    pub name: String,
    pub kind: Option<ParticipantKind>,
    pub wants_to_lead: bool,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Readiness {
    pub ready: bool,
    /// Why it is not ready (DELT-3, DELT-5), in both languages.
    pub findings: Vec<Finding>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
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
    /// The latest budget version in brief: for the participants and the kansli only (as
    /// `GET /provrum/{id}/budget`), absent for everyone else.
    pub latest_budget: Option<BudgetSummary>,
    /// The version the kansli's go-ahead approved ("Godkänd version N"), for the same readers.
    pub approved_budget: Option<ApprovedBudget>,
    /// The plan's period (the latest version's; after the go-ahead, the approved one or its
    /// revision), for everyone who can see the provrum.
    pub start: Option<chrono::NaiveDate>,
    pub end: Option<chrono::NaiveDate>,
    /// When the kansli gave the go-ahead.
    pub approved_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Where it is in time today (in Stockholm): its status and, after the go-ahead, its dates
    /// — starting, running, ended and waiting for its result, overdue.
    pub phase: provrum_rules::phase::Phase,
    /// The day its result is due: a month after the plan's end.
    pub result_due: Option<chrono::NaiveDate>,
    /// The phase in words, in both languages ("Startar 2025-03-01"), as every front end shows it.
    pub phase_text: provrum_rules::Text,
    pub result: Option<ResultReport>,
    pub quota_year: Option<i32>,
    pub granted_base_funding_ore: Option<provrum_rules::Ore>,
    pub budget_versions: u32,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub version: u64,
    /// What the caller may do with it now, and where not, why: each step the caller's role
    /// could take, decided by the same function that decides the command.
    pub actions: Vec<Action>,
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

pub async fn load_provrum(state: &AppState, id: &ProvrumId) -> Result<Provrum, ApiError> {
    state
        .store
        .get_provrum(id.as_str())
        .await?
        .ok_or_else(|| ApiError::not_found(ProvrumId::not_found(id.as_str())))
}

/// The organisation `id`, or 404 in the caller's language.
pub async fn load_org(state: &AppState, id: &OrgId) -> Result<Org, ApiError> {
    state
        .store
        .get_org(id.as_str())
        .await?
        .ok_or_else(|| ApiError::not_found(process::org_not_found(id.as_str())))
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

/// What everyone may read of `p` on `now`, without the caller's actions.
pub fn view_with(
    state: &AppState,
    p: &Provrum,
    orgs: &OrgIndex,
    now: chrono::DateTime<chrono::Utc>,
) -> ProvrumView {
    let participants: Vec<ParticipantView> = p
        .participants
        .iter()
        .map(|part| {
            let org = orgs.get(&part.org);
            ParticipantView {
                org: part.org.clone(),
                name: orgs.name(&part.org),
                kind: org.map(|o| ParticipantKind::of(o.kind, o.membership)),
                wants_to_lead: part.wants_to_lead,
            }
        })
        .collect();
    let readiness = match process::readiness(p, orgs, &state.rules) {
        Ok(()) => Readiness {
            ready: true,
            findings: Vec::new(),
        },
        Err(findings) => Readiness {
            ready: false,
            findings,
        },
    };
    let phase = provrum_rules::phase::Phase::of(p, provrum_rules::calendar::reglab_date(now));
    let result_due = p.period().1.map(provrum_rules::phase::result_due);
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
        approved_budget: p.approved_budget.clone(),
        start: p.period().0,
        end: p.period().1,
        approved_at: p.started_at,
        phase,
        result_due,
        phase_text: phase.text(p.period().0, result_due),
        result: p.result.clone(),
        quota_year: p.quota_year,
        granted_base_funding_ore: p.granted_base_funding_ore,
        budget_versions: p.budget_versions,
        created_at: p.created_at,
        updated_at: p.updated_at,
        version: p.version,
        actions: Vec::new(),
    }
}

/// The view `caller` gets: with the steps it may take now ([`process::actions`]).
pub fn view_for(
    state: &AppState,
    p: &Provrum,
    situation: &Situation,
    caller: Caller<'_>,
) -> ProvrumView {
    let mut view = view_with(state, p, &situation.orgs, situation.now);
    view.actions = process::actions(p, caller, &situation.context(state, p));
    if !crate::policy::may_read_budget(caller, p) {
        view.latest_budget = None;
        view.approved_budget = None;
    }
    view
}

/// One provrum as `actor` sees it.
pub async fn view_of(
    state: &AppState,
    p: &Provrum,
    actor: &crate::Actor,
) -> Result<ProvrumView, ApiError> {
    let situation = Situation::load(state, &[p], actor.caller()).await?;
    Ok(view_for(state, p, &situation, actor.caller()))
}

/// Every provrum as `caller` sees it, each read once.
pub async fn all_views_for(
    state: &AppState,
    caller: Caller<'_>,
) -> Result<Vec<ProvrumView>, ApiError> {
    let all = state.store.all_provrum().await?;
    let refs: Vec<&Provrum> = all.iter().collect();
    let situation = Situation::load(state, &refs, caller).await?;
    Ok(all
        .iter()
        .map(|p| view_for(state, p, &situation, caller))
        .collect())
}

/// One row of the kansli's status sheet.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StatusRow {
    pub id: String,
    pub title: String,
    pub status: Status,
    /// "Redo att starta" (DELT-5) …
    pub ready: bool,
    /// … and if not, why: a leader missing (DELT-3), too few regions (DELT-5).
    pub ready_reasons: Vec<Finding>,
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
    /// The version the go-ahead approved, once given.
    pub approved_version: Option<u32>,
    /// Whether the latest version is a revision after the go-ahead (PROC-3).
    pub revision: bool,
    pub quota_year: Option<i32>,
    /// The plan's end has passed and no result is reported (RES-1).
    pub result_overdue: bool,
    /// Where it is in time (the result column: reported, due, overdue).
    pub phase: provrum_rules::phase::Phase,
    pub phase_text: provrum_rules::Text,
    pub result_due: Option<chrono::NaiveDate>,
    /// When the kansli gave the go-ahead ("Startad").
    pub approved_at: Option<chrono::DateTime<chrono::Utc>>,
    /// "Kan få klartecken": whether the kansli may approve the start now …
    pub can_start: bool,
    /// … and if not, why: the findings of the approve step (readiness, budget, quota).
    pub can_start_reasons: Vec<Finding>,
    /// The kansli's steps on this provrum.
    pub actions: Vec<Action>,
}

pub fn status_row(view: &ProvrumView, today: chrono::NaiveDate) -> StatusRow {
    let approve = view.actions.iter().find(|a| a.action == Step::Approve);
    let budget = view.latest_budget.as_ref();
    let start = budget.and_then(|b| b.start);
    let end = budget.and_then(|b| b.end);
    StatusRow {
        id: view.id.clone(),
        title: view.title.clone(),
        status: view.status,
        ready: view.ready,
        ready_reasons: view.readiness.findings.clone(),
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
        approved_version: view.approved_budget.as_ref().map(|a| a.version),
        revision: budget.is_some_and(|b| b.revision),
        quota_year: view
            .quota_year
            .or_else(|| start.map(provrum_rules::kvot::quota_year)),
        result_overdue: provrum_rules::res::result_overdue(view.status, end, today).is_some(),
        phase: view.phase,
        phase_text: view.phase_text.clone(),
        result_due: view.result_due,
        approved_at: view.approved_at,
        can_start: approve.is_some_and(|a| a.allowed),
        can_start_reasons: approve.map(|a| a.findings.clone()).unwrap_or_default(),
        actions: view.actions.clone(),
    }
}

/// The audit trail's record of `decision`, by `actor`.
pub fn audit(decision: &process::Decision, actor: &str) -> provrum_store::AuditEvent {
    provrum_store::AuditEvent::new(
        format!("provrum/{}", decision.provrum.id),
        actor,
        decision.event.action(),
        decision.event.detail(),
    )
}
