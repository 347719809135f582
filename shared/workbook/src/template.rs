//! The blank Reglab workbook (template version 1), written from the one layout table in
//! `provrum_rules::layout`, and the bundled example that fills it in correctly.

pub mod spec;

use chrono::{Datelike, NaiveDate};
use provrum_rules::Lang;
use provrum_rules::layout::{Column, FUNDER_REGLAB, PlanField, SheetKind, TEMPLATE_VERSION};
use provrum_rules::model::{
    Category, KIND_MEMBER, KIND_PARTNER, KIND_REGION, ParticipantKind, ROLE_LEADER,
    ROLE_PARTICIPANT, Role,
};
use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, ExcelDateTime, Format, FormatBorder, Formula,
    Note, Workbook, Worksheet, XlsxError,
};

/// Rows of the Deltagare and Budget sheets that get dropdowns and formats.
pub(crate) const PARTICIPANT_ROWS: u32 = 20;
pub(crate) const BUDGET_ROWS: u32 = 100;
/// The header row of the table sheets (0-based; row 3 as a person counts).
pub(crate) const HEADER_ROW: u32 = 2;
/// The first plan label's row (0-based).
pub(crate) const PLAN_FIRST_ROW: u32 = 3;
pub(crate) const LISTS_SHEET: &str = "Listor";
/// Column widths in characters, per sheet.
pub(crate) const PLAN_WIDTHS: [f64; 2] = [30.0, 70.0];
pub(crate) const PARTICIPANT_WIDTHS: [f64; 3] = [40.0, 14.0, 14.0];
pub(crate) const BUDGET_WIDTHS: [f64; 5] = [36.0, 30.0, 16.0, 30.0, 40.0];
/// Row heights in points: the intro rows, and the plan's rows by how much text they take.
pub(crate) const INTRO_HEIGHT: f64 = 48.0;
pub(crate) const PLAN_INTRO_HEIGHT: f64 = 45.0;
pub(crate) const HEADER_FILL: u32 = 0x1F_4E_79;
pub(crate) const INTRO_COLOUR: u32 = 0x59_59_59;
pub(crate) const DATE_FORMAT: &str = "yyyy-mm-dd";
pub(crate) const KRONOR_FORMAT: &str = "#,##0 \"kr\"";

/// Room for two or three lines of text; names and dates need one.
pub(crate) fn plan_row_height(field: PlanField) -> f64 {
    match field {
        PlanField::Name | PlanField::Theme | PlanField::StartDate | PlanField::EndDate => 20.0,
        _ => 45.0,
    }
}

fn set_widths(sheet: &mut Worksheet, widths: &[f64]) -> Result<(), XlsxError> {
    for (col, width) in widths.iter().enumerate() {
        sheet.set_column_width(col as u16, *width)?;
    }
    Ok(())
}

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

pub(crate) fn t(lang: Lang, sv: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Sv => sv,
        Lang::En => en,
    }
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

fn excel_date(d: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    let year = u16::try_from(d.year())
        .map_err(|_| XlsxError::ParameterError(format!("year {}", d.year())))?;
    ExcelDateTime::from_ymd(year, d.month() as u8, d.day() as u8)
}

fn list(values: &[&str], lang: Lang, strict: bool) -> Result<DataValidation, XlsxError> {
    let style = if strict {
        DataValidationErrorStyle::Stop
    } else {
        DataValidationErrorStyle::Warning
    };
    DataValidation::new()
        .allow_list_strings(values)?
        .set_error_style(style)
        .set_error_title(t(lang, "Välj från listan", "Choose from the list"))?
        .set_error_message(list_message(lang))
}

/// The plan sheet's title.
pub(crate) fn plan_title(lang: Lang) -> String {
    match lang {
        Lang::Sv => format!("Projektplan för Reglabs provrum (mallversion {TEMPLATE_VERSION})"),
        Lang::En => {
            format!("Project plan for a Reglab provrum (template version {TEMPLATE_VERSION})")
        }
    }
}

/// What the plan sheet asks for.
pub(crate) fn plan_intro(lang: Lang) -> &'static str {
    t(
        lang,
        "Skriv i kolumn B, bredvid varje rubrik. Syfte, förväntat resultat, huvudfrågeställning, avgränsningar, datum och resurser måste finnas; kriterier och indikatorer bör finnas. Tidplanen bör vara 2–6 månader.",
        "Write in column B, next to each label. Purpose, expected result, main question, delimitations, dates and resources are required; success criteria and indicators are recommended. The schedule should be 2–6 months.",
    )
}

/// What the participants sheet asks for.
pub(crate) fn participants_intro(lang: Lang) -> &'static str {
    t(
        lang,
        "En rad per deltagande organisation (2–6, minst hälften bör vara regioner). Exakt en ska ha rollen Ledare, och provrumsledaren får inte ha typen Partner.",
        "One row per participating organisation (2–6, at least half should be regions). Exactly one has the role Leader, and the leader may not be of the kind Partner.",
    )
}

/// What the budget sheet asks for.
pub(crate) fn budget_intro(lang: Lang) -> &'static str {
    t(
        lang,
        "En rad per kostnadspost, belopp i hela kronor. Reglabs basfinansiering är högst 100 000 kr och högst hälften av budgeten, och får inte användas till arbetstid. Budgetera gärna för expertstöd.",
        "One row per cost item, amounts in whole kronor. Reglab's base funding is at most 100 000 kr and at most half of the budget, and does not pay for working time. Do budget for expert support.",
    )
}

/// The message of a dropdown that refuses other values.
pub(crate) fn list_message(lang: Lang) -> &'static str {
    t(
        lang,
        "Välj ett av värdena i listan.",
        "Choose one of the values in the list.",
    )
}

/// The help shown on the date cells.
pub(crate) fn date_help(lang: Lang) -> &'static str {
    t(
        lang,
        "Skriv datum som ÅÅÅÅ-MM-DD, t.ex. 2025-03-01.",
        "Write dates as YYYY-MM-DD, e.g. 2025-03-01.",
    )
}

/// The message when a date cell gets something else.
pub(crate) fn date_message(lang: Lang) -> &'static str {
    t(
        lang,
        "Skriv ett datum, t.ex. 2025-03-01.",
        "Enter a date, e.g. 2025-03-01.",
    )
}

/// The message when an amount is not a positive number.
pub(crate) fn amount_message(lang: Lang) -> &'static str {
    t(
        lang,
        "Skriv ett belopp större än noll, i hela kronor.",
        "Enter an amount greater than zero, in whole kronor.",
    )
}

/// The warning when the funder is not Reglab or a participant.
pub(crate) fn funder_message(lang: Lang) -> &'static str {
    t(
        lang,
        "Finansiären bör vara Reglab eller en deltagande organisation.",
        "The funder should be Reglab or a participating organisation.",
    )
}

/// The note on a plan label: what to write, and whether it is required.
pub(crate) fn plan_note(field: PlanField, lang: Lang) -> String {
    let mut note = field.hint().get(lang).to_string();
    if field.required() {
        note.push_str(t(lang, " (måste fyllas i)", " (required)"));
    }
    note
}

/// The formula of the funder list's row `i` (0-based): the i-th participant's name, if any.
pub(crate) fn funder_formula(participants: &str, i: u32) -> String {
    let source_row = HEADER_ROW + 2 + i; // 1-based row of the i-th participant
    format!("=IF('{participants}'!A{source_row}=\"\",\"\",'{participants}'!A{source_row})")
}

struct Formats {
    title: Format,
    intro: Format,
    header: Format,
    label: Format,
    value: Format,
    date: Format,
    kronor: Format,
    cell: Format,
    total: Format,
}

impl Formats {
    fn new() -> Formats {
        let header_fill = Color::RGB(HEADER_FILL);
        Formats {
            title: Format::new().set_bold().set_font_size(14),
            intro: Format::new()
                .set_italic()
                .set_font_color(Color::RGB(INTRO_COLOUR))
                .set_text_wrap(),
            header: Format::new()
                .set_bold()
                .set_font_color(Color::White)
                .set_background_color(header_fill)
                .set_border(FormatBorder::Thin),
            label: Format::new()
                .set_bold()
                .set_align(rust_xlsxwriter::FormatAlign::Top),
            value: Format::new()
                .set_text_wrap()
                .set_align(rust_xlsxwriter::FormatAlign::Top)
                .set_border(FormatBorder::Thin),
            date: Format::new()
                .set_num_format(DATE_FORMAT)
                .set_border(FormatBorder::Thin)
                .set_align(rust_xlsxwriter::FormatAlign::Left),
            kronor: Format::new()
                .set_num_format(KRONOR_FORMAT)
                .set_border(FormatBorder::Thin),
            cell: Format::new().set_border(FormatBorder::Thin),
            total: Format::new()
                .set_bold()
                .set_num_format(KRONOR_FORMAT)
                .set_border(FormatBorder::Double),
        }
    }
}

/// A4 landscape, one page wide: how a sheet is printed for a meeting.
fn print_setup(sheet: &mut Worksheet) {
    sheet.set_landscape();
    sheet.set_paper_size(9);
    sheet.set_print_fit_to_pages(1, 0);
}

fn plan_sheet(
    sheet: &mut Worksheet,
    lang: Lang,
    filled: Option<&Filled>,
    f: &Formats,
) -> Result<(), XlsxError> {
    sheet.set_name(SheetKind::Plan.name().get(lang))?;
    print_setup(sheet);
    set_widths(sheet, &PLAN_WIDTHS)?;
    sheet.write_string_with_format(0, 0, plan_title(lang), &f.title)?;
    sheet.set_row_height(1, PLAN_INTRO_HEIGHT)?;
    sheet.merge_range(1, 0, 1, 1, "", &f.intro)?;
    sheet.write_string_with_format(1, 0, plan_intro(lang), &f.intro)?;
    for (i, field) in PlanField::ALL.into_iter().enumerate() {
        let row = PLAN_FIRST_ROW + i as u32;
        // Room for two or three lines of text; names and dates need one.
        sheet.set_row_height(row, plan_row_height(field))?;
        sheet.write_string_with_format(row, 0, field.label().get(lang), &f.label)?;
        let note = plan_note(field, lang);
        sheet.insert_note(row, 0, &Note::new(note).set_author("Reglab"))?;
        let entry = filled
            .and_then(|fl| fl.plan.iter().find(|(pf, _)| *pf == field))
            .map(|(_, e)| e);
        if field.is_date() {
            match entry {
                Some(Entry::Date(d)) => {
                    sheet.write_datetime_with_format(row, 1, excel_date(*d)?, &f.date)?
                }
                Some(Entry::Text(s)) => sheet.write_string_with_format(row, 1, s, &f.date)?,
                None => sheet.write_blank(row, 1, &f.date)?,
            };
        } else {
            match entry {
                Some(Entry::Text(s)) => sheet.write_string_with_format(row, 1, s, &f.value)?,
                Some(Entry::Date(d)) => {
                    sheet.write_datetime_with_format(row, 1, excel_date(*d)?, &f.date)?
                }
                None => sheet.write_blank(row, 1, &f.value)?,
            };
        }
    }
    let start_row = PlanField::ALL
        .iter()
        .position(|f| *f == PlanField::StartDate)
        .unwrap_or(0);
    let first_date = PLAN_FIRST_ROW + start_row as u32;
    let dates = DataValidation::new()
        .allow_date(rust_xlsxwriter::DataValidationRule::GreaterThan(
            ExcelDateTime::from_ymd(2020, 1, 1)?,
        ))
        .set_input_title(t(lang, "Datum", "Date"))?
        .set_input_message(date_help(lang))?
        .set_error_title(t(lang, "Datum", "Date"))?
        .set_error_message(date_message(lang))?;
    sheet.add_data_validation(first_date, 1, first_date + 1, 1, &dates)?;
    Ok(())
}

fn header(
    sheet: &mut Worksheet,
    columns: &[Column],
    lang: Lang,
    f: &Formats,
) -> Result<(), XlsxError> {
    for (i, column) in columns.iter().enumerate() {
        sheet.write_string_with_format(
            HEADER_ROW,
            i as u16,
            column.header().get(lang),
            &f.header,
        )?;
    }
    sheet.set_freeze_panes(HEADER_ROW + 1, 0)?;
    sheet.set_repeat_rows(HEADER_ROW, HEADER_ROW)?;
    Ok(())
}

fn participants_sheet(
    sheet: &mut Worksheet,
    lang: Lang,
    filled: Option<&Filled>,
    f: &Formats,
) -> Result<(), XlsxError> {
    sheet.set_name(SheetKind::Participants.name().get(lang))?;
    print_setup(sheet);
    set_widths(sheet, &PARTICIPANT_WIDTHS)?;
    sheet.set_row_height(0, INTRO_HEIGHT)?;
    sheet.merge_range(0, 0, 0, 2, participants_intro(lang), &f.intro)?;
    header(sheet, SheetKind::Participants.columns(), lang, f)?;
    let first = HEADER_ROW + 1;
    let last = HEADER_ROW + PARTICIPANT_ROWS;
    let kinds = [
        KIND_REGION.get(lang),
        KIND_MEMBER.get(lang),
        KIND_PARTNER.get(lang),
    ];
    sheet.add_data_validation(first, 1, last, 1, &list(&kinds, lang, true)?)?;
    let roles = [ROLE_LEADER.get(lang), ROLE_PARTICIPANT.get(lang)];
    sheet.add_data_validation(first, 2, last, 2, &list(&roles, lang, true)?)?;
    for (i, (name, kind, role)) in filled
        .map(|fl| fl.participants.as_slice())
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let row = first + i as u32;
        sheet.write_string(row, 0, name)?;
        sheet.write_string(row, 1, kind_word(*kind, lang))?;
        sheet.write_string(row, 2, role_word(*role, lang))?;
    }
    Ok(())
}

fn budget_sheet(
    sheet: &mut Worksheet,
    lang: Lang,
    filled: Option<&Filled>,
    f: &Formats,
) -> Result<(), XlsxError> {
    sheet.set_name(SheetKind::Budget.name().get(lang))?;
    print_setup(sheet);
    set_widths(sheet, &BUDGET_WIDTHS)?;
    sheet.set_row_height(0, INTRO_HEIGHT)?;
    sheet.merge_range(0, 0, 0, 4, budget_intro(lang), &f.intro)?;
    header(sheet, SheetKind::Budget.columns(), lang, f)?;
    let first = HEADER_ROW + 1;
    let last = HEADER_ROW + BUDGET_ROWS;
    let categories: Vec<String> = Category::ALL
        .iter()
        .map(|c| c.name().get(lang).to_string())
        .collect();
    let categories: Vec<&str> = categories.iter().map(String::as_str).collect();
    sheet.add_data_validation(first, 1, last, 1, &list(&categories, lang, true)?)?;
    let amounts = DataValidation::new()
        .allow_decimal_number(rust_xlsxwriter::DataValidationRule::GreaterThan(0.0))
        .set_error_title(t(lang, "Belopp", "Amount"))?
        .set_error_message(amount_message(lang))?;
    sheet.add_data_validation(first, 2, last, 2, &amounts)?;
    let funders = DataValidation::new()
        .allow_list_formula(Formula::new(format!(
            "={LISTS_SHEET}!$A$1:$A${}",
            PARTICIPANT_ROWS + 1
        )))
        .set_error_style(DataValidationErrorStyle::Warning)
        .set_error_title(t(lang, "Finansiär", "Funder"))?
        .set_error_message(funder_message(lang))?;
    sheet.add_data_validation(first, 3, last, 3, &funders)?;
    for row in first..=last {
        for col in [0u16, 1, 3, 4] {
            sheet.write_blank(row, col, &f.cell)?;
        }
        sheet.write_blank(row, 2, &f.kronor)?;
    }
    let lines = filled.map(|fl| fl.budget.as_slice()).unwrap_or_default();
    for (i, line) in lines.iter().enumerate() {
        let row = first + i as u32;
        sheet.write_string_with_format(row, 0, &line.item, &f.cell)?;
        sheet.write_string_with_format(row, 1, line.category.name().get(lang), &f.cell)?;
        sheet.write_number_with_format(row, 2, line.amount_kr, &f.kronor)?;
        let funder = line.funder.as_deref().unwrap_or(FUNDER_REGLAB.get(lang));
        sheet.write_string_with_format(row, 3, funder, &f.cell)?;
        if !line.comment.is_empty() {
            sheet.write_string_with_format(row, 4, &line.comment, &f.cell)?;
        }
    }
    // A totals row under the lines (the reader skips it, as it skips any Summa row).
    let total: f64 = lines.iter().map(|l| l.amount_kr).sum();
    sheet.write_string_with_format(last + 1, 0, t(lang, "Summa", "Total"), &f.label)?;
    let sum =
        Formula::new(format!("=SUM(C{}:C{})", first + 1, last + 1)).set_result(total.to_string());
    sheet.write_formula_with_format(last + 1, 2, sum, &f.total)?;
    Ok(())
}

/// A hidden sheet with the funder choices: Reglab's base funding and the participants' names.
fn lists_sheet(sheet: &mut Worksheet, lang: Lang) -> Result<(), XlsxError> {
    sheet.set_name(LISTS_SHEET)?;
    sheet.write_string(0, 0, FUNDER_REGLAB.get(lang))?;
    let participants = SheetKind::Participants.name().get(lang);
    for i in 0..PARTICIPANT_ROWS {
        let formula = funder_formula(participants, i);
        sheet.write_formula(i + 1, 0, Formula::new(formula).set_result(""))?;
    }
    sheet.set_hidden(true);
    Ok(())
}

/// The template in `lang`, blank or filled in.
pub fn build(lang: Lang, filled: Option<&Filled>) -> Result<Vec<u8>, XlsxError> {
    let f = Formats::new();
    let mut book = Workbook::new();
    plan_sheet(book.add_worksheet(), lang, filled, &f)?;
    participants_sheet(book.add_worksheet(), lang, filled, &f)?;
    budget_sheet(book.add_worksheet(), lang, filled, &f)?;
    lists_sheet(book.add_worksheet(), lang)?;
    book.save_to_buffer()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// The bundled example: a provrum on AI and visualisation (an idea from the seed's appendix),
/// filled in the way the model asks.
pub fn example(lang: Lang) -> Filled {
    let text = |sv: &str, en: &str| Entry::Text(t_owned(lang, sv, en));
    let leader = "Region Östergötland".to_string();
    let plan = vec![
        (
            PlanField::Name,
            text(
                "AI och visualisering i regional utveckling",
                "AI and visualisation in regional development",
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
