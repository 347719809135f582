//! Who is who, and what a provrum is made of.

use crate::lang::Text;
use crate::layout::{Lookup, Name};
use serde::{Deserialize, Serialize};
use std::sync::LazyLock;

/// A member organisation's kind: a region, or another body (kommun, myndighet …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum OrgKind {
    Region,
    Other,
}

/// An organisation's standing with Reglab, which decides its role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Membership {
    Member,
    Partner,
    Kansli,
}

/// A provrum's life: `proposed` → `running` → `reported`, plus `withdrawn`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Status {
    Proposed,
    Running,
    Reported,
    Withdrawn,
}

impl Status {
    /// The status in Swedish, as messages show it (`as_str` is the API's English value).
    pub fn sv(self) -> &'static str {
        match self {
            Status::Proposed => "föreslaget",
            Status::Running => "pågår",
            Status::Reported => "rapporterat",
            Status::Withdrawn => "återtaget",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Proposed => "proposed",
            Status::Running => "running",
            Status::Reported => "reported",
            Status::Withdrawn => "withdrawn",
        }
    }
}

/// A participant's kind as the workbook's Deltagare sheet states it (`Typ`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ParticipantKind {
    Region,
    Member,
    Partner,
}

impl ParticipantKind {
    pub fn is_region(self) -> bool {
        self == ParticipantKind::Region
    }

    /// The organisation's kind and membership as the stored model knows them.
    pub fn of(kind: OrgKind, membership: Membership) -> ParticipantKind {
        match (membership, kind) {
            (Membership::Partner, _) => ParticipantKind::Partner,
            (_, OrgKind::Region) => ParticipantKind::Region,
            _ => ParticipantKind::Member,
        }
    }
}

/// `Roll`: the leader (provrumsledare) or a participant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Leader,
    Participant,
}

/// The budget categories. Base funding may pay for all but working time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Category {
    Arbetstid,
    Expertstod,
    MotenOchLokaler,
    Resor,
    MaterialOchAnalys,
    KommunikationOchSpridning,
    Ovrigt,
}

impl Category {
    pub const ALL: [Category; 7] = [
        Category::Arbetstid,
        Category::Expertstod,
        Category::MotenOchLokaler,
        Category::Resor,
        Category::MaterialOchAnalys,
        Category::KommunikationOchSpridning,
        Category::Ovrigt,
    ];

    /// The Swedish and English names (both accepted in a workbook).
    pub fn name(self) -> Text {
        let (sv, en) = self.names();
        Text::new(sv, en)
    }

    fn names(self) -> (&'static str, &'static str) {
        match self {
            Category::Arbetstid => ("Arbetstid", "Working time"),
            Category::Expertstod => ("Expertstöd", "Expert support"),
            Category::MotenOchLokaler => ("Möten och lokaler", "Meetings and venues"),
            Category::Resor => ("Resor", "Travel"),
            Category::MaterialOchAnalys => ("Material och analys", "Material and analysis"),
            Category::KommunikationOchSpridning => (
                "Kommunikation och spridning",
                "Communication and dissemination",
            ),
            Category::Ovrigt => ("Övrigt", "Other"),
        }
    }

    /// Case-insensitive and whitespace-tolerant, Swedish or English.
    pub fn parse(text: &str) -> Option<Category> {
        static CATEGORIES: LazyLock<Lookup<Category>> = LazyLock::new(|| {
            Lookup::new(Category::ALL.map(|c| {
                let (sv, en) = c.names();
                (c, Name { sv, en, also: &[] })
            }))
        });
        CATEGORIES.find(text)
    }

    /// Whether Reglab's base funding may pay for it: "inte till arbetstid".
    pub fn base_funding_allowed(self) -> bool {
        self != Category::Arbetstid
    }
}

/// How labels, headers, names and words are compared: case, surrounding and repeated white space
/// (including no-break and thin spaces) and trailing colons ignored.
pub fn normalize(text: &str) -> String {
    let mut key = String::with_capacity(text.len());
    for c in normalized_spacing(text) {
        if c.is_ascii() {
            key.push(c.to_ascii_lowercase());
        } else {
            key.extend(c.to_lowercase());
        }
    }
    key
}

/// Whether two texts are the same once normalized ([`normalize`]), without building either:
/// the reader asks this of every header and label cell against every name the template knows.
pub fn same(a: &str, b: &str) -> bool {
    normalized(a).eq(normalized(b))
}

/// Whether the normalized text is `word` or starts with it and a space (`word` itself normalized).
pub fn starts_with_word(text: &str, word: &str) -> bool {
    let mut chars = normalized(text);
    word.chars().all(|w| chars.next() == Some(w)) && matches!(chars.next(), None | Some(' '))
}

/// The characters of the normalized text.
fn normalized(text: &str) -> impl Iterator<Item = char> + '_ {
    normalized_spacing(text).flat_map(char::to_lowercase)
}

/// The text's characters with its white space normalized, before lowercasing. Trailing colons
/// and white space can be trimmed first, as no character lowercases to either.
fn normalized_spacing(text: &str) -> impl Iterator<Item = char> + '_ {
    let mut after_space = false;
    text.trim_end_matches(|c: char| c == ':' || c.is_whitespace())
        .trim_start()
        .chars()
        .filter_map(move |c| {
            if !c.is_whitespace() {
                after_space = false;
                Some(c)
            } else if after_space {
                None
            } else {
                after_space = true;
                Some(' ')
            }
        })
}

/// The key organisations are matched by: name or id, ignoring case and surrounding white space.
pub fn org_key(name_or_id: &str) -> String {
    normalize(name_or_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_in_either_language_any_case() {
        assert_eq!(Category::parse("  expertstöd "), Some(Category::Expertstod));
        assert_eq!(
            Category::parse("EXPERT SUPPORT"),
            Some(Category::Expertstod)
        );
        assert_eq!(
            Category::parse("Möten  och\u{00A0}lokaler"),
            Some(Category::MotenOchLokaler)
        );
        assert_eq!(Category::parse("Fika"), None);
        assert!(!Category::Arbetstid.base_funding_allowed());
    }

    #[test]
    fn normalize_ignores_case_space_and_colons() {
        assert_eq!(normalize("  Belopp (kr): "), "belopp (kr)");
        assert_eq!(normalize("Region\u{00A0}Skåne"), "region skåne");
        assert_eq!(normalize("\u{202F}Totalt\t: :\n"), "totalt");
        assert_eq!(normalize(" a :b  c"), "a :b c");
        assert_eq!(normalize(" \u{00A0}:"), "");
        assert!(same("  BELOPP\u{202F}(kr):", "Belopp (kr)"));
        assert!(!same("Belopp", "Belopp (kr)"));
        assert!(same("", " : "));
        assert!(starts_with_word("  SUMMA kostnader", "summa"));
        assert!(starts_with_word("Summa:", "summa"));
        assert!(!starts_with_word("Summan", "summa"));
        assert!(!starts_with_word("Sum", "summa"));
    }
}
