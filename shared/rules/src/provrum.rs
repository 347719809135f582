//! A provrum as the process sees it and the store keeps it: who proposed it, who takes part and
//! leads, its state, its latest budget in brief, and what the kansli granted at the start. The
//! process ([`crate::process`]) decides every change to it.

use crate::finding::Finding;
use crate::model::Status;
use crate::{Ore, Verdict};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// An organisation taking part in a provrum.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participant {
    pub org: String,
    pub wants_to_lead: bool,
    pub joined_at: DateTime<Utc>,
}

/// The leader's report of the result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResultReport {
    pub summary: String,
    pub link: Option<String>,
    pub reported_by: String,
    pub reported_at: DateTime<Utc>,
}

/// The most budget versions one provrum keeps: the upload after the 200th is refused. An
/// operating limit, not one of the model's rules: it keeps a provrum's history bounded. A leader
/// who needs more asks the kansli.
pub const MAX_BUDGET_VERSIONS: u32 = 200;

/// At most this many of a budget version's errors are kept on its summary: enough to say why
/// the provrum cannot start, bounded so the provrum's record stays small.
pub const MAX_BLOCKING: usize = 50;

/// What a budget version says, in brief (kept on the provrum for its latest version, and listed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    /// The version's errors (at most [`MAX_BLOCKING`]), located to the cell: what stands between
    /// the provrum and the kansli's go-ahead.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blocking: Vec<Finding>,
    /// Uploaded after the go-ahead: a revision of the approved version, within its grant
    /// (PROC-3).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub revision: bool,
}

/// The budget version the kansli's go-ahead approved, fixed at that moment: what it approved
/// and what it granted. A later revision never changes it (PROC-3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApprovedBudget {
    pub version: u32,
    pub sha256: String,
    /// The base funding granted: the approved version's.
    pub base_funding_ore: Ore,
    pub total_budget_ore: Ore,
    /// The approved plan's period: it decides when the provrum starts, ends and owes its result.
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
    pub approved_at: DateTime<Utc>,
    pub approved_by: String,
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
    /// The version the go-ahead approved (absent before it, and on provrum approved before it
    /// was recorded).
    #[serde(default)]
    pub approved_budget: Option<ApprovedBudget>,
    /// Optimistic locking: the version this copy was read at.
    pub version: u64,
}

impl Provrum {
    /// A new proposal by `proposer`, who takes part in it, at `at`: no leader, no budget yet.
    pub fn proposed(id: String, title: String, proposer: &str, at: DateTime<Utc>) -> Provrum {
        Provrum {
            id,
            title,
            theme: None,
            description: None,
            status: Status::Proposed,
            proposer: proposer.to_string(),
            leader: None,
            participants: vec![Participant {
                org: proposer.to_string(),
                wants_to_lead: false,
                joined_at: at,
            }],
            created_at: at,
            updated_at: at,
            started_at: None,
            withdrawn_at: None,
            result: None,
            budget_versions: 0,
            latest_budget: None,
            quota_year: None,
            granted_base_funding_ore: None,
            approved_budget: None,
            version: 0,
        }
    }

    /// The quota year it would start in: its latest budget's planned start's year.
    pub fn planned_quota_year(&self) -> Option<i32> {
        self.latest_budget
            .as_ref()
            .and_then(|b| b.start)
            .map(crate::kvot::quota_year)
    }

    /// The plan's period that decides the provrum's dates: the latest version's (after the
    /// go-ahead, the approved version or a revision of it, which keeps its quota year: PROC-3).
    pub fn period(&self) -> (Option<NaiveDate>, Option<NaiveDate>) {
        self.latest_budget
            .as_ref()
            .map_or((None, None), |l| (l.start, l.end))
    }

    /// Whether `org` takes part.
    pub fn takes_part(&self, org: &str) -> bool {
        self.participants.iter().any(|p| p.org == org)
    }

    /// Whether `org` leads it.
    pub fn is_led_by(&self, org: &str) -> bool {
        self.leader.as_deref() == Some(org)
    }
}
