//! Reglab's calendar: every decision about a date — "today" for an overdue result (RES-1), the
//! year a scheduled report covers — is made in Reglab's time, Europe/Stockholm, never in UTC.
//! At 23:30 UTC on 30 June it is already 1 July in Stockholm (01:30, summer time), and at
//! 23:30 UTC on 31 December the new year has begun there (00:30, winter time).

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

/// The time zone the model's dates are in.
pub const REGLAB_TIME_ZONE: Tz = chrono_tz::Europe::Stockholm;

/// The date in Stockholm at the instant `at`.
pub fn reglab_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&REGLAB_TIME_ZONE).date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0)
            .single()
            .expect("a valid instant")
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("a valid date")
    }

    #[test]
    fn summer_time_is_two_hours_ahead() {
        assert_eq!(reglab_date(utc(2025, 6, 30, 21, 30)), date(2025, 6, 30));
        assert_eq!(reglab_date(utc(2025, 6, 30, 22, 0)), date(2025, 7, 1));
        assert_eq!(reglab_date(utc(2025, 6, 30, 23, 30)), date(2025, 7, 1));
    }

    #[test]
    fn winter_time_is_one_hour_ahead() {
        assert_eq!(reglab_date(utc(2025, 1, 31, 22, 59)), date(2025, 1, 31));
        assert_eq!(reglab_date(utc(2025, 1, 31, 23, 0)), date(2025, 2, 1));
        assert_eq!(reglab_date(utc(2025, 12, 31, 23, 30)), date(2026, 1, 1));
    }

    #[test]
    fn the_clocks_change_on_the_last_sundays_of_march_and_october() {
        // 2025-03-30 01:00 UTC: 02:00 CET becomes 03:00 CEST.
        assert_eq!(reglab_date(utc(2025, 3, 29, 22, 30)), date(2025, 3, 29));
        assert_eq!(reglab_date(utc(2025, 3, 30, 22, 30)), date(2025, 3, 31));
        // 2025-10-26 01:00 UTC: 03:00 CEST becomes 02:00 CET.
        assert_eq!(reglab_date(utc(2025, 10, 25, 21, 30)), date(2025, 10, 25));
        assert_eq!(reglab_date(utc(2025, 10, 26, 22, 30)), date(2025, 10, 26));
        assert_eq!(reglab_date(utc(2025, 10, 26, 23, 0)), date(2025, 10, 27));
    }
}
