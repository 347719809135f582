//! `provrum-api`: organisations and tokens (the kansli's), and the provrum workflow — propose,
//! list and read, register and withdraw interest, choose the leader, withdraw the provrum.

mod admin;
pub mod notices;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use provrum_http::paging::{self, Paging};
use provrum_http::views::{self, ProvrumView, Situation, load_provrum};
use provrum_http::{Action, Actor, ApiError, AppState, JsonBody, authorize};
use provrum_rules::Text;
use provrum_rules::model::{Membership, OrgKind};
use provrum_rules::process::{self, Command, Event, Proposal};
use provrum_store::{AuditEvent, Org, Provrum, issue_token, new_id, parse_org_id, parse_org_name};
use serde::Deserialize;

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
        .route(
            "/orgs/{org}/tokens",
            post(create_token).get(admin::list_tokens),
        )
        .route("/tokens/{id}", delete(revoke_token))
        .route("/provrum", post(propose).get(list_provrum))
        .route("/provrum/{id}", get(get_provrum))
        .route("/provrum/{id}/events", get(admin::events))
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
        created_at: state.clock.now(),
    };
    let detail = serde_json::json!({"name": org.name});
    let event = AuditEvent::new(
        format!("org/{}", org.id),
        &actor.org.id,
        "org.created",
        detail,
    );
    state.store.create_org(&org, &event).await?;
    Ok((StatusCode::CREATED, Json(org)))
}

async fn list_orgs(
    State(state): State<AppState>,
    _actor: Actor,
    paging: Paging,
) -> Result<axum::response::Response, ApiError> {
    let page = state
        .store
        .orgs_page(paging.cursor(), paging.limit)
        .await
        .map_err(paging::store_error)?;
    Ok(paging.respond_page(page))
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
    let org = views::load_org(&state, &org).await?;
    let new = issue_token(state.store.as_ref(), &org.id, &label, &actor.org.id).await?;
    let created = serde_json::json!({"id": new.token.id, "token": new.secret, "org": org.id, "role": org.membership, "label": label});
    Ok((StatusCode::CREATED, Json(created)))
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
    let now = state.clock.now();
    state.store.revoke_token(&id, now, &event).await?;
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
struct ProposalBody {
    title: String,
    theme: Option<String>,
    description: Option<String>,
}

impl ProposalBody {
    /// The proposal's texts, trimmed and bounded, with a new id.
    fn parse(self) -> Result<Proposal, ApiError> {
        Ok(Proposal {
            id: new_id("pr_"),
            title: required_text(&self.title, 200, "title")?,
            theme: optional_text(self.theme.as_deref(), 200, "theme")?,
            description: optional_text(self.description.as_deref(), 10_000, "description")?,
        })
    }
}

/// Loads provrum `id`, has the process decide `command` by `actor`, and stores the decision with
/// its audit event in one write: the provrum as it was, as stored now, and what was known.
async fn carry_out(
    state: &AppState,
    actor: &Actor,
    id: &str,
    command: Command,
) -> Result<(Provrum, Provrum, Situation), ApiError> {
    let before = load_provrum(state, id).await?;
    let situation = Situation::load(state, &[&before], actor.caller()).await?;
    let decision = process::decide(
        command,
        &before,
        actor.caller(),
        &situation.context(state, &before),
    )?;
    let event = views::audit(&decision, &actor.org.id);
    let stored = match decision.event {
        // Starting changes the quota year's counters too, atomically (KVOT-1, KVOT-2).
        Event::Approved { .. } => {
            state
                .store
                .approve(&decision.provrum, &state.rules, &event)
                .await?
        }
        _ => {
            state
                .store
                .update_provrum(&decision.provrum, &event)
                .await?
        }
    };
    Ok((before, stored, situation))
}

async fn propose(
    State(state): State<AppState>,
    actor: Actor,
    JsonBody(body): JsonBody<ProposalBody>,
) -> Result<impl IntoResponse, ApiError> {
    let proposal = body.parse()?;
    let situation = Situation::load(&state, &[], actor.caller()).await?;
    let context = situation.context_for_proposal(&state);
    let decision = process::propose(proposal, actor.caller(), &context)?;
    let event = views::audit(&decision, &actor.org.id);
    state
        .store
        .create_provrum(&decision.provrum, &event)
        .await?;
    let created = views::view_for(&state, &decision.provrum, &situation, actor.caller());
    state.notify(notices::proposed(&created, &actor.org.name, &state.rules));
    Ok((StatusCode::CREATED, Json(created)))
}

async fn list_provrum(
    State(state): State<AppState>,
    actor: Actor,
    paging: Paging,
) -> Result<axum::response::Response, ApiError> {
    let page = state
        .store
        .list_provrum(paging.cursor(), paging.limit)
        .await
        .map_err(paging::store_error)?;
    let refs: Vec<&Provrum> = page.items.iter().collect();
    let situation = Situation::load(&state, &refs, actor.caller()).await?;
    let listed: Vec<ProvrumView> = page
        .items
        .iter()
        .map(|p| views::view_for(&state, p, &situation, actor.caller()))
        .collect();
    Ok(paging.respond(Json(listed), page.next.as_deref()))
}

async fn get_provrum(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> Result<Json<ProvrumView>, ApiError> {
    let provrum = load_provrum(&state, &id).await?;
    Ok(Json(views::view_of(&state, &provrum, &actor).await?))
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
    let command = Command::RegisterInterest {
        wants_to_lead: body.wants_to_lead,
    };
    let (before, stored, situation) = carry_out(&state, &actor, &id, command).await?;
    Ok(Json(announce_if_ready(
        &state, &actor, &situation, &before, &stored,
    )))
}

async fn withdraw_interest(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    carry_out(&state, &actor, &id, Command::WithdrawInterest).await?;
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
    let command = Command::ChooseLeader { org: body.org };
    let (before, stored, situation) = carry_out(&state, &actor, &id, command).await?;
    Ok(Json(announce_if_ready(
        &state, &actor, &situation, &before, &stored,
    )))
}

async fn withdraw(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let (_, stored, _) = carry_out(&state, &actor, &id, Command::Withdraw).await?;
    Ok(Json(
        serde_json::json!({"id": stored.id, "status": stored.status}),
    ))
}

/// The provrum as the caller now sees it; the members hear when this change made it ready to
/// start.
fn announce_if_ready(
    state: &AppState,
    actor: &Actor,
    situation: &Situation,
    before: &Provrum,
    stored: &Provrum,
) -> ProvrumView {
    let was_ready = process::readiness(before, &situation.orgs, &state.rules).is_ok();
    let now = views::view_for(state, stored, situation, actor.caller());
    if now.ready && !was_ready {
        state.notify(notices::ready(&now));
    }
    now
}

/// The kansli's go-ahead ("klartecken"), decided by the process: ready, a budget without
/// errors, a start date, and the year's quota (which the store checks again, atomically).
async fn approve(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let (_, stored, situation) = carry_out(&state, &actor, &id, Command::Approve).await?;
    state.notify(notices::started(&views::view_with(
        &state,
        &stored,
        &situation.orgs,
    )));
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

impl ResultBody {
    /// The report: a summary, and a link that is a web address.
    fn parse(self) -> Result<Command, ApiError> {
        let summary = required_text(&self.summary, 10_000, "summary")?;
        let link = optional_text(self.link.as_deref(), 2_000, "link")?;
        if link
            .as_deref()
            .is_some_and(|l| !(l.starts_with("https://") || l.starts_with("http://")))
        {
            return Err(ApiError::bad_request(Text::new(
                "Länken ska vara en webbadress som börjar med https:// (eller http://).",
                "The link should be a web address starting with https:// (or http://).",
            )));
        }
        Ok(Command::ReportResult { summary, link })
    }
}

/// The leader reports the result back to Reglab and the members.
async fn report_result(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<ResultBody>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let (_, stored, _) = carry_out(&state, &actor, &id, body.parse()?).await?;
    Ok(Json(
        serde_json::json!({"id": stored.id, "status": stored.status}),
    ))
}
