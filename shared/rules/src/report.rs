//! The yearly quota report: what a year used of Reglab's provrum quota and base funding.

use crate::model::Status;
use crate::money::Ore;
use crate::res::result_overdue;
use crate::ruleset::RuleSet;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A provrum as the report sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportEntry {
    pub id: String,
    pub title: String,
    pub status: Status,
    pub quota_year: Option<i32>,
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
    /// Granted base funding (started provrum).
    pub base_funding_ore: Ore,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OverdueResult {
    pub id: String,
    pub title: String,
    pub end: NaiveDate,
    pub days_overdue: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct YearlyReport {
    pub year: i32,
    pub ruleset: String,
    pub started: u32,
    pub quota: u32,
    pub base_funding_ore: Ore,
    pub cap_ore: Ore,
    pub members: u32,
    /// Base funding spread over the member organisations.
    pub cost_per_member_ore: Ore,
    /// The model's reference: 8 700 kr per organisation and year.
    pub reference_per_member_ore: Ore,
    pub provrum: Vec<ReportEntry>,
    pub overdue_results: Vec<OverdueResult>,
    pub development_phase: bool,
}

/// The report for `year`: the provrum started in it (running or reported, by quota year), their
/// base funding against the cap, the cost per member against the reference, and the results that
/// are overdue (RES-1) as of `today`.
pub fn yearly(
    year: i32,
    entries: &[ReportEntry],
    members: u32,
    today: NaiveDate,
    rs: &RuleSet,
) -> YearlyReport {
    let started: Vec<ReportEntry> = entries
        .iter()
        .filter(|e| {
            e.quota_year == Some(year) && matches!(e.status, Status::Running | Status::Reported)
        })
        .cloned()
        .collect();
    let base = Ore::saturating_sum(started.iter().map(|e| e.base_funding_ore));
    let overdue_results = started
        .iter()
        .filter_map(|e| {
            result_overdue(e.status, e.end, today)?;
            let end = e.end?;
            Some(OverdueResult {
                id: e.id.clone(),
                title: e.title.clone(),
                end,
                days_overdue: (today - end).num_days(),
            })
        })
        .collect();
    YearlyReport {
        year,
        ruleset: rs.id.clone(),
        started: started.len() as u32,
        quota: rs.provrum_per_year,
        base_funding_ore: base,
        cap_ore: rs.yearly_cap,
        members,
        cost_per_member_ore: if members == 0 {
            Ore::ZERO
        } else {
            base.mul_ratio(1, members)
        },
        reference_per_member_ore: rs.reference_cost_per_member,
        provrum: started,
        overdue_results,
        development_phase: rs.in_development_phase(year),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_the_started_provrum_of_the_year() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).expect("date");
        let entry = |id: &str, status, year, kr| ReportEntry {
            id: id.into(),
            title: id.into(),
            status,
            quota_year: Some(year),
            start: Some(d(year, 3, 1)),
            end: Some(d(year, 6, 30)),
            base_funding_ore: Ore::kr(kr),
        };
        let entries = [
            entry("a", Status::Running, 2024, 100_000),
            entry("b", Status::Reported, 2024, 74_000),
            entry("c", Status::Proposed, 2024, 0),
            entry("d", Status::Running, 2025, 50_000),
        ];
        let rs = RuleSet::provrum_2023();
        let r = yearly(2024, &entries, 20, d(2025, 1, 5), &rs);
        assert_eq!(
            (r.started, r.quota, r.base_funding_ore, r.cap_ore),
            (2, 2, Ore::kr(174_000), Ore::kr(200_000))
        );
        assert_eq!(r.cost_per_member_ore, Ore::kr(8_700));
        assert_eq!(r.reference_per_member_ore, Ore::kr(8_700));
        assert!(r.development_phase);
        assert_eq!(
            r.overdue_results
                .iter()
                .map(|o| o.id.as_str())
                .collect::<Vec<_>>(),
            ["a"]
        );
        assert_eq!(r.overdue_results[0].days_overdue, 189);
        assert!(!yearly(2025, &entries, 0, d(2025, 1, 5), &rs).development_phase);
        assert_eq!(
            yearly(2025, &entries, 0, d(2025, 1, 5), &rs).cost_per_member_ore,
            Ore::ZERO
        );
    }
}
