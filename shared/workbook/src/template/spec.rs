//! The template as data: what the Google Sheets add-on paints into an open spreadsheet
//! (`GET /template.json`). Built from the same layout table, texts and constants as the .xlsx
//! template, so the two cannot drift apart; a test reads the .xlsx back and compares.
//!
//! Rows and columns are given as A1 references, as a spreadsheet person reads them.

use super::{
    BUDGET_ROWS, BUDGET_WIDTHS, DATE_FORMAT, HEADER_FILL, HEADER_ROW, INTRO_COLOUR, INTRO_HEIGHT,
    KRONOR_FORMAT, LISTS_SHEET, PARTICIPANT_ROWS, PARTICIPANT_WIDTHS, PLAN_FIRST_ROW,
    PLAN_INTRO_HEIGHT, PLAN_WIDTHS, amount_message, budget_intro, date_help, date_message,
    funder_formula, funder_message, list_message, participants_intro, plan_intro, plan_note,
    plan_row_height, plan_title, t,
};
use provrum_rules::Lang;
use provrum_rules::layout::{Column, FUNDER_REGLAB, PlanField, SheetKind, TEMPLATE_VERSION};
use provrum_rules::model::{
    Category, KIND_MEMBER, KIND_PARTNER, KIND_REGION, ROLE_LEADER, ROLE_PARTICIPANT,
};
use provrum_rules::sheet::a1;
use serde::Serialize;

/// The whole template.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Spec {
    pub version: u32,
    pub lang: &'static str,
    /// How each named style looks.
    pub styles: Vec<Style>,
    /// In workbook order.
    pub sheets: Vec<SheetSpec>,
}

/// A named look for cells.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Style {
    pub name: &'static str,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub bold: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub italic: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub wrap: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub font_size: Option<u32>,
    /// `#rrggbb`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub background: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number_format: Option<&'static str>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub border: bool,
}

/// One sheet.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SheetSpec {
    /// `plan`, `participants`, `budget` or `lists`.
    pub key: &'static str,
    pub name: String,
    pub hidden: bool,
    pub frozen_rows: u32,
    /// Column widths in characters, from column A.
    pub column_widths: Vec<f64>,
    pub row_heights: Vec<RowHeight>,
    pub cells: Vec<CellSpec>,
    pub validations: Vec<Validation>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RowHeight {
    /// 1-based, as shown in the sheet.
    pub row: u32,
    pub points: f64,
}

/// A cell or range: a value or formula, a style, a note, or a merge.
#[derive(Debug, Clone, Serialize, Default, utoipa::ToSchema)]
pub struct CellSpec {
    /// `A1` or `A1:B2`.
    pub range: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub formula: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub style: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub merge: bool,
}

/// A data-validation rule on a range.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Validation {
    /// One of these values (a dropdown).
    List {
        range: String,
        values: Vec<String>,
        /// Refuse other values (otherwise warn).
        strict: bool,
        help: String,
    },
    /// One of the values in another range (a dropdown that follows the sheet).
    ListFromRange {
        range: String,
        source: String,
        strict: bool,
        help: String,
    },
    /// A date after this one.
    DateAfter {
        range: String,
        date: &'static str,
        help: String,
    },
    /// A number greater than this one.
    NumberGreaterThan {
        range: String,
        value: f64,
        help: String,
    },
}

fn cell(row: u32, col: u32) -> String {
    a1(row, col)
}

fn span(row: u32, col: u32, last_row: u32, last_col: u32) -> String {
    format!("{}:{}", a1(row, col), a1(last_row, last_col))
}

/// `$A$1` for row 0, column 0.
fn absolute(row: u32, col: u32) -> String {
    let reference = a1(row, col);
    let digits = reference
        .find(|c: char| c.is_ascii_digit())
        .unwrap_or(reference.len());
    format!("${}${}", &reference[..digits], &reference[digits..])
}

fn hex(rgb: u32) -> String {
    format!("#{rgb:06x}")
}

fn styles() -> Vec<Style> {
    let plain = Style {
        name: "",
        bold: false,
        italic: false,
        wrap: false,
        font_size: None,
        color: None,
        background: None,
        number_format: None,
        border: false,
    };
    vec![
        Style {
            name: "title",
            bold: true,
            font_size: Some(14),
            ..plain.clone()
        },
        Style {
            name: "intro",
            italic: true,
            wrap: true,
            color: Some(hex(INTRO_COLOUR)),
            ..plain.clone()
        },
        Style {
            name: "header",
            bold: true,
            color: Some(hex(0xFF_FF_FF)),
            background: Some(hex(HEADER_FILL)),
            border: true,
            ..plain.clone()
        },
        Style {
            name: "label",
            bold: true,
            ..plain.clone()
        },
        Style {
            name: "value",
            wrap: true,
            border: true,
            ..plain.clone()
        },
        Style {
            name: "date",
            number_format: Some(DATE_FORMAT),
            border: true,
            ..plain.clone()
        },
        Style {
            name: "kronor",
            number_format: Some(KRONOR_FORMAT),
            border: true,
            ..plain.clone()
        },
        Style {
            name: "cell",
            border: true,
            ..plain.clone()
        },
        Style {
            name: "total",
            bold: true,
            number_format: Some(KRONOR_FORMAT),
            border: true,
            ..plain
        },
    ]
}

fn header_cells(columns: &[Column], lang: Lang) -> Vec<CellSpec> {
    columns
        .iter()
        .enumerate()
        .map(|(i, column)| CellSpec {
            range: cell(HEADER_ROW, i as u32),
            value: Some(column.header().get(lang).to_string()),
            style: Some("header"),
            ..CellSpec::default()
        })
        .collect()
}

fn plan(lang: Lang) -> SheetSpec {
    let mut cells = vec![
        CellSpec {
            range: cell(0, 0),
            value: Some(plan_title(lang)),
            style: Some("title"),
            ..CellSpec::default()
        },
        CellSpec {
            range: span(1, 0, 1, 1),
            value: Some(plan_intro(lang).to_string()),
            style: Some("intro"),
            merge: true,
            ..CellSpec::default()
        },
    ];
    let mut row_heights = vec![RowHeight {
        row: 2,
        points: PLAN_INTRO_HEIGHT,
    }];
    let mut date_rows = Vec::new();
    for (i, field) in PlanField::ALL.into_iter().enumerate() {
        let row = PLAN_FIRST_ROW + i as u32;
        row_heights.push(RowHeight {
            row: row + 1,
            points: plan_row_height(field),
        });
        cells.push(CellSpec {
            range: cell(row, 0),
            value: Some(field.label().get(lang).to_string()),
            style: Some("label"),
            note: Some(plan_note(field, lang)),
            ..CellSpec::default()
        });
        cells.push(CellSpec {
            range: cell(row, 1),
            style: Some(if field.is_date() { "date" } else { "value" }),
            ..CellSpec::default()
        });
        if field.is_date() {
            date_rows.push(row);
        }
    }
    let validations = match (date_rows.first(), date_rows.last()) {
        (Some(first), Some(last)) => vec![Validation::DateAfter {
            range: span(*first, 1, *last, 1),
            date: "2020-01-01",
            help: format!("{} {}", date_help(lang), date_message(lang)),
        }],
        _ => Vec::new(),
    };
    SheetSpec {
        key: "plan",
        name: SheetKind::Plan.name().get(lang).to_string(),
        hidden: false,
        frozen_rows: 0,
        column_widths: PLAN_WIDTHS.to_vec(),
        row_heights,
        cells,
        validations,
    }
}

/// The top of a table sheet: the merged intro above, the header row, and bordered cells for
/// rows `first..=last`.
fn table_cells(
    columns: &[Column],
    intro: &str,
    lang: Lang,
    first: u32,
    last: u32,
) -> Vec<CellSpec> {
    let last_col = columns.len() as u32 - 1;
    let mut cells = vec![CellSpec {
        range: span(0, 0, 0, last_col),
        value: Some(intro.to_string()),
        style: Some("intro"),
        merge: true,
        ..CellSpec::default()
    }];
    cells.extend(header_cells(columns, lang));
    cells.push(CellSpec {
        range: span(first, 0, last, last_col),
        style: Some("cell"),
        ..CellSpec::default()
    });
    cells
}

/// A table sheet (Deltagare, Budget): frozen under its header, a tall intro row.
fn table_sheet(
    key: &'static str,
    kind: SheetKind,
    lang: Lang,
    widths: &[f64],
    cells: Vec<CellSpec>,
    validations: Vec<Validation>,
) -> SheetSpec {
    SheetSpec {
        key,
        name: kind.name().get(lang).to_string(),
        hidden: false,
        frozen_rows: HEADER_ROW + 1,
        column_widths: widths.to_vec(),
        row_heights: vec![RowHeight {
            row: 1,
            points: INTRO_HEIGHT,
        }],
        cells,
        validations,
    }
}

fn participants(lang: Lang) -> SheetSpec {
    let columns = SheetKind::Participants.columns();
    let first = HEADER_ROW + 1;
    let last = HEADER_ROW + PARTICIPANT_ROWS;
    let cells = table_cells(columns, participants_intro(lang), lang, first, last);
    let words = |names: &[provrum_rules::layout::Name]| -> Vec<String> {
        names.iter().map(|n| n.get(lang).to_string()).collect()
    };
    let validations = vec![
        Validation::List {
            range: span(first, 1, last, 1),
            values: words(&[KIND_REGION, KIND_MEMBER, KIND_PARTNER]),
            strict: true,
            help: list_message(lang).to_string(),
        },
        Validation::List {
            range: span(first, 2, last, 2),
            values: words(&[ROLE_LEADER, ROLE_PARTICIPANT]),
            strict: true,
            help: list_message(lang).to_string(),
        },
    ];
    table_sheet(
        "participants",
        SheetKind::Participants,
        lang,
        &PARTICIPANT_WIDTHS,
        cells,
        validations,
    )
}

fn budget(lang: Lang) -> SheetSpec {
    let columns = SheetKind::Budget.columns();
    let first = HEADER_ROW + 1;
    let last = HEADER_ROW + BUDGET_ROWS;
    let amount = columns
        .iter()
        .position(|c| *c == Column::Amount)
        .unwrap_or(2) as u32;
    let mut cells = table_cells(columns, budget_intro(lang), lang, first, last);
    cells.push(CellSpec {
        range: span(first, amount, last, amount),
        style: Some("kronor"),
        ..CellSpec::default()
    });
    cells.push(CellSpec {
        range: cell(last + 1, 0),
        value: Some(t(lang, "Summa", "Total").to_string()),
        style: Some("label"),
        ..CellSpec::default()
    });
    cells.push(CellSpec {
        range: cell(last + 1, amount),
        formula: Some(format!("=SUM({})", span(first, amount, last, amount))),
        style: Some("total"),
        ..CellSpec::default()
    });
    let categories = Category::ALL
        .iter()
        .map(|c| c.name().get(lang).to_string())
        .collect();
    let validations = vec![
        Validation::List {
            range: span(first, 1, last, 1),
            values: categories,
            strict: true,
            help: list_message(lang).to_string(),
        },
        Validation::NumberGreaterThan {
            range: span(first, amount, last, amount),
            value: 0.0,
            help: amount_message(lang).to_string(),
        },
        Validation::ListFromRange {
            range: span(first, 3, last, 3),
            source: format!(
                "{LISTS_SHEET}!{}:{}",
                absolute(0, 0),
                absolute(PARTICIPANT_ROWS, 0)
            ),
            strict: false,
            help: funder_message(lang).to_string(),
        },
    ];
    table_sheet(
        "budget",
        SheetKind::Budget,
        lang,
        &BUDGET_WIDTHS,
        cells,
        validations,
    )
}

fn lists(lang: Lang) -> SheetSpec {
    let participants = SheetKind::Participants.name().get(lang);
    let mut cells = vec![CellSpec {
        range: cell(0, 0),
        value: Some(FUNDER_REGLAB.get(lang).to_string()),
        ..CellSpec::default()
    }];
    for i in 0..PARTICIPANT_ROWS {
        cells.push(CellSpec {
            range: cell(i + 1, 0),
            formula: Some(funder_formula(participants, i)),
            ..CellSpec::default()
        });
    }
    SheetSpec {
        key: "lists",
        name: LISTS_SHEET.to_string(),
        hidden: true,
        frozen_rows: 0,
        column_widths: Vec::new(),
        row_heights: Vec::new(),
        cells,
        validations: Vec::new(),
    }
}

/// The template in `lang`, as data.
pub fn spec(lang: Lang) -> Spec {
    Spec {
        version: TEMPLATE_VERSION,
        lang: match lang {
            Lang::Sv => "sv",
            Lang::En => "en",
        },
        styles: styles(),
        sheets: vec![plan(lang), participants(lang), budget(lang), lists(lang)],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use provrum_rules::sheet::Value;

    /// Every text the add-on paints is the text of the same cell in the .xlsx template, and
    /// every sheet and labelled cell of the .xlsx is in the spec: the two cannot drift apart.
    #[test]
    fn spec_and_xlsx_template_agree_cell_by_cell() -> Result<(), Box<dyn std::error::Error>> {
        for lang in [Lang::Sv, Lang::En] {
            let spec = spec(lang);
            let bytes = super::super::build(lang, None)?;
            let book = crate::read(&bytes, Some("mall.xlsx"))?;
            let names: Vec<&str> = book.sheets.iter().map(|s| s.name.as_str()).collect();
            let spec_names: Vec<&str> = spec.sheets.iter().map(|s| s.name.as_str()).collect();
            assert_eq!(names, spec_names, "{lang:?}");
            // The reader leaves the hidden list sheet's cells alone; the plan, participant and
            // budget sheets are the ones people fill in.
            for (sheet, spec_sheet) in book.sheets.iter().zip(&spec.sheets).take(3) {
                let mut painted = 0;
                for c in &spec_sheet.cells {
                    let Some(text) = &c.value else { continue };
                    let first = c.range.split(':').next().unwrap_or_default();
                    let found = sheet
                        .cells()
                        .iter()
                        .find(|x| a1(x.row, x.col) == first)
                        .map(|x| x.value.display());
                    assert_eq!(
                        found.as_deref(),
                        Some(text.as_str()),
                        "{}!{first}",
                        sheet.name
                    );
                    painted += 1;
                }
                for x in sheet.cells() {
                    if let Value::Text(text) = &x.value {
                        let at = a1(x.row, x.col);
                        assert!(
                            spec_sheet
                                .cells
                                .iter()
                                .any(|c| c.value.as_deref() == Some(text)
                                    && c.range.split(':').next() == Some(at.as_str())),
                            "{}!{at} = {text:?} is missing from the spec",
                            sheet.name
                        );
                    }
                }
                assert!(painted > 0, "{}", sheet.name);
            }
            let plan = &spec.sheets[0];
            assert!(
                plan.validations
                    .iter()
                    .any(|v| matches!(v, Validation::DateAfter { .. }))
            );
            let budget = &spec.sheets[2];
            assert!(budget.validations.iter().any(|v| matches!(
                v,
                Validation::ListFromRange { source, .. } if source == "Listor!$A$1:$A$21"
            )));
        }
        Ok(())
    }

    #[test]
    fn absolute_references() {
        assert_eq!(absolute(0, 0), "$A$1");
        assert_eq!(absolute(20, 27), "$AB$21");
    }
}
