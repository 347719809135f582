//! Where a provrum is in time. The stored status says what the kansli and the leader decided
//! (`proposed` → `running` → `reported`, or `withdrawn`); once the go-ahead is given, the plan's
//! dates say the rest: it starts on its start date ("Startar 2025-03-01"), runs until its end
//! date, then waits for its result, which is due one month after the end
//! ([`RESULT_DUE_MONTHS`]) and overdue after that. Every date is Reglab's, in Stockholm
//! ([`crate::calendar::reglab_date`]).

use crate::model::Status;
use crate::provrum::Provrum;
use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// The result is due this many calendar months after the plan's end date: time to write it up
/// after the last meeting. An operating rule, not one of the model's numbers (the model says
/// only that the result "återrapporteras").
pub const RESULT_DUE_MONTHS: u32 = 1;

/// The day the result of a plan ending on `end` is due.
pub fn result_due(end: NaiveDate) -> NaiveDate {
    end.checked_add_months(Months::new(RESULT_DUE_MONTHS))
        .unwrap_or(end)
}

/// A provrum's phase: its status and, after the go-ahead, its dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Phase {
    /// Proposed: not yet given the go-ahead.
    Proposed,
    /// Given the go-ahead; its plan starts later.
    Starting,
    /// Between its start and its end date.
    Running,
    /// Past its end date, its result not yet reported and not yet due.
    Ended,
    /// Past the day its result was due, and not reported.
    Overdue,
    Reported,
    Withdrawn,
}

impl Phase {
    /// The phase of `provrum` on `today`.
    pub fn of(provrum: &Provrum, today: NaiveDate) -> Phase {
        match provrum.status {
            Status::Proposed => Phase::Proposed,
            Status::Reported => Phase::Reported,
            Status::Withdrawn => Phase::Withdrawn,
            Status::Running => {
                let (start, end) = provrum.period();
                match (start, end) {
                    (Some(start), _) if today < start => Phase::Starting,
                    (_, Some(end)) if today > result_due(end) => Phase::Overdue,
                    (_, Some(end)) if today > end => Phase::Ended,
                    _ => Phase::Running,
                }
            }
        }
    }

    /// The phase as a person reads it, with its date where it has one: "Startar 2025-03-01",
    /// "Pågår", "Avslutat – resultat väntas senast 2025-08-31", "Avslutat – resultatet är
    /// försenat (skulle ha kommit 2025-08-31)"; the others are the status's own words.
    pub fn words(
        self,
        lang: crate::Lang,
        start: Option<NaiveDate>,
        due: Option<NaiveDate>,
    ) -> String {
        self.words_in(lang, start, due)
    }

    /// [`Phase::words`] in both languages, for the views every front end shows.
    pub fn text(self, start: Option<NaiveDate>, due: Option<NaiveDate>) -> crate::Text {
        crate::Text::new(
            self.words_in(crate::Lang::Sv, start, due),
            self.words_in(crate::Lang::En, start, due),
        )
    }

    fn words_in(
        self,
        lang: crate::Lang,
        start: Option<NaiveDate>,
        due: Option<NaiveDate>,
    ) -> String {
        use crate::Lang::{En, Sv};
        let on = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        match (self, lang) {
            (Phase::Proposed, Sv) => "Föreslaget".into(),
            (Phase::Proposed, En) => "Proposed".into(),
            (Phase::Starting, Sv) => format!("Startar {}", on(start)),
            (Phase::Starting, En) => format!("Starts on {}", on(start)),
            (Phase::Running, Sv) => "Pågår".into(),
            (Phase::Running, En) => "Running".into(),
            (Phase::Ended, Sv) => format!("Avslutat – resultat väntas senast {}", on(due)),
            (Phase::Ended, En) => format!("Ended – result due by {}", on(due)),
            (Phase::Overdue, Sv) => format!(
                "Avslutat – resultatet är försenat (skulle ha kommit {})",
                on(due)
            ),
            (Phase::Overdue, En) => format!("Ended – the result is overdue (due {})", on(due)),
            (Phase::Reported, Sv) => "Rapporterat".into(),
            (Phase::Reported, En) => "Reported".into(),
            (Phase::Withdrawn, Sv) => "Återtaget".into(),
            (Phase::Withdrawn, En) => "Withdrawn".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provrum::BudgetSummary;
    use crate::{Lang, Ore, Verdict};

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, m, day).expect("a date")
    }

    fn running(start: NaiveDate, end: NaiveDate) -> Provrum {
        let mut p = Provrum::proposed("p".into(), "t".into(), "a", chrono::DateTime::UNIX_EPOCH);
        p.status = Status::Running;
        p.latest_budget = Some(BudgetSummary {
            version: 1,
            sha256: String::new(),
            file_name: None,
            size: 0,
            uploaded_by: "a".into(),
            uploaded_at: chrono::DateTime::UNIX_EPOCH,
            verdict: Verdict::Ok,
            errors: 0,
            warnings: 0,
            start: Some(start),
            end: Some(end),
            total_budget_ore: Ore::kr(2),
            base_funding_ore: Ore::kr(1),
            blocking: Vec::new(),
            revision: false,
        });
        p
    }

    /// Approved on 1 January for a plan from 1 March to 30 June: starting, running, ended,
    /// overdue after 30 July.
    #[test]
    fn the_dates_drive_the_phase_after_the_go_ahead() {
        let p = running(d(3, 1), d(6, 30));
        let phase = |today| Phase::of(&p, today);
        assert_eq!(phase(d(1, 1)), Phase::Starting);
        assert_eq!(phase(d(2, 28)), Phase::Starting);
        assert_eq!(phase(d(3, 1)), Phase::Running);
        assert_eq!(phase(d(6, 30)), Phase::Running);
        assert_eq!(phase(d(7, 1)), Phase::Ended);
        assert_eq!(result_due(d(6, 30)), d(7, 30));
        assert_eq!(phase(d(7, 30)), Phase::Ended);
        assert_eq!(phase(d(7, 31)), Phase::Overdue);
        let mut reported = p.clone();
        reported.status = Status::Reported;
        assert_eq!(Phase::of(&reported, d(12, 1)), Phase::Reported);
        assert_eq!(
            Phase::Starting.words(Lang::Sv, Some(d(3, 1)), None),
            "Startar 2025-03-01"
        );
        assert_eq!(
            Phase::Ended.words(Lang::Sv, None, Some(d(7, 30))),
            "Avslutat – resultat väntas senast 2025-07-30"
        );
    }

    /// The end of a long month: one month after 31 January is the last of February.
    #[test]
    fn a_result_is_due_a_calendar_month_after_the_end() {
        assert_eq!(result_due(d(1, 31)), d(2, 28));
        assert_eq!(result_due(d(8, 31)), d(9, 30));
    }
}
