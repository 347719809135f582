//! Every number of the model, in one versioned value.
//!
//! The model is to be re-evaluated after the development phase 2023–24; a new rule set is a new
//! value (or a JSON file), not new code.

use crate::lang::Lang;
use crate::money::Ore;
use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// A fraction `num/den`, e.g. "at least half" = 1/2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Share {
    pub num: u32,
    pub den: u32,
}

impl Share {
    /// The share as a user reads it after "minst"/"högst" ("at least"/"at most"): `hälften`
    /// (`half`) for 1/2, otherwise the fraction, `2/3`.
    pub fn words(self, lang: Lang) -> String {
        if self.num * 2 == self.den {
            match lang {
                Lang::Sv => "hälften".into(),
                Lang::En => "half".into(),
            }
        } else {
            format!("{}/{}", self.num, self.den)
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleSet {
    /// The id reported in every compliance result (`ruleset`).
    pub id: String,
    /// "måste ha minst två, och maximalt sex, deltagande organisationer"
    pub min_participants: u32,
    pub max_participants: u32,
    /// "Minst hälften bör vara regioner"
    pub min_region_share: Share,
    /// "en ledare och minst två deltagande regioner, är det redo att köra igång"
    pub regions_to_start: u32,
    /// "Tidplanen för ett provrum bör vara 2-6 månader"
    pub min_months: u32,
    pub max_months: u32,
    /// "Reglab kan genomföra två provrum/år"
    pub provrum_per_year: u32,
    /// "basfinansiering på max 100 000 kr"
    pub base_funding_max: Ore,
    /// "Basfinansieringen ska inte utgöra mer än hälften av den planerade budgeten"
    pub base_funding_max_share: Share,
    /// "tillägg till kanslibudgeten på maximalt 200 000 kr/år"
    pub yearly_cap: Ore,
    /// "8 700 kr/organisation och år"
    pub reference_cost_per_member: Ore,
    /// "De första två åren 2023-24 är en utvecklingsfas"
    pub development_phase: (i32, i32),
}

impl RuleSet {
    /// The model as the seed document states it.
    pub fn provrum_2023() -> RuleSet {
        RuleSet {
            id: "provrum-2023".into(),
            min_participants: 2,
            max_participants: 6,
            min_region_share: Share { num: 1, den: 2 },
            regions_to_start: 2,
            min_months: 2,
            max_months: 6,
            provrum_per_year: 2,
            base_funding_max: Ore::kr(100_000),
            base_funding_max_share: Share { num: 1, den: 2 },
            yearly_cap: Ore::kr(200_000),
            reference_cost_per_member: Ore::kr(8_700),
            development_phase: (2023, 2024),
        }
    }

    /// A rule set from JSON (for a re-evaluated model), with its numbers checked for sense.
    pub fn from_json(json: &str) -> Result<RuleSet, RuleSetError> {
        let rs: RuleSet = serde_json::from_str(json).map_err(|e| RuleSetError(e.to_string()))?;
        rs.validate()?;
        Ok(rs)
    }

    fn validate(&self) -> Result<(), RuleSetError> {
        let bad = |what: &str| Err(RuleSetError(what.to_string()));
        if self.id.trim().is_empty() {
            return bad("id is empty");
        }
        if self.min_participants == 0 || self.min_participants > self.max_participants {
            return bad("participants: need 0 < min <= max");
        }
        if self.min_months == 0 || self.min_months > self.max_months {
            return bad("months: need 0 < min <= max");
        }
        for s in [self.min_region_share, self.base_funding_max_share] {
            if s.den == 0 || s.num > s.den {
                return bad("a share must be num/den with 0 < den and num <= den");
            }
        }
        if self.base_funding_max < Ore::ZERO
            || self.yearly_cap < Ore::ZERO
            || self.reference_cost_per_member < Ore::ZERO
        {
            return bad("amounts must not be negative");
        }
        if self.development_phase.0 > self.development_phase.1 {
            return bad("development phase: first year after last");
        }
        Ok(())
    }

    /// Whether a year belongs to the development phase.
    pub fn in_development_phase(&self, year: i32) -> bool {
        (self.development_phase.0..=self.development_phase.1).contains(&year)
    }

    /// How many organisations take part, as users read it: `2–6`.
    pub fn participants_span(&self) -> String {
        span(self.min_participants, self.max_participants)
    }

    /// How many months a provrum should run, as users read it: `2–6`.
    pub fn months_span(&self) -> String {
        span(self.min_months, self.max_months)
    }

    /// The planned duration rule: with `d = end + 1 day`, the plan is within `min..=max` months
    /// iff `start + min months <= d <= start + max months` (calendar months).
    pub fn duration_within(&self, start: NaiveDate, end: NaiveDate) -> bool {
        duration_within(start, end, self.min_months, self.max_months)
    }
}

impl Default for RuleSet {
    fn default() -> Self {
        RuleSet::provrum_2023()
    }
}

/// `2–6`, or `3` when both ends are 3.
fn span(min: u32, max: u32) -> String {
    if min == max {
        min.to_string()
    } else {
        format!("{min}–{max}")
    }
}

/// A rule set that does not make sense.
#[derive(Debug, Clone, thiserror::Error)]
#[error("invalid rule set: {0}")]
pub struct RuleSetError(pub String);

/// See [`RuleSet::duration_within`].
pub fn duration_within(start: NaiveDate, end: NaiveDate, min_months: u32, max_months: u32) -> bool {
    let Some(d) = end.succ_opt() else {
        return false;
    };
    let lower = start.checked_add_months(Months::new(min_months));
    let upper = start.checked_add_months(Months::new(max_months));
    match (lower, upper) {
        (Some(lower), Some(upper)) => lower <= d && d <= upper,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Datelike;
    use proptest::prelude::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    #[test]
    fn two_to_six_months_inclusive() {
        let rs = RuleSet::provrum_2023();
        // Exactly two months: 1 March to 30 April.
        assert!(rs.duration_within(date(2025, 3, 1), date(2025, 4, 30)));
        assert!(!rs.duration_within(date(2025, 3, 1), date(2025, 4, 29)));
        // Exactly six months: 1 March to 31 August.
        assert!(rs.duration_within(date(2025, 3, 1), date(2025, 8, 31)));
        assert!(!rs.duration_within(date(2025, 3, 1), date(2025, 9, 1)));
        // Month ends: 31 Dec + 2 months clamps to 28 Feb.
        assert!(rs.duration_within(date(2024, 12, 31), date(2025, 2, 27)));
        assert!(!rs.duration_within(date(2024, 12, 31), date(2025, 2, 26)));
    }

    #[test]
    fn numbers_read_the_way_users_read_them() {
        let rs = RuleSet::provrum_2023();
        assert_eq!(rs.participants_span(), "2–6");
        assert_eq!(rs.months_span(), "2–6");
        assert_eq!(rs.min_region_share.words(Lang::Sv), "hälften");
        assert_eq!(rs.base_funding_max_share.words(Lang::En), "half");
        let other = RuleSet {
            min_months: 3,
            max_months: 3,
            min_region_share: Share { num: 2, den: 3 },
            ..rs
        };
        assert_eq!(other.months_span(), "3");
        assert_eq!(other.min_region_share.words(Lang::Sv), "2/3");
    }

    #[test]
    fn rule_set_round_trips_through_json_and_is_validated() {
        let rs = RuleSet::provrum_2023();
        let json = serde_json::to_string(&rs).expect("serialises");
        assert_eq!(RuleSet::from_json(&json).expect("valid"), rs);
        let broken = json.replace("\"max_participants\":6", "\"max_participants\":1");
        assert!(RuleSet::from_json(&broken).is_err());
    }

    /// A reference the rule is stated against: count whole calendar months the naive way.
    fn whole_months(start: NaiveDate, d: NaiveDate) -> (i32, bool) {
        let months = (d.year() - start.year()) * 12 + d.month() as i32 - start.month() as i32;
        // `exact_or_more`: d's day is at or past start's day (or start's day doesn't exist in d's month
        // and d is the month's last day).
        let last_day = d
            .with_day(1)
            .and_then(|f| f.checked_add_months(Months::new(1)))
            .and_then(|n| n.pred_opt())
            .map(|l| l.day());
        let clamped = last_day.map(|l| start.day().min(l)).unwrap_or(start.day());
        (months, d.day() >= clamped)
    }

    proptest! {
        #[test]
        fn agrees_with_naive_month_counting(
            days_from_epoch in 0i64..20_000,
            len in 1i64..400,
        ) {
            let start = date(2000, 1, 1) + chrono::Duration::days(days_from_epoch);
            let end = start + chrono::Duration::days(len);
            let d = end.succ_opt().expect("in range");
            let (months, at_or_past) = whole_months(start, d);
            // d >= start + 2 months  <=>  months > 2, or months == 2 and at/past the day.
            let lower_ok = months > 2 || (months == 2 && at_or_past);
            // d <= start + 6 months  <=>  months < 6, or months == 6 and day <= start's (clamped) day.
            let (m6, _) = whole_months(start, d);
            let upper_ok = m6 < 6 || (m6 == 6 && d <= start.checked_add_months(Months::new(6)).expect("in range"));
            prop_assert_eq!(duration_within(start, end, 2, 6), lower_ok && upper_ok);
        }

        #[test]
        fn longer_plans_never_become_short(days_from_epoch in 0i64..20_000, len in 1i64..400) {
            let start = date(2000, 1, 1) + chrono::Duration::days(days_from_epoch);
            let end = start + chrono::Duration::days(len);
            // Inside the window, extending by a day can only leave it at the top.
            if duration_within(start, end, 2, 6) && !duration_within(start, end + chrono::Duration::days(1), 2, 6) {
                prop_assert!(!duration_within(start, end + chrono::Duration::days(2), 2, 6));
            }
        }
    }
}
