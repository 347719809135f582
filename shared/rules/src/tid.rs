//! TID: time and place (Tid och plats).

use crate::finding::{Finding, Rule, Severity, Title};
use crate::lang::Text;
use crate::plan::Plan;
use crate::ruleset::RuleSet;

/// TID-1 · planned duration outside 2–6 months.
pub const TID_1: Rule = Rule {
    id: "TID-1",
    title: Title::new(
        "Tidplanen är inte 2–6 månader",
        "The timeline is not 2–6 months",
    ),
    severity: Severity::Warning,
    source: Some("Tidplanen för ett provrum bör vara 2-6 månader."),
};

pub fn check(plan: &Plan, rs: &RuleSet, findings: &mut Vec<Finding>) {
    let Some((start, end)) = plan.period() else {
        return;
    };
    if rs.duration_within(start, end) {
        return;
    }
    let days = (end - start).num_days() + 1;
    let mut finding = Finding::new(
        &TID_1,
        Text::new(
            format!(
                "Tidplanen {start} – {end} ({days} dagar) ligger utanför {}–{} månader.",
                rs.min_months, rs.max_months
            ),
            format!(
                "The schedule {start} – {end} ({days} days) is outside {}–{} months.",
                rs.min_months, rs.max_months
            ),
        ),
    );
    finding.location = plan.end_location.clone();
    findings.push(finding);
}
