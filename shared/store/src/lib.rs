//! Where provrum live: one [`Store`] trait, and two implementations that behave the same —
//! DynamoDB (single table, [`dynamo`]) in AWS and embedded SQLite ([`sqlite`]) on a laptop.
//!
//! The functions decide what a provrum's next state is; the store makes the change durable and
//! safe: every mutable item carries a version and a stale write is a [`StoreError::Conflict`],
//! never a silent overwrite; every state change writes its audit event in the same transaction;
//! budget versions are numbered and never overwritten; and starting a provrum changes its status
//! and the quota year's counters in one transaction, so concurrent approvals cannot exceed the
//! year's quota.

pub mod dynamo;
mod session;
#[cfg(feature = "sqlite")]
pub mod sqlite;
mod token;

pub use session::{NewSession, SESSION_LENGTH, Session, sign_in, signed_in};
pub use token::{MAX_SECRET, NewToken, constant_time_eq, find_token, hash_token, issue_token};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use provrum_rules::kvot::QuotaYear;
use provrum_rules::model::{Membership, OrgKind, Status};
use provrum_rules::{Checked, Finding, Ore, RuleSet};
use serde::{Deserialize, Serialize};

/// A Reglab member organisation, partner, or the kansli.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Org {
    pub id: String,
    pub name: String,
    pub kind: OrgKind,
    pub membership: Membership,
    pub created_at: DateTime<Utc>,
}

/// A bearer token: only its SHA-256 is stored; the role follows the organisation's membership.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Token {
    pub id: String,
    pub org: String,
    pub label: String,
    /// Hex SHA-256 of the secret.
    pub hash: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// When the token last authenticated a request, to within [`TOKEN_TOUCH_EVERY`]; `None`
    /// if never (or not since this was recorded). Written by [`Store::touch_token`] only.
    #[serde(default)]
    pub last_used_at: Option<DateTime<Utc>>,
}

/// A token's `last_used_at` is written at most this often: authentication reads the token on
/// every request but writes only when the stored time is older than this.
pub const TOKEN_TOUCH_EVERY: std::time::Duration = std::time::Duration::from_secs(60 * 60);

/// The most budget versions one provrum keeps (the process refuses the upload after it, and the
/// store again, in the same write that would add it, so that concurrent uploads cannot pass it
/// either: [`StoreError::Full`]).
pub use provrum_rules::provrum::MAX_BUDGET_VERSIONS;

/// The longest page a listing returns (a larger `limit` is the caller's error, see the HTTP
/// layer); the stores clamp to it.
pub const MAX_PAGE: u32 = 500;

pub use provrum_rules::provrum::{BudgetSummary, Participant, Provrum, ResultReport};

/// One uploaded budget: the file's hash, what was read and the compliance result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetVersion {
    pub provrum: String,
    pub summary: BudgetSummary,
    pub checked: Checked,
}

impl BudgetVersion {
    /// A version built from a check; `version` is the provrum's next version number.
    pub fn new(
        provrum: &str,
        version: u32,
        file: &[u8],
        file_name: Option<String>,
        uploaded_by: &str,
        uploaded_at: DateTime<Utc>,
        checked: Checked,
    ) -> BudgetVersion {
        let report = &checked.report;
        let summary = BudgetSummary {
            version,
            sha256: sha256_hex(file),
            file_name,
            size: file.len() as u64,
            uploaded_by: uploaded_by.to_string(),
            uploaded_at,
            verdict: report.verdict(),
            errors: report.errors() as u32,
            warnings: report.warnings() as u32,
            start: checked.submission.plan.start,
            end: checked.submission.plan.end,
            total_budget_ore: report.summary.total_budget_ore,
            base_funding_ore: report.summary.base_funding_ore,
            blocking: report
                .findings
                .iter()
                .filter(|f| f.severity == provrum_rules::Severity::Error)
                .take(provrum_rules::provrum::MAX_BLOCKING)
                .cloned()
                .collect(),
            // The process marks a version uploaded after the go-ahead (PROC-3).
            revision: false,
        };
        BudgetVersion {
            provrum: provrum.to_string(),
            summary,
            checked,
        }
    }
}

/// Who did what, when: appended with every state change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AuditEvent {
    /// What it is about: `provrum/<id>`, `org/<id>`, `token/<id>`.
    pub entity: String,
    pub at: DateTime<Utc>,
    /// The organisation that acted (or `cli` for local administration).
    pub actor: String,
    pub action: String,
    pub detail: serde_json::Value,
}

impl AuditEvent {
    pub fn new(
        entity: impl Into<String>,
        actor: &str,
        action: &str,
        detail: serde_json::Value,
    ) -> AuditEvent {
        AuditEvent {
            entity: entity.into(),
            at: Utc::now(),
            actor: actor.to_string(),
            action: action.to_string(),
            detail,
        }
    }
}

/// A yearly quota report as stored (one per year).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredReport {
    pub year: i32,
    pub created_at: DateTime<Utc>,
    pub report: serde_json::Value,
    /// When its summary reached the webhook; `None` until then.
    #[serde(default)]
    pub notified_at: Option<DateTime<Utc>>,
}

/// Who may post a yearly report's summary now ([`Store::claim_report_post`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PostClaim {
    /// The caller holds the post until `until`: it posts, then calls
    /// [`Store::mark_report_notified`] (or [`Store::release_report_post`] if the post failed).
    Claimed { until: DateTime<Utc> },
    /// Another run (`by`) holds it until `until`; after that it may be taken over.
    Held { by: String, until: DateTime<Utc> },
    /// It has been posted and marked: never post it again.
    Posted,
}

/// The longest lease a run may hold on a report's post: long enough for a webhook's bounded
/// retries, short enough that a crashed run delays the post by minutes, not hours.
pub const MAX_POST_LEASE: std::time::Duration = std::time::Duration::from_secs(15 * 60);

/// When a claim made at `now` for `lease` runs out; `Invalid` for a lease of nothing or longer
/// than [`MAX_POST_LEASE`], or an empty owner.
fn post_lease_until(
    owner: &str,
    now: DateTime<Utc>,
    lease: std::time::Duration,
) -> Result<DateTime<Utc>> {
    if owner.is_empty() || owner.len() > 200 {
        return Err(StoreError::Invalid("a post's owner is 1-200 bytes".into()));
    }
    if lease.is_zero() || lease > MAX_POST_LEASE {
        return Err(StoreError::Invalid(format!(
            "a post's lease is more than nothing and at most {MAX_POST_LEASE:?}, not {lease:?}"
        )));
    }
    chrono::Duration::from_std(lease)
        .ok()
        .and_then(|lease| now.checked_add_signed(lease))
        .ok_or_else(|| StoreError::Invalid("a post's lease ends out of range".into()))
}

/// One page of a listing; `next` continues it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<String>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StoreError {
    #[error("not found: {0}")]
    NotFound(String),
    #[error("already exists: {0}")]
    AlreadyExists(String),
    /// The item changed since it was read (stale version), or is not in the state the change
    /// needs. Read again and retry.
    #[error("conflict: {0}")]
    Conflict(String),
    /// Another change held the same item at that very moment, and the store's bounded retries
    /// ran into it every time (DynamoDB's `TransactionConflict`); nothing was written. Unlike
    /// [`StoreError::Conflict`] nothing needs to be read again: the same change can simply be
    /// sent again.
    #[error("contended: {0}")]
    Contended(String),
    /// The model's rules refused the change (KVOT-1, KVOT-2).
    #[error("refused by the rules: {}", .0.iter().map(|f| f.rule.as_str()).collect::<Vec<_>>().join(", "))]
    Refused(Vec<Finding>),
    #[error("too large: {0}")]
    TooLarge(String),
    /// A bounded collection is full (a provrum's [`MAX_BUDGET_VERSIONS`]); nothing was written.
    #[error("full: {0}")]
    Full(String),
    /// A caller's argument the store cannot use (a listing cursor it did not issue, say).
    #[error("invalid: {0}")]
    Invalid(String),
    /// The store could not be reached; nothing was written.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    #[error("stored data is unreadable: {0}")]
    Corrupt(String),
    #[error("store error: {0}")]
    Backend(String),
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// Everything the functions need from storage.
#[async_trait]
pub trait Store: Send + Sync {
    async fn create_org(&self, org: &Org, event: &AuditEvent) -> Result<()>;
    async fn get_org(&self, id: &str) -> Result<Option<Org>>;
    /// Every organisation, by id (for joining names into views).
    async fn list_orgs(&self) -> Result<Vec<Org>>;
    /// Organisations by id, a page of `limit` (1–[`MAX_PAGE`]) at a time.
    async fn orgs_page(&self, cursor: Option<&str>, limit: u32) -> Result<Page<Org>>;

    async fn create_token(&self, token: &Token, event: &AuditEvent) -> Result<()>;
    /// Stores a new web session; its hash is unique.
    async fn create_session(&self, session: &Session) -> Result<()>;
    /// The session whose secret hashes to `hash`, unless it has expired at `now`.
    async fn session_by_hash(&self, hash: &str, now: DateTime<Utc>) -> Result<Option<Session>>;
    /// Ends a session (sign-out); whether there was one.
    async fn delete_session(&self, hash: &str) -> Result<bool>;
    async fn token_by_hash(&self, hash: &str) -> Result<Option<Token>>;
    /// Revokes a token (idempotent for an already revoked one); `NotFound` for an unknown id.
    async fn revoke_token(&self, id: &str, at: DateTime<Utc>, event: &AuditEvent) -> Result<()>;
    /// The organisation's tokens in the order they were created (revoked ones too), a page at a
    /// time.
    async fn tokens_page(&self, org: &str, cursor: Option<&str>, limit: u32)
    -> Result<Page<Token>>;
    /// Records that `token` authenticated at `at` — in one conditional write, and only if the
    /// stored `last_used_at` is absent or at least `every` older than `at` (so concurrent
    /// requests write it once): `true` when it wrote. Never touches the rest of the token (a
    /// revocation racing with it stays). `NotFound` for a token that is not stored.
    async fn touch_token(
        &self,
        token: &Token,
        at: DateTime<Utc>,
        every: std::time::Duration,
    ) -> Result<bool>;

    async fn create_provrum(&self, provrum: &Provrum, event: &AuditEvent) -> Result<()>;
    async fn get_provrum(&self, id: &str) -> Result<Option<Provrum>>;
    /// Provrum in the order they were proposed; `limit` per page (1–[`MAX_PAGE`]).
    async fn list_provrum(&self, cursor: Option<&str>, limit: u32) -> Result<Page<Provrum>>;
    /// Every provrum in the order they were proposed, in as few round trips as the backend
    /// allows (DynamoDB: one Query per 1 MB page; SQLite: one SELECT). For the kansli's whole-list
    /// views — the status sheet and the yearly report — where client-sized pages would only add
    /// round trips.
    async fn all_provrum(&self) -> Result<Vec<Provrum>>;
    /// Stores `provrum` if the stored copy is still at `provrum.version`, and returns it at the
    /// next version. Starting a provrum is not an update: see [`Store::approve`].
    async fn update_provrum(&self, provrum: &Provrum, event: &AuditEvent) -> Result<Provrum>;

    /// Adds `budget` as version `provrum.budget_versions + 1` together with the provrum's new
    /// state (its `latest_budget` and count), in one transaction. A version past
    /// [`MAX_BUDGET_VERSIONS`] is [`StoreError::Full`]: versions are numbered 1, 2, … and each
    /// number is written once, so no two writers can both add a 201st.
    async fn add_budget_version(
        &self,
        provrum: &Provrum,
        budget: &BudgetVersion,
        event: &AuditEvent,
    ) -> Result<Provrum>;
    async fn get_budget_version(
        &self,
        provrum: &str,
        version: u32,
    ) -> Result<Option<BudgetVersion>>;
    async fn list_budget_versions(&self, provrum: &str) -> Result<Vec<BudgetSummary>>;
    /// The provrum's budget versions, oldest first, a page at a time.
    async fn budget_versions_page(
        &self,
        provrum: &str,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<Page<BudgetSummary>>;

    /// Starts a provrum: `provrum` is its new, running state (with `quota_year` and
    /// `granted_base_funding_ore` set). In one transaction the stored provrum must still be
    /// proposed and at `provrum.version`, and the quota year must admit one more start with that
    /// base funding (KVOT-1, KVOT-2 of `rules`); else nothing is written.
    async fn approve(
        &self,
        provrum: &Provrum,
        rules: &RuleSet,
        event: &AuditEvent,
    ) -> Result<Provrum>;
    async fn quota(&self, year: i32) -> Result<QuotaYear>;

    async fn audit_events(&self, entity: &str) -> Result<Vec<AuditEvent>>;
    /// The entity's audit events, oldest first, a page at a time.
    async fn audit_page(
        &self,
        entity: &str,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<Page<AuditEvent>>;

    /// Stores a yearly report unless one exists for its year; `false` when it did.
    async fn put_report(&self, report: &StoredReport) -> Result<bool>;
    async fn get_report(&self, year: i32) -> Result<Option<StoredReport>>;
    /// Records that the year's report reached the webhook: `true` for the call that records it,
    /// `false` when it was already recorded; `NotFound` without a stored report.
    async fn mark_report_notified(&self, year: i32, at: DateTime<Utc>) -> Result<bool>;
    /// Claims the post of the year's stored report for `owner` from `now` for `lease` (at most
    /// [`MAX_POST_LEASE`]), in one conditional write, so that of overlapping runs one posts:
    /// [`PostClaim::Claimed`] when it was free, its lease had run out (a crashed run's), or
    /// `owner` already held it; [`PostClaim::Held`] while another's lease runs;
    /// [`PostClaim::Posted`] once [`Store::mark_report_notified`] has recorded the post, which
    /// also ends the lease. `NotFound` without a stored report.
    async fn claim_report_post(
        &self,
        year: i32,
        owner: &str,
        now: DateTime<Utc>,
        lease: std::time::Duration,
    ) -> Result<PostClaim>;
    /// Gives up `owner`'s claim (its post failed), so the next run need not wait for the lease:
    /// `true` when `owner` held it.
    async fn release_report_post(&self, year: i32, owner: &str) -> Result<bool>;
}

/// The longest organisation name.
pub const ORG_NAME_MAX: usize = 200;

pub fn parse_org_name(text: &str) -> Result<String> {
    let name = text.trim();
    if name.is_empty() || name.chars().count() > ORG_NAME_MAX || name.chars().any(char::is_control)
    {
        return Err(StoreError::Invalid(format!(
            "an organisation name is 1-{ORG_NAME_MAX} characters of text"
        )));
    }
    Ok(name.to_string())
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// An opaque random id: `prefix` and 16 characters of base32 (80 bits).
pub fn new_id(prefix: &str) -> String {
    let mut bytes = [0u8; 10];
    // getrandom fails only where the OS has no randomness at all; fall back to the clock
    // rather than panic, since ids need uniqueness, not secrecy.
    if getrandom::fill(&mut bytes).is_err() {
        let nanos = Utc::now()
            .timestamp_nanos_opt()
            .unwrap_or_default()
            .to_le_bytes();
        bytes[..8].copy_from_slice(&nanos);
    }
    format!("{prefix}{}", token::base32(&bytes))
}

/// Checks what both stores check before approving: the new state is a start with its quota set.
fn approval_parts(provrum: &Provrum) -> Result<(i32, Ore)> {
    match (
        provrum.status,
        provrum.quota_year,
        provrum.granted_base_funding_ore,
    ) {
        (Status::Running, Some(year), Some(grant)) if grant >= Ore::ZERO => Ok((year, grant)),
        _ => Err(StoreError::Conflict(
            "an approval must set status running, the quota year and the granted base funding"
                .into(),
        )),
    }
}

/// The budget version `version` may be added, or [`StoreError::Full`].
fn check_budget_room(provrum: &str, version: u32) -> Result<()> {
    if version > MAX_BUDGET_VERSIONS {
        return Err(StoreError::Full(format!(
            "provrum {provrum} has its {MAX_BUDGET_VERSIONS} budget versions"
        )));
    }
    Ok(())
}

/// What both stores check of a budget version before adding it: it is `p`'s own, it is the
/// version `p`'s new state counts, and there is room for it.
fn check_next_budget(p: &Provrum, budget: &BudgetVersion) -> Result<()> {
    let version = budget.summary.version;
    if version != p.budget_versions || budget.provrum != p.id {
        return Err(StoreError::Conflict(format!(
            "budget version {version} does not follow: the provrum's new state counts {} versions",
            p.budget_versions
        )));
    }
    check_budget_room(&p.id, version)
}

/// A sort key in time order, ties broken by `id`: the order provrum, audit events and an
/// organisation's tokens are listed in, on both stores.
fn order_key(at: DateTime<Utc>, id: &str) -> String {
    format!("{}#{id}", at.format("%Y-%m-%dT%H:%M:%S%.9fZ"))
}

/// A listing cursor the store did not issue for this listing.
fn unknown_cursor() -> StoreError {
    StoreError::Invalid("unknown listing cursor".into())
}

/// A page's size as the stores use it: 1–[`MAX_PAGE`].
fn page_limit(limit: u32) -> u32 {
    limit.clamp(1, MAX_PAGE)
}

/// `last_used_at` as both stores keep it: whole seconds, so that a stored time compares as text
/// and as a number alike.
fn touch_time(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(at.timestamp(), 0).unwrap_or(at)
}

/// Whether a token last used at `last_used` is due a touch at `now`: never used, or not within
/// [`TOKEN_TOUCH_EVERY`]. The stores' conditional write applies the same rule.
pub fn touch_due(last_used: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    let before = touch_before(touch_time(now), TOKEN_TOUCH_EVERY);
    last_used.is_none_or(|used| used <= before)
}

/// The time before which a stored `last_used_at` is stale for a touch at `at`.
fn touch_before(at: DateTime<Utc>, every: std::time::Duration) -> DateTime<Utc> {
    chrono::Duration::from_std(every)
        .ok()
        .and_then(|every| at.checked_sub_signed(every))
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// The audit event's sort key: time, then a random suffix so two events never collide.
fn event_key(event: &AuditEvent) -> String {
    order_key(event.at, &new_id(""))
}

/// Listing cursors are opaque to clients: hex of what the store needs to continue.
fn encode_cursor(raw: &[u8]) -> String {
    raw.iter().map(|b| format!("{b:02x}")).collect()
}

/// The bytes of a cursor this store issued, or `Invalid`.
fn decode_cursor(cursor: &str) -> Result<Vec<u8>> {
    let invalid = unknown_cursor;
    if cursor.is_empty()
        || cursor.len() > 2048
        || !cursor.len().is_multiple_of(2)
        || !cursor.is_ascii()
    {
        return Err(invalid());
    }
    (0..cursor.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&cursor[i..i + 2], 16).map_err(|_| invalid()))
        .collect()
}

fn to_json<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Backend(format!("serialise: {e}")))
}

fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(e.to_string()))
}
