//! KVOT: the yearly quota. Needs the stored state of all provrum; the store calls these.
//!
//! The quota year of a provrum is the year of its planned start date.

use crate::finding::{Finding, Rule, Severity, Title};
use crate::lang::Text;
use crate::model::Status;
use crate::money::Ore;
use crate::ruleset::RuleSet;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// KVOT-1 · starting it would make more than 2 provrum in its quota year.
pub const KVOT_1: Rule = Rule {
    id: "KVOT-1",
    title: Title::new(
        "Årets provrum är redan startade",
        "The year's provrum have already started",
    ),
    severity: Severity::Error,
    source: Some("Reglab kan genomföra två provrum/år."),
};

/// KVOT-2 · granting its base funding would take Reglab above 200 000 kr in its quota year.
pub const KVOT_2: Rule = Rule {
    id: "KVOT-2",
    title: Title::new(
        "Årets basfinansiering räcker inte",
        "The year's base funding does not suffice",
    ),
    severity: Severity::Error,
    source: Some(
        "Reglabs finansiering innebär ett tillägg till kanslibudgeten på maximalt 200 000 kr/år.",
    ),
};

/// What a quota year has used so far: provrum started and base funding granted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuotaYear {
    pub year: i32,
    pub started: u32,
    pub base_funding: Ore,
}

/// A provrum as the quota sees it: its state, planned start and the base funding it was granted
/// (or asks for).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuotaEntry {
    pub status: Status,
    pub start: NaiveDate,
    pub base_funding: Ore,
}

/// What `year` has used: the provrum that have started (running or reported) with their planned
/// start in that year, and their base funding. Proposed and withdrawn provrum use nothing.
pub fn used<'a>(year: i32, provrum: impl IntoIterator<Item = &'a QuotaEntry>) -> QuotaYear {
    let started: Vec<&QuotaEntry> = provrum
        .into_iter()
        .filter(|p| {
            matches!(p.status, Status::Running | Status::Reported) && quota_year(p.start) == year
        })
        .collect();
    QuotaYear {
        year,
        started: u32::try_from(started.len()).unwrap_or(u32::MAX),
        base_funding: Ore::saturating_sum(started.iter().map(|p| p.base_funding)),
    }
}

/// The quota year of a provrum planned to start on `start`.
pub fn quota_year(start: NaiveDate) -> i32 {
    start.year()
}

/// KVOT-1 and KVOT-2: may one more provrum with `base_funding` start in this quota year?
pub fn admit(used: &QuotaYear, base_funding: Ore, rs: &RuleSet) -> Result<(), Vec<Finding>> {
    let mut findings = Vec::new();
    let year = used.year;
    if used.started.saturating_add(1) > rs.provrum_per_year {
        findings.push(kvot_1(year, used.started, rs));
    }
    let after = used.base_funding.saturating_add(base_funding);
    if after > rs.yearly_cap {
        findings.push(kvot_2(year, used.base_funding, base_funding, rs));
    }
    if findings.is_empty() {
        Ok(())
    } else {
        Err(findings)
    }
}

pub fn kvot_1(year: i32, started: u32, rs: &RuleSet) -> Finding {
    Finding::new(
        &KVOT_1,
        Text::new(
            format!(
                "{started} provrum har redan startat {year}; Reglab kan genomföra högst {} per år.",
                rs.provrum_per_year
            ),
            format!(
                "{started} provrum have already started in {year}; Reglab can run at most {} a year.",
                rs.provrum_per_year
            ),
        ),
    )
}

pub fn kvot_2(year: i32, granted: Ore, requested: Ore, rs: &RuleSet) -> Finding {
    let after = granted.saturating_add(requested);
    Finding::new(
        &KVOT_2,
        Text::new(
            format!(
                "Reglabs beviljade basfinansiering {year} skulle bli {after}, över taket {}: {granted} är redan beviljat och provrummet begär {requested}.",
                rs.yearly_cap
            ),
            format!(
                "Reglab's granted base funding for {year} would be {after}, above the cap of {}: {granted} is already granted and the provrum asks for {requested}.",
                rs.yearly_cap
            ),
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_started_provrum_of_the_year_count() {
        let d = |y, m| NaiveDate::from_ymd_opt(y, m, 1).expect("date");
        let entry = |status, start, kr| QuotaEntry {
            status,
            start,
            base_funding: Ore::kr(kr),
        };
        let all = [
            entry(Status::Running, d(2025, 3), 60_000),
            entry(Status::Reported, d(2025, 11), 40_000),
            entry(Status::Proposed, d(2025, 5), 90_000),
            entry(Status::Withdrawn, d(2025, 5), 90_000),
            entry(Status::Running, d(2026, 1), 100_000),
        ];
        assert_eq!(
            used(2025, &all),
            QuotaYear {
                year: 2025,
                started: 2,
                base_funding: Ore::kr(100_000)
            }
        );
        assert_eq!(
            used(2026, &all),
            QuotaYear {
                year: 2026,
                started: 1,
                base_funding: Ore::kr(100_000)
            }
        );
        assert_eq!(
            used(2024, &all),
            QuotaYear {
                year: 2024,
                started: 0,
                base_funding: Ore::ZERO
            }
        );
        let rs = RuleSet::provrum_2023();
        assert!(admit(&used(2025, &all), Ore::ZERO, &rs).is_err());
        assert!(admit(&used(2026, &all), Ore::kr(100_000), &rs).is_ok());
    }

    #[test]
    fn two_a_year_and_at_most_the_cap() {
        let rs = RuleSet::provrum_2023();
        let none = QuotaYear {
            year: 2025,
            started: 0,
            base_funding: Ore::ZERO,
        };
        assert!(admit(&none, Ore::kr(100_000), &rs).is_ok());
        let one = QuotaYear {
            year: 2025,
            started: 1,
            base_funding: Ore::kr(100_000),
        };
        assert!(admit(&one, Ore::kr(100_000), &rs).is_ok());
        let ids = |r: Result<(), Vec<Finding>>| {
            r.err()
                .unwrap_or_default()
                .into_iter()
                .map(|f| f.rule)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            ids(admit(&one, Ore::from_ore(10_000_001), &rs)),
            vec!["KVOT-2"]
        );
        let two = QuotaYear {
            year: 2025,
            started: 2,
            base_funding: Ore::kr(150_000),
        };
        assert_eq!(
            ids(admit(&two, Ore::kr(60_000), &rs)),
            vec!["KVOT-1", "KVOT-2"]
        );
        assert_eq!(ids(admit(&two, Ore::ZERO, &rs)), vec!["KVOT-1"]);
    }

    #[test]
    fn kvot_2_says_reglab_grants_and_what_the_year_would_come_to() {
        let f = kvot_2(
            2025,
            Ore::kr(150_000),
            Ore::kr(60_000),
            &RuleSet::provrum_2023(),
        );
        assert_eq!(
            f.text.sv,
            "Reglabs beviljade basfinansiering 2025 skulle bli 210 000 kr, över taket 200 000 kr: 150 000 kr är redan beviljat och provrummet begär 60 000 kr."
        );
        assert_eq!(
            f.text.en,
            "Reglab's granted base funding for 2025 would be 210 000 kr, above the cap of 200 000 kr: 150 000 kr is already granted and the provrum asks for 60 000 kr."
        );
    }
}
