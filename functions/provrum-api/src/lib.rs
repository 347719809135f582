//! `provrum-api`: organisations and tokens (the kansli's), and the provrum workflow — propose,
//! list and read, register and withdraw interest, choose the leader, withdraw the provrum.

mod admin;
pub mod notices;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::{Json, Router};
use provrum_http::openapi::{
    BadPage, BadRequest, Conflict, Forbidden, NotFound, NotJson, Unauthorized, Unavailable,
};
use provrum_http::paging::{self, Paging};
use provrum_http::path::{OrgPath, ProvrumPath, TokenPath};
use provrum_http::text::Field;
use provrum_http::views::{self, ProvrumView, Situation, load_provrum};
use provrum_http::{Action, Actor, ApiError, AppState, JsonBody, RequestLang, authorize};
use provrum_rules::model::{Membership, OrgKind, Status};
use provrum_rules::process::{self, Command, Event, Proposal};
use provrum_rules::{Ore, OrgId, ProvrumId};
use provrum_store::{AuditEvent, ORG_NAME_MAX, Org, Provrum, issue_token, new_id, parse_org_name};
use serde::{Deserialize, Serialize};
use std::sync::LazyLock;
use utoipa::ToSchema;
use utoipa::openapi::schema::Object;
use utoipa_axum::router::OpenApiRouter;

provrum_http::function_routes! {
    /// This function's routes with their OpenAPI descriptions (the document is made of these).
    routes,
    /// This function's routes as it serves them: the same handlers, paths and methods.
    serving:
    [health],
    [openapi_json],
    [me],
    [add_org, list_orgs],
    [create_token, admin::list_tokens],
    [revoke_token],
    [propose, list_provrum],
    [get_provrum],
    [admin::events],
    [register_interest, withdraw_interest],
    [choose_leader],
    [withdraw],
    [approve],
    [report_result],
}

/// Every function's routes on one router: the whole API, as `provrum serve` serves it and as
/// the web page calls it in process.
pub fn every_route() -> OpenApiRouter<AppState> {
    routes()
        .merge(budget_import::routes())
        .merge(status_sheet::routes())
        .merge(quota_report::routes())
}

pub fn router(state: AppState) -> Router {
    provrum_http::app(routes().into(), state)
}

/// The OpenAPI 3.1 document of every function's routes, as served at `GET /openapi.json`:
/// derived from the routers and the answer types, so it cannot describe a route that is not
/// served or an answer that is not given.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = every_route().into_openapi();
    budget_import::describe_uploads(&mut doc);
    provrum_http::openapi::frame(doc)
}

/// The document, rendered once per process.
static OPENAPI: LazyLock<String> = LazyLock::new(|| match openapi().to_json() {
    Ok(json) => json,
    Err(e) => {
        tracing::error!(error = %e, "the OpenAPI document could not be rendered");
        String::from("{}")
    }
});

/// Liveness
#[utoipa::path(get, path = "/health", operation_id = "health", security(()),
    responses((status = OK, description = "ok", body = String, content_type = "text/plain")))]
async fn health() -> &'static str {
    "ok"
}

/// This document
#[utoipa::path(get, path = "/openapi.json", operation_id = "openapi", security(()),
    responses((status = OK, description = "OpenAPI 3.1", body = Object)))]
async fn openapi_json() -> impl IntoResponse {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        OPENAPI.as_str(),
    )
}

/// Who the caller is: the organisation its token acts for, the token, and what it may do beyond
/// any one provrum (each provrum's own steps are in its `actions`).
#[derive(Serialize, ToSchema)]
pub struct Me {
    pub org: Org,
    pub token: MyToken,
    /// Propose a provrum, administer organisations and tokens, oversee all provrum: whether the
    /// caller may, and if not, why, decided by the same guard as the route.
    pub actions: Vec<MyAction>,
}

/// The token a request came with: its id and label (never its secret).
#[derive(Serialize, ToSchema)]
pub struct MyToken {
    pub id: String,
    pub label: String,
}

/// A step beyond one provrum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MyStep {
    /// `POST /provrum` (PROC-1: members).
    Propose,
    /// `POST /orgs`, the organisations' tokens (the kansli).
    Administer,
    /// `GET /status`, `GET /reports/{year}` (the kansli).
    Oversee,
}

/// One step beyond a provrum the caller could take: where, whether it may, and if not, why.
#[derive(Serialize, ToSchema)]
pub struct MyAction {
    pub action: MyStep,
    pub method: &'static str,
    pub path: &'static str,
    pub allowed: bool,
    /// Why not, in a sentence (absent when allowed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<provrum_rules::Text>,
    /// The model's findings that say why not (PROC-1 for a partner's proposal).
    pub findings: Vec<provrum_rules::Finding>,
}

impl MyAction {
    fn of(
        action: MyStep,
        method: &'static str,
        path: &'static str,
        guard: Result<(), ApiError>,
    ) -> MyAction {
        let (reason, findings) = match guard {
            Ok(()) => (None, Vec::new()),
            Err(e) => (Some(e.detail.clone()), e.findings.clone()),
        };
        MyAction {
            action,
            method,
            path,
            allowed: reason.is_none(),
            reason,
            findings,
        }
    }
}

/// Who am I: the caller's organisation (its kind and membership), its token's label, and what it may do
#[utoipa::path(get, path = "/me", operation_id = "me",
    responses((status = OK, description = "The caller", body = Me), Unauthorized, Unavailable))]
async fn me(actor: Actor) -> Json<Me> {
    let actions = vec![
        MyAction::of(
            MyStep::Propose,
            "POST",
            "/provrum",
            process::permit_propose(actor.org.membership).map_err(ApiError::from),
        ),
        MyAction::of(
            MyStep::Administer,
            "POST",
            "/orgs",
            authorize(Action::Administer, &actor, None),
        ),
        MyAction::of(
            MyStep::Oversee,
            "GET",
            "/status",
            authorize(Action::Oversee, &actor, None),
        ),
    ];
    let Actor {
        org,
        token_id,
        token_label,
    } = actor;
    Json(Me {
        org,
        token: MyToken {
            id: token_id,
            label: token_label,
        },
        actions,
    })
}

/// An organisation to add.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct NewOrg {
    // Parsed by the handler, so that a wrong id is answered in the reader's language.
    #[schema(value_type = OrgId)]
    id: String,
    #[schema(schema_with = org_name_schema)]
    name: String,
    kind: OrgKind,
    membership: Membership,
}

/// Add an organisation (kansli)
#[utoipa::path(post, path = "/orgs", operation_id = "addOrg", request_body = NewOrg,
    responses((status = CREATED, description = "Added", body = Org),
        BadRequest, Unauthorized, Forbidden, Conflict, NotJson, Unavailable))]
async fn add_org(
    State(state): State<AppState>,
    actor: Actor,
    JsonBody(body): JsonBody<NewOrg>,
) -> Result<impl IntoResponse, ApiError> {
    authorize(Action::Administer, &actor, None)?;
    let org = Org {
        id: OrgId::parse(&body.id)
            .map_err(|e| ApiError::bad_request(e.0))?
            .into_string(),
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

/// List organisations by id, a page at a time
#[utoipa::path(get, path = "/orgs", operation_id = "listOrgs", params(Paging),
    responses((status = OK, description = "Organisations", body = Vec<Org>),
        BadPage, Unauthorized, Unavailable))]
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

/// A token to create: what it is for, so the kansli can tell tokens apart.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = NewToken)]
struct NewTokenBody {
    /// What the token is for; cut to its first 200 characters.
    #[serde(default)]
    label: String,
}

/// A new token: the secret is shown here once and never again.
#[derive(Serialize, ToSchema)]
pub struct TokenCreated {
    pub id: String,
    /// The secret, for `Authorization: Bearer …`.
    pub token: String,
    pub org: String,
    pub role: Membership,
    pub label: String,
}

/// Create a token for an organisation (kansli); shown only here
#[utoipa::path(post, path = "/orgs/{org}/tokens", operation_id = "createToken",
    params(OrgPath), request_body = NewTokenBody,
    responses((status = CREATED, description = "Created", body = TokenCreated),
        BadRequest, Unauthorized, Forbidden, NotFound, NotJson, Unavailable))]
async fn create_token(
    State(state): State<AppState>,
    actor: Actor,
    OrgPath(org): OrgPath,
    JsonBody(body): JsonBody<NewTokenBody>,
) -> Result<impl IntoResponse, ApiError> {
    authorize(Action::Administer, &actor, None)?;
    let label: String = body.label.trim().chars().take(200).collect();
    let org = views::load_org(&state, &org).await?;
    let new = issue_token(state.store.as_ref(), &org.id, &label, &actor.org.id).await?;
    let created = TokenCreated {
        id: new.token.id,
        token: new.secret,
        org: org.id,
        role: org.membership,
        label,
    };
    Ok((StatusCode::CREATED, Json(created)))
}

/// Revoke a token (kansli)
#[utoipa::path(delete, path = "/tokens/{id}", operation_id = "revokeToken",
    params(TokenPath),
    responses((status = NO_CONTENT, description = "Revoked"),
        Unauthorized, Forbidden, NotFound, Unavailable))]
async fn revoke_token(
    State(state): State<AppState>,
    actor: Actor,
    TokenPath(id): TokenPath,
) -> Result<StatusCode, ApiError> {
    authorize(Action::Administer, &actor, None)?;
    let event = AuditEvent::new(
        format!("token/{id}"),
        &actor.org.id,
        "token.revoked",
        serde_json::Value::Null,
    );
    let now = state.clock.now();
    state.store.revoke_token(id.as_str(), now, &event).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The texts a person writes in a request, each with its bound (their rule: [`Field`]).
const TITLE: Field = Field::new("title", ("Titel", "Title"), 200);
const THEME: Field = Field::new("theme", ("Tema", "Theme"), 200);
const DESCRIPTION: Field = Field::new("description", ("Beskrivning", "Description"), 10_000);
const SUMMARY: Field = Field::new(
    "summary",
    ("Vad kom ni fram till?", "What did you find out?"),
    10_000,
);
const LINK: Field = Field::new("link", ("Länk till mer", "Link to more"), 2_000);
const ORG_NAME: Field = Field::new("name", ("Namn", "Name"), ORG_NAME_MAX);

fn title_schema() -> Object {
    TITLE.required_schema()
}
fn theme_schema() -> Object {
    THEME.optional_schema()
}
fn description_schema() -> Object {
    DESCRIPTION.optional_schema()
}
fn summary_schema() -> Object {
    SUMMARY.required_schema()
}
fn link_schema() -> Object {
    LINK.web_link_schema()
}
fn org_name_schema() -> Object {
    ORG_NAME.name_schema()
}

/// A proposal: a title, and a theme and a description if the proposer has them. Texts are
/// trimmed; no control characters but line breaks and tabs (the patterns say so).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = Proposal)]
struct ProposalBody {
    #[schema(schema_with = title_schema)]
    title: String,
    #[schema(schema_with = theme_schema)]
    theme: Option<String>,
    #[schema(schema_with = description_schema)]
    description: Option<String>,
}

impl ProposalBody {
    /// The proposal's texts, trimmed and bounded, with a new id.
    fn parse(self) -> Result<Proposal, ApiError> {
        Ok(Proposal {
            id: new_id(ProvrumId::PREFIX),
            title: TITLE.required(&self.title)?,
            theme: THEME.optional(self.theme.as_deref())?,
            description: DESCRIPTION.optional(self.description.as_deref())?,
        })
    }
}

/// Loads provrum `id`, has the process decide `command` by `actor`, and stores the decision with
/// its audit event in one write: the provrum as it was, as stored now, and what was known.
async fn carry_out(
    state: &AppState,
    actor: &Actor,
    id: &ProvrumId,
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

/// Propose a provrum (members)
#[utoipa::path(post, path = "/provrum", operation_id = "propose", params(RequestLang),
    request_body = ProposalBody,
    responses((status = CREATED, description = "Proposed", body = ProvrumView),
        BadRequest, Unauthorized, Forbidden, NotJson, Unavailable))]
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

/// List provrum in the order they were proposed, a page at a time
#[utoipa::path(get, path = "/provrum", operation_id = "listProvrum", params(Paging),
    responses((status = OK, description = "Provrum", body = Vec<ProvrumView>),
        BadPage, Unauthorized, Unavailable))]
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

/// A provrum with participants, leader, readiness, latest budget and the caller's actions
#[utoipa::path(get, path = "/provrum/{id}", operation_id = "getProvrum", params(ProvrumPath),
    responses((status = OK, description = "The provrum", body = ProvrumView),
        Unauthorized, NotFound, Unavailable))]
async fn get_provrum(
    State(state): State<AppState>,
    actor: Actor,
    ProvrumPath(id): ProvrumPath,
) -> Result<Json<ProvrumView>, ApiError> {
    let provrum = load_provrum(&state, &id).await?;
    Ok(Json(views::view_of(&state, &provrum, &actor).await?))
}

/// Taking part, and whether as the one who wants to lead.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct Interest {
    wants_to_lead: bool,
}

/// Take part (members, partners); a seventh gets DELT-1
#[utoipa::path(post, path = "/provrum/{id}/interest", operation_id = "registerInterest",
    params(ProvrumPath, RequestLang), request_body = Interest,
    responses((status = OK, description = "Registered", body = ProvrumView),
        BadRequest, Unauthorized, Forbidden, NotFound, Conflict, NotJson, Unavailable))]
async fn register_interest(
    State(state): State<AppState>,
    actor: Actor,
    ProvrumPath(id): ProvrumPath,
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

/// Stop taking part (before start)
#[utoipa::path(delete, path = "/provrum/{id}/interest", operation_id = "withdrawInterest",
    params(ProvrumPath, RequestLang),
    responses((status = NO_CONTENT, description = "Withdrawn"),
        Unauthorized, Forbidden, NotFound, Conflict, Unavailable))]
async fn withdraw_interest(
    State(state): State<AppState>,
    actor: Actor,
    ProvrumPath(id): ProvrumPath,
) -> Result<StatusCode, ApiError> {
    carry_out(&state, &actor, &id, Command::WithdrawInterest).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The organisation to lead (one of those that want to).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct Leader {
    org: OrgId,
}

/// Choose the leader (kansli or proposer); a partner gets DELT-4
#[utoipa::path(put, path = "/provrum/{id}/leader", operation_id = "chooseLeader",
    params(ProvrumPath, RequestLang), request_body = Leader,
    responses((status = OK, description = "Chosen", body = ProvrumView),
        BadRequest, Unauthorized, Forbidden, NotFound, Conflict, NotJson, Unavailable))]
async fn choose_leader(
    State(state): State<AppState>,
    actor: Actor,
    ProvrumPath(id): ProvrumPath,
    JsonBody(body): JsonBody<Leader>,
) -> Result<Json<ProvrumView>, ApiError> {
    let command = Command::ChooseLeader {
        org: body.org.into_string(),
    };
    let (before, stored, situation) = carry_out(&state, &actor, &id, command).await?;
    Ok(Json(announce_if_ready(
        &state, &actor, &situation, &before, &stored,
    )))
}

/// Withdraw before start (proposer, leader, kansli)
#[utoipa::path(post, path = "/provrum/{id}/withdraw", operation_id = "withdraw",
    params(ProvrumPath, RequestLang),
    responses((status = OK, description = "Withdrawn", body = StatusChange),
        Unauthorized, Forbidden, NotFound, Conflict, Unavailable))]
async fn withdraw(
    State(state): State<AppState>,
    actor: Actor,
    ProvrumPath(id): ProvrumPath,
) -> Result<Json<StatusChange>, ApiError> {
    let (_, stored, _) = carry_out(&state, &actor, &id, Command::Withdraw).await?;
    Ok(Json(StatusChange::of(&stored)))
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

/// Start (kansli): 409 with findings when not ready, no budget, budget errors or over the year's quota
///
/// The kansli's go-ahead ("klartecken"), decided by the process: ready, a budget without
/// errors, a start date, and the year's quota (which the store checks again, atomically).
#[utoipa::path(post, path = "/provrum/{id}/approve", operation_id = "approve",
    params(ProvrumPath, RequestLang),
    responses((status = OK, description = "Started", body = Started),
        Unauthorized, Forbidden, NotFound, Conflict, Unavailable))]
async fn approve(
    State(state): State<AppState>,
    actor: Actor,
    ProvrumPath(id): ProvrumPath,
) -> Result<Json<Started>, ApiError> {
    let (_, stored, situation) = carry_out(&state, &actor, &id, Command::Approve)
        .await
        .inspect_err(|e| {
            let problem = e.problem();
            // Refused by the model (403, 409), not a missing provrum or a store that is down.
            if matches!(problem.status, StatusCode::FORBIDDEN | StatusCode::CONFLICT) {
                provrum_http::metrics::approval_refused(&problem.findings);
            }
        })?;
    provrum_http::metrics::approval_started();
    state.notify(notices::started(&views::view_with(
        &state,
        &stored,
        &situation.orgs,
        situation.now,
    )));
    Ok(Json(Started {
        id: stored.id,
        status: stored.status,
        quota_year: stored.quota_year,
        base_funding_ore: stored.granted_base_funding_ore,
    }))
}

/// The result: what was learned, and a link to more.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct ResultBody {
    #[schema(schema_with = summary_schema)]
    summary: String,
    #[schema(schema_with = link_schema)]
    link: Option<String>,
}

/// A provrum's new status.
#[derive(Serialize, ToSchema)]
pub struct StatusChange {
    pub id: String,
    pub status: Status,
}

impl StatusChange {
    fn of(provrum: &Provrum) -> StatusChange {
        StatusChange {
            id: provrum.id.clone(),
            status: provrum.status,
        }
    }
}

/// A started provrum: the year whose quota it used and the base funding granted.
#[derive(Serialize, ToSchema)]
pub struct Started {
    pub id: String,
    pub status: Status,
    pub quota_year: Option<i32>,
    pub base_funding_ore: Option<Ore>,
}

impl ResultBody {
    /// The report: a summary, and a link that is a web address.
    fn parse(self) -> Result<Command, ApiError> {
        let summary = SUMMARY.required(&self.summary)?;
        let link = LINK.web_link(self.link.as_deref())?;
        Ok(Command::ReportResult { summary, link })
    }
}

/// Report the result (the leader)
///
/// The leader reports the result back to Reglab and the members.
#[utoipa::path(post, path = "/provrum/{id}/result", operation_id = "reportResult",
    params(ProvrumPath, RequestLang), request_body = ResultBody,
    responses((status = OK, description = "Reported", body = StatusChange),
        BadRequest, Unauthorized, Forbidden, NotFound, Conflict, NotJson, Unavailable))]
async fn report_result(
    State(state): State<AppState>,
    actor: Actor,
    ProvrumPath(id): ProvrumPath,
    JsonBody(body): JsonBody<ResultBody>,
) -> Result<Json<StatusChange>, ApiError> {
    let (_, stored, _) = carry_out(&state, &actor, &id, body.parse()?).await?;
    Ok(Json(StatusChange::of(&stored)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::{Method, Request, StatusCode};
    use std::sync::Arc;
    use tower::ServiceExt as _;

    /// `serving()` is built from the same list as `routes()` but without the descriptions: every
    /// documented method and path reaches its handler (which answers, here mostly 401 for want
    /// of a token), never the router's own empty 404 or 405.
    #[tokio::test]
    async fn every_documented_route_is_served() {
        let store = provrum_store::sqlite::SqliteStore::in_memory().expect("store");
        let app = serving().with_state(AppState::new(Arc::new(store)));
        let (_, doc) = routes().split_for_parts();
        let mut served = 0;
        for (path, item) in &doc.paths.paths {
            let uri = path.replace(['{', '}'], "");
            let operations = [
                (Method::GET, item.get.is_some()),
                (Method::POST, item.post.is_some()),
                (Method::PUT, item.put.is_some()),
                (Method::DELETE, item.delete.is_some()),
                (Method::PATCH, item.patch.is_some()),
            ];
            for (method, documented) in operations {
                if !documented {
                    continue;
                }
                let request = Request::builder()
                    .method(method.clone())
                    .uri(&uri)
                    .body(Body::empty())
                    .expect("request");
                let response = app.clone().oneshot(request).await.expect("answer");
                let status = response.status();
                let body = axum::body::to_bytes(response.into_body(), 1 << 20)
                    .await
                    .expect("body");
                assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
                assert!(
                    !(status == StatusCode::NOT_FOUND && body.is_empty()),
                    "{method} {path} is not served"
                );
                served += 1;
            }
        }
        assert!(served >= 18, "only {served} operations were tried");
    }
}
