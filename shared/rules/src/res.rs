//! RES: reporting the result back (Arbetsprocess).

use crate::finding::{Finding, Rule, Severity, Title};
use crate::lang::{Text, count};
use crate::model::Status;
use chrono::NaiveDate;

/// RES-1 · the provrum has ended and its result is not yet reported back.
pub const RES_1: Rule = Rule {
    id: "RES-1",
    title: Title::new(
        "Resultatet är inte återrapporterat",
        "The result is not reported back",
    ),
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
                "Provrummet slutade {end} ({} sedan) och resultatet har ännu inte återrapporterats.",
                count(days.unsigned_abs(), "dag", "dagar")
            ),
            format!(
                "The provrum ended on {end} ({} ago) and its result has not yet been reported back.",
                count(days.unsigned_abs(), "day", "days")
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

    #[test]
    fn res_1_says_the_result_has_not_yet_been_reported_back() {
        let d = |m, day| NaiveDate::from_ymd_opt(2025, m, day).expect("valid");
        let f = result_overdue(Status::Running, Some(d(6, 30)), d(9, 1)).expect("overdue");
        assert_eq!(
            f.text.sv,
            "Provrummet slutade 2025-06-30 (63 dagar sedan) och resultatet har ännu inte återrapporterats."
        );
        assert_eq!(
            f.text.en,
            "The provrum ended on 2025-06-30 (63 days ago) and its result has not yet been reported back."
        );
        let f = result_overdue(Status::Running, Some(d(6, 30)), d(7, 1)).expect("overdue");
        assert!(f.text.sv.contains("(1 dag sedan)"), "{}", f.text.sv);
        assert!(f.text.en.contains("(1 day ago)"), "{}", f.text.en);
    }
}
