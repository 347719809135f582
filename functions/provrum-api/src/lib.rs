//! `provrum-api`: organisations and tokens (the kansli's), and the provrum workflow — propose,
//! list and read, register and withdraw interest, choose the leader, withdraw the provrum.

pub mod notices;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use chrono::Utc;
use provrum_http::{Action, Actor, ApiError, AppState, JsonBody, authorize};
use provrum_rules::model::{Membership, OrgKind, ParticipantKind, Status};
use provrum_rules::{Finding, Severity, Text, Verdict, bud, delt, kvot, process};
use provrum_store::{
    AuditEvent, Org, Participant, Provrum, ResultReport, issue_token, new_id, parse_org_id,
    parse_org_name,
};
use serde::Deserialize;

use provrum_http::views::{self, ProvrumView, load_provrum, view};
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/health", get(|| async { "ok" }))
        .route(
            "/openapi.json",
            get(|| async {
                (
                    [(axum::http::header::CONTENT_TYPE, "application/json")],
                    provrum_http::OPENAPI,
                )
            }),
        )
        .route("/orgs", post(add_org).get(list_orgs))
        .route("/orgs/{org}/tokens", post(create_token))
        .route("/tokens/{id}", delete(revoke_token))
        .route("/provrum", post(propose).get(list_provrum))
        .route("/provrum/{id}", get(get_provrum))
        .route(
            "/provrum/{id}/interest",
            post(register_interest).delete(withdraw_interest),
        )
        .route("/provrum/{id}/leader", put(choose_leader))
        .route("/provrum/{id}/withdraw", post(withdraw))
        .route("/provrum/{id}/approve", post(approve))
        .route("/provrum/{id}/result", post(report_result))
}

pub fn router(state: AppState) -> Router {
    provrum_http::app(routes(), state)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewOrg {
    id: String,
    name: String,
    kind: OrgKind,
    membership: Membership,
}

async fn add_org(
    State(state): State<AppState>,
    actor: Actor,
    JsonBody(body): JsonBody<NewOrg>,
) -> Result<impl IntoResponse, ApiError> {
    authorize(Action::Administer, &actor, None)?;
    let org = Org {
        id: parse_org_id(&body.id)?,
        name: parse_org_name(&body.name)?,
        kind: body.kind,
        membership: body.membership,
        created_at: Utc::now(),
    };
    let event = AuditEvent::new(
        format!("org/{}", org.id),
        &actor.org.id,
        "org.created",
        serde_json::json!({"name": org.name}),
    );
    state.store.create_org(&org, &event).await?;
    Ok((StatusCode::CREATED, Json(org)))
}

async fn list_orgs(
    State(state): State<AppState>,
    _actor: Actor,
) -> Result<Json<Vec<Org>>, ApiError> {
    Ok(Json(state.store.list_orgs().await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewTokenBody {
    #[serde(default)]
    label: String,
}

async fn create_token(
    State(state): State<AppState>,
    actor: Actor,
    Path(org): Path<String>,
    JsonBody(body): JsonBody<NewTokenBody>,
) -> Result<impl IntoResponse, ApiError> {
    authorize(Action::Administer, &actor, None)?;
    let label: String = body.label.trim().chars().take(200).collect();
    let org = state.store.get_org(&org).await?.ok_or_else(|| {
        ApiError::not_found(Text::new(
            format!("Organisationen {org} finns inte."),
            format!("The organisation {org} does not exist."),
        ))
    })?;
    let new = issue_token(state.store.as_ref(), &org.id, &label, &actor.org.id).await?;
    Ok((
        StatusCode::CREATED,
        Json(
            serde_json::json!({"id": new.token.id, "token": new.secret, "org": org.id, "role": org.membership, "label": label}),
        ),
    ))
}

async fn revoke_token(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    authorize(Action::Administer, &actor, None)?;
    let event = AuditEvent::new(
        format!("token/{id}"),
        &actor.org.id,
        "token.revoked",
        serde_json::Value::Null,
    );
    state.store.revoke_token(&id, Utc::now(), &event).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Free text from a person: trimmed, bounded, no control characters but newlines.
fn text_field(value: &str, max: usize, field: &str) -> Result<String, ApiError> {
    let value = value.trim();
    if value.chars().count() > max
        || value
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(ApiError::bad_request(Text::new(
            format!("Fältet {field} får vara högst {max} tecken text."),
            format!("The field {field} may be at most {max} characters of text."),
        )));
    }
    Ok(value.to_string())
}

/// A field that must have text.
fn required_text(value: &str, max: usize, field: &str) -> Result<String, ApiError> {
    let text = text_field(value, max, field)?;
    if text.is_empty() {
        return Err(ApiError::bad_request(Text::new(
            format!("Fältet {field} saknas."),
            format!("The field {field} is missing."),
        )));
    }
    Ok(text)
}

/// A field that may be absent; empty text counts as absent.
fn optional_text(value: Option<&str>, max: usize, field: &str) -> Result<Option<String>, ApiError> {
    Ok(value
        .map(|v| text_field(v, max, field))
        .transpose()?
        .filter(|v| !v.is_empty()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Proposal {
    title: String,
    theme: Option<String>,
    description: Option<String>,
}

async fn propose(
    State(state): State<AppState>,
    actor: Actor,
    JsonBody(body): JsonBody<Proposal>,
) -> Result<impl IntoResponse, ApiError> {
    authorize(Action::Propose, &actor, None)?;
    let title = required_text(&body.title, 200, "title")?;
    let theme = optional_text(body.theme.as_deref(), 200, "theme")?;
    let description = optional_text(body.description.as_deref(), 10_000, "description")?;
    let now = Utc::now();
    let provrum = Provrum {
        id: new_id("pr_"),
        title,
        theme,
        description,
        status: Status::Proposed,
        proposer: actor.org.id.clone(),
        leader: None,
        participants: vec![Participant {
            org: actor.org.id.clone(),
            wants_to_lead: false,
            joined_at: now,
        }],
        created_at: now,
        updated_at: now,
        started_at: None,
        withdrawn_at: None,
        result: None,
        budget_versions: 0,
        latest_budget: None,
        quota_year: None,
        granted_base_funding_ore: None,
        version: 0,
    };
    let event = AuditEvent::new(
        format!("provrum/{}", provrum.id),
        &actor.org.id,
        "provrum.proposed",
        serde_json::json!({"title": provrum.title}),
    );
    state.store.create_provrum(&provrum, &event).await?;
    let created = view(&state, &provrum).await?;
    state.notify(notices::proposed(&created, &actor.org.name));
    Ok((StatusCode::CREATED, Json(created)))
}

async fn list_provrum(
    State(state): State<AppState>,
    _actor: Actor,
) -> Result<Json<Vec<ProvrumView>>, ApiError> {
    Ok(Json(views::all_views(&state).await?))
}

async fn get_provrum(
    State(state): State<AppState>,
    _actor: Actor,
    Path(id): Path<String>,
) -> Result<Json<ProvrumView>, ApiError> {
    let provrum = load_provrum(&state, &id).await?;
    Ok(Json(view(&state, &provrum).await?))
}

fn before_start(provrum: &Provrum) -> Result<(), ApiError> {
    if provrum.status == Status::Proposed {
        return Ok(());
    }
    Err(ApiError::conflict(Text::new(
        format!(
            "Provrummet har status ”{}”; det går bara före start.",
            provrum.status.sv()
        ),
        format!(
            "The provrum is {}; this is only possible before the start.",
            provrum.status.as_str()
        ),
    )))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Interest {
    wants_to_lead: bool,
}

async fn register_interest(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Interest>,
) -> Result<Json<ProvrumView>, ApiError> {
    authorize(Action::TakePart, &actor, None)?;
    let mut provrum = load_provrum(&state, &id).await?;
    before_start(&provrum)?;
    let orgs = views::org_index(&state).await?;
    let was_ready = views::view_with(&state, &provrum, &orgs).ready;
    let me = actor.org.id.clone();
    match provrum.participants.iter_mut().find(|p| p.org == me) {
        Some(existing) => existing.wants_to_lead = body.wants_to_lead,
        None => {
            delt::admit_participant(provrum.participants.len() as u32, &state.rules)
                .map_err(ApiError::refused)?;
            provrum.participants.push(Participant {
                org: me.clone(),
                wants_to_lead: body.wants_to_lead,
                joined_at: Utc::now(),
            });
        }
    }
    provrum.updated_at = Utc::now();
    let event = AuditEvent::new(
        format!("provrum/{id}"),
        &me,
        "interest.registered",
        serde_json::json!({"wants_to_lead": body.wants_to_lead}),
    );
    let stored = state.store.update_provrum(&provrum, &event).await?;
    Ok(Json(announce_if_ready(&state, &orgs, was_ready, &stored)))
}

async fn withdraw_interest(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    authorize(Action::TakePart, &actor, None)?;
    let mut provrum = load_provrum(&state, &id).await?;
    before_start(&provrum)?;
    let me = actor.org.id.clone();
    if provrum.proposer == me {
        return Err(ApiError::conflict(Text::new(
            "Förslagsställaren kan inte lämna sitt förslag; dra tillbaka provrummet i stället.",
            "The proposer cannot leave its own proposal; withdraw the provrum instead.",
        )));
    }
    let before = provrum.participants.len();
    provrum.participants.retain(|p| p.org != me);
    if provrum.participants.len() == before {
        return Err(ApiError::not_found(Text::new(
            "Din organisation deltar inte i provrummet.",
            "Your organisation does not take part in the provrum.",
        )));
    }
    if provrum.leader.as_deref() == Some(me.as_str()) {
        provrum.leader = None;
    }
    provrum.updated_at = Utc::now();
    let event = AuditEvent::new(
        format!("provrum/{id}"),
        &me,
        "interest.withdrawn",
        serde_json::Value::Null,
    );
    state.store.update_provrum(&provrum, &event).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Leader {
    org: String,
}

async fn choose_leader(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Leader>,
) -> Result<Json<ProvrumView>, ApiError> {
    let mut provrum = load_provrum(&state, &id).await?;
    authorize(Action::ChooseLeader, &actor, Some(&provrum))?;
    before_start(&provrum)?;
    let orgs = views::org_index(&state).await?;
    let was_ready = views::view_with(&state, &provrum, &orgs).ready;
    if !provrum.participants.iter().any(|p| p.org == body.org) {
        return Err(ApiError::conflict(Text::new(
            format!(
                "{} deltar inte i provrummet; provrumsledaren måste vara en deltagare.",
                body.org
            ),
            format!(
                "{} does not take part in the provrum; the leader must be a participant.",
                body.org
            ),
        )));
    }
    // The index read for readiness above already holds every organisation.
    let org = orgs.get(&body.org).cloned().ok_or_else(|| {
        ApiError::not_found(Text::new(
            format!("Organisationen {} finns inte.", body.org),
            format!("The organisation {} does not exist.", body.org),
        ))
    })?;
    delt::leader_allowed(&org.name, ParticipantKind::of(org.kind, org.membership))
        .map_err(ApiError::refused)?;
    provrum.leader = Some(org.id.clone());
    provrum.updated_at = Utc::now();
    let event = AuditEvent::new(
        format!("provrum/{id}"),
        &actor.org.id,
        "leader.chosen",
        serde_json::json!({"org": org.id}),
    );
    let stored = state.store.update_provrum(&provrum, &event).await?;
    Ok(Json(announce_if_ready(&state, &orgs, was_ready, &stored)))
}

async fn withdraw(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let mut provrum = load_provrum(&state, &id).await?;
    let me = actor.org.id.as_str();
    authorize(Action::Withdraw, &actor, Some(&provrum))?;
    before_start(&provrum)?;
    let now = Utc::now();
    provrum.status = Status::Withdrawn;
    provrum.withdrawn_at = Some(now);
    provrum.updated_at = now;
    let event = AuditEvent::new(
        format!("provrum/{id}"),
        me,
        "provrum.withdrawn",
        serde_json::Value::Null,
    );
    let stored = state.store.update_provrum(&provrum, &event).await?;
    Ok(Json(
        serde_json::json!({"id": stored.id, "status": stored.status}),
    ))
}

/// The provrum's view; the members hear when this change made it ready to start.
fn announce_if_ready(
    state: &AppState,
    orgs: &HashMap<String, Org>,
    was_ready: bool,
    stored: &Provrum,
) -> ProvrumView {
    let now = views::view_with(state, stored, orgs);
    if now.ready && !was_ready {
        state.notify(notices::ready(&now));
    }
    now
}

/// The kansli's go-ahead ("klartecken"): the provrum must be ready (a leader, two regions), have a
/// budget whose latest version has no errors, and fit the year's quota (KVOT-1, KVOT-2, decided
/// atomically by the store).
async fn approve(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let provrum = load_provrum(&state, &id).await?;
    authorize(Action::Approve, &actor, Some(&provrum))?;
    process::may_approve(actor.membership(), provrum.status).map_err(ApiError::refused)?;
    let orgs = views::org_index(&state).await?;
    let current = views::view_with(&state, &provrum, &orgs);
    let mut findings: Vec<Finding> = current.readiness.findings;
    match &provrum.latest_budget {
        None => findings.push(Finding::new(
            &bud::BUD_1,
            Text::new(
                "Ingen budget är uppladdad; provrumsledaren laddar upp projektplan och budget innan start.",
                "No budget has been uploaded; the leader uploads the project plan and budget before the start.",
            ),
        )),
        Some(latest) if latest.verdict == Verdict::Errors => {
            let version = state.store.get_budget_version(&id, latest.version).await?;
            findings.extend(version.into_iter().flat_map(|v| v.checked.report.findings).filter(|f| f.severity == Severity::Error));
        }
        Some(_) => {}
    }
    if !findings.is_empty() {
        return Err(ApiError::refused(findings));
    }
    let latest = provrum
        .latest_budget
        .clone()
        .ok_or_else(ApiError::internal)?;
    let start = latest.start.ok_or_else(|| {
        ApiError::refused(vec![Finding::new(
            &provrum_rules::plan::PLAN_1,
            Text::new(
                "Budgetens projektplan saknar startdatum.",
                "The budget's project plan has no start date.",
            ),
        )])
    })?;
    let now = Utc::now();
    let mut next = provrum.clone();
    next.status = Status::Running;
    next.started_at = Some(now);
    next.updated_at = now;
    next.quota_year = Some(kvot::quota_year(start));
    next.granted_base_funding_ore = Some(latest.base_funding_ore);
    let event = AuditEvent::new(
        format!("provrum/{id}"),
        &actor.org.id,
        "provrum.approved",
        serde_json::json!({"quota_year": next.quota_year, "base_funding_ore": latest.base_funding_ore, "budget_version": latest.version}),
    );
    let stored = state.store.approve(&next, &state.rules, &event).await?;
    state.notify(notices::started(&views::view_with(&state, &stored, &orgs)));
    Ok(Json(
        serde_json::json!({"id": stored.id, "status": stored.status, "quota_year": stored.quota_year, "base_funding_ore": stored.granted_base_funding_ore}),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ResultBody {
    summary: String,
    link: Option<String>,
}

/// The leader reports the result back to Reglab and the members.
async fn report_result(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<ResultBody>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let mut provrum = load_provrum(&state, &id).await?;
    authorize(Action::Lead, &actor, Some(&provrum))?;
    if provrum.status != Status::Running {
        return Err(ApiError::conflict(Text::new(
            format!(
                "Provrummet har status ”{}”; resultat rapporteras för ett pågående provrum.",
                provrum.status.sv()
            ),
            format!(
                "The provrum is {}; results are reported for a running provrum.",
                provrum.status.as_str()
            ),
        )));
    }
    let summary = required_text(&body.summary, 10_000, "summary")?;
    let link = optional_text(body.link.as_deref(), 2_000, "link")?;
    if link
        .as_deref()
        .is_some_and(|l| !(l.starts_with("https://") || l.starts_with("http://")))
    {
        return Err(ApiError::bad_request(Text::new(
            "Länken ska vara en webbadress som börjar med https:// (eller http://).",
            "The link should be a web address starting with https:// (or http://).",
        )));
    }
    let now = Utc::now();
    provrum.status = Status::Reported;
    provrum.updated_at = now;
    provrum.result = Some(ResultReport {
        summary,
        link,
        reported_by: actor.org.id.clone(),
        reported_at: now,
    });
    let event = AuditEvent::new(
        format!("provrum/{id}"),
        &actor.org.id,
        "result.reported",
        serde_json::Value::Null,
    );
    let stored = state.store.update_provrum(&provrum, &event).await?;
    Ok(Json(
        serde_json::json!({"id": stored.id, "status": stored.status}),
    ))
}
