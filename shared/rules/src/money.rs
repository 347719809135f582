//! Money is whole kronor and öre, never floating point.
//!
//! Amounts arrive as numeric cells or as text a Swedish civil servant would type:
//! `12 500`, `12 500 kr`, `12 500,50`, `12500.5 SEK`. Text whose meaning is ambiguous
//! (`12.500`, `12,500`: twelve and a half, or twelve thousand five hundred?) is refused,
//! never guessed.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An amount in öre (1 kr = 100 öre).
///
/// The number is private, and there is no `+`, `-` or `Sum` that could wrap: amounts are added
/// with [`Ore::checked_add`] and [`Ore::checked_sub`] (`None` on overflow) or, where a rule only
/// compares a sum with a limit, [`Ore::saturating_add`] and [`Ore::saturating_sum`], whose
/// clamped result is beyond every limit. Serialized as the bare number of öre.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Ore(i64);

/// The largest single amount accepted: 10 000 000 000 kr. Larger is a typing error, and the
/// bound keeps sums of many lines far from overflow.
pub const MAX_AMOUNT: Ore = Ore(1_000_000_000_000);

impl Ore {
    pub const ZERO: Ore = Ore(0);

    /// An amount of `ore` öre.
    pub const fn from_ore(ore: i64) -> Ore {
        Ore(ore)
    }

    /// An amount of whole kronor, clamped to the range of `Ore` (which no rule's amount nears).
    pub const fn kr(kronor: i64) -> Ore {
        Ore(kronor.saturating_mul(100))
    }

    /// The amount in öre.
    pub const fn ore(self) -> i64 {
        self.0
    }

    /// The sum, or `None` if it does not fit.
    pub const fn checked_add(self, other: Ore) -> Option<Ore> {
        match self.0.checked_add(other.0) {
            Some(sum) => Some(Ore(sum)),
            None => None,
        }
    }

    /// The difference, or `None` if it does not fit.
    pub const fn checked_sub(self, other: Ore) -> Option<Ore> {
        match self.0.checked_sub(other.0) {
            Some(difference) => Some(Ore(difference)),
            None => None,
        }
    }

    /// The sum, clamped to the range of `Ore`: for comparing a sum with a limit.
    pub const fn saturating_add(self, other: Ore) -> Ore {
        Ore(self.0.saturating_add(other.0))
    }

    /// The difference, clamped to the range of `Ore`.
    pub const fn saturating_sub(self, other: Ore) -> Ore {
        Ore(self.0.saturating_sub(other.0))
    }

    /// The sum of any number of amounts, added exactly (in `i128`, which no count of `i64`
    /// amounts a program can hold overflows) and clamped to the range of `Ore` once at the end,
    /// so the result does not depend on the order of the amounts.
    pub fn saturating_sum(amounts: impl IntoIterator<Item = Ore>) -> Ore {
        let sum: i128 = amounts.into_iter().map(|a| i128::from(a.0)).sum();
        Ore::clamped(sum)
    }

    /// `self * num / den`, rounded toward zero and clamped to the range of `Ore`; `den == 0`
    /// gives the largest amount.
    pub fn mul_ratio(self, num: u32, den: u32) -> Ore {
        if den == 0 {
            return Ore(i64::MAX);
        }
        Ore::clamped(i128::from(self.0) * i128::from(num) / i128::from(den))
    }

    fn clamped(ore: i128) -> Ore {
        Ore(i64::try_from(ore).unwrap_or(if ore < 0 { i64::MIN } else { i64::MAX }))
    }

    /// A numeric cell: rounded to the nearest öre; refused if not finite or out of range.
    pub fn from_number(value: f64) -> Result<Ore, AmountError> {
        if !value.is_finite() {
            return Err(AmountError::NotANumber);
        }
        let ore = (value * 100.0).round();
        if ore.abs() > MAX_AMOUNT.0 as f64 {
            return Err(AmountError::TooLarge);
        }
        Ok(Ore(ore as i64))
    }

    /// Text typed into an amount cell. See the module documentation for what is accepted.
    pub fn parse_text(text: &str) -> Result<Ore, AmountError> {
        parse_text(text)
    }
}

/// Why an amount could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("empty")]
    Empty,
    #[error("not a number")]
    NotANumber,
    #[error("ambiguous")]
    Ambiguous,
    #[error("too large")]
    TooLarge,
}

fn is_group_separator(c: char) -> bool {
    matches!(c, ' ' | '\u{00A0}' | '\u{2009}' | '\u{202F}')
}

fn parse_text(text: &str) -> Result<Ore, AmountError> {
    let mut s = text.trim_matches(|c: char| c.is_whitespace() || is_group_separator(c));
    if s.is_empty() {
        return Err(AmountError::Empty);
    }
    // Currency before or after: "12 500 kr", "12 500 kr.", "12500.5 SEK", "SEK 12 500", "12 500:-".
    let lower = s.to_lowercase();
    for suffix in ["kr.", "kr", "sek", ":-"] {
        if lower.ends_with(suffix) {
            s = &s[..s.len() - suffix.len()];
            break;
        }
    }
    if s.len() >= 3 && s.is_char_boundary(3) && s[..3].eq_ignore_ascii_case("sek") {
        s = &s[3..];
    }
    let s = s.trim_matches(|c: char| c.is_whitespace() || is_group_separator(c));
    let (negative, s) = match s.strip_prefix(['-', '\u{2212}']) {
        Some(rest) => (true, rest.trim_start()),
        None => (false, s),
    };
    if s.is_empty() {
        return Err(AmountError::NotANumber);
    }
    let has_point = s.contains('.');
    let has_comma = s.contains(',');
    if has_point && has_comma {
        // "1.234,50" or "1,234.50": two conventions at once; we do not guess which.
        return Err(AmountError::Ambiguous);
    }
    let (int_part, frac_part) = match s.rfind([',', '.']) {
        Some(i) => {
            let sep_count = s.matches([',', '.']).count();
            let frac = &s[i + 1..];
            let int = &s[..i];
            if sep_count > 1 {
                // "12.500.000": a thousands separator we refuse to read as one.
                return Err(AmountError::Ambiguous);
            }
            if frac.len() == 3 && frac.chars().all(|c| c.is_ascii_digit()) {
                let grouped = int.chars().any(is_group_separator);
                return Err(if grouped {
                    AmountError::NotANumber
                } else {
                    AmountError::Ambiguous
                });
            }
            (int, Some(frac))
        }
        None => (s, None),
    };
    let kronor = parse_grouped_integer(int_part)?;
    let ore_part = match frac_part {
        None => 0,
        Some(f) if (1..=2).contains(&f.len()) && f.chars().all(|c| c.is_ascii_digit()) => {
            let v: i64 = f.parse().map_err(|_| AmountError::NotANumber)?;
            if f.len() == 1 { v * 10 } else { v }
        }
        Some(_) => return Err(AmountError::NotANumber),
    };
    let total = kronor
        .checked_mul(100)
        .and_then(|k| k.checked_add(ore_part))
        .ok_or(AmountError::TooLarge)?;
    if total > MAX_AMOUNT.0 {
        return Err(AmountError::TooLarge);
    }
    Ok(Ore(if negative { -total } else { total }))
}

/// Digits, optionally grouped by threes with a space, no-break space or thin space.
fn parse_grouped_integer(s: &str) -> Result<i64, AmountError> {
    if s.is_empty() {
        return Err(AmountError::NotANumber);
    }
    let groups: Vec<&str> = s
        .split(is_group_separator)
        .filter(|g| !g.is_empty())
        .collect();
    if groups.is_empty() || !groups.iter().all(|g| g.chars().all(|c| c.is_ascii_digit())) {
        return Err(AmountError::NotANumber);
    }
    if groups.len() > 1 {
        let first_ok = (1..=3).contains(&groups[0].len());
        if !first_ok || groups[1..].iter().any(|g| g.len() != 3) {
            return Err(AmountError::NotANumber);
        }
    }
    let digits: String = groups.concat();
    if digits.len() > 15 {
        return Err(AmountError::TooLarge);
    }
    digits.parse::<i64>().map_err(|_| AmountError::NotANumber)
}

/// A whole number the Swedish way: `1 048 576`.
pub fn group_digits(n: u64) -> String {
    let digits = n.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(' ');
        }
        grouped.push(c);
    }
    grouped
}

/// `100 000 kr`, `12 500,50 kr`, `-300 kr`: the way amounts are shown to users.
impl fmt::Display for Ore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let negative = self.0 < 0;
        let abs = self.0.unsigned_abs();
        let kronor = abs / 100;
        let ore = abs % 100;
        let grouped = group_digits(kronor);
        if negative {
            f.write_str("-")?;
        }
        if ore == 0 {
            write!(f, "{grouped} kr")
        } else {
            write!(f, "{grouped},{ore:02} kr")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_what_people_type() {
        let ok = [
            ("12 500", 1_250_000),
            ("12 500 kr", 1_250_000),
            ("12\u{00A0}500 kr", 1_250_000),
            ("12\u{2009}500", 1_250_000),
            ("12 500,50", 1_250_050),
            ("12500.5 SEK", 1_250_050),
            ("12500,5", 1_250_050),
            ("1 000 000", 100_000_000),
            ("  800 ", 80_000),
            ("800:-", 80_000),
            ("SEK 800", 80_000),
            ("-300", -30_000),
        ];
        for (text, ore) in ok {
            assert_eq!(Ore::parse_text(text), Ok(Ore(ore)), "{text:?}");
        }
    }

    #[test]
    fn refuses_ambiguous_and_garbage() {
        for text in ["12.500", "12,500", "1.234,50", "1,234.50", "12.500.000"] {
            assert_eq!(
                Ore::parse_text(text),
                Err(AmountError::Ambiguous),
                "{text:?}"
            );
        }
        for text in [
            "tolv", "12 50", "1 2500", "12,5,0", "12.345 6", "kr", "12,505 0",
        ] {
            assert!(Ore::parse_text(text).is_err(), "{text:?}");
        }
        assert_eq!(Ore::parse_text("   "), Err(AmountError::Empty));
        assert_eq!(
            Ore::parse_text("99999999999999999999"),
            Err(AmountError::TooLarge)
        );
    }

    #[test]
    fn arithmetic_at_the_edges_is_checked_never_wrapped() {
        let max = Ore::from_ore(i64::MAX);
        let min = Ore::from_ore(i64::MIN);
        let one = Ore::from_ore(1);
        assert_eq!(max.checked_add(one), None);
        assert_eq!(Ore::from_ore(i64::MAX - 1).checked_add(one), Some(max));
        assert_eq!(min.checked_sub(one), None);
        assert_eq!(max.checked_sub(max), Some(Ore::ZERO));
        assert_eq!(Ore::ZERO.checked_sub(min), None);
        assert_eq!(max.saturating_add(one), max);
        assert_eq!(min.saturating_sub(one), min);
        assert_eq!(max.saturating_sub(min), max);
        assert_eq!(min.saturating_add(min), min);
        assert_eq!(Ore::kr(i64::MAX), max);
        assert_eq!(Ore::kr(i64::MIN), min);
        assert_eq!(Ore::kr(-300).ore(), -30_000);
    }

    #[test]
    fn sums_are_exact_until_clamped_and_do_not_depend_on_order() {
        let max = Ore::from_ore(i64::MAX);
        let min = Ore::from_ore(i64::MIN);
        assert_eq!(Ore::saturating_sum([max, max, max]), max);
        assert_eq!(Ore::saturating_sum([min, min]), min);
        // MAX + MAX - MAX is MAX: a wrapping sum passes through -2, an adding-then-clamping one
        // through MAX and ends at 0.
        let neg = Ore::from_ore(-i64::MAX);
        assert_eq!(Ore::saturating_sum([max, max, neg]), max);
        assert_eq!(Ore::saturating_sum([neg, max, max]), max);
        assert_eq!(Ore::saturating_sum([]), Ore::ZERO);
        assert_eq!(
            Ore::saturating_sum([Ore::kr(100), Ore::from_ore(50)]),
            Ore::from_ore(10_050)
        );
    }

    #[test]
    fn ratios_clamp_at_both_ends() {
        let max = Ore::from_ore(i64::MAX);
        let min = Ore::from_ore(i64::MIN);
        assert_eq!(max.mul_ratio(2, 1), max);
        assert_eq!(min.mul_ratio(2, 1), min);
        assert_eq!(max.mul_ratio(1, 2), Ore::from_ore(i64::MAX / 2));
        assert_eq!(Ore::kr(200_000).mul_ratio(3, 4), Ore::kr(150_000));
        assert_eq!(Ore::from_ore(-7).mul_ratio(1, 2), Ore::from_ore(-3));
        assert_eq!(Ore::kr(1).mul_ratio(1, 0), max);
    }

    #[test]
    fn serializes_as_the_bare_number_of_ore() {
        let json = serde_json::to_string(&Ore::from_ore(1_250_050)).expect("serializes");
        assert_eq!(json, "1250050");
        let back: Ore = serde_json::from_str("-30000").expect("deserializes");
        assert_eq!(back, Ore::kr(-300));
    }

    #[test]
    fn shows_amounts_the_swedish_way() {
        assert_eq!(Ore::kr(100_000).to_string(), "100 000 kr");
        assert_eq!(Ore(1_250_050).to_string(), "12 500,50 kr");
        assert_eq!(Ore(0).to_string(), "0 kr");
        assert_eq!(Ore(-30_000).to_string(), "-300 kr");
        assert_eq!(Ore::kr(1_234_567).to_string(), "1 234 567 kr");
    }

    #[test]
    fn numbers_round_to_ore_and_refuse_non_finite() {
        assert_eq!(Ore::from_number(12_500.5), Ok(Ore(1_250_050)));
        assert_eq!(Ore::from_number(0.1 + 0.2), Ok(Ore(30)));
        assert_eq!(Ore::from_number(f64::NAN), Err(AmountError::NotANumber));
        assert_eq!(Ore::from_number(1e300), Err(AmountError::TooLarge));
    }

    fn group(digits: &str, sep: char) -> String {
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(sep);
            }
            out.push(c);
        }
        out
    }

    proptest! {
        #[test]
        fn any_amount_written_the_swedish_way_reads_back(
            ore in 1i64..=MAX_AMOUNT.0,
            sep in prop::sample::select(vec![' ', '\u{00A0}', '\u{2009}', '\u{202F}']),
            decimal in prop::sample::select(vec![',', '.']),
            suffix in prop::sample::select(vec!["", " kr", " SEK", "kr", " sek"]),
        ) {
            let kronor = (ore / 100).to_string();
            let text = if ore % 100 == 0 {
                format!("{}{suffix}", group(&kronor, sep))
            } else {
                format!("{}{decimal}{:02}{suffix}", group(&kronor, sep), ore % 100)
            };
            prop_assert_eq!(Ore::parse_text(&text), Ok(Ore(ore)));
        }

        #[test]
        fn display_reads_back(ore in -MAX_AMOUNT.0..=MAX_AMOUNT.0) {
            prop_assert_eq!(Ore::parse_text(&Ore(ore).to_string()), Ok(Ore(ore)));
        }

        #[test]
        fn three_digits_after_a_lone_separator_are_always_refused(
            int in 1u32..1000, frac in 0u32..1000, sep in prop::sample::select(vec![',', '.'])
        ) {
            let text = format!("{int}{sep}{frac:03}");
            prop_assert_eq!(Ore::parse_text(&text), Err(AmountError::Ambiguous));
        }

        #[test]
        fn never_panics(text in "\\PC{0,40}") {
            let _ = Ore::parse_text(&text);
        }
    }
}
