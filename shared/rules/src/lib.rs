//! Reglab's provrum model as pure Rust: no I/O, no AWS.
//!
//! Every rule is a constant in the module of its family — [`form`], [`plan`], [`tid`], [`delt`],
//! [`bud`], [`kvot`], [`process`], [`res`] — written next to the sentence of the model it enforces
//! and the check that enforces it. [`CATALOGUE`] lists them all; [`catalogue`] renders them as
//! `docs/rules.md`.
//! [`check_workbook`] runs the workbook rules; the KVOT, PROC and RES rules need the stored state
//! of all provrum and are pure functions the store and the functions call.

pub mod bud;
pub mod calendar;
pub mod catalogue;
pub mod delt;
pub mod finding;
pub mod form;
pub mod ids;
pub mod kvot;
pub mod lang;
pub mod layout;
pub mod model;
pub mod money;
pub mod phase;
pub mod plan;
pub mod process;
pub mod provrum;
pub mod report;
pub mod res;
pub mod ruleset;
pub mod sheet;
pub mod tid;
pub mod words;

pub use delt::{Registered, RegisteredOrg};
pub use finding::{Compliance, Finding, Location, Report, Rule, Severity, Summary, Verdict};
pub use ids::{IdError, OrgId, ProvrumId, TokenId};
pub use lang::{Lang, Text};
pub use money::Ore;
pub use ruleset::RuleSet;

use serde::{Deserialize, Serialize};

/// Every rule, in the catalogue's order (that of `docs/rules.md`).
pub const CATALOGUE: &[&Rule] = &[
    &form::FORM_1,
    &form::FORM_2,
    &form::FORM_3,
    &plan::PLAN_1,
    &plan::PLAN_2,
    &plan::PLAN_3,
    &plan::PLAN_4,
    &tid::TID_1,
    &delt::DELT_1,
    &delt::DELT_2,
    &delt::DELT_3,
    &delt::DELT_4,
    &delt::DELT_5,
    &delt::DELT_6,
    &delt::DELT_7,
    &delt::DELT_8,
    &bud::BUD_1,
    &bud::BUD_2,
    &bud::BUD_3,
    &bud::BUD_4,
    &bud::BUD_5,
    &bud::BUD_6,
    &bud::BUD_7,
    &bud::BUD_8,
    &kvot::KVOT_1,
    &kvot::KVOT_2,
    &process::PROC_1,
    &process::PROC_2,
    &process::PROC_3,
    &res::RES_1,
];

/// The rule with this id.
pub fn rule(id: &str) -> Option<&'static Rule> {
    CATALOGUE.iter().copied().find(|r| r.id == id)
}

/// What a check needs besides the workbook.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub ruleset: &'a RuleSet,
    /// The stored provrum the workbook is uploaded to, as registered (DELT-7, DELT-8, PLAN-4);
    /// `None` for a stateless check.
    pub registered: Option<Registered<'a>>,
}

impl<'a> Context<'a> {
    pub fn stateless(ruleset: &'a RuleSet) -> Context<'a> {
        Context {
            ruleset,
            registered: None,
        }
    }
}

/// What the workbook says, as far as it could be read: the plan, the participants and the budget.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Submission {
    pub plan: plan::Plan,
    pub participants: Vec<delt::Participant>,
    pub budget: Vec<bud::BudgetLine>,
}

/// A checked workbook: the report (the compliance result in both languages) and what was read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checked {
    pub report: Report,
    pub submission: Submission,
}

/// Runs every workbook rule (FORM, PLAN, TID, DELT, BUD) over a read workbook.
///
/// A sheet that is missing (FORM-2) or lacks a required header (FORM-3) is not checked further,
/// so one mistake gives one finding, not a cascade.
pub fn check_workbook(mut workbook: sheet::Workbook, ctx: Context<'_>) -> Checked {
    let rs = ctx.ruleset;
    // A Budget sheet read as a stream comes with its lines (the first sheet of that name is the
    // one `form::locate` takes).
    let budget = layout::SheetKind::Budget.name();
    let streamed = workbook
        .sheets
        .iter_mut()
        .find(|s| budget.matches(&s.name))
        .and_then(|s| s.take_budget());
    let workbook = &workbook;
    let mut findings = Vec::new();
    let found = form::locate(workbook, &mut findings);
    let mut submission = Submission::default();

    if let Some(sheet) = found.plan {
        submission.plan = plan::check(sheet, &mut findings);
        if let Some(registered) = ctx.registered {
            plan::check_title(&submission.plan, registered.title, &mut findings);
        }
        tid::check(&submission.plan, rs, &mut findings);
    }
    let participants = found.participants.as_ref().map(|table| {
        let participants = delt::read(table, &mut findings);
        delt::check(
            &participants,
            table.name(),
            ctx.registered,
            rs,
            &mut findings,
        );
        participants
    });
    if let Some(table) = &found.budget {
        let lines = match streamed {
            Some(read) => {
                findings.extend(read.findings);
                read.lines
            }
            None => bud::read(table, &mut findings),
        };
        bud::check(
            &lines,
            table.name(),
            participants.as_deref(),
            ctx.registered.map(|r| r.orgs),
            rs,
            &mut findings,
        );
        submission.budget = lines;
    }
    submission.participants = participants.unwrap_or_default();

    let (total, base) = bud::totals(&submission.budget);
    let summary = Summary {
        total_budget_ore: total,
        base_funding_ore: base,
        participants: submission.participants.len() as u32,
        regions: submission
            .participants
            .iter()
            .filter(|p| p.kind.is_some_and(model::ParticipantKind::is_region))
            .count() as u32,
    };
    Checked {
        report: Report {
            ruleset: rs.id.clone(),
            summary,
            findings,
        },
        submission,
    }
}

/// The report for a file that could not be read at all (FORM-1).
pub fn unreadable(reason: Text, rs: &RuleSet) -> Report {
    Report {
        ruleset: rs.id.clone(),
        summary: Summary::default(),
        findings: vec![form::unreadable(reason)],
    }
}

impl Report {
    /// Whether this is the report of a file that could not be read at all ([`unreadable`]):
    /// FORM-1, which refuses anything but a readable workbook.
    pub fn is_unreadable(&self) -> bool {
        self.findings.iter().any(|f| f.rule == form::FORM_1.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &str = include_str!("../seed/provnum.txt");

    fn squash(s: &str) -> String {
        s.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn the_catalogue_has_every_rule_of_rules_md_once() {
        let ids: Vec<&str> = CATALOGUE.iter().map(|r| r.id).collect();
        let expected = [
            "FORM-1", "FORM-2", "FORM-3", "PLAN-1", "PLAN-2", "PLAN-3", "PLAN-4", "TID-1",
            "DELT-1", "DELT-2", "DELT-3", "DELT-4", "DELT-5", "DELT-6", "DELT-7", "DELT-8",
            "BUD-1", "BUD-2", "BUD-3", "BUD-4", "BUD-5", "BUD-6", "BUD-7", "BUD-8", "KVOT-1",
            "KVOT-2", "PROC-1", "PROC-2", "PROC-3", "RES-1",
        ];
        assert_eq!(ids, expected);
    }

    #[test]
    fn severities_follow_the_modal_verbs() {
        let warnings = [
            "PLAN-2", "PLAN-4", "TID-1", "DELT-2", "DELT-7", "BUD-7", "BUD-8", "RES-1",
        ];
        for r in CATALOGUE {
            let expected = if warnings.contains(&r.id) {
                Severity::Warning
            } else {
                Severity::Error
            };
            assert_eq!(r.severity, expected, "{}", r.id);
        }
    }

    #[test]
    fn every_source_is_a_sentence_of_the_seed_and_format_rules_have_none() {
        let seed = squash(SEED);
        let without_source = [
            "FORM-1", "FORM-2", "FORM-3", "PLAN-3", "PLAN-4", "BUD-2", "BUD-3", "DELT-6", "DELT-7",
            "DELT-8",
        ];
        for r in CATALOGUE {
            match r.source {
                Some(sentence) => {
                    assert!(
                        !without_source.contains(&r.id),
                        "{} should have no source",
                        r.id
                    );
                    let body = squash(sentence.trim_end_matches('.'));
                    assert!(
                        seed.contains(&body),
                        "{}: {sentence:?} is not in the seed",
                        r.id
                    );
                }
                None => assert!(
                    without_source.contains(&r.id),
                    "{} needs its seed sentence",
                    r.id
                ),
            }
        }
    }
}
