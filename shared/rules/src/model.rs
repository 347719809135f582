//! Who is who, and what a provrum is made of.

use crate::lang::Text;
use serde::{Deserialize, Serialize};

/// A member organisation's kind: a region, or another body (kommun, myndighet …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OrgKind {
    Region,
    Other,
}

/// An organisation's standing with Reglab, which decides its role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Membership {
    Member,
    Partner,
    Kansli,
}

/// A provrum's life: `proposed` → `running` → `reported`, plus `withdrawn`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
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
        let (sv, en) = match self {
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
        };
        Text::new(sv, en)
    }

    /// Case-insensitive and whitespace-tolerant, Swedish or English.
    pub fn parse(text: &str) -> Option<Category> {
        let key = normalize(text);
        Category::ALL.into_iter().find(|c| {
            let name = c.name();
            normalize(&name.sv) == key || normalize(&name.en) == key
        })
    }

    /// Whether Reglab's base funding may pay for it: "inte till arbetstid".
    pub fn base_funding_allowed(self) -> bool {
        self != Category::Arbetstid
    }
}

/// How labels, headers, names and words are compared: case, surrounding and repeated white space
/// (including no-break and thin spaces) and trailing colons ignored.
pub fn normalize(text: &str) -> String {
    let lowered = text.to_lowercase();
    let words: Vec<&str> = lowered
        .split(|c: char| c.is_whitespace() || c == '\u{202F}')
        .filter(|w| !w.is_empty())
        .collect();
    let joined = words.join(" ");
    joined
        .trim_end_matches(|c: char| c == ':' || c.is_whitespace())
        .to_string()
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
    }
}
