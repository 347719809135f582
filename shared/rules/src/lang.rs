//! The two languages every message exists in: Swedish (default) and English (on request).

use serde::{Deserialize, Serialize};

/// The language a user reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Lang {
    #[default]
    Sv,
    En,
}

impl Lang {
    /// `sv` or `en` (case-insensitive, region subtags allowed: `en-GB`).
    pub fn parse(s: &str) -> Option<Lang> {
        let primary = s.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "sv" => Some(Lang::Sv),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The language an `Accept-Language` header asks for: English only when English is
    /// preferred over Swedish; Swedish otherwise (the users are Swedish).
    pub fn from_accept_language(header: &str) -> Lang {
        let mut best: Option<(f32, Lang)> = None;
        for part in header.split(',') {
            let mut pieces = part.split(';');
            let Some(lang) = pieces.next().and_then(Lang::parse) else {
                continue;
            };
            let q = pieces
                .find_map(|p| {
                    p.trim()
                        .strip_prefix("q=")
                        .and_then(|q| q.parse::<f32>().ok())
                })
                .unwrap_or(1.0);
            if best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
        best.map_or(Lang::Sv, |(_, l)| l)
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Sv => "sv",
            Lang::En => "en",
        }
    }
}

/// A text that exists in both languages; rendered when a reader asks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Text {
    pub sv: String,
    pub en: String,
}

impl Text {
    pub fn new(sv: impl Into<String>, en: impl Into<String>) -> Text {
        Text {
            sv: sv.into(),
            en: en.into(),
        }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Sv => &self.sv,
            Lang::En => &self.en,
        }
    }
}

/// A count with its noun in agreement: `count(1, "varning", "varningar")` is `1 varning`,
/// `count(2, "varning", "varningar")` is `2 varningar` (and `0 varningar`). Every text that shows
/// a count goes through here, in either language.
pub fn count(n: impl Into<u64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_agree_with_their_noun() {
        assert_eq!(count(1u32, "varning", "varningar"), "1 varning");
        assert_eq!(count(2u32, "varning", "varningar"), "2 varningar");
        assert_eq!(count(0u32, "varning", "varningar"), "0 varningar");
        assert_eq!(count(1u32, "warning", "warnings"), "1 warning");
        assert_eq!(count(3u64, "warning", "warnings"), "3 warnings");
        assert_eq!(count(1u32, "dag", "dagar"), "1 dag");
    }

    #[test]
    fn accept_language_prefers_swedish_unless_english_ranks_higher() {
        assert_eq!(Lang::from_accept_language("en"), Lang::En);
        assert_eq!(Lang::from_accept_language("en-GB,en;q=0.9"), Lang::En);
        assert_eq!(Lang::from_accept_language("sv-SE,en;q=0.8"), Lang::Sv);
        assert_eq!(Lang::from_accept_language("de, fr"), Lang::Sv);
        assert_eq!(Lang::from_accept_language(""), Lang::Sv);
        assert_eq!(Lang::from_accept_language("sv;q=0.5, en;q=0.7"), Lang::En);
    }
}
