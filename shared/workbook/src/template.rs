//! The blank Reglab workbook (template version 1) as an .xlsx, and the bundled example that
//! fills it in correctly. What the template holds is [`spec::Spec`], written once; [`build`]
//! walks it, as the Sheets add-on walks its JSON.

pub mod spec;

use chrono::{Datelike, NaiveDate};
use provrum_rules::layout::{FUNDER_REGLAB, PlanField};
use provrum_rules::model::{
    Category, KIND_MEMBER, KIND_PARTNER, KIND_REGION, ParticipantKind, ROLE_LEADER,
    ROLE_PARTICIPANT, Role,
};
use provrum_rules::{Lang, RuleSet};
use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, DataValidationRule, ExcelDateTime, Format,
    FormatAlign, FormatBorder, Formula, Note, Workbook, Worksheet, XlsxError,
};
use spec::{
    Align, Border, CellSpec, HEADER_ROW, PLAN_FIRST_ROW, SheetSpec, Spec, Style, Validation,
};
use std::collections::HashMap;

/// A value to put in the plan.
#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    Text(String),
    Date(NaiveDate),
}

/// A budget line to fill in.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub item: String,
    pub category: Category,
    pub amount_kr: f64,
    /// `None` means Reglab's base funding.
    pub funder: Option<String>,
    pub comment: String,
}

/// What to fill the template with.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filled {
    pub plan: Vec<(PlanField, Entry)>,
    pub participants: Vec<(String, ParticipantKind, Role)>,
    pub budget: Vec<Line>,
}

/// The template in `lang`, with the numbers of `rules`, blank or filled in.
pub fn build(lang: Lang, rules: &RuleSet, filled: Option<&Filled>) -> Result<Vec<u8>, XlsxError> {
    let spec = spec::spec(lang, rules);
    let formats = formats(&spec);
    let mut book = Workbook::new();
    for sheet_spec in &spec.sheets {
        let sheet = book.add_worksheet();
        write_sheet(sheet, sheet_spec, &formats)?;
        if let Some(filled) = filled {
            let cells = Cells {
                sheet,
                spec: sheet_spec,
                formats: &formats,
            };
            match sheet_spec.key {
                "plan" => fill_plan(cells, filled)?,
                "participants" => fill_participants(cells, filled, lang)?,
                "budget" => fill_budget(cells, filled, lang)?,
                _ => {}
            }
        }
    }
    book.save_to_buffer()
}

/// Each named style as an .xlsx format.
fn formats(spec: &Spec) -> HashMap<&'static str, Format> {
    spec.styles.iter().map(|s| (s.name, format(s))).collect()
}

fn format(style: &Style) -> Format {
    let mut f = Format::new();
    if style.bold {
        f = f.set_bold();
    }
    if style.italic {
        f = f.set_italic();
    }
    if style.wrap {
        f = f.set_text_wrap();
    }
    if let Some(size) = style.font_size {
        f = f.set_font_size(size);
    }
    if let Some(colour) = style.color {
        f = f.set_font_color(Color::RGB(colour.0));
    }
    if let Some(colour) = style.background {
        f = f.set_background_color(Color::RGB(colour.0));
    }
    if let Some(number_format) = style.number_format {
        f = f.set_num_format(number_format);
    }
    match style.border {
        Some(Border::Thin) => f = f.set_border(FormatBorder::Thin),
        Some(Border::Double) => f = f.set_border(FormatBorder::Double),
        None => {}
    }
    match style.align {
        Some(Align::Top) => f = f.set_align(FormatAlign::Top),
        Some(Align::Left) => f = f.set_align(FormatAlign::Left),
        None => {}
    }
    f
}

/// A4 landscape, one page wide: how a sheet is printed for a meeting.
fn print_setup(sheet: &mut Worksheet) {
    sheet.set_landscape();
    sheet.set_paper_size(9);
    sheet.set_print_fit_to_pages(1, 0);
}

fn write_sheet(
    sheet: &mut Worksheet,
    spec: &SheetSpec,
    formats: &HashMap<&'static str, Format>,
) -> Result<(), XlsxError> {
    sheet.set_name(&spec.name)?;
    if spec.hidden {
        sheet.set_hidden(true);
    } else {
        print_setup(sheet);
    }
    for (col, width) in spec.column_widths.iter().enumerate() {
        sheet.set_column_width(col as u16, *width)?;
    }
    for height in &spec.row_heights {
        sheet.set_row_height(height.row.saturating_sub(1), height.points)?;
    }
    for cell in &spec.cells {
        write_cell(sheet, cell, formats)?;
    }
    for validation in &spec.validations {
        let r = validation.range();
        sheet.add_data_validation(
            r.row,
            r.col as u16,
            r.last_row,
            r.last_col as u16,
            &data_validation(validation)?,
        )?;
    }
    if let Some(header) = spec.frozen_rows.checked_sub(1) {
        sheet.set_freeze_panes(spec.frozen_rows, 0)?;
        sheet.set_repeat_rows(header, header)?;
    }
    Ok(())
}

fn write_cell(
    sheet: &mut Worksheet,
    cell: &CellSpec,
    formats: &HashMap<&'static str, Format>,
) -> Result<(), XlsxError> {
    let r = cell.range;
    let (row, col) = (r.row, r.col as u16);
    let format = cell.style.and_then(|s| formats.get(s));
    if cell.merge {
        let plain = Format::new();
        let value = cell.value.as_deref().unwrap_or_default();
        let f = format.unwrap_or(&plain);
        sheet.merge_range(row, col, r.last_row, r.last_col as u16, value, f)?;
    } else if let Some(value) = &cell.value {
        match format {
            Some(f) => sheet.write_string_with_format(row, col, value, f)?,
            None => sheet.write_string(row, col, value)?,
        };
    } else if let Some(formula) = &cell.formula {
        let formula = Formula::new(formula).set_result(&cell.cached);
        match format {
            Some(f) => sheet.write_formula_with_format(row, col, formula, f)?,
            None => sheet.write_formula(row, col, formula)?,
        };
    } else if let Some(f) = format {
        for row in r.row..=r.last_row {
            for col in r.col..=r.last_col {
                sheet.write_blank(row, col as u16, f)?;
            }
        }
    }
    if let Some(note) = &cell.note {
        sheet.insert_note(row, col, &Note::new(note).set_author("Reglab"))?;
    }
    Ok(())
}

fn data_validation(validation: &Validation) -> Result<DataValidation, XlsxError> {
    let (rule, strict, help) = match validation {
        Validation::List {
            values,
            strict,
            help,
            ..
        } => (
            DataValidation::new().allow_list_strings(values)?,
            *strict,
            help,
        ),
        Validation::ListFromRange {
            source,
            strict,
            help,
            ..
        } => (
            DataValidation::new().allow_list_formula(Formula::new(format!("={source}"))),
            *strict,
            help,
        ),
        Validation::DateAfter { date, help, .. } => (
            DataValidation::new().allow_date(DataValidationRule::GreaterThan(excel_date(*date)?)),
            true,
            help,
        ),
        Validation::NumberGreaterThan { value, help, .. } => (
            DataValidation::new().allow_decimal_number(DataValidationRule::GreaterThan(*value)),
            true,
            help,
        ),
    };
    let mut v = rule;
    if !strict {
        v = v.set_error_style(DataValidationErrorStyle::Warning);
    }
    if let Some(input) = help.input {
        v = v.set_input_title(help.title)?.set_input_message(input)?;
    }
    v.set_error_title(help.title)?.set_error_message(help.error)
}

fn excel_date(d: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    let year = u16::try_from(d.year())
        .map_err(|_| XlsxError::ParameterError(format!("year {}", d.year())))?;
    ExcelDateTime::from_ymd(year, d.month() as u8, d.day() as u8)
}

/// A sheet being filled in: values go where the spec puts them, in the style it gives there.
struct Cells<'a> {
    sheet: &'a mut Worksheet,
    spec: &'a SheetSpec,
    formats: &'a HashMap<&'static str, Format>,
}

impl Cells<'_> {
    fn format(&self, row: u32, col: u16, style: Option<&str>) -> Format {
        style
            .or_else(|| self.spec.style_at(row, u32::from(col)))
            .and_then(|s| self.formats.get(s))
            .cloned()
            .unwrap_or_default()
    }

    fn text(&mut self, row: u32, col: u16, text: &str) -> Result<(), XlsxError> {
        let f = self.format(row, col, None);
        self.sheet.write_string_with_format(row, col, text, &f)?;
        Ok(())
    }

    fn date(&mut self, row: u32, col: u16, date: NaiveDate) -> Result<(), XlsxError> {
        let f = self.format(row, col, Some("date"));
        self.sheet
            .write_datetime_with_format(row, col, excel_date(date)?, &f)?;
        Ok(())
    }

    fn number(&mut self, row: u32, col: u16, number: f64) -> Result<(), XlsxError> {
        let f = self.format(row, col, None);
        self.sheet.write_number_with_format(row, col, number, &f)?;
        Ok(())
    }
}

fn fill_plan(mut cells: Cells<'_>, filled: &Filled) -> Result<(), XlsxError> {
    for (i, field) in PlanField::ALL.into_iter().enumerate() {
        let row = PLAN_FIRST_ROW + i as u32;
        match filled.plan.iter().find(|(pf, _)| *pf == field) {
            Some((_, Entry::Text(s))) => cells.text(row, 1, s)?,
            Some((_, Entry::Date(d))) => cells.date(row, 1, *d)?,
            None => {}
        }
    }
    Ok(())
}

fn fill_participants(mut cells: Cells<'_>, filled: &Filled, lang: Lang) -> Result<(), XlsxError> {
    for (i, (name, kind, role)) in filled.participants.iter().enumerate() {
        let row = HEADER_ROW + 1 + i as u32;
        cells.text(row, 0, name)?;
        cells.text(row, 1, kind_word(*kind, lang))?;
        cells.text(row, 2, role_word(*role, lang))?;
    }
    Ok(())
}

fn fill_budget(mut cells: Cells<'_>, filled: &Filled, lang: Lang) -> Result<(), XlsxError> {
    for (i, line) in filled.budget.iter().enumerate() {
        let row = HEADER_ROW + 1 + i as u32;
        cells.text(row, 0, &line.item)?;
        cells.text(row, 1, line.category.name().get(lang))?;
        cells.number(row, 2, line.amount_kr)?;
        let funder = line.funder.as_deref().unwrap_or(FUNDER_REGLAB.get(lang));
        cells.text(row, 3, funder)?;
        if !line.comment.is_empty() {
            cells.text(row, 4, &line.comment)?;
        }
    }
    // The total shows the lines' sum until Excel recalculates it.
    let total: f64 = filled.budget.iter().map(|l| l.amount_kr).sum();
    for cell in cells.spec.cells.iter().filter(|c| c.formula.is_some()) {
        let total = CellSpec {
            cached: total.to_string(),
            ..cell.clone()
        };
        write_cell(cells.sheet, &total, cells.formats)?;
    }
    Ok(())
}

fn kind_word(kind: ParticipantKind, lang: Lang) -> &'static str {
    match kind {
        ParticipantKind::Region => KIND_REGION.get(lang),
        ParticipantKind::Member => KIND_MEMBER.get(lang),
        ParticipantKind::Partner => KIND_PARTNER.get(lang),
    }
}

fn role_word(role: Role, lang: Lang) -> &'static str {
    match role {
        Role::Leader => ROLE_LEADER.get(lang),
        Role::Participant => ROLE_PARTICIPANT.get(lang),
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// The bundled example: a provrum on open data and AI in regional analysis (an idea from the seed's appendix),
/// filled in the way the model asks.
pub fn example(lang: Lang) -> Filled {
    let text = |sv: &str, en: &str| Entry::Text(t_owned(lang, sv, en));
    let leader = "Region Östergötland".to_string();
    let plan = vec![
        (
            PlanField::Name,
            text(
                "Öppna data i regional analys",
                "Open data in regional analysis",
            ),
        ),
        (
            PlanField::Theme,
            text(
                "Arbetssätt: AI-stöd för analys och visualisering",
                "Ways of working: AI support for analysis and visualisation",
            ),
        ),
        (
            PlanField::Purpose,
            text(
                "Pröva hur AI-verktyg kan göra regionala analyser snabbare och lättare att förstå.",
                "Try how AI tools can make regional analyses faster and easier to understand.",
            ),
        ),
        (
            PlanField::ExpectedResult,
            text(
                "Tre prövade arbetsflöden och en rapport om vad som fungerade, till alla Reglabs medlemmar.",
                "Three tried workflows and a report on what worked, for all Reglab members.",
            ),
        ),
        (
            PlanField::MainQuestion,
            text(
                "Kan AI-stödd visualisering förbättra underlagen för regionala beslut?",
                "Can AI-supported visualisation improve the evidence for regional decisions?",
            ),
        ),
        (
            PlanField::Delimitations,
            text(
                "Endast öppna data; inga personuppgifter; ingen upphandling av system.",
                "Open data only; no personal data; no procurement of systems.",
            ),
        ),
        (PlanField::StartDate, Entry::Date(date(2025, 3, 1))),
        (PlanField::EndDate, Entry::Date(date(2025, 7, 31))),
        (
            PlanField::Resources,
            text(
                "En analytiker per region 20 %, extern AI-expert, kansliets stöd vid start.",
                "One analyst per region at 20 %, an external AI expert, the kansli's support at the start.",
            ),
        ),
        (
            PlanField::SuccessCriteria,
            text(
                "Minst två regioner använder ett arbetsflöde i ordinarie analysarbete.",
                "At least two regions use a workflow in their regular analysis work.",
            ),
        ),
        (
            PlanField::Indicators,
            text(
                "Tid per analys, antal användare, deltagarnas bedömning i en enkät.",
                "Time per analysis, number of users, participants' assessment in a survey.",
            ),
        ),
    ];
    let participants = vec![
        (leader.clone(), ParticipantKind::Region, Role::Leader),
        (
            "Region Skåne".into(),
            ParticipantKind::Region,
            Role::Participant,
        ),
        (
            "Västra Götalandsregionen".into(),
            ParticipantKind::Region,
            Role::Participant,
        ),
        (
            "Norrköpings kommun".into(),
            ParticipantKind::Member,
            Role::Participant,
        ),
    ];
    let line = |item_sv: &str, item_en: &str, category, amount_kr, funder: Option<&str>| Line {
        item: t_owned(lang, item_sv, item_en),
        category,
        amount_kr,
        funder: funder.map(str::to_string),
        comment: String::new(),
    };
    let budget = vec![
        line(
            "Projektledning",
            "Project management",
            Category::Arbetstid,
            60_000.0,
            Some("Region Östergötland"),
        ),
        line(
            "Analytiker, Region Skåne",
            "Analyst, Region Skåne",
            Category::Arbetstid,
            80_000.0,
            Some("Region Skåne"),
        ),
        line(
            "Analytiker, Västra Götalandsregionen",
            "Analyst, Västra Götalandsregionen",
            Category::Arbetstid,
            20_000.0,
            Some("Västra Götalandsregionen"),
        ),
        line(
            "Extern AI-expert",
            "External AI expert",
            Category::Expertstod,
            60_000.0,
            None,
        ),
        line(
            "Workshoppar, tre tillfällen",
            "Workshops, three sessions",
            Category::MotenOchLokaler,
            15_000.0,
            None,
        ),
        line(
            "Resor till workshoppar",
            "Travel to workshops",
            Category::Resor,
            12_000.0,
            Some("Norrköpings kommun"),
        ),
        line(
            "Datauttag och licenser",
            "Data extracts and licences",
            Category::MaterialOchAnalys,
            10_000.0,
            None,
        ),
        line(
            "Slutrapport och webbinarium",
            "Final report and webinar",
            Category::KommunikationOchSpridning,
            8_000.0,
            None,
        ),
    ];
    Filled {
        plan,
        participants,
        budget,
    }
}

fn t_owned(lang: Lang, sv: &str, en: &str) -> String {
    match lang {
        Lang::Sv => sv.to_string(),
        Lang::En => en.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::spec::{Validation, spec};
    use super::*;
    use provrum_rules::Ore;
    use provrum_rules::ruleset::Share;
    use provrum_rules::sheet::{Value, a1};
    use std::io::Read;

    /// One part of the .xlsx (a zip), as text.
    fn part(bytes: &[u8], name: &str) -> Result<String, Box<dyn std::error::Error>> {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))?;
        let mut text = String::new();
        zip.by_name(name)?.read_to_string(&mut text)?;
        Ok(text)
    }

    /// Reads the .xlsx written from the spec back and compares it with the spec: every text
    /// the add-on paints is the text of the same cell in the .xlsx, every text of the .xlsx is
    /// in the spec, and the notes, dropdowns and date rule are there.
    fn assert_round_trip(lang: Lang, rules: &RuleSet) -> Result<(), Box<dyn std::error::Error>> {
        let spec = spec(lang, rules);
        let bytes = build(lang, rules, None)?;
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
                let found = sheet
                    .cells()
                    .iter()
                    .find(|x| x.row == c.range.row && x.col == c.range.col)
                    .map(|x| x.value.display());
                assert_eq!(
                    found.as_deref(),
                    Some(text.as_str()),
                    "{}!{}",
                    sheet.name,
                    c.range.a1()
                );
                painted += 1;
            }
            for x in sheet.cells() {
                if let Value::Text(text) = &x.value {
                    assert!(
                        spec_sheet
                            .cells
                            .iter()
                            .any(|c| c.value.as_deref() == Some(text)
                                && c.range.row == x.row
                                && c.range.col == x.col),
                        "{}!{} = {text:?} is missing from the spec",
                        sheet.name,
                        a1(x.row, x.col)
                    );
                }
            }
            assert!(painted > 0, "{}", sheet.name);
        }
        let notes = part(&bytes, "xl/comments1.xml")?;
        for note in spec.sheets[0]
            .cells
            .iter()
            .filter_map(|c| c.note.as_deref())
        {
            assert!(notes.contains(note), "note {note:?}");
        }
        let participants = part(&bytes, "xl/worksheets/sheet2.xml")?;
        let budget = part(&bytes, "xl/worksheets/sheet3.xml")?;
        for (xml, sheet) in [(&participants, &spec.sheets[1]), (&budget, &spec.sheets[2])] {
            for v in &sheet.validations {
                if let Validation::List { values, .. } = v {
                    assert!(
                        xml.contains(&format!("\"{}\"", values.join(","))),
                        "{values:?}"
                    );
                }
            }
        }
        assert!(budget.contains("Listor!$A$1:$A$21"), "funder dropdown");
        assert!(
            spec.sheets[0]
                .validations
                .iter()
                .any(|v| matches!(v, Validation::DateAfter { .. }))
        );
        Ok(())
    }

    #[test]
    fn spec_and_xlsx_template_agree_cell_by_cell() -> Result<(), Box<dyn std::error::Error>> {
        for lang in [Lang::Sv, Lang::En] {
            assert_round_trip(lang, &RuleSet::provrum_2023())?;
        }
        Ok(())
    }

    /// No number of the model is typed into a text: a rule set with other limits gives a
    /// template with other numbers, in the .xlsx and in the JSON alike.
    #[test]
    fn the_texts_show_the_numbers_of_the_rule_set() -> Result<(), Box<dyn std::error::Error>> {
        let rules = RuleSet {
            id: "other".into(),
            min_participants: 3,
            max_participants: 5,
            min_region_share: Share { num: 2, den: 3 },
            min_months: 3,
            max_months: 5,
            base_funding_max: Ore::kr(50_000),
            base_funding_max_share: Share { num: 1, den: 3 },
            ..RuleSet::provrum_2023()
        };
        let expected = [
            (
                Lang::Sv,
                [
                    "Tidplanen bör vara 3–5 månader.",
                    "(3–5, minst 2/3 bör vara regioner)",
                    "högst 50 000 kr och högst 1/3 av budgeten",
                    "Datum, 3–5 månader efter start",
                ],
            ),
            (
                Lang::En,
                [
                    "The schedule should be 3–5 months.",
                    "(3–5, at least 2/3 should be regions)",
                    "at most 50 000 kr and at most 1/3 of the budget",
                    "Date, 3–5 months after the start",
                ],
            ),
        ];
        for (lang, texts) in expected {
            assert_round_trip(lang, &rules)?;
            let spec = spec(lang, &rules);
            let json = serde_json::to_string(&spec)?;
            let bytes = build(lang, &rules, None)?;
            let xlsx = format!(
                "{}{}",
                part(&bytes, "xl/sharedStrings.xml")?,
                part(&bytes, "xl/comments1.xml")?
            );
            for text in texts {
                assert!(json.contains(text), "{lang:?} spec: {text}");
                assert!(xlsx.contains(text), "{lang:?} xlsx: {text}");
            }
            for old in ["2–6", "100 000", "hälften", "half"] {
                assert!(!json.contains(old), "{lang:?} spec still says {old}");
                assert!(!xlsx.contains(old), "{lang:?} xlsx still says {old}");
            }
        }
        Ok(())
    }
}
