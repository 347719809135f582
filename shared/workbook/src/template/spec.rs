//! The blank template, written once: its sheets, cells, texts, styles, validations, widths and
//! formats as one value. The Google Sheets add-on gets it serialised (`GET /template.json`) and
//! paints it into an open spreadsheet; [`super::build`] walks the same value to write the .xlsx.
//! What only an .xlsx has (a border's weight, alignment, a validation's titles, the value a
//! formula shows before it is recalculated) are fields the JSON leaves out.
//!
//! Every number of the model in a text comes from the [`RuleSet`] the template is built for.
//! Rows and columns are given as A1 references, as a spreadsheet person reads them.

use chrono::NaiveDate;
use provrum_rules::layout::{Column, FUNDER_REGLAB, Name, PlanField, SheetKind, TEMPLATE_VERSION};
use provrum_rules::model::{
    Category, KIND_MEMBER, KIND_PARTNER, KIND_REGION, ROLE_LEADER, ROLE_PARTICIPANT,
};
use provrum_rules::sheet::a1;
use provrum_rules::{Lang, RuleSet};
use serde::{Serialize, Serializer};

/// Rows of the Deltagare and Budget sheets that get dropdowns and formats.
pub(crate) const PARTICIPANT_ROWS: u32 = 20;
pub(crate) const BUDGET_ROWS: u32 = 100;
/// The header row of the table sheets (0-based; row 3 as a person counts).
pub(crate) const HEADER_ROW: u32 = 2;
/// The first plan label's row (0-based).
pub(crate) const PLAN_FIRST_ROW: u32 = 3;
const LISTS_SHEET: &str = "Listor";
/// Column widths in characters, per sheet.
const PLAN_WIDTHS: [f64; 2] = [30.0, 70.0];
const PARTICIPANT_WIDTHS: [f64; 3] = [40.0, 14.0, 14.0];
const BUDGET_WIDTHS: [f64; 5] = [36.0, 30.0, 16.0, 30.0, 40.0];
/// Row heights in points: the intro rows, and the plan's rows by how much text they take.
const INTRO_HEIGHT: f64 = 48.0;
const PLAN_INTRO_HEIGHT: f64 = 45.0;
const HEADER_FILL: Rgb = Rgb(0x1F_4E_79);
const INTRO_COLOUR: Rgb = Rgb(0x59_59_59);
const WHITE: Rgb = Rgb(0xFF_FF_FF);
const DATE_FORMAT: &str = "yyyy-mm-dd";
const KRONOR_FORMAT: &str = "#,##0 \"kr\"";
/// The earliest date a plan's date cells accept.
const FIRST_DATE: NaiveDate = match NaiveDate::from_ymd_opt(2020, 1, 1) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

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

impl Spec {
    /// The style a cell names.
    pub fn style(&self, name: &str) -> Option<&Style> {
        self.styles.iter().find(|s| s.name == name)
    }
}

/// A colour, written `#rrggbb`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u32);

impl Serialize for Rgb {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("#{:06x}", self.0))
    }
}

/// A cell's border: the add-on draws one kind; an .xlsx draws the total's double.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Border {
    Thin,
    Double,
}

/// Where text sits in its cell in an .xlsx (the add-on puts all text at the top).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Top,
    Left,
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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub color: Option<Rgb>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub background: Option<Rgb>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number_format: Option<&'static str>,
    /// `true` in the JSON when there is one.
    #[schema(value_type = Option<bool>)]
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "serialize_drawn"
    )]
    pub border: Option<Border>,
    #[serde(skip)]
    pub align: Option<Align>,
}

fn serialize_drawn<S: Serializer>(border: &Option<Border>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_bool(border.is_some())
}

/// One sheet.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SheetSpec {
    /// `plan`, `participants`, `budget` or `lists`.
    pub key: &'static str,
    pub name: String,
    pub hidden: bool,
    /// The rows above the table that stay in view; the last of them is the header, which an
    /// .xlsx also prints on every page.
    pub frozen_rows: u32,
    /// Column widths in characters, from column A.
    pub column_widths: Vec<f64>,
    pub row_heights: Vec<RowHeight>,
    /// Painted in order: a later cell's style wins over an earlier range's.
    pub cells: Vec<CellSpec>,
    pub validations: Vec<Validation>,
}

impl SheetSpec {
    /// The style of the cell at `row`, `col` (0-based): that of the last range over it.
    pub fn style_at(&self, row: u32, col: u32) -> Option<&'static str> {
        self.cells
            .iter()
            .rev()
            .filter(|c| c.range.contains(row, col))
            .find_map(|c| c.style)
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RowHeight {
    /// 1-based, as shown in the sheet.
    pub row: u32,
    pub points: f64,
}

/// A cell or a rectangle of cells (0-based, inclusive), written `A1` or `A1:B2`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Range {
    pub row: u32,
    pub col: u32,
    pub last_row: u32,
    pub last_col: u32,
}

impl Range {
    pub fn cell(row: u32, col: u32) -> Range {
        Range {
            row,
            col,
            last_row: row,
            last_col: col,
        }
    }

    pub fn span(row: u32, col: u32, last_row: u32, last_col: u32) -> Range {
        Range {
            row,
            col,
            last_row,
            last_col,
        }
    }

    pub fn contains(&self, row: u32, col: u32) -> bool {
        (self.row..=self.last_row).contains(&row) && (self.col..=self.last_col).contains(&col)
    }

    /// `A1`, or `A1:B2` for more than one cell.
    pub fn a1(&self) -> String {
        if self.row == self.last_row && self.col == self.last_col {
            a1(self.row, self.col)
        } else {
            format!(
                "{}:{}",
                a1(self.row, self.col),
                a1(self.last_row, self.last_col)
            )
        }
    }

    /// `$A$1:$A$21`.
    pub fn absolute(&self) -> String {
        let first = absolute(self.row, self.col);
        if self.row == self.last_row && self.col == self.last_col {
            first
        } else {
            format!("{first}:{}", absolute(self.last_row, self.last_col))
        }
    }
}

impl Serialize for Range {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.a1())
    }
}

/// `$A$1` for row 0, column 0.
fn absolute(row: u32, col: u32) -> String {
    let reference = a1(row, col);
    let digits = reference
        .find(|c: char| c.is_ascii_digit())
        .unwrap_or(reference.len());
    format!("${}${}", &reference[..digits], &reference[digits..])
}

/// A cell or range: a value or formula, a style, a note, or a merge.
#[derive(Debug, Clone, Serialize, Default, utoipa::ToSchema)]
pub struct CellSpec {
    pub range: Range,
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
    /// What a formula shows in an .xlsx until it is recalculated (Sheets calculates at once).
    #[serde(skip)]
    pub cached: String,
}

/// What a validated cell tells a person. The add-on shows it as one help text (`help`); an
/// .xlsx shows `input` when the cell is selected and `title` with `error` on a wrong value.
#[derive(Debug, Clone)]
pub struct Help {
    pub title: &'static str,
    pub input: Option<&'static str>,
    pub error: &'static str,
}

impl Help {
    /// The one text the add-on shows.
    pub fn text(&self) -> String {
        match self.input {
            Some(input) => format!("{input} {}", self.error),
            None => self.error.to_string(),
        }
    }
}

impl Serialize for Help {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text())
    }
}

/// A data-validation rule on a range.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Validation {
    /// One of these values (a dropdown).
    List {
        range: Range,
        values: Vec<String>,
        /// Refuse other values (otherwise warn).
        strict: bool,
        help: Help,
    },
    /// One of the values in another range (a dropdown that follows the sheet).
    ListFromRange {
        range: Range,
        /// `Sheet!$A$1:$A$21`
        source: String,
        strict: bool,
        help: Help,
    },
    /// A date after this one.
    DateAfter {
        range: Range,
        date: NaiveDate,
        help: Help,
    },
    /// A number greater than this one.
    NumberGreaterThan {
        range: Range,
        value: f64,
        help: Help,
    },
}

impl Validation {
    pub fn range(&self) -> Range {
        match self {
            Validation::List { range, .. }
            | Validation::ListFromRange { range, .. }
            | Validation::DateAfter { range, .. }
            | Validation::NumberGreaterThan { range, .. } => *range,
        }
    }
}

pub(crate) fn t(lang: Lang, sv: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Sv => sv,
        Lang::En => en,
    }
}

/// The plan sheet's title.
fn plan_title(lang: Lang) -> String {
    match lang {
        Lang::Sv => format!("Projektplan för Reglabs provrum (mallversion {TEMPLATE_VERSION})"),
        Lang::En => {
            format!("Project plan for a Reglab provrum (template version {TEMPLATE_VERSION})")
        }
    }
}

/// What the plan sheet asks for.
fn plan_intro(lang: Lang, rules: &RuleSet) -> String {
    let months = rules.months_span();
    match lang {
        Lang::Sv => format!(
            "Skriv i kolumn B, bredvid varje rubrik. Syfte, förväntat resultat, huvudfrågeställning, avgränsningar, datum och resurser måste finnas; kriterier och indikatorer bör finnas. Tidplanen bör vara {months} månader."
        ),
        Lang::En => format!(
            "Write in column B, next to each label. Purpose, expected result, main question, delimitations, dates and resources are required; success criteria and indicators are recommended. The schedule should be {months} months."
        ),
    }
}

/// What the participants sheet asks for.
fn participants_intro(lang: Lang, rules: &RuleSet) -> String {
    let count = rules.participants_span();
    let regions = rules.min_region_share.words(lang);
    match lang {
        Lang::Sv => format!(
            "En rad per deltagande organisation ({count}, minst {regions} bör vara regioner). Exakt en ska ha rollen Ledare, och provrumsledaren får inte ha typen Partner."
        ),
        Lang::En => format!(
            "One row per participating organisation ({count}, at least {regions} should be regions). Exactly one has the role Leader, and the leader may not be of the kind Partner."
        ),
    }
}

/// What the budget sheet asks for.
fn budget_intro(lang: Lang, rules: &RuleSet) -> String {
    let max = rules.base_funding_max;
    let share = rules.base_funding_max_share.words(lang);
    match lang {
        Lang::Sv => format!(
            "En rad per kostnadspost, belopp i hela kronor. Reglabs basfinansiering är högst {max} och högst {share} av budgeten, och får inte användas till arbetstid. Budgetera gärna för expertstöd."
        ),
        Lang::En => format!(
            "One row per cost item, amounts in whole kronor. Reglab's base funding is at most {max} and at most {share} of the budget, and does not pay for working time. Do budget for expert support."
        ),
    }
}

/// The help of a dropdown.
fn list_help(lang: Lang) -> Help {
    Help {
        title: t(lang, "Välj från listan", "Choose from the list"),
        input: None,
        error: t(
            lang,
            "Välj ett av värdena i listan.",
            "Choose one of the values in the list.",
        ),
    }
}

/// The help of the date cells.
fn date_help(lang: Lang) -> Help {
    Help {
        title: t(lang, "Datum", "Date"),
        input: Some(t(
            lang,
            "Skriv datum som ÅÅÅÅ-MM-DD, t.ex. 2025-03-01.",
            "Write dates as YYYY-MM-DD, e.g. 2025-03-01.",
        )),
        error: t(
            lang,
            "Skriv ett datum, t.ex. 2025-03-01.",
            "Enter a date, e.g. 2025-03-01.",
        ),
    }
}

/// The help when an amount is not a positive number.
fn amount_help(lang: Lang) -> Help {
    Help {
        title: t(lang, "Belopp", "Amount"),
        input: None,
        error: t(
            lang,
            "Skriv ett belopp större än noll, i hela kronor.",
            "Enter an amount greater than zero, in whole kronor.",
        ),
    }
}

/// The warning when the funder is not Reglab or a participant.
fn funder_help(lang: Lang) -> Help {
    Help {
        title: t(lang, "Finansiär", "Funder"),
        input: None,
        error: t(
            lang,
            "Finansiären bör vara Reglab eller en deltagande organisation.",
            "The funder should be Reglab or a participating organisation.",
        ),
    }
}

/// The note on a plan label: what to write, and whether it is required.
fn plan_note(field: PlanField, lang: Lang, rules: &RuleSet) -> String {
    let mut note = field.hint(rules).get(lang).to_string();
    if field.required() {
        note.push_str(t(lang, " (måste fyllas i)", " (required)"));
    }
    note
}

/// Room for two or three lines of text; names and dates need one.
fn plan_row_height(field: PlanField) -> f64 {
    match field {
        PlanField::Name | PlanField::Theme | PlanField::StartDate | PlanField::EndDate => 20.0,
        _ => 45.0,
    }
}

/// The formula of the funder list's row `i` (0-based): the i-th participant's name, if any.
fn funder_formula(participants: &str, i: u32) -> String {
    let source_row = HEADER_ROW + 2 + i; // 1-based row of the i-th participant
    format!("=IF('{participants}'!A{source_row}=\"\",\"\",'{participants}'!A{source_row})")
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
        border: None,
        align: None,
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
            color: Some(INTRO_COLOUR),
            ..plain.clone()
        },
        Style {
            name: "header",
            bold: true,
            color: Some(WHITE),
            background: Some(HEADER_FILL),
            border: Some(Border::Thin),
            ..plain.clone()
        },
        Style {
            name: "label",
            bold: true,
            align: Some(Align::Top),
            ..plain.clone()
        },
        Style {
            name: "value",
            wrap: true,
            border: Some(Border::Thin),
            align: Some(Align::Top),
            ..plain.clone()
        },
        Style {
            name: "date",
            number_format: Some(DATE_FORMAT),
            border: Some(Border::Thin),
            align: Some(Align::Left),
            ..plain.clone()
        },
        Style {
            name: "kronor",
            number_format: Some(KRONOR_FORMAT),
            border: Some(Border::Thin),
            ..plain.clone()
        },
        Style {
            name: "cell",
            border: Some(Border::Thin),
            ..plain.clone()
        },
        Style {
            name: "total",
            bold: true,
            number_format: Some(KRONOR_FORMAT),
            border: Some(Border::Double),
            ..plain
        },
    ]
}

fn plan(lang: Lang, rules: &RuleSet) -> SheetSpec {
    let mut cells = vec![
        CellSpec {
            range: Range::cell(0, 0),
            value: Some(plan_title(lang)),
            style: Some("title"),
            ..CellSpec::default()
        },
        CellSpec {
            range: Range::span(1, 0, 1, 1),
            value: Some(plan_intro(lang, rules)),
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
            range: Range::cell(row, 0),
            value: Some(field.label().get(lang).to_string()),
            style: Some("label"),
            note: Some(plan_note(field, lang, rules)),
            ..CellSpec::default()
        });
        cells.push(CellSpec {
            range: Range::cell(row, 1),
            style: Some(if field.is_date() { "date" } else { "value" }),
            ..CellSpec::default()
        });
        if field.is_date() {
            date_rows.push(row);
        }
    }
    let validations = match (date_rows.first(), date_rows.last()) {
        (Some(first), Some(last)) => vec![Validation::DateAfter {
            range: Range::span(*first, 1, *last, 1),
            date: FIRST_DATE,
            help: date_help(lang),
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
    intro: String,
    lang: Lang,
    first: u32,
    last: u32,
) -> Vec<CellSpec> {
    let last_col = columns.len().saturating_sub(1) as u32;
    let mut cells = vec![CellSpec {
        range: Range::span(0, 0, 0, last_col),
        value: Some(intro),
        style: Some("intro"),
        merge: true,
        ..CellSpec::default()
    }];
    cells.extend(columns.iter().enumerate().map(|(i, column)| CellSpec {
        range: Range::cell(HEADER_ROW, i as u32),
        value: Some(column.header().get(lang).to_string()),
        style: Some("header"),
        ..CellSpec::default()
    }));
    cells.push(CellSpec {
        range: Range::span(first, 0, last, last_col),
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

fn participants(lang: Lang, rules: &RuleSet) -> SheetSpec {
    let columns = SheetKind::Participants.columns();
    let first = HEADER_ROW + 1;
    let last = HEADER_ROW + PARTICIPANT_ROWS;
    let cells = table_cells(columns, participants_intro(lang, rules), lang, first, last);
    let words =
        |names: &[Name]| -> Vec<String> { names.iter().map(|n| n.get(lang).to_string()).collect() };
    let validations = vec![
        Validation::List {
            range: Range::span(first, 1, last, 1),
            values: words(&[KIND_REGION, KIND_MEMBER, KIND_PARTNER]),
            strict: true,
            help: list_help(lang),
        },
        Validation::List {
            range: Range::span(first, 2, last, 2),
            values: words(&[ROLE_LEADER, ROLE_PARTICIPANT]),
            strict: true,
            help: list_help(lang),
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

fn budget(lang: Lang, rules: &RuleSet) -> SheetSpec {
    let columns = SheetKind::Budget.columns();
    let first = HEADER_ROW + 1;
    let last = HEADER_ROW + BUDGET_ROWS;
    let amount = columns
        .iter()
        .position(|c| *c == Column::Amount)
        .unwrap_or(2) as u32;
    let amounts = Range::span(first, amount, last, amount);
    let mut cells = table_cells(columns, budget_intro(lang, rules), lang, first, last);
    cells.push(CellSpec {
        range: amounts,
        style: Some("kronor"),
        ..CellSpec::default()
    });
    // A totals row under the lines (the reader skips it, as it skips any Summa row).
    cells.push(CellSpec {
        range: Range::cell(last + 1, 0),
        value: Some(t(lang, "Summa", "Total").to_string()),
        style: Some("label"),
        ..CellSpec::default()
    });
    cells.push(CellSpec {
        range: Range::cell(last + 1, amount),
        formula: Some(format!("=SUM({})", amounts.a1())),
        style: Some("total"),
        cached: "0".into(),
        ..CellSpec::default()
    });
    let categories = Category::ALL
        .iter()
        .map(|c| c.name().get(lang).to_string())
        .collect();
    let validations = vec![
        Validation::List {
            range: Range::span(first, 1, last, 1),
            values: categories,
            strict: true,
            help: list_help(lang),
        },
        Validation::NumberGreaterThan {
            range: amounts,
            value: 0.0,
            help: amount_help(lang),
        },
        Validation::ListFromRange {
            range: Range::span(first, 3, last, 3),
            source: format!(
                "{LISTS_SHEET}!{}",
                Range::span(0, 0, PARTICIPANT_ROWS, 0).absolute()
            ),
            strict: false,
            help: funder_help(lang),
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

/// A hidden sheet with the funder choices: Reglab's base funding and the participants' names.
fn lists(lang: Lang) -> SheetSpec {
    let participants = SheetKind::Participants.name().get(lang);
    let mut cells = vec![CellSpec {
        range: Range::cell(0, 0),
        value: Some(FUNDER_REGLAB.get(lang).to_string()),
        ..CellSpec::default()
    }];
    for i in 0..PARTICIPANT_ROWS {
        cells.push(CellSpec {
            range: Range::cell(i + 1, 0),
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

/// The template in `lang`, with the numbers of `rules`, as data.
pub fn spec(lang: Lang, rules: &RuleSet) -> Spec {
    Spec {
        version: TEMPLATE_VERSION,
        lang: lang.code(),
        styles: styles(),
        sheets: vec![
            plan(lang, rules),
            participants(lang, rules),
            budget(lang, rules),
            lists(lang),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references() {
        assert_eq!(absolute(0, 0), "$A$1");
        assert_eq!(absolute(20, 27), "$AB$21");
        assert_eq!(Range::cell(1, 1).a1(), "B2");
        assert_eq!(Range::span(3, 0, 102, 4).a1(), "A4:E103");
        assert_eq!(Range::span(0, 0, 20, 0).absolute(), "$A$1:$A$21");
    }

    #[test]
    fn a_later_range_styles_the_cells_it_covers() {
        let rules = RuleSet::provrum_2023();
        let spec = spec(Lang::Sv, &rules);
        let budget = &spec.sheets[2];
        assert_eq!(budget.style_at(3, 0), Some("cell"));
        assert_eq!(budget.style_at(3, 2), Some("kronor"));
        assert_eq!(budget.style_at(HEADER_ROW, 0), Some("header"));
        assert_eq!(budget.style_at(HEADER_ROW + BUDGET_ROWS + 5, 0), None);
    }
}

/// The schemas of the values that are written as text in the JSON.
macro_rules! text_schema {
    ($($ty:ty => $description:literal,)*) => {$(
        impl utoipa::PartialSchema for $ty {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .description(Some($description))
                    .into()
            }
        }

        impl utoipa::ToSchema for $ty {}
    )*};
}

text_schema! {
    Rgb => "A colour, `#rrggbb`",
    Range => "A cell or range, `A1` or `A1:B2`",
    Help => "What the validated cell tells a person",
}
