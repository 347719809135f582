//! Rules, findings and the compliance result (the JSON contract in docs/rules.md).

use crate::lang::{Lang, Text};
use crate::money::Ore;
use serde::{Deserialize, Serialize};

/// *måste / ska / max* is an error; *bör* is a warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Severity {
    Error,
    Warning,
}

/// A rule's short name, in Swedish and English, shown beside its id wherever a person reads it
/// ("BUD-4 För hög basfinansiering").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Title {
    pub sv: &'static str,
    pub en: &'static str,
}

impl Title {
    pub const fn new(sv: &'static str, en: &'static str) -> Title {
        Title { sv, en }
    }

    pub fn get(self, lang: Lang) -> &'static str {
        match lang {
            Lang::Sv => self.sv,
            Lang::En => self.en,
        }
    }
}

/// One rule of the catalogue: its stable id, its short title, its severity and the seed
/// sentence it enforces.
#[derive(Debug, PartialEq, Eq)]
pub struct Rule {
    pub id: &'static str,
    pub title: Title,
    pub severity: Severity,
    /// The sentence of the model the rule enforces; `None` for format rules no sentence states.
    pub source: Option<&'static str>,
}

/// Where a finding is: a sheet, and a cell when one cell is at fault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Location {
    pub sheet: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub cell: Option<String>,
}

impl Location {
    pub fn sheet(sheet: &str) -> Location {
        Location {
            sheet: sheet.to_string(),
            cell: None,
        }
    }

    pub fn cell(sheet: &str, row: u32, col: u32) -> Location {
        Location {
            sheet: sheet.to_string(),
            cell: Some(crate::sheet::a1(row, col)),
        }
    }

    /// `Budget!C9`, or the sheet's name alone.
    pub fn reference(&self) -> String {
        match &self.cell {
            Some(cell) => format!("{}!{cell}", self.sheet),
            None => self.sheet.clone(),
        }
    }
}

/// A rule that fired, with its message in both languages. Kept this way in storage so a result
/// can be shown later in either language. Written out with its rule's title in both languages
/// beside the id, taken from the catalogue whenever it is written; reading ignores it, so a
/// finding always shows the catalogue's title of the day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "WrittenFinding")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Finding {
    pub rule: String,
    pub severity: Severity,
    pub text: Text,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub location: Option<Location>,
    /// For a finding about a sum: every cell that adds to it (at most [`MAX_CELLS`]), so each can
    /// be marked; `location` is the first of them. Absent for a finding about one place.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub cells: Vec<Location>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub source: Option<String>,
}

/// A [`Finding`] as it is written: the same, with its rule's title.
#[derive(Serialize)]
struct WrittenFinding {
    rule: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<Text>,
    severity: Severity,
    text: Text,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    cells: Vec<Location>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<String>,
}

impl From<Finding> for WrittenFinding {
    fn from(f: Finding) -> WrittenFinding {
        WrittenFinding {
            title: crate::rule(&f.rule).map(|r| Text::new(r.title.sv, r.title.en)),
            rule: f.rule,
            severity: f.severity,
            text: f.text,
            location: f.location,
            cells: f.cells,
            source: f.source,
        }
    }
}

/// The most contributing cells a finding lists: a sum over a longer budget names its first ones,
/// so that a stored finding stays small.
pub const MAX_CELLS: usize = 100;

impl Finding {
    pub fn new(rule: &Rule, text: Text) -> Finding {
        Finding {
            rule: rule.id.to_string(),
            severity: rule.severity,
            text,
            location: None,
            cells: Vec::new(),
            source: rule.source.map(str::to_string),
        }
    }

    pub fn at(mut self, location: Location) -> Finding {
        self.location = Some(location);
        self
    }

    /// A finding about a sum: located at the first of `cells`, naming each (up to [`MAX_CELLS`]).
    pub fn summing(mut self, cells: impl IntoIterator<Item = Location>) -> Finding {
        self.cells = cells.into_iter().take(MAX_CELLS).collect();
        self.location = self.cells.first().cloned();
        self
    }

    pub fn render(&self, lang: Lang) -> RenderedFinding {
        RenderedFinding {
            rule: self.rule.clone(),
            title: crate::rule(&self.rule)
                .map(|r| r.title.get(lang).to_string())
                .unwrap_or_default(),
            severity: self.severity,
            message: self.text.get(lang).to_string(),
            location: self.location.clone(),
            cells: self.cells.clone(),
            source: self.source.clone(),
        }
    }
}

/// `ok` (no findings), `warnings` (warnings only) or `errors`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Verdict {
    Ok,
    Warnings,
    Errors,
}

impl Verdict {
    /// Its name on the wire: `ok`, `warnings` or `errors`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::Warnings => "warnings",
            Verdict::Errors => "errors",
        }
    }

    pub fn of(findings: &[Finding]) -> Verdict {
        if findings.iter().any(|f| f.severity == Severity::Error) {
            Verdict::Errors
        } else if findings.is_empty() {
            Verdict::Ok
        } else {
            Verdict::Warnings
        }
    }
}

/// The numbers of a checked workbook.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Summary {
    pub total_budget_ore: Ore,
    pub base_funding_ore: Ore,
    pub participants: u32,
    pub regions: u32,
}

/// The outcome of a check, with both languages kept: what the store keeps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub ruleset: String,
    pub summary: Summary,
    pub findings: Vec<Finding>,
}

impl Report {
    pub fn verdict(&self) -> Verdict {
        Verdict::of(&self.findings)
    }

    pub fn errors(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count()
    }

    pub fn warnings(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Warning)
            .count()
    }

    /// The compliance result in one language: exactly the JSON contract of docs/rules.md.
    pub fn render(&self, lang: Lang) -> Compliance {
        Compliance {
            verdict: self.verdict(),
            ruleset: self.ruleset.clone(),
            summary: self.summary,
            findings: self.findings.iter().map(|f| f.render(lang)).collect(),
        }
    }
}

/// The compliance result (docs/rules.md): what clients receive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Compliance {
    pub verdict: Verdict,
    pub ruleset: String,
    pub summary: Summary,
    pub findings: Vec<RenderedFinding>,
}

/// A finding in one language, as in the compliance result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RenderedFinding {
    pub rule: String,
    /// The rule's short name ("För hög basfinansiering"), in the same language.
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub title: String,
    pub severity: Severity,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub location: Option<Location>,
    /// For a finding about a sum: every cell that adds to it (at most 100); `location` is the
    /// first. Absent for a finding about one place.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub cells: Vec<Location>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub source: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_verdicts_name_is_its_name_on_the_wire() {
        for verdict in [Verdict::Ok, Verdict::Warnings, Verdict::Errors] {
            assert_eq!(
                serde_json::to_value(verdict).ok(),
                Some(serde_json::json!(verdict.as_str()))
            );
        }
    }

    const RULE: Rule = Rule {
        id: "BUD-4",
        title: Title::new("För hög basfinansiering", "Too much base funding"),
        severity: Severity::Error,
        source: None,
    };

    /// A sum over a long budget names its first [`MAX_CELLS`] cells: a stored finding (a
    /// provrum's `blocking`) stays small however long the budget.
    #[test]
    fn a_finding_about_a_sum_names_at_most_max_cells() {
        let cells = (0..MAX_CELLS as u32 + 50).map(|row| Location::cell("Budget", row, 2));
        let finding = Finding::new(&RULE, Text::new("s", "e")).summing(cells);
        assert_eq!(finding.cells.len(), MAX_CELLS);
        assert_eq!(
            finding.location.as_ref().map(Location::reference),
            Some("Budget!C1".to_string())
        );
        let json = serde_json::to_value(finding.render(Lang::En)).expect("json");
        assert_eq!(json["cells"].as_array().map(Vec::len), Some(MAX_CELLS));
    }

    #[test]
    fn a_finding_about_one_place_has_no_cells_in_its_json() {
        let finding = Finding::new(&RULE, Text::new("s", "e")).at(Location::sheet("Budget"));
        let json = serde_json::to_value(finding.render(Lang::Sv)).expect("json");
        assert!(json.get("cells").is_none(), "{json}");
    }
}
