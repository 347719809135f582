//! Who is who, and what a provrum is made of.

use crate::lang::Text;
use crate::words::{Lookup, Name, normalize};
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

/// The words of the Typ column.
pub const KIND_REGION: Name = Name {
    sv: "Region",
    en: "Region",
    also: &[],
};
pub const KIND_MEMBER: Name = Name {
    sv: "Medlem",
    en: "Member",
    also: &[],
};
pub const KIND_PARTNER: Name = Name {
    sv: "Partner",
    en: "Partner",
    also: &[],
};

impl ParticipantKind {
    pub const ALL: [ParticipantKind; 3] = [
        ParticipantKind::Region,
        ParticipantKind::Member,
        ParticipantKind::Partner,
    ];

    /// The kind's word in the Typ column.
    pub const fn name(self) -> Name {
        match self {
            ParticipantKind::Region => KIND_REGION,
            ParticipantKind::Member => KIND_MEMBER,
            ParticipantKind::Partner => KIND_PARTNER,
        }
    }

    /// The kind a Typ cell names, if any.
    pub fn named(text: &str) -> Option<ParticipantKind> {
        ParticipantKind::ALL
            .into_iter()
            .find(|kind| kind.name().matches(text))
    }

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

/// The words of the Roll column.
pub const ROLE_LEADER: Name = Name {
    sv: "Ledare",
    en: "Leader",
    also: &["Provrumsledare"],
};
pub const ROLE_PARTICIPANT: Name = Name {
    sv: "Deltagare",
    en: "Participant",
    also: &[],
};

impl Role {
    pub const ALL: [Role; 2] = [Role::Leader, Role::Participant];

    /// The role's word in the Roll column.
    pub const fn name(self) -> Name {
        match self {
            Role::Leader => ROLE_LEADER,
            Role::Participant => ROLE_PARTICIPANT,
        }
    }

    /// The role a Roll cell names, if any.
    pub fn named(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.name().matches(text))
    }
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
}
