//! PLAN: the project plan (Arbetsprocess).
//!
//! "I starten av ett provrum formuleras en enkel projektplan enligt en Reglab-mall."

use crate::finding::{Finding, Location, Rule, Severity, Title};
use crate::lang::Text;
use crate::layout::PlanField;
use crate::sheet::{Sheet, Value};
use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// PLAN-1 · a required plan field is empty: purpose, expected result, main question,
/// delimitations, start date, end date, resources (one finding per field).
pub const PLAN_1: Rule = Rule {
    id: "PLAN-1",
    title: Title::new(
        "Projektplanen är ofullständig",
        "The project plan is incomplete",
    ),
    severity: Severity::Error,
    source: Some(
        "Projektplanen innehåller syfte och förväntat resultat, huvudfrågeställning och avgränsningar, tidplan, budget och resurser.",
    ),
};

/// PLAN-2 · success criteria or indicators are missing.
pub const PLAN_2: Rule = Rule {
    id: "PLAN-2",
    title: Title::new(
        "Kriterier eller indikatorer saknas",
        "Criteria or indicators are missing",
    ),
    severity: Severity::Warning,
    source: Some(
        "Projektplanen bör innehålla kriterier för ett lyckat resultat, och någon typ av tecken/indikatorer på utfallet av provrumsförsöket.",
    ),
};

/// PLAN-3 · a date cannot be read, or the end date is not after the start date.
pub const PLAN_3: Rule = Rule {
    id: "PLAN-3",
    title: Title::new("Datumen går inte att använda", "The dates cannot be used"),
    severity: Severity::Error,
    source: None,
};

/// PLAN-4 · the workbook's name for the provrum (Provrummets namn) is not the stored provrum's
/// title (uploads to a stored provrum only): perhaps another provrum's workbook, perhaps a title
/// that changed.
pub const PLAN_4: Rule = Rule {
    id: "PLAN-4",
    title: Title::new(
        "Arbetsboken har ett annat namn",
        "The workbook has another name",
    ),
    severity: Severity::Warning,
    source: None,
};

/// The plan as read: each field's text (dates as ISO text) and the start and end dates.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub name: Option<String>,
    pub theme: Option<String>,
    pub fields: BTreeMap<String, String>,
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
    /// Where the end date was read (the schedule rules point there).
    #[serde(skip)]
    pub end_location: Option<Location>,
    /// Where the provrum's name was read or belongs (PLAN-4 points there).
    #[serde(skip)]
    pub name_location: Option<Location>,
}

impl Plan {
    /// Both dates, when both were read and the end is after the start.
    pub fn period(&self) -> Option<(NaiveDate, NaiveDate)> {
        match (self.start, self.end) {
            (Some(s), Some(e)) if e > s => Some((s, e)),
            _ => None,
        }
    }
}

fn field_key(field: PlanField) -> &'static str {
    match field {
        PlanField::Name => "name",
        PlanField::Theme => "theme",
        PlanField::Purpose => "purpose",
        PlanField::ExpectedResult => "expected_result",
        PlanField::MainQuestion => "main_question",
        PlanField::Delimitations => "delimitations",
        PlanField::StartDate => "start_date",
        PlanField::EndDate => "end_date",
        PlanField::Resources => "resources",
        PlanField::SuccessCriteria => "success_criteria",
        PlanField::Indicators => "indicators",
    }
}

/// Reads the plan sheet (a label, then its value in the first filled cell to its right) and
/// checks PLAN-1, PLAN-2 and PLAN-3.
pub fn check(sheet: &Sheet, findings: &mut Vec<Finding>) -> Plan {
    let mut found: BTreeMap<PlanField, (Option<&Value>, Location)> = BTreeMap::new();
    for (row, cells) in sheet.rows() {
        for (i, cell) in cells.iter().enumerate() {
            let Value::Text(text) = &cell.value else {
                continue;
            };
            let Some(field) = PlanField::named(text) else {
                continue;
            };
            if found.contains_key(&field) {
                continue;
            }
            let value = cells[i + 1..]
                .iter()
                .find(|c| !matches!(c.value, Value::Error(_)));
            let entry = match value {
                // A value that is itself another label means this one's value is empty.
                Some(v) if matches!(&v.value, Value::Text(t) if PlanField::named(t).is_some()) => {
                    (None, Location::cell(&sheet.name, row, cell.col + 1))
                }
                Some(v) => (Some(&v.value), Location::cell(&sheet.name, row, v.col)),
                None => (None, Location::cell(&sheet.name, row, cell.col + 1)),
            };
            found.insert(field, entry);
        }
    }

    let mut plan = Plan::default();
    for field in PlanField::ALL {
        let label = field.label();
        let (value, location) = match found.get(&field) {
            Some((value, location)) => (*value, location.clone()),
            None => (None, Location::sheet(&sheet.name)),
        };
        if field == PlanField::Name {
            plan.name_location = Some(location.clone());
        }
        let Some(value) = value else {
            let where_sv = match &location.cell {
                Some(cell) => format!("i {}!{cell}", sheet.name),
                None => format!("i bladet {} (raden {} saknas)", sheet.name, label.sv),
            };
            let where_en = match &location.cell {
                Some(cell) => format!("in {}!{cell}", sheet.name),
                None => format!("in the sheet {} (there is no row {})", sheet.name, label.en),
            };
            if field.required() {
                let (sv_it, en_is, en_it) = agreement(field);
                findings.push(
                    Finding::new(
                        &PLAN_1,
                        Text::new(
                            format!(
                                "{} saknas {where_sv}; projektplanen måste ange {sv_it}.",
                                label.sv
                            ),
                            format!(
                                "{} ({}) {en_is} missing {where_en}; the project plan must state {en_it}.",
                                label.en, label.sv
                            ),
                        ),
                    )
                    .at(location),
                );
            } else if matches!(field, PlanField::SuccessCriteria | PlanField::Indicators) {
                findings.push(
                    Finding::new(
                        &PLAN_2,
                        Text::new(
                            format!("{} saknas {where_sv}; projektplanen bör innehålla dem.", label.sv),
                            format!("{} ({}) are missing {where_en}; the project plan should contain them.", label.en, label.sv),
                        ),
                    )
                    .at(location),
                );
            }
            continue;
        };
        if field.is_date() {
            match read_date(value) {
                Some(date) => {
                    if field == PlanField::StartDate {
                        plan.start = Some(date);
                    } else {
                        plan.end = Some(date);
                        plan.end_location = Some(location.clone());
                    }
                    plan.fields
                        .insert(field_key(field).into(), date.format("%Y-%m-%d").to_string());
                }
                None => {
                    let shown = value.display();
                    findings.push(
                        Finding::new(
                            &PLAN_3,
                            Text::new(
                                format!("{} i {} går inte att läsa som ett datum (\"{shown}\"); skriv det som 2025-03-01.", label.sv, location.reference()),
                                format!("{} in {} cannot be read as a date (\"{shown}\"); write it as 2025-03-01.", label.en, location.reference()),
                            ),
                        )
                        .at(location),
                    );
                }
            }
            continue;
        }
        let text = value.display();
        match field {
            PlanField::Name => plan.name = Some(text.clone()),
            PlanField::Theme => plan.theme = Some(text.clone()),
            _ => {}
        }
        plan.fields.insert(field_key(field).into(), text);
    }

    if let (Some(start), Some(end)) = (plan.start, plan.end)
        && end <= start
    {
        let location = found
            .get(&PlanField::EndDate)
            .map(|(_, l)| l.clone())
            .unwrap_or_else(|| Location::sheet(&sheet.name));
        findings.push(
            Finding::new(
                &PLAN_3,
                Text::new(
                    format!(
                        "Slutdatumet {end} i {} ligger inte efter startdatumet {start}.",
                        location.reference()
                    ),
                    format!(
                        "The end date {end} in {} is not after the start date {start}.",
                        location.reference()
                    ),
                ),
            )
            .at(location),
        );
    }
    plan
}

/// PLAN-4: the plan's name for the provrum against the stored provrum's `title`, compared the
/// way a person reads them (case and spacing aside).
pub fn check_title(plan: &Plan, title: &str, findings: &mut Vec<Finding>) {
    let squash = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    let named = plan.name.as_deref().unwrap_or_default();
    if squash(named) == squash(title) {
        return;
    }
    let label = PlanField::Name.label();
    let text = if named.trim().is_empty() {
        Text::new(
            format!("{} är tomt; provrummet heter ”{title}”.", label.sv),
            format!("{} is empty; the provrum is called \"{title}\".", label.en),
        )
    } else {
        Text::new(
            format!(
                "Arbetsboken gäller ”{named}”, men provrummet heter ”{title}”; kontrollera att \
                 det är rätt provrums arbetsbok."
            ),
            format!(
                "The workbook is for \"{named}\", but the provrum is called \"{title}\"; check \
                 that it is the right provrum's workbook."
            ),
        )
    };
    let mut finding = Finding::new(&PLAN_4, text);
    finding.location = plan.name_location.clone();
    findings.push(finding);
}

/// How a message refers back to a required field: the Swedish pronoun that agrees with its label
/// (*den* huvudfrågeställningen, *det* syftet, *dem* avgränsningarna), and the English verb and
/// pronoun.
fn agreement(field: PlanField) -> (&'static str, &'static str, &'static str) {
    match field {
        PlanField::Delimitations | PlanField::Resources => ("dem", "are", "them"),
        PlanField::MainQuestion => ("den", "is", "it"),
        _ => ("det", "is", "it"),
    }
}

/// An Excel date cell, an ISO text date (`2025-03-01`, optionally with a time), or a plain number
/// that is an Excel date serial.
pub fn read_date(value: &Value) -> Option<NaiveDate> {
    match value {
        Value::Date(d) => Some(*d),
        Value::Number(n) if n.is_finite() && (1.0..=2_958_465.0).contains(n) => {
            NaiveDate::from_ymd_opt(1899, 12, 30)?.checked_add_days(Days::new(n.trunc() as u64))
        }
        Value::Text(t) => {
            let t = t.trim();
            let date_part = t.split(['T', ' ']).next().unwrap_or(t);
            if date_part.len() < 8
                || date_part.len() > 10
                || !date_part.chars().next().is_some_and(|c| c.is_ascii_digit())
            {
                return None;
            }
            NaiveDate::parse_from_str(date_part, "%Y-%m-%d").ok()
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sheet::Cell;

    /// A plan sheet with every label in column A; `value` gives column B (`None`: left empty).
    fn sheet(value: impl Fn(PlanField) -> Option<Value>) -> Sheet {
        let mut cells = Vec::new();
        for (row, field) in PlanField::ALL.into_iter().enumerate() {
            let row = row as u32;
            cells.push(Cell {
                row,
                col: 0,
                value: Value::Text(field.label().sv.into()),
            });
            if let Some(v) = value(field) {
                cells.push(Cell {
                    row,
                    col: 1,
                    value: v,
                });
            }
        }
        Sheet::new("Projektplan", cells)
    }

    fn date(m: u32, d: u32) -> Value {
        Value::Date(NaiveDate::from_ymd_opt(2025, m, d).expect("date"))
    }

    fn filled(field: PlanField) -> Option<Value> {
        Some(match field {
            PlanField::StartDate => date(3, 1),
            PlanField::EndDate => date(6, 30),
            _ => Value::Text("Text".into()),
        })
    }

    fn texts(findings: &[Finding], rule: &str) -> Vec<(String, String)> {
        findings
            .iter()
            .filter(|f| f.rule == rule)
            .map(|f| (f.text.sv.clone(), f.text.en.clone()))
            .collect()
    }

    #[test]
    fn plan_1_refers_back_to_each_field_with_the_pronoun_that_agrees() {
        let empty = [
            PlanField::Purpose,
            PlanField::MainQuestion,
            PlanField::Delimitations,
            PlanField::Resources,
        ];
        let mut findings = Vec::new();
        check(
            &sheet(|f| if empty.contains(&f) { None } else { filled(f) }),
            &mut findings,
        );
        let pair = |sv: &str, en: &str| (sv.to_string(), en.to_string());
        assert_eq!(
            texts(&findings, "PLAN-1"),
            [
                pair(
                    "Syfte saknas i Projektplan!B3; projektplanen måste ange det.",
                    "Purpose (Syfte) is missing in Projektplan!B3; the project plan must state it."
                ),
                pair(
                    "Huvudfrågeställning saknas i Projektplan!B5; projektplanen måste ange den.",
                    "Main question (Huvudfrågeställning) is missing in Projektplan!B5; the project plan must state it."
                ),
                pair(
                    "Avgränsningar saknas i Projektplan!B6; projektplanen måste ange dem.",
                    "Delimitations (Avgränsningar) are missing in Projektplan!B6; the project plan must state them."
                ),
                pair(
                    "Resurser saknas i Projektplan!B9; projektplanen måste ange dem.",
                    "Resources (Resurser) are missing in Projektplan!B9; the project plan must state them."
                ),
            ]
        );
    }

    #[test]
    fn plan_2_names_the_criteria_for_a_successful_result() {
        let mut findings = Vec::new();
        check(
            &sheet(|f| {
                if f == PlanField::SuccessCriteria {
                    None
                } else {
                    filled(f)
                }
            }),
            &mut findings,
        );
        assert_eq!(
            texts(&findings, "PLAN-2"),
            [(
                "Kriterier för ett lyckat resultat saknas i Projektplan!B10; projektplanen bör innehålla dem.".to_string(),
                "Success criteria (Kriterier för ett lyckat resultat) are missing in Projektplan!B10; the project plan should contain them.".to_string()
            )]
        );
    }

    #[test]
    fn plan_3_says_the_end_date_does_not_lie_after_the_start_date() {
        let mut findings = Vec::new();
        check(
            &sheet(|f| {
                if f == PlanField::EndDate {
                    Some(date(2, 1))
                } else {
                    filled(f)
                }
            }),
            &mut findings,
        );
        assert_eq!(
            texts(&findings, "PLAN-3"),
            [(
                "Slutdatumet 2025-02-01 i Projektplan!B8 ligger inte efter startdatumet 2025-03-01.".to_string(),
                "The end date 2025-02-01 in Projektplan!B8 is not after the start date 2025-03-01.".to_string()
            )]
        );
    }
}
