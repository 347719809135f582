//! The selection process (Urvalsprocess) as one pure state machine: a [`Command`] by a
//! [`Caller`] on a provrum, in a [`Context`], is decided by [`decide`] into the provrum's next
//! state and its audit [`Event`], or refused with the findings that say why. The same guards
//! give every caller the list of [`Step`]s it may take now ([`actions`]), so the list and the
//! answer to a command can never disagree.
//!
//! Each step sits next to the seed's sentence it follows:
//!
//! | step | the seed |
//! |---|---|
//! | propose | "Alla Reglab-medlemmar har möjlighet att föreslå nya provrum. Partner kan inte föreslå provrum" (PROC-1) |
//! | interest | "Partner … kan anmäla intresse för att delta." "När en organisation anmäler sitt intresse, meddelar man också om man vill vara provrumsledare." At most six (DELT-1) |
//! | leader | "En organisation är ledare och sammankallande." A partner does not lead (DELT-4) |
//! | ready | "När ett provrum har en ledare och minst två deltagande regioner, är det redo att köra igång." (DELT-3, DELT-5) |
//! | approve | "Reglabs kansli ger klartecken för start." (PROC-2) "Reglab kan genomföra två provrum/år." (KVOT-1, KVOT-2); a budget without errors (BUD-*); the version approved is recorded |
//! | budget | "Att vara provrumsledare innebär … att ansvara för administration, dokumentation och rapportering." After the go-ahead, a revision: "Kansliet … ansvarar för kvalitetssäkringen" (PROC-3) |
//! | result | "Resultatet av provrummet återrapporteras till Reglab och övriga medlemmar." From the plan's start date on (RES-1) |

use crate::finding::{Finding, Rule, Severity, Title};
use crate::kvot::{self, QuotaYear};
use crate::lang::Text;
use crate::model::{Membership, OrgKind, ParticipantKind, Status};
use crate::provrum::{
    ApprovedBudget, BudgetSummary, MAX_BUDGET_VERSIONS, Participant, Provrum, ResultReport,
};
use crate::{RuleSet, Verdict, bud, delt, plan};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// PROC-1 · a partner tried to propose a provrum.
pub const PROC_1: Rule = Rule {
    id: "PROC-1",
    title: Title::new(
        "Partner föreslår inte provrum",
        "Partners do not propose provrum",
    ),
    severity: Severity::Error,
    source: Some("Partner kan inte föreslå provrum, men kan anmäla intresse för att delta."),
};

/// PROC-2 · start approved by anyone but the kansli, or from a state that cannot start.
pub const PROC_2: Rule = Rule {
    id: "PROC-2",
    title: Title::new("Klartecken ges av kansliet", "The go-ahead is the kansli's"),
    severity: Severity::Error,
    source: Some("Reglabs kansli ger klartecken för start."),
};

/// PROC-3 · a budget revised after the go-ahead has errors, asks for more base funding than was
/// granted, or moves the start to another quota year: the approved version stands until the
/// kansli decides anew.
pub const PROC_3: Rule = Rule {
    id: "PROC-3",
    title: Title::new(
        "Revisionen håller sig inte till klartecknet",
        "The revision departs from the go-ahead",
    ),
    severity: Severity::Error,
    source: Some("Kansliet är huvudansvarig för alla provrum och ansvarar för kvalitetssäkringen."),
};

/// PROC-3: after the go-ahead (`approved`, granted `granted`), a new version is a revision of
/// the approved one. It is refused when it has errors (each of them, located, besides the
/// PROC-3 finding), asks for more base funding than the grant, or starts in another quota year
/// than the one whose quota the go-ahead used: the grant and the quota never move without a new
/// decision by the kansli.
pub fn may_revise(
    approved_version: Option<u32>,
    granted: crate::Ore,
    quota_year: Option<i32>,
    revision: &BudgetSummary,
) -> Result<(), Vec<Finding>> {
    let approved = match approved_version {
        Some(v) => format!("version {v}"),
        None => "den godkända versionen".to_string(),
    };
    let approved_en = match approved_version {
        Some(v) => format!("version {v}"),
        None => "the approved version".to_string(),
    };
    let mut findings = Vec::new();
    if revision.verdict == Verdict::Errors {
        findings.push(Finding::new(
            &PROC_3,
            Text::new(
                format!(
                    "Efter klartecknet får en ny budgetversion inte ha fel; den har {}. \
                     Kansliet godkände {approved}, som gäller tills felen är rättade.",
                    crate::lang::count(revision.errors, "fel", "fel")
                ),
                format!(
                    "After the go-ahead a new budget version may not have errors; it has {}. \
                     The kansli approved {approved_en}, which stands until they are fixed.",
                    crate::lang::count(revision.errors, "error", "errors")
                ),
            ),
        ));
        findings.extend(revision.blocking.iter().cloned());
    }
    if revision.base_funding_ore > granted {
        let over = revision.base_funding_ore.saturating_sub(granted);
        findings.push(Finding::new(
            &PROC_3,
            Text::new(
                format!(
                    "Den nya versionen begär {} i basfinansiering, {over} mer än de {granted} \
                     som kansliet beviljade vid klartecknet. Mer basfinansiering kräver ett nytt \
                     beslut av kansliet.",
                    revision.base_funding_ore
                ),
                format!(
                    "The new version asks for {} of base funding, {over} more than the \
                     {granted} the kansli granted with the go-ahead. More base funding needs a \
                     new decision by the kansli.",
                    revision.base_funding_ore
                ),
            ),
        ));
    }
    let year = revision.start.map(kvot::quota_year);
    if let (Some(approved_year), Some(year)) = (quota_year, year)
        && year != approved_year
    {
        findings.push(Finding::new(
            &PROC_3,
            Text::new(
                format!(
                    "Den nya versionen startar {year}, men klartecknet gav provrummet kvoten för \
                     {approved_year}. Ett annat kvotår kräver ett nytt beslut av kansliet."
                ),
                format!(
                    "The new version starts in {year}, but the go-ahead gave the provrum the quota \
                     of {approved_year}. Another quota year needs a new decision by the kansli."
                ),
            ),
        ));
    }
    if findings.is_empty() {
        Ok(())
    } else {
        Err(findings)
    }
}

/// PROC-1: "Alla Reglab-medlemmar har möjlighet att föreslå nya provrum."
pub fn may_propose(membership: Membership) -> Result<(), Vec<Finding>> {
    match membership {
        Membership::Member => Ok(()),
        Membership::Partner => Err(vec![Finding::new(
            &PROC_1,
            Text::new(
                "Partner kan inte föreslå provrum, men kan anmäla intresse för att delta i ett.",
                "A partner cannot propose a provrum, but can register interest in taking part in one.",
            ),
        )]),
        Membership::Kansli => Err(vec![Finding::new(
            &PROC_1,
            Text::new(
                "Provrum föreslås av Reglabs medlemmar, inte av kansliet.",
                "Provrum are proposed by Reglab's members, not by the kansli.",
            ),
        )]),
    }
}

/// PROC-2: only the kansli gives the go-ahead, and only to a proposed provrum.
pub fn may_approve(actor: Membership, status: Status) -> Result<(), Vec<Finding>> {
    if actor != Membership::Kansli {
        return Err(vec![Finding::new(
            &PROC_2,
            Text::new(
                "Bara Reglabs kansli kan ge klartecken för start.",
                "Only Reglab's kansli can approve a start.",
            ),
        )]);
    }
    if status != Status::Proposed {
        return Err(vec![Finding::new(
            &PROC_2,
            Text::new(
                format!(
                    "Ett provrum med status ”{}” kan inte startas; bara föreslagna provrum kan få klartecken.",
                    status.sv()
                ),
                format!(
                    "A provrum with status {} cannot be started; only proposed provrum can be approved.",
                    status.as_str()
                ),
            ),
        )]);
    }
    Ok(())
}

/// Who acts: an organisation and its standing with Reglab.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller<'a> {
    pub org: &'a str,
    pub membership: Membership,
}

impl Caller<'_> {
    fn is_kansli(&self) -> bool {
        self.membership == Membership::Kansli
    }
}

/// What the process needs to know of an organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrgFacts<'a> {
    pub name: &'a str,
    pub kind: OrgKind,
    pub membership: Membership,
}

/// The organisations by id.
pub trait Directory: Sync {
    fn facts(&self, org: &str) -> Option<OrgFacts<'_>>;
}

/// What the process knows besides the provrum.
pub struct Context<'a> {
    pub rules: &'a RuleSet,
    pub orgs: &'a dyn Directory,
    /// The use of the quota year the provrum would start in (KVOT-1, KVOT-2), when it has a
    /// budget with a start date; the store checks the same again, atomically, when it starts it.
    pub quota: Option<QuotaYear>,
    /// Now; "today" is its date in Stockholm ([`crate::calendar::reglab_date`]).
    pub now: DateTime<Utc>,
}

/// A proposal's texts, already parsed at the edge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    pub id: String,
    pub title: String,
    pub theme: Option<String>,
    pub description: Option<String>,
}

/// What a caller asks of a provrum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    RegisterInterest {
        wants_to_lead: bool,
    },
    WithdrawInterest,
    ChooseLeader {
        org: String,
    },
    /// A new budget version, already checked by the rules ([`crate::Checked`]).
    UploadBudget(BudgetSummary),
    Approve,
    Withdraw,
    ReportResult {
        summary: String,
        link: Option<String>,
    },
}

/// A step of the process, without its arguments: what [`actions`] lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Step {
    RegisterInterest,
    WithdrawInterest,
    ChooseLeader,
    UploadBudget,
    Approve,
    Withdraw,
    ReportResult,
}

impl Step {
    pub const ALL: [Step; 7] = [
        Step::RegisterInterest,
        Step::WithdrawInterest,
        Step::ChooseLeader,
        Step::UploadBudget,
        Step::Approve,
        Step::Withdraw,
        Step::ReportResult,
    ];

    /// The HTTP method and path that take this step on provrum `id`.
    pub fn route(self, id: &str) -> (&'static str, String) {
        match self {
            Step::RegisterInterest => ("POST", format!("/provrum/{id}/interest")),
            Step::WithdrawInterest => ("DELETE", format!("/provrum/{id}/interest")),
            Step::ChooseLeader => ("PUT", format!("/provrum/{id}/leader")),
            Step::UploadBudget => ("POST", format!("/provrum/{id}/budget")),
            Step::Approve => ("POST", format!("/provrum/{id}/approve")),
            Step::Withdraw => ("POST", format!("/provrum/{id}/withdraw")),
            Step::ReportResult => ("POST", format!("/provrum/{id}/result")),
        }
    }
}

impl Command {
    pub fn step(&self) -> Step {
        match self {
            Command::RegisterInterest { .. } => Step::RegisterInterest,
            Command::WithdrawInterest => Step::WithdrawInterest,
            Command::ChooseLeader { .. } => Step::ChooseLeader,
            Command::UploadBudget(_) => Step::UploadBudget,
            Command::Approve => Step::Approve,
            Command::Withdraw => Step::Withdraw,
            Command::ReportResult { .. } => Step::ReportResult,
        }
    }
}

/// What happened, for the audit trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Proposed {
        title: String,
    },
    InterestRegistered {
        wants_to_lead: bool,
    },
    InterestWithdrawn,
    LeaderChosen {
        org: String,
    },
    BudgetUploaded {
        version: u32,
        sha256: String,
        verdict: Verdict,
        /// After the go-ahead: a revision of the approved version.
        revision: bool,
    },
    Approved {
        quota_year: i32,
        base_funding_ore: crate::Ore,
        budget_version: u32,
        sha256: String,
    },
    Withdrawn,
    ResultReported,
}

impl Event {
    /// The audit trail's name for it.
    pub fn action(&self) -> &'static str {
        match self {
            Event::Proposed { .. } => "provrum.proposed",
            Event::InterestRegistered { .. } => "interest.registered",
            Event::InterestWithdrawn => "interest.withdrawn",
            Event::LeaderChosen { .. } => "leader.chosen",
            Event::BudgetUploaded {
                revision: false, ..
            } => "budget.uploaded",
            Event::BudgetUploaded { revision: true, .. } => "budget.revised",
            Event::Approved { .. } => "provrum.approved",
            Event::Withdrawn => "provrum.withdrawn",
            Event::ResultReported => "result.reported",
        }
    }

    /// What the audit trail keeps besides the name.
    pub fn detail(&self) -> serde_json::Value {
        match self {
            Event::Proposed { title } => serde_json::json!({"title": title}),
            Event::InterestRegistered { wants_to_lead } => {
                serde_json::json!({"wants_to_lead": wants_to_lead})
            }
            Event::LeaderChosen { org } => serde_json::json!({"org": org}),
            Event::BudgetUploaded {
                version,
                sha256,
                verdict,
                revision: _,
            } => serde_json::json!({"version": version, "sha256": sha256, "verdict": verdict}),
            Event::Approved {
                quota_year,
                base_funding_ore,
                budget_version,
                sha256,
            } => {
                serde_json::json!({"quota_year": quota_year, "base_funding_ore": base_funding_ore, "budget_version": budget_version, "sha256": sha256})
            }
            Event::InterestWithdrawn | Event::Withdrawn | Event::ResultReported => {
                serde_json::Value::Null
            }
        }
    }
}

/// A command carried out: the provrum's next state and what happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub provrum: Provrum,
    pub event: Event,
}

/// Why a command is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The caller's role or relationship to the provrum does not allow the step at all (403).
    Forbidden {
        message: Text,
        findings: Vec<Finding>,
    },
    /// Not for this caller now: it names something the caller is not part of (404).
    NotFound { message: Text },
    /// The provrum's state does not allow it now (409).
    State { message: Text },
    /// The model's rules do not allow it now (409, with the findings).
    Rules { findings: Vec<Finding> },
    /// A bounded collection is full: the provrum has its [`MAX_BUDGET_VERSIONS`] (409).
    Full { message: Text },
}

impl Refusal {
    fn forbidden(sv: &str, en: &str) -> Refusal {
        Refusal::Forbidden {
            message: Text::new(sv, en),
            findings: Vec::new(),
        }
    }

    /// Whether the step is not the caller's to take at all, so [`actions`] leaves it out.
    pub fn concerns_others(&self) -> bool {
        matches!(self, Refusal::Forbidden { .. } | Refusal::NotFound { .. })
    }

    /// The findings that say why (for a state refusal, none: its message says why).
    pub fn findings(&self) -> &[Finding] {
        match self {
            Refusal::Forbidden { findings, .. } | Refusal::Rules { findings } => findings,
            Refusal::NotFound { .. } | Refusal::State { .. } | Refusal::Full { .. } => &[],
        }
    }

    /// What the refusal says, in a sentence.
    pub fn message(&self) -> Text {
        match self {
            Refusal::Forbidden { message, .. }
            | Refusal::NotFound { message }
            | Refusal::State { message }
            | Refusal::Full { message } => message.clone(),
            Refusal::Rules { findings } => {
                let named = |lang: crate::Lang| {
                    let mut ids: Vec<String> = Vec::new();
                    for f in findings {
                        let title = crate::rule(&f.rule).map(|r| r.title.get(lang));
                        let named = match title {
                            Some(t) => format!("{} ({})", f.rule, t.to_lowercase()),
                            None => f.rule.clone(),
                        };
                        if !ids.contains(&named) {
                            ids.push(named);
                        }
                    }
                    ids.join(", ")
                };
                Text::new(
                    format!("Reglerna tillåter det inte: {}.", named(crate::Lang::Sv)),
                    format!("The rules do not allow it: {}.", named(crate::Lang::En)),
                )
            }
        }
    }
}

fn rules(findings: Vec<Finding>) -> Refusal {
    Refusal::Rules { findings }
}

/// PROC-1 as the guard of [`propose`]: whether an organisation of `membership` may propose a
/// provrum, and if not, the refusal it gets (also what `GET /me` tells a client beforehand).
pub fn permit_propose(membership: Membership) -> Result<(), Refusal> {
    may_propose(membership).map_err(|findings| Refusal::Forbidden {
        message: Text::new(
            "Bara Reglabs medlemmar kan föreslå provrum.",
            "Only Reglab's members can propose a provrum.",
        ),
        findings,
    })
}

/// "Alla Reglab-medlemmar har möjlighet att föreslå nya provrum. Partner kan inte föreslå
/// provrum" (PROC-1): a member's proposal becomes a provrum, with the proposer taking part.
pub fn propose(
    proposal: Proposal,
    caller: Caller<'_>,
    ctx: &Context<'_>,
) -> Result<Decision, Refusal> {
    permit_propose(caller.membership)?;
    let provrum = Provrum {
        theme: proposal.theme,
        description: proposal.description,
        ..Provrum::proposed(proposal.id, proposal.title.clone(), caller.org, ctx.now)
    };
    Ok(Decision {
        provrum,
        event: Event::Proposed {
            title: proposal.title,
        },
    })
}

/// "The same function that decides the command": whether `caller` may take `step` on
/// `provrum` now, and if not, why. [`decide`] starts with it.
pub fn permit(
    step: Step,
    provrum: &Provrum,
    caller: Caller<'_>,
    ctx: &Context<'_>,
) -> Result<(), Refusal> {
    let me = caller.org;
    let kansli = caller.is_kansli();
    let proposer = provrum.proposer == me;
    let leader = provrum.is_led_by(me);
    match step {
        // "Partner … kan anmäla intresse för att delta." At most six take part (DELT-1).
        Step::RegisterInterest => {
            takes_part_role(caller)?;
            before_start(provrum)?;
            if !provrum.takes_part(me) {
                delt::admit_participant(provrum.participants.len() as u32, ctx.rules)
                    .map_err(rules)?;
            }
            Ok(())
        }
        // Interest can be withdrawn before the start, except by the one who proposed it.
        Step::WithdrawInterest => {
            takes_part_role(caller)?;
            if !provrum.takes_part(me) {
                return Err(Refusal::NotFound {
                    message: Text::new(
                        "Din organisation deltar inte i provrummet.",
                        "Your organisation does not take part in the provrum.",
                    ),
                });
            }
            before_start(provrum)?;
            if proposer {
                return Err(Refusal::State {
                    message: Text::new(
                        "Förslagsställaren kan inte lämna sitt förslag; dra tillbaka provrummet i stället.",
                        "The proposer cannot leave its own proposal; withdraw the provrum instead.",
                    ),
                });
            }
            // The leader convenes it: another leader is chosen before the leader can leave.
            if leader {
                return Err(Refusal::forbidden(
                    "Provrumsledaren kan inte lämna provrummet; förslagsställaren eller kansliet väljer först en annan ledare.",
                    "The leader cannot leave the provrum; the proposer or the kansli first chooses another leader.",
                ));
            }
            Ok(())
        }
        // "En organisation är ledare och sammankallande": chosen by the kansli or the proposer.
        Step::ChooseLeader => {
            if !(kansli || proposer) {
                return Err(Refusal::forbidden(
                    "Provrumsledaren väljs av kansliet eller av den som föreslog provrummet.",
                    "The leader is chosen by the kansli or by the proposer.",
                ));
            }
            before_start(provrum)
        }
        // The leader is responsible for "administration, dokumentation och rapportering".
        Step::UploadBudget => {
            only_the_leader(leader)?;
            if !matches!(provrum.status, Status::Proposed | Status::Running) {
                return Err(in_status(
                    provrum.status,
                    "budgeten kan inte längre ändras.",
                    "its budget can no longer change.",
                ));
            }
            if provrum.budget_versions >= MAX_BUDGET_VERSIONS {
                return Err(Refusal::Full {
                    message: budget_versions_full(),
                });
            }
            Ok(())
        }
        // "Reglabs kansli ger klartecken för start." (PROC-2)
        Step::Approve => {
            // PROC-2 decides the role first, then the status.
            may_approve(caller.membership, provrum.status).map_err(|findings| match kansli {
                true => rules(findings),
                false => Refusal::Forbidden {
                    message: Text::new(
                        "Bara Reglabs kansli ger klartecken för start.",
                        "Only Reglab's kansli approves a start.",
                    ),
                    findings,
                },
            })?;
            let findings = start_findings(provrum, ctx);
            if findings.is_empty() {
                Ok(())
            } else {
                Err(rules(findings))
            }
        }
        // Withdrawn before the start by the proposer, the leader or the kansli.
        Step::Withdraw => {
            if !(kansli || proposer || leader) {
                return Err(Refusal::forbidden(
                    "Ett provrum dras tillbaka av förslagsställaren, provrumsledaren eller kansliet.",
                    "A provrum is withdrawn by its proposer, its leader or the kansli.",
                ));
            }
            before_start(provrum)
        }
        // "Resultatet av provrummet återrapporteras till Reglab och övriga medlemmar." (RES-1)
        Step::ReportResult => {
            only_the_leader(leader)?;
            if provrum.status != Status::Running {
                return Err(in_status(
                    provrum.status,
                    "resultat rapporteras för ett pågående provrum.",
                    "results are reported for a running provrum.",
                ));
            }
            let today = crate::calendar::reglab_date(ctx.now);
            if let (Some(start), _) = provrum.period()
                && today < start
            {
                return Err(Refusal::State {
                    message: Text::new(
                        format!(
                            "Provrummet startar {start}; resultatet kan återrapporteras från startdatumet."
                        ),
                        format!(
                            "The provrum starts on {start}; its result can be reported from the start date on."
                        ),
                    ),
                });
            }
            Ok(())
        }
    }
}

/// Whether `caller` may say it wants to lead when it registers interest: members may, partners
/// may not (DELT-4: "Reglabs medlemmar är involverade i ledning …").
pub fn permit_lead(caller: Caller<'_>, ctx: &Context<'_>) -> Result<(), Refusal> {
    let kind = ParticipantKind::of(
        ctx.orgs
            .facts(caller.org)
            .map_or(OrgKind::Other, |f| f.kind),
        caller.membership,
    );
    let name = ctx.orgs.facts(caller.org).map_or(caller.org, |f| f.name);
    delt::leader_allowed(name, kind).map_err(rules)
}

/// The participating organisations that may be chosen to lead `provrum`: members, not partners
/// (DELT-4), those who want to lead first.
pub fn leader_candidates(provrum: &Provrum, ctx: &Context<'_>) -> Vec<String> {
    let may_lead = |org: &str| {
        ctx.orgs.facts(org).is_some_and(|f| {
            delt::leader_allowed(f.name, ParticipantKind::of(f.kind, f.membership)).is_ok()
        })
    };
    let (want, rest): (Vec<&Participant>, Vec<&Participant>) = provrum
        .participants
        .iter()
        .filter(|p| may_lead(&p.org))
        .partition(|p| p.wants_to_lead);
    want.into_iter()
        .chain(rest)
        .map(|p| p.org.clone())
        .collect()
}

/// An organisation that is not registered with Reglab.
pub fn org_not_found(org: &str) -> Text {
    Text::new(
        format!("Organisationen {org} finns inte."),
        format!("The organisation {org} does not exist."),
    )
}

/// Why the upload after the [`MAX_BUDGET_VERSIONS`]th is refused.
pub fn budget_versions_full() -> Text {
    Text::new(
        format!(
            "Provrummet har redan {MAX_BUDGET_VERSIONS} budgetversioner, det högsta antalet. \
             Kontakta Reglabs kansli om budgeten behöver ändras mer."
        ),
        format!(
            "The provrum already has {MAX_BUDGET_VERSIONS} budget versions, the most it can \
             have. Contact Reglab's kansli if the budget needs to change further."
        ),
    )
}

/// Everything the kansli's go-ahead needs besides its role and the status: the provrum is ready
/// (DELT-3, DELT-5), its latest budget exists (BUD-1) without errors, has a start date (PLAN-1),
/// and fits the year's quota (KVOT-1, KVOT-2).
fn start_findings(provrum: &Provrum, ctx: &Context<'_>) -> Vec<Finding> {
    let mut findings = readiness(provrum, ctx.orgs, ctx.rules)
        .err()
        .unwrap_or_default();
    let Some(latest) = &provrum.latest_budget else {
        findings.push(Finding::new(
            &bud::BUD_1,
            Text::new(
                "Ingen budget är uppladdad; provrumsledaren laddar upp projektplan och budget innan start.",
                "No budget has been uploaded; the leader uploads the project plan and budget before the start.",
            ),
        ));
        return findings;
    };
    if latest.verdict == Verdict::Errors {
        findings.extend(latest.blocking.iter().cloned());
    }
    match latest.start {
        None => findings.push(Finding::new(
            &plan::PLAN_1,
            Text::new(
                "Budgetens projektplan saknar startdatum.",
                "The budget's project plan has no start date.",
            ),
        )),
        Some(_) => {
            if let Some(used) = &ctx.quota {
                findings.extend(
                    kvot::admit(used, latest.base_funding_ore, ctx.rules)
                        .err()
                        .unwrap_or_default(),
                );
            }
        }
    }
    findings
}

/// "När ett provrum har en ledare och minst två deltagande regioner, är det redo att köra
/// igång." Derived, never stored.
pub fn readiness(
    provrum: &Provrum,
    orgs: &dyn Directory,
    rules: &RuleSet,
) -> Result<(), Vec<Finding>> {
    let kinds: Vec<ParticipantKind> = provrum
        .participants
        .iter()
        .filter_map(|p| orgs.facts(&p.org))
        .map(|o| ParticipantKind::of(o.kind, o.membership))
        .collect();
    delt::readiness(&kinds, provrum.leader.is_some(), rules)
}

fn takes_part_role(caller: Caller<'_>) -> Result<(), Refusal> {
    match caller.membership {
        Membership::Member | Membership::Partner => Ok(()),
        Membership::Kansli => Err(Refusal::forbidden(
            "Bara medlemmar och partner anmäler intresse.",
            "Only members and partners register interest.",
        )),
    }
}

fn only_the_leader(leader: bool) -> Result<(), Refusal> {
    if leader {
        Ok(())
    } else {
        Err(Refusal::forbidden(
            "Bara provrumsledaren får göra detta.",
            "Only the provrum's leader may do this.",
        ))
    }
}

fn before_start(provrum: &Provrum) -> Result<(), Refusal> {
    if provrum.status == Status::Proposed {
        return Ok(());
    }
    Err(in_status(
        provrum.status,
        "det går bara före start.",
        "this is only possible before the start.",
    ))
}

/// A step the provrum's status does not allow: the status, then why.
fn in_status(status: Status, sv: &str, en: &str) -> Refusal {
    Refusal::State {
        message: Text::new(
            format!("Provrummet har status ”{}”; {sv}", status.sv()),
            format!("The provrum is {}; {en}", status.as_str()),
        ),
    }
}

/// Decides `command` by `caller` on `provrum`: its guard ([`permit`]), then what its arguments
/// must satisfy, then the provrum's next state and the event.
pub fn decide(
    command: Command,
    provrum: &Provrum,
    caller: Caller<'_>,
    ctx: &Context<'_>,
) -> Result<Decision, Refusal> {
    permit(command.step(), provrum, caller, ctx)?;
    let mut next = provrum.clone();
    next.updated_at = ctx.now;
    let event = match command {
        Command::RegisterInterest { wants_to_lead } => {
            if wants_to_lead {
                permit_lead(caller, ctx)?;
            }
            match next.participants.iter_mut().find(|p| p.org == caller.org) {
                Some(existing) => existing.wants_to_lead = wants_to_lead,
                None => next.participants.push(Participant {
                    org: caller.org.to_string(),
                    wants_to_lead,
                    joined_at: ctx.now,
                }),
            }
            Event::InterestRegistered { wants_to_lead }
        }
        Command::WithdrawInterest => {
            next.participants.retain(|p| p.org != caller.org);
            if next.is_led_by(caller.org) {
                next.leader = None;
            }
            Event::InterestWithdrawn
        }
        Command::ChooseLeader { org } => {
            if !next.takes_part(&org) {
                return Err(Refusal::State {
                    message: Text::new(
                        format!(
                            "{org} deltar inte i provrummet; provrumsledaren måste vara en deltagare."
                        ),
                        format!(
                            "{org} does not take part in the provrum; the leader must be a participant."
                        ),
                    ),
                });
            }
            let facts = ctx.orgs.facts(&org).ok_or_else(|| Refusal::NotFound {
                message: org_not_found(&org),
            })?;
            delt::leader_allowed(
                facts.name,
                ParticipantKind::of(facts.kind, facts.membership),
            )
            .map_err(rules)?;
            next.leader = Some(org.clone());
            Event::LeaderChosen { org }
        }
        Command::UploadBudget(mut summary) => {
            // Another provrum's workbook is refused, not kept as a version of this one (DELT-8).
            let foreign: Vec<Finding> = summary
                .blocking
                .iter()
                .filter(|f| f.rule == delt::DELT_8.id)
                .cloned()
                .collect();
            if !foreign.is_empty() {
                return Err(rules(foreign));
            }
            // After the go-ahead: a revision of the approved version (PROC-3).
            if let Some(granted) = provrum.granted_base_funding_ore {
                may_revise(
                    provrum.approved_budget.as_ref().map(|a| a.version),
                    granted,
                    provrum.quota_year,
                    &summary,
                )
                .map_err(rules)?;
                summary.revision = true;
            }
            next.budget_versions = summary.version;
            let event = Event::BudgetUploaded {
                version: summary.version,
                sha256: summary.sha256.clone(),
                verdict: summary.verdict,
                revision: summary.revision,
            };
            next.latest_budget = Some(summary);
            event
        }
        Command::Approve => {
            // The guard has found a latest budget with a start date.
            let (Some(latest), Some(quota_year)) =
                (next.latest_budget.clone(), provrum.planned_quota_year())
            else {
                return Err(rules(start_findings(provrum, ctx)));
            };
            next.status = Status::Running;
            next.started_at = Some(ctx.now);
            next.quota_year = Some(quota_year);
            next.granted_base_funding_ore = Some(latest.base_funding_ore);
            next.approved_budget = Some(ApprovedBudget {
                version: latest.version,
                sha256: latest.sha256.clone(),
                base_funding_ore: latest.base_funding_ore,
                total_budget_ore: latest.total_budget_ore,
                start: latest.start,
                end: latest.end,
                approved_at: ctx.now,
                approved_by: caller.org.to_string(),
            });
            Event::Approved {
                quota_year,
                base_funding_ore: latest.base_funding_ore,
                budget_version: latest.version,
                sha256: latest.sha256,
            }
        }
        Command::Withdraw => {
            next.status = Status::Withdrawn;
            next.withdrawn_at = Some(ctx.now);
            Event::Withdrawn
        }
        Command::ReportResult { summary, link } => {
            next.status = Status::Reported;
            next.result = Some(ResultReport {
                summary,
                link,
                reported_by: caller.org.to_string(),
                reported_at: ctx.now,
            });
            Event::ResultReported
        }
    };
    Ok(Decision {
        provrum: next,
        event,
    })
}

/// One step a caller could take on a provrum: where, whether it may now, and if not, why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Action {
    pub action: Step,
    pub method: &'static str,
    pub path: String,
    pub allowed: bool,
    /// Why not, in a sentence (absent when allowed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Text>,
    /// The findings that say why not, located where they can be.
    pub findings: Vec<Finding>,
    /// `register_interest`: whether the caller may also say it wants to lead, and if not, why
    /// (a partner: DELT-4). Absent on the other steps.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wants_to_lead: Option<Offer>,
    /// `choose_leader`: the participating organisations the step may choose (members, not
    /// partners), those who want to lead first. Absent on the other steps.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leaders: Option<Vec<String>>,
}

/// A choice within a step: whether the caller may make it, and if not, why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Offer {
    pub allowed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Text>,
    pub findings: Vec<Finding>,
}

impl Offer {
    fn of(guard: Result<(), Refusal>) -> Offer {
        match guard {
            Ok(()) => Offer {
                allowed: true,
                reason: None,
                findings: Vec::new(),
            },
            Err(refusal) => Offer {
                allowed: false,
                reason: Some(refusal.message()),
                findings: refusal.findings().to_vec(),
            },
        }
    }
}

/// Every step `caller`'s role could take on `provrum`, each decided by [`permit`]: the steps
/// that are not the caller's to take at all (another role's, another organisation's) are left
/// out.
pub fn actions(provrum: &Provrum, caller: Caller<'_>, ctx: &Context<'_>) -> Vec<Action> {
    Step::ALL
        .into_iter()
        .filter_map(|step| {
            let (method, path) = step.route(&provrum.id);
            let (allowed, reason, findings) = match permit(step, provrum, caller, ctx) {
                Ok(()) => (true, None, Vec::new()),
                Err(refusal) if refusal.concerns_others() => return None,
                Err(refusal) => (false, Some(refusal.message()), refusal.findings().to_vec()),
            };
            Some(Action {
                action: step,
                method,
                path,
                allowed,
                reason,
                findings,
                wants_to_lead: (step == Step::RegisterInterest)
                    .then(|| Offer::of(permit_lead(caller, ctx))),
                leaders: (step == Step::ChooseLeader).then(|| leader_candidates(provrum, ctx)),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Ore, Verdict};
    use chrono::{NaiveDate, TimeZone};
    use std::collections::HashMap;

    struct Orgs(HashMap<&'static str, (OrgKind, Membership)>);

    impl Directory for Orgs {
        fn facts(&self, org: &str) -> Option<OrgFacts<'_>> {
            self.0
                .get_key_value(org)
                .map(|(name, (kind, membership))| OrgFacts {
                    name,
                    kind: *kind,
                    membership: *membership,
                })
        }
    }

    fn orgs() -> Orgs {
        Orgs(HashMap::from([
            ("reglab", (OrgKind::Other, Membership::Kansli)),
            ("region-a", (OrgKind::Region, Membership::Member)),
            ("region-b", (OrgKind::Region, Membership::Member)),
            ("region-c", (OrgKind::Region, Membership::Member)),
            ("kommun", (OrgKind::Other, Membership::Member)),
            ("rise", (OrgKind::Other, Membership::Partner)),
        ]))
    }

    fn member(org: &str) -> Caller<'_> {
        Caller {
            org,
            membership: if org == "rise" {
                Membership::Partner
            } else if org == "reglab" {
                Membership::Kansli
            } else {
                Membership::Member
            },
        }
    }

    const KANSLI: Caller<'static> = Caller {
        org: "reglab",
        membership: Membership::Kansli,
    };

    fn with<R>(quota: Option<QuotaYear>, f: impl FnOnce(&Context<'_>) -> R) -> R {
        let rules = RuleSet::provrum_2023();
        let orgs = orgs();
        let ctx = Context {
            rules: &rules,
            orgs: &orgs,
            quota,
            now: Utc
                .with_ymd_and_hms(2025, 3, 1, 9, 0, 0)
                .single()
                .expect("a time"),
        };
        f(&ctx)
    }

    fn proposed_by(org: &str) -> Provrum {
        with(None, |ctx| {
            propose(
                Proposal {
                    id: "pr_1".into(),
                    title: "Drönare".into(),
                    theme: None,
                    description: None,
                },
                member(org),
                ctx,
            )
            .expect("proposed")
            .provrum
        })
    }

    fn run(p: &Provrum, by: Caller<'_>, command: Command) -> Result<Decision, Refusal> {
        with(None, |ctx| decide(command, p, by, ctx))
    }

    fn then(p: Provrum, by: Caller<'_>, command: Command) -> Provrum {
        run(&p, by, command).expect("allowed").provrum
    }

    fn rule_ids(refusal: &Refusal) -> Vec<&str> {
        refusal.findings().iter().map(|f| f.rule.as_str()).collect()
    }

    fn budget(errors: Vec<Finding>, base_funding_kr: i64) -> BudgetSummary {
        BudgetSummary {
            version: 1,
            sha256: "0".repeat(64),
            file_name: None,
            size: 1,
            uploaded_by: "region-a".into(),
            uploaded_at: Utc::now(),
            verdict: if errors.is_empty() {
                Verdict::Ok
            } else {
                Verdict::Errors
            },
            errors: errors.len() as u32,
            warnings: 0,
            start: NaiveDate::from_ymd_opt(2025, 4, 1),
            end: NaiveDate::from_ymd_opt(2025, 7, 31),
            total_budget_ore: Ore::kr(2 * base_funding_kr),
            base_funding_ore: Ore::kr(base_funding_kr),
            blocking: errors,
            revision: false,
        }
    }

    /// region-a proposes and leads, region-b takes part: ready to start.
    fn ready() -> Provrum {
        let p = proposed_by("region-a");
        let p = then(
            p,
            member("region-b"),
            Command::RegisterInterest {
                wants_to_lead: false,
            },
        );
        then(
            p,
            member("region-a"),
            Command::ChooseLeader {
                org: "region-a".into(),
            },
        )
    }

    /// "Alla Reglab-medlemmar har möjlighet att föreslå nya provrum. Partner kan inte föreslå
    /// provrum"
    #[test]
    fn members_propose_and_partners_and_the_kansli_do_not() {
        let p = proposed_by("region-a");
        assert_eq!(p.status, Status::Proposed);
        assert_eq!(p.proposer, "region-a");
        assert!(p.takes_part("region-a"));
        for refused in [member("rise"), KANSLI] {
            let no = with(None, |ctx| {
                propose(
                    Proposal {
                        id: "x".into(),
                        title: "x".into(),
                        theme: None,
                        description: None,
                    },
                    refused,
                    ctx,
                )
            })
            .expect_err("refused");
            assert!(matches!(no, Refusal::Forbidden { .. }));
            assert_eq!(rule_ids(&no), ["PROC-1"]);
        }
    }

    /// "Partner kan inte föreslå provrum, men kan anmäla intresse för att delta." "När en
    /// organisation anmäler sitt intresse, meddelar man också om man vill vara provrumsledare."
    #[test]
    fn members_and_partners_register_interest_saying_whether_they_want_to_lead() {
        let p = proposed_by("region-a");
        let d = run(
            &p,
            member("region-b"),
            Command::RegisterInterest {
                wants_to_lead: true,
            },
        )
        .expect("a member takes part and offers to lead");
        assert_eq!(
            d.event,
            Event::InterestRegistered {
                wants_to_lead: true
            }
        );
        assert!(
            d.provrum
                .participants
                .iter()
                .any(|x| x.org == "region-b" && x.wants_to_lead)
        );
        let d = run(
            &p,
            member("rise"),
            Command::RegisterInterest {
                wants_to_lead: false,
            },
        )
        .expect("a partner takes part");
        assert!(d.provrum.takes_part("rise"));
        // "Partner … kan anmäla intresse": to take part, never to lead (DELT-4).
        let no = run(
            &p,
            member("rise"),
            Command::RegisterInterest {
                wants_to_lead: true,
            },
        )
        .expect_err("a partner does not lead");
        assert_eq!(rule_ids(&no), ["DELT-4"]);
        let no = run(
            &p,
            KANSLI,
            Command::RegisterInterest {
                wants_to_lead: false,
            },
        )
        .expect_err("the kansli does not take part");
        assert!(no.concerns_others());
    }

    /// The interest step says whether the caller may offer to lead, and the leader step which
    /// organisations it may choose: decided by the same guards as the commands.
    #[test]
    fn only_those_who_may_lead_are_offered_to_lead() {
        let p = proposed_by("region-a");
        let p = then(
            p,
            member("rise"),
            Command::RegisterInterest {
                wants_to_lead: false,
            },
        );
        let p = then(
            p,
            member("kommun"),
            Command::RegisterInterest {
                wants_to_lead: true,
            },
        );
        let offer = |c: Caller<'_>| {
            with(None, |ctx| actions(&p, c, ctx))
                .into_iter()
                .find(|a| a.action == Step::RegisterInterest)
                .and_then(|a| a.wants_to_lead)
                .expect("offered")
        };
        assert!(offer(member("region-b")).allowed);
        let partner = offer(member("rise"));
        assert!(!partner.allowed);
        assert_eq!(partner.findings[0].rule, "DELT-4");
        let choose = with(None, |ctx| actions(&p, member("region-a"), ctx))
            .into_iter()
            .find(|a| a.action == Step::ChooseLeader)
            .expect("the proposer chooses");
        // Those who want to lead first; never the partner.
        assert_eq!(
            choose.leaders.as_deref(),
            Some(&["kommun".to_string(), "region-a".to_string()][..])
        );
        assert!(choose.wants_to_lead.is_none());
    }

    /// The leader convenes the provrum: it is not offered to leave it, and cannot.
    #[test]
    fn the_leader_is_not_offered_to_withdraw_its_interest() {
        let p = ready();
        let p = then(
            p,
            member("region-a"),
            Command::ChooseLeader {
                org: "region-b".into(),
            },
        );
        let steps: Vec<Step> = with(None, |ctx| actions(&p, member("region-b"), ctx))
            .iter()
            .map(|a| a.action)
            .collect();
        assert!(!steps.contains(&Step::WithdrawInterest), "{steps:?}");
        let no = run(&p, member("region-b"), Command::WithdrawInterest).expect_err("the leader");
        assert!(matches!(no, Refusal::Forbidden { .. }));
    }

    /// "Provrummet måste ha minst två, och maximalt sex, deltagande organisationer." (DELT-1)
    #[test]
    fn a_seventh_organisation_is_refused_with_delt_1() {
        let mut p = proposed_by("region-a");
        for i in 0..5 {
            p.participants.push(Participant {
                org: format!("org-{i}"),
                wants_to_lead: false,
                joined_at: Utc::now(),
            });
        }
        let no = run(
            &p,
            member("region-b"),
            Command::RegisterInterest {
                wants_to_lead: false,
            },
        )
        .expect_err("full");
        assert_eq!(rule_ids(&no), ["DELT-1"]);
        let listed = with(None, |ctx| actions(&p, member("region-b"), ctx));
        let interest = listed
            .iter()
            .find(|a| a.action == Step::RegisterInterest)
            .expect("listed");
        assert!(!interest.allowed);
        assert_eq!(interest.findings[0].rule, "DELT-1");
    }

    /// "En organisation är ledare och sammankallande." A partner takes part but does not lead.
    #[test]
    fn the_proposer_or_the_kansli_chooses_a_participating_member_as_leader() {
        let p = proposed_by("region-a");
        let p = then(
            p,
            member("rise"),
            Command::RegisterInterest {
                wants_to_lead: false,
            },
        );
        let no = run(
            &p,
            member("region-a"),
            Command::ChooseLeader { org: "rise".into() },
        )
        .expect_err("a partner");
        assert_eq!(rule_ids(&no), ["DELT-4"]);
        let no = run(
            &p,
            member("region-a"),
            Command::ChooseLeader {
                org: "region-b".into(),
            },
        )
        .expect_err("not a participant");
        assert!(matches!(no, Refusal::State { .. }));
        let no = run(
            &p,
            member("rise"),
            Command::ChooseLeader {
                org: "region-a".into(),
            },
        )
        .expect_err("not the proposer");
        assert!(no.concerns_others());
        let d = run(
            &p,
            KANSLI,
            Command::ChooseLeader {
                org: "region-a".into(),
            },
        )
        .expect("kansli");
        assert_eq!(d.provrum.leader.as_deref(), Some("region-a"));
        assert_eq!(
            d.event,
            Event::LeaderChosen {
                org: "region-a".into()
            }
        );
    }

    /// "När ett provrum har en ledare och minst två deltagande regioner, är det redo att köra
    /// igång."
    #[test]
    fn ready_with_a_leader_and_two_regions() {
        let p = proposed_by("region-a");
        let not_yet = with(None, |ctx| readiness(&p, ctx.orgs, ctx.rules)).expect_err("not ready");
        let ids: Vec<&str> = not_yet.iter().map(|f| f.rule.as_str()).collect();
        assert_eq!(ids, ["DELT-3", "DELT-5"]);
        assert_eq!(
            with(None, |ctx| readiness(&ready(), ctx.orgs, ctx.rules)),
            Ok(())
        );
    }

    /// "Reglabs kansli ger klartecken för start." Only when ready, with a budget without errors
    /// and a start date, within the year's quota.
    #[test]
    fn the_kansli_approves_a_ready_provrum_with_a_sound_budget_within_the_quota() {
        let mut p = ready();
        let no = run(&p, KANSLI, Command::Approve).expect_err("no budget");
        assert_eq!(rule_ids(&no), ["BUD-1"]);

        let bud_4 =
            Finding::new(&bud::BUD_4, Text::new("för mycket", "too much")).at(crate::Location {
                sheet: "Budget".into(),
                cell: Some("C7".into()),
            });
        p.latest_budget = Some(budget(vec![bud_4], 150_000));
        let listed = with(None, |ctx| actions(&p, KANSLI, ctx));
        let approve = listed
            .iter()
            .find(|a| a.action == Step::Approve)
            .expect("listed");
        assert!(!approve.allowed);
        assert_eq!(approve.findings[0].rule, "BUD-4");
        assert_eq!(
            approve.findings[0].location.as_ref().map(|l| l.reference()),
            Some("Budget!C7".to_string())
        );

        p.latest_budget = Some(budget(Vec::new(), 90_000));
        let no = run(&p, member("region-a"), Command::Approve).expect_err("a member");
        assert!(matches!(no, Refusal::Forbidden { .. }));
        assert_eq!(rule_ids(&no), ["PROC-2"]);
        let full = QuotaYear {
            year: 2025,
            started: 2,
            base_funding: Ore::kr(150_000),
        };
        let no = with(Some(full), |ctx| decide(Command::Approve, &p, KANSLI, ctx))
            .expect_err("the quota is used");
        assert_eq!(rule_ids(&no), ["KVOT-1", "KVOT-2"]);

        let d = run(&p, KANSLI, Command::Approve).expect("approved");
        assert_eq!(d.provrum.status, Status::Running);
        assert_eq!(d.provrum.quota_year, Some(2025));
        assert_eq!(d.provrum.granted_base_funding_ore, Some(Ore::kr(90_000)));
        assert_eq!(
            d.event,
            Event::Approved {
                quota_year: 2025,
                base_funding_ore: Ore::kr(90_000),
                budget_version: 1,
                sha256: "0".repeat(64),
            }
        );
        let again = run(&d.provrum, KANSLI, Command::Approve).expect_err("already running");
        assert_eq!(rule_ids(&again), ["PROC-2"]);
    }

    /// The go-ahead approves one budget version: its number, its SHA-256 and the base funding
    /// granted are recorded. After it, a new version is a revision: one with errors, asking for
    /// more base funding or starting in another quota year is refused (PROC-3); a clean one
    /// within the grant is a revision, and the approval stands.
    #[test]
    fn the_go_ahead_approves_one_version_and_a_revision_stays_within_it() {
        let mut p = ready();
        p.latest_budget = Some(budget(Vec::new(), 83_000));
        p.budget_versions = 1;
        let started = then(p, KANSLI, Command::Approve);
        let approved = started.approved_budget.clone().expect("recorded");
        assert_eq!(
            (
                approved.version,
                approved.sha256.as_str(),
                approved.base_funding_ore
            ),
            (1, "0".repeat(64).as_str(), Ore::kr(83_000))
        );
        assert_eq!(approved.approved_by, "reglab");

        let upload = |b: BudgetSummary| run(&started, member("region-a"), Command::UploadBudget(b));
        let bud_4 = Finding::new(&bud::BUD_4, Text::new("för mycket", "too much"));
        let mut with_errors = budget(vec![bud_4], 80_000);
        with_errors.version = 2;
        let no = upload(with_errors).expect_err("a revision with errors");
        assert_eq!(rule_ids(&no), ["PROC-3", "BUD-4"]);
        assert!(no.findings()[0].text.sv.contains("version 1"), "{no:?}");

        let mut more = budget(Vec::new(), 90_000);
        more.version = 2;
        let no = upload(more).expect_err("more than granted");
        assert_eq!(rule_ids(&no), ["PROC-3"]);
        assert!(
            no.findings()[0]
                .text
                .sv
                .contains("7 000 kr mer än de 83 000 kr"),
            "{no:?}"
        );

        let mut next_year = budget(Vec::new(), 80_000);
        next_year.version = 2;
        next_year.start = NaiveDate::from_ymd_opt(2026, 1, 10);
        let no = upload(next_year).expect_err("another quota year");
        assert_eq!(rule_ids(&no), ["PROC-3"]);

        let mut within = budget(Vec::new(), 80_000);
        within.version = 2;
        let d = upload(within).expect("a clean revision within the grant");
        let latest = d.provrum.latest_budget.as_ref().expect("latest");
        assert!(latest.revision);
        assert_eq!(d.event.action(), "budget.revised");
        assert_eq!(d.provrum.approved_budget, Some(approved));
        assert_eq!(d.provrum.granted_base_funding_ore, Some(Ore::kr(83_000)));
    }

    /// A workbook that is not this provrum's (DELT-8) is refused, not stored as its version.
    #[test]
    fn another_provrums_workbook_is_refused() {
        let p = ready();
        let stranger = Finding::new(&delt::DELT_8, Text::new("främling", "stranger"));
        let no = run(
            &p,
            member("region-a"),
            Command::UploadBudget(budget(vec![stranger], 50_000)),
        )
        .expect_err("another provrum's workbook");
        assert_eq!(rule_ids(&no), ["DELT-8"]);
    }

    /// "Att vara provrumsledare innebär … att ansvara för administration, dokumentation och
    /// rapportering": the leader uploads the plan and budget, before and during the provrum.
    #[test]
    fn the_leader_uploads_the_budget() {
        let p = ready();
        let d = run(
            &p,
            member("region-a"),
            Command::UploadBudget(budget(Vec::new(), 90_000)),
        )
        .expect("the leader");
        assert_eq!(d.provrum.budget_versions, 1);
        assert!(matches!(d.event, Event::BudgetUploaded { version: 1, .. }));
        let no = run(
            &p,
            member("region-b"),
            Command::UploadBudget(budget(Vec::new(), 1)),
        )
        .expect_err("a participant");
        assert!(no.concerns_others());
    }

    /// Before the start a provrum can be withdrawn by its proposer, its leader or the kansli,
    /// and a participant other than the proposer can leave.
    #[test]
    fn before_the_start_it_can_be_left_and_withdrawn() {
        let p = ready();
        let left = then(p.clone(), member("region-b"), Command::WithdrawInterest);
        assert!(!left.takes_part("region-b"));
        let no = run(&p, member("region-a"), Command::WithdrawInterest).expect_err("the proposer");
        assert!(matches!(no, Refusal::State { .. }));
        let no = run(&p, member("region-c"), Command::Withdraw).expect_err("an outsider");
        assert!(no.concerns_others());
        let gone = then(p, KANSLI, Command::Withdraw);
        assert_eq!(gone.status, Status::Withdrawn);
        let no = run(&gone, KANSLI, Command::Withdraw).expect_err("already withdrawn");
        assert!(matches!(no, Refusal::State { .. }));
    }

    /// "Resultatet av provrummet återrapporteras till Reglab och övriga medlemmar."
    #[test]
    fn the_leader_reports_the_result_of_a_running_provrum() {
        let mut p = ready();
        let report = || Command::ReportResult {
            summary: "Det gick bra.".into(),
            link: None,
        };
        let no = run(&p, member("region-a"), report()).expect_err("not started");
        assert!(matches!(no, Refusal::State { .. }));
        p.status = Status::Running;
        // Approved, but its plan starts on 1 April and today is 1 March.
        p.latest_budget = Some(budget(Vec::new(), 1));
        let no = run(&p, member("region-a"), report()).expect_err("before the start date");
        assert_eq!(
            no.message().sv,
            "Provrummet startar 2025-04-01; resultatet kan återrapporteras från startdatumet."
        );
        p.latest_budget.as_mut().expect("budget").start = NaiveDate::from_ymd_opt(2025, 3, 1);
        let no = run(&p, member("region-b"), report()).expect_err("not the leader");
        assert!(no.concerns_others());
        let d = run(&p, member("region-a"), report()).expect("reported");
        assert_eq!(d.provrum.status, Status::Reported);
        assert_eq!(d.event, Event::ResultReported);
    }

    /// The leader is called "provrumsledaren" in what the process says.
    #[test]
    fn the_leader_is_called_provrumsledaren() {
        let p = ready();
        let text = |c: Caller<'_>, command| match run(&p, c, command) {
            Err(Refusal::Forbidden { message, .. }) => message.sv,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            text(
                member("region-b"),
                Command::UploadBudget(budget(Vec::new(), 1))
            ),
            "Bara provrumsledaren får göra detta."
        );
        assert_eq!(
            text(
                member("region-b"),
                Command::ChooseLeader {
                    org: "region-b".into()
                }
            ),
            "Provrumsledaren väljs av kansliet eller av den som föreslog provrummet."
        );
        assert_eq!(
            text(member("region-c"), Command::Withdraw),
            "Ett provrum dras tillbaka av förslagsställaren, provrumsledaren eller kansliet."
        );
    }

    /// Each caller is offered the steps of its role, and the list agrees with [`decide`].
    #[test]
    fn actions_list_the_callers_steps_and_agree_with_decide() {
        let p = ready();
        let steps = |c: Caller<'_>| -> Vec<Step> {
            with(None, |ctx| actions(&p, c, ctx))
                .iter()
                .map(|a| a.action)
                .collect()
        };
        assert_eq!(
            steps(KANSLI),
            [Step::ChooseLeader, Step::Approve, Step::Withdraw]
        );
        assert_eq!(steps(member("rise")), [Step::RegisterInterest]);
        assert_eq!(
            steps(member("region-a")),
            [
                Step::RegisterInterest,
                Step::WithdrawInterest,
                Step::ChooseLeader,
                Step::UploadBudget,
                Step::Withdraw,
                Step::ReportResult
            ]
        );
        for caller in [
            KANSLI,
            member("rise"),
            member("region-a"),
            member("region-b"),
        ] {
            for action in with(None, |ctx| actions(&p, caller, ctx)) {
                let allowed = with(None, |ctx| permit(action.action, &p, caller, ctx)).is_ok();
                assert_eq!(action.allowed, allowed, "{action:?}");
            }
        }
    }

    #[test]
    fn a_status_is_quoted_the_swedish_way() {
        let f = may_approve(Membership::Kansli, Status::Running).expect_err("running");
        assert_eq!(
            f[0].text.sv,
            "Ett provrum med status ”pågår” kan inte startas; bara föreslagna provrum kan få klartecken."
        );
    }
}
