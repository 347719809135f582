//! The Reglab workbook, template version 1: sheet names, plan labels and column headers, in
//! Swedish and English. The reader in this crate and the template writer both use this one table.

use crate::lang::Text;
use crate::words::Lookup;
use std::sync::LazyLock;

// The names below are `Name`s; the words of the Typ and Roll columns sit with their enums in
// `model`, which, like this module, builds on `words` alone.
pub use crate::words::Name;

pub const TEMPLATE_VERSION: u32 = 1;

/// The three required sheets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SheetKind {
    Plan,
    Participants,
    Budget,
}

impl SheetKind {
    pub const ALL: [SheetKind; 3] = [SheetKind::Plan, SheetKind::Participants, SheetKind::Budget];

    pub fn name(self) -> Name {
        match self {
            SheetKind::Plan => Name {
                sv: "Projektplan",
                en: "Project plan",
                also: &["Projektplanen", "Plan"],
            },
            SheetKind::Participants => Name {
                sv: "Deltagare",
                en: "Participants",
                also: &[],
            },
            SheetKind::Budget => Name {
                sv: "Budget",
                en: "Budget",
                also: &[],
            },
        }
    }

    /// The columns of a table sheet (the plan sheet has labels instead).
    pub fn columns(self) -> &'static [Column] {
        match self {
            SheetKind::Plan => &[],
            SheetKind::Participants => &[Column::Organisation, Column::Kind, Column::Role],
            SheetKind::Budget => &[
                Column::Item,
                Column::Category,
                Column::Amount,
                Column::Funder,
                Column::Comment,
            ],
        }
    }
}

/// The fields of the Projektplan sheet: a label, then its value to the right.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PlanField {
    Name,
    Theme,
    Purpose,
    ExpectedResult,
    MainQuestion,
    Delimitations,
    StartDate,
    EndDate,
    Resources,
    SuccessCriteria,
    Indicators,
}

impl PlanField {
    pub const ALL: [PlanField; 11] = [
        PlanField::Name,
        PlanField::Theme,
        PlanField::Purpose,
        PlanField::ExpectedResult,
        PlanField::MainQuestion,
        PlanField::Delimitations,
        PlanField::StartDate,
        PlanField::EndDate,
        PlanField::Resources,
        PlanField::SuccessCriteria,
        PlanField::Indicators,
    ];

    /// The field a plan label cell names, if any.
    pub fn named(text: &str) -> Option<PlanField> {
        static FIELDS: LazyLock<Lookup<PlanField>> =
            LazyLock::new(|| Lookup::new(PlanField::ALL.map(|f| (f, f.label()))));
        FIELDS.find(text)
    }

    pub fn label(self) -> Name {
        match self {
            PlanField::Name => Name {
                sv: "Provrummets namn",
                en: "Name",
                also: &["Namn", "Provrum"],
            },
            PlanField::Theme => Name {
                sv: "Tema",
                en: "Theme",
                also: &[],
            },
            PlanField::Purpose => Name {
                sv: "Syfte",
                en: "Purpose",
                also: &[],
            },
            PlanField::ExpectedResult => Name {
                sv: "Förväntat resultat",
                en: "Expected result",
                also: &[],
            },
            PlanField::MainQuestion => Name {
                sv: "Huvudfrågeställning",
                en: "Main question",
                also: &[],
            },
            PlanField::Delimitations => Name {
                sv: "Avgränsningar",
                en: "Delimitations",
                also: &["Avgränsning"],
            },
            PlanField::StartDate => Name {
                sv: "Startdatum",
                en: "Start date",
                also: &["Start"],
            },
            PlanField::EndDate => Name {
                sv: "Slutdatum",
                en: "End date",
                also: &["Slut"],
            },
            PlanField::Resources => Name {
                sv: "Resurser",
                en: "Resources",
                also: &[],
            },
            PlanField::SuccessCriteria => Name {
                sv: "Kriterier för ett lyckat resultat",
                en: "Success criteria",
                also: &["Kriterier för lyckat resultat", "Kriterier"],
            },
            PlanField::Indicators => Name {
                sv: "Indikatorer",
                en: "Indicators",
                also: &["Tecken/indikatorer"],
            },
        }
    }

    /// What a person fills in (the template's explanatory column), with the numbers of `rules`.
    pub fn hint(self, rules: &crate::RuleSet) -> Text {
        let (sv, en) = match self {
            PlanField::Name => (
                "Ett kort namn på provrummet",
                "A short name for the provrum",
            ),
            PlanField::Theme => (
                "Sakfråga eller arbetssätt som provas",
                "The issue or way of working tried",
            ),
            PlanField::Purpose => ("Varför provrummet görs", "Why the provrum is run"),
            PlanField::ExpectedResult => (
                "Vad provrummet ska leda till",
                "What the provrum should lead to",
            ),
            PlanField::MainQuestion => (
                "Den fråga provrummet ska besvara",
                "The question the provrum answers",
            ),
            PlanField::Delimitations => ("Vad som inte ingår", "What is left out"),
            PlanField::StartDate => ("Datum, t.ex. 2025-03-01", "Date, e.g. 2025-03-01"),
            PlanField::EndDate => {
                let months = rules.months_span();
                return Text::new(
                    format!("Datum, {months} månader efter start"),
                    format!("Date, {months} months after the start"),
                );
            }
            PlanField::Resources => (
                "Personer, tid och annat som sätts in",
                "People, time and other resources",
            ),
            PlanField::SuccessCriteria => (
                "Hur ni vet att det lyckades (bör finnas)",
                "How you know it worked (recommended)",
            ),
            PlanField::Indicators => (
                "Tecken på utfallet (bör finnas)",
                "Signs of the outcome (recommended)",
            ),
        };
        Text::new(sv, en)
    }

    /// The fields the plan must contain (PLAN-1); the rest are recommended or optional.
    pub fn required(self) -> bool {
        matches!(
            self,
            PlanField::Purpose
                | PlanField::ExpectedResult
                | PlanField::MainQuestion
                | PlanField::Delimitations
                | PlanField::StartDate
                | PlanField::EndDate
                | PlanField::Resources
        )
    }

    pub fn is_date(self) -> bool {
        matches!(self, PlanField::StartDate | PlanField::EndDate)
    }
}

/// The columns of the Deltagare and Budget sheets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    Organisation,
    Kind,
    Role,
    Item,
    Category,
    Amount,
    Funder,
    Comment,
}

impl Column {
    pub const ALL: [Column; 8] = [
        Column::Organisation,
        Column::Kind,
        Column::Role,
        Column::Item,
        Column::Category,
        Column::Amount,
        Column::Funder,
        Column::Comment,
    ];

    /// The column a header cell names, if any.
    pub fn named(text: &str) -> Option<Column> {
        static COLUMNS: LazyLock<Lookup<Column>> =
            LazyLock::new(|| Lookup::new(Column::ALL.map(|c| (c, c.header()))));
        COLUMNS.find(text)
    }

    pub fn header(self) -> Name {
        match self {
            Column::Organisation => Name {
                sv: "Organisation",
                en: "Organisation",
                also: &["Organization", "Namn", "Name"],
            },
            Column::Kind => Name {
                sv: "Typ",
                en: "Kind",
                also: &["Type"],
            },
            Column::Role => Name {
                sv: "Roll",
                en: "Role",
                also: &[],
            },
            Column::Item => Name {
                sv: "Kostnadspost",
                en: "Item",
                also: &["Post", "Cost item"],
            },
            Column::Category => Name {
                sv: "Kategori",
                en: "Category",
                also: &[],
            },
            Column::Amount => Name {
                sv: "Belopp (kr)",
                en: "Amount (SEK)",
                also: &[
                    "Belopp",
                    "Belopp (sek)",
                    "Belopp, kr",
                    "Amount",
                    "Amount (kr)",
                ],
            },
            Column::Funder => Name {
                sv: "Finansiär",
                en: "Funder",
                also: &["Finansieras av", "Funded by"],
            },
            Column::Comment => Name {
                sv: "Kommentar",
                en: "Comment",
                also: &["Kommentarer", "Comments"],
            },
        }
    }

    pub fn required(self) -> bool {
        self != Column::Comment
    }
}

/// The funder that marks Reglab's base funding.
pub const FUNDER_REGLAB: Name = Name {
    sv: "Reglabs basfinansiering",
    en: "Reglab's base funding",
    also: &[
        "Reglab",
        "Reglab basfinansiering",
        "Reglab base funding",
        "Reglab\u{2019}s base funding",
        "Basfinansiering",
    ],
};
/// Words that mark a totals row, which is ignored.
pub const TOTALS: [&str; 3] = ["summa", "totalt", "total"];

/// How many rows from the top a header row may be found in.
pub const HEADER_ROWS: u32 = 20;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_header_and_label_names_one_thing_in_any_case_and_spacing() {
        // Building the tables asserts that no text names two columns or two fields.
        for column in Column::ALL {
            let h = column.header();
            for text in [h.sv, h.en].into_iter().chain(h.also.iter().copied()) {
                assert_eq!(
                    Column::named(&format!(" {}: ", text.to_uppercase())),
                    Some(column)
                );
            }
        }
        for field in PlanField::ALL {
            let l = field.label();
            for text in [l.sv, l.en].into_iter().chain(l.also.iter().copied()) {
                assert_eq!(PlanField::named(&format!("{text}\u{00A0}:")), Some(field));
            }
        }
        assert_eq!(Column::named("Summa"), None);
        // The names the template writes, and the older spellings still read.
        assert_eq!(
            PlanField::SuccessCriteria.label().sv,
            "Kriterier för ett lyckat resultat"
        );
        assert_eq!(
            PlanField::named("Kriterier för lyckat resultat"),
            Some(PlanField::SuccessCriteria)
        );
        assert_eq!(
            (FUNDER_REGLAB.sv, FUNDER_REGLAB.en),
            ("Reglabs basfinansiering", "Reglab's base funding")
        );
        for old in ["Reglab basfinansiering", "Reglab base funding"] {
            assert!(FUNDER_REGLAB.matches(old), "{old}");
        }
        assert_eq!(PlanField::named(""), None);
    }
}
