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
pub mod sqlite;
mod token;

pub use token::{NewToken, constant_time_eq, hash_token, issue_token};

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use provrum_rules::kvot::QuotaYear;
use provrum_rules::model::{Membership, OrgKind, Status};
use provrum_rules::{Checked, Finding, Ore, RuleSet, Verdict};
use serde::{Deserialize, Serialize};

/// A Reglab member organisation, partner, or the kansli.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
}

/// An organisation taking part in a provrum.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participant {
    pub org: String,
    pub wants_to_lead: bool,
    pub joined_at: DateTime<Utc>,
}

/// The leader's report of the result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultReport {
    pub summary: String,
    pub link: Option<String>,
    pub reported_by: String,
    pub reported_at: DateTime<Utc>,
}

/// What a budget version says, in brief (kept on the provrum for its latest version, and listed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetSummary {
    pub version: u32,
    pub sha256: String,
    pub file_name: Option<String>,
    pub size: u64,
    pub uploaded_by: String,
    pub uploaded_at: DateTime<Utc>,
    pub verdict: Verdict,
    pub errors: u32,
    pub warnings: u32,
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
    pub total_budget_ore: Ore,
    pub base_funding_ore: Ore,
}

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
        };
        BudgetVersion {
            provrum: provrum.to_string(),
            summary,
            checked,
        }
    }
}

/// A provrum and everything about it that changes together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provrum {
    pub id: String,
    pub title: String,
    pub theme: Option<String>,
    pub description: Option<String>,
    pub status: Status,
    pub proposer: String,
    pub leader: Option<String>,
    pub participants: Vec<Participant>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub result: Option<ResultReport>,
    /// How many budget versions exist; the next is `budget_versions + 1`.
    pub budget_versions: u32,
    pub latest_budget: Option<BudgetSummary>,
    /// Fixed when the kansli approves the start: the year whose quota it used, and the base
    /// funding granted.
    pub quota_year: Option<i32>,
    pub granted_base_funding_ore: Option<Ore>,
    /// Optimistic locking: the version this copy was read at.
    pub version: u64,
}

/// Who did what, when: appended with every state change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    async fn list_orgs(&self) -> Result<Vec<Org>>;

    async fn create_token(&self, token: &Token, event: &AuditEvent) -> Result<()>;
    async fn token_by_hash(&self, hash: &str) -> Result<Option<Token>>;
    /// Revokes a token (idempotent for an already revoked one); `NotFound` for an unknown id.
    async fn revoke_token(&self, id: &str, at: DateTime<Utc>, event: &AuditEvent) -> Result<()>;

    async fn create_provrum(&self, provrum: &Provrum, event: &AuditEvent) -> Result<()>;
    async fn get_provrum(&self, id: &str) -> Result<Option<Provrum>>;
    /// Provrum in the order they were proposed; `limit` per page (1–100).
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
    /// state (its `latest_budget` and count), in one transaction.
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

/// An organisation id as accepted from a person: 1–64 characters of `a-z`, `0-9`, `-` and `_`,
/// starting with a letter or digit (it appears in URLs and keys).
pub fn parse_org_id(text: &str) -> Result<String> {
    let id = text.trim();
    let ok = !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        && id.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
    if ok {
        Ok(id.to_string())
    } else {
        Err(StoreError::Invalid(format!(
            "organisation id {id:?}: use 1-64 of a-z, 0-9, - and _ (e.g. region-skane)"
        )))
    }
}

/// An organisation's name as accepted from a person: trimmed, 1–200 characters.
pub fn parse_org_name(text: &str) -> Result<String> {
    let name = text.trim();
    if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err(StoreError::Invalid(
            "an organisation name is 1-200 characters of text".into(),
        ));
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
        (Status::Running, Some(year), Some(grant)) if grant.0 >= 0 => Ok((year, grant)),
        _ => Err(StoreError::Conflict(
            "an approval must set status running, the quota year and the granted base funding"
                .into(),
        )),
    }
}

/// The audit event's sort key: time, then a random suffix so two events never collide.
fn event_key(event: &AuditEvent) -> String {
    format!(
        "{}#{}",
        event.at.format("%Y-%m-%dT%H:%M:%S%.9fZ"),
        new_id("")
    )
}

/// Listing cursors are opaque to clients: hex of what the store needs to continue.
fn encode_cursor(raw: &[u8]) -> String {
    raw.iter().map(|b| format!("{b:02x}")).collect()
}

/// The bytes of a cursor this store issued, or `Invalid`.
fn decode_cursor(cursor: &str) -> Result<Vec<u8>> {
    let invalid = || StoreError::Invalid("unknown listing cursor".into());
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
