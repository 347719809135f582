//! RES: reporting the result back (Arbetsprocess).

use crate::finding::{Finding, Rule, Severity};
use crate::lang::Text;
use crate::model::Status;
use chrono::NaiveDate;

/// RES-1 · the provrum has ended and its result is not yet reported back.
pub const RES_1: Rule = Rule {
    id: "RES-1",
    severity: Severity::Warning,
    source: Some("Resultatet av provrummet återrapporteras till Reglab och övriga medlemmar."),
};

/// RES-1 for a running provrum whose planned end date has passed.
pub fn result_overdue(status: Status, end: Option<NaiveDate>, today: NaiveDate) -> Option<Finding> {
    let end = end?;
    if status != Status::Running || end >= today {
        return None;
    }
    let days = (today - end).num_days();
    Some(Finding::new(
        &RES_1,
        Text::new(
            format!(
                "Provrummet slutade {end} ({days} dagar sedan) och resultatet är inte återrapporterat."
            ),
            format!(
                "The provrum ended on {end} ({days} days ago) and its result has not been reported back."
            ),
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overdue_only_when_running_and_past_the_end() {
        let d = |m, day| NaiveDate::from_ymd_opt(2025, m, day).expect("valid");
        assert!(result_overdue(Status::Running, Some(d(6, 30)), d(7, 1)).is_some());
        assert!(result_overdue(Status::Running, Some(d(6, 30)), d(6, 30)).is_none());
        assert!(result_overdue(Status::Reported, Some(d(6, 30)), d(9, 1)).is_none());
        assert!(result_overdue(Status::Proposed, Some(d(6, 30)), d(9, 1)).is_none());
        assert!(result_overdue(Status::Running, None, d(9, 1)).is_none());
    }
}
