//! BUD: the budget (Finansiering).

use crate::delt::{Participant, RegisteredOrg};
use crate::finding::{Finding, Location, Rule, Severity, Title};
use crate::form::{Row, Table};
use crate::lang::Text;
use crate::layout::{Column, FUNDER_REGLAB, HEADER_ROWS, SheetKind};
use crate::model::{Category, org_key};
use crate::money::{AmountError, Ore};
use crate::ruleset::RuleSet;
use crate::sheet::{Cell, Sheet, Value};
use crate::words::Lookup;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::num::NonZeroU32;
use std::sync::{Arc, LazyLock};

/// BUD-1 · the budget has no cost lines.
pub const BUD_1: Rule = Rule {
    id: "BUD-1",
    title: Title::new("Budgeten är tom", "The budget is empty"),
    severity: Severity::Error,
    source: Some(
        "Projektplanen innehåller syfte och förväntat resultat, huvudfrågeställning och avgränsningar, tidplan, budget och resurser.",
    ),
};

/// BUD-2 · an amount is missing, not a number, zero/negative, or ambiguous text (cell named).
pub const BUD_2: Rule = Rule {
    id: "BUD-2",
    title: Title::new("Ett belopp går inte att läsa", "An amount cannot be read"),
    severity: Severity::Error,
    source: None,
};

/// BUD-3 · a category is not one of the template's categories (cell named).
pub const BUD_3: Rule = Rule {
    id: "BUD-3",
    title: Title::new("Okänd kategori", "Unknown category"),
    severity: Severity::Error,
    source: None,
};

/// BUD-4 · base funding above 100 000 kr.
pub const BUD_4: Rule = Rule {
    id: "BUD-4",
    title: Title::new("För hög basfinansiering", "Too much base funding"),
    severity: Severity::Error,
    source: Some(
        "Varje provrum har möjlighet att ta del av en basfinansiering på max 100 000 kr från Reglabs kansli.",
    ),
};

/// BUD-5 · base funding above half of the total planned budget.
pub const BUD_5: Rule = Rule {
    id: "BUD-5",
    title: Title::new(
        "Basfinansieringen är över hälften av budgeten",
        "Base funding over half the budget",
    ),
    severity: Severity::Error,
    source: Some("Basfinansieringen ska inte utgöra mer än hälften av den planerade budgeten."),
};

/// BUD-6 · base funding used for working time (Arbetstid).
pub const BUD_6: Rule = Rule {
    id: "BUD-6",
    title: Title::new(
        "Basfinansiering till arbetstid",
        "Base funding for working time",
    ),
    severity: Severity::Error,
    source: Some(
        "Den gemensamma finansieringen ska användas för omkostnader som kan knytas till utvecklingen av innehållet, dvs inte till arbetstid.",
    ),
};

/// BUD-7 · no budget for expert knowledge.
pub const BUD_7: Rule = Rule {
    id: "BUD-7",
    title: Title::new(
        "Ingen budget för expertstöd",
        "No budget for expert support",
    ),
    severity: Severity::Warning,
    source: Some(
        "Provrummet har möjlighet att köpa in expertkunskap vid behov, och bör budgetera för detta.",
    ),
};

/// BUD-8 · a funder is neither Reglab nor a participating organisation.
pub const BUD_8: Rule = Rule {
    id: "BUD-8",
    title: Title::new("Okänd finansiär", "Unknown funder"),
    severity: Severity::Warning,
    source: Some("Provrummet finansieras av de deltagande organisationerna."),
};

/// A cost line as read. `amount` or `category` is `None` where BUD-2 or BUD-3 fired.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetLine {
    pub item: Arc<str>,
    pub category: Option<Category>,
    pub amount: Option<Ore>,
    pub funder: Arc<str>,
    pub base_funding: bool,
    #[serde(skip_serializing_if = "str::is_empty", default = "no_text")]
    pub comment: Arc<str>,
    #[serde(skip)]
    pub cells: LineCells,
}

fn no_text() -> Arc<str> {
    Arc::from("")
}

/// Where a line's cells are, for locating findings: the row, and the column of each cell (none
/// for a column the sheet does not have).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineCells {
    pub row: u32,
    pub category: Col,
    pub amount: Col,
    pub funder: Col,
}

/// A column, or none: four bytes, as a budget of 200 000 lines keeps three per line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Col(Option<NonZeroU32>);

impl Col {
    /// The 0-based column (a sheet's columns end far below `u32::MAX`).
    pub fn get(self) -> Option<u32> {
        self.0.map(|c| c.get() - 1)
    }
}

impl From<Option<u32>> for Col {
    fn from(col: Option<u32>) -> Col {
        Col(col.and_then(|c| NonZeroU32::new(c.saturating_add(1))))
    }
}

impl LineCells {
    /// The location of one of the line's cells in `sheet`.
    pub fn at(&self, sheet: &str, col: Col) -> Location {
        match col.get() {
            Some(col) => Location::cell(sheet, self.row, col),
            None => Location::sheet(sheet),
        }
    }
}

fn read_amount(value: &Value) -> Result<Ore, AmountError> {
    match value {
        Value::Empty => Err(AmountError::Empty),
        Value::Number(n) => Ore::from_number(*n),
        Value::Text(t) => Ore::parse_text(t),
        Value::Date(_) | Value::Bool(_) | Value::Error(_) => Err(AmountError::NotANumber),
    }
}

/// Whether a funder is Reglab's base funding (one lookup per line, not a comparison with each of
/// the funder's spellings).
fn is_base_funding(funder: &str) -> bool {
    static REGLAB: LazyLock<Lookup<()>> = LazyLock::new(|| Lookup::new([((), FUNDER_REGLAB)]));
    REGLAB.find(funder).is_some()
}

/// Answers about the texts a budget repeats on every line (its categories and funders), kept by
/// the text's shared allocation (the reader shares a sheet's repeated texts): a budget of 200 000
/// lines normalizes each distinct category and funder once, not once per line. Holds a few
/// answers; a sheet of all different texts costs a short scan more per line.
struct Seen<T>(Vec<(Arc<str>, T)>);

impl<T: Copy> Seen<T> {
    const MOST: usize = 16;

    fn new() -> Seen<T> {
        Seen(Vec::new())
    }

    fn get(&mut self, text: &Arc<str>, answer: impl FnOnce(&str) -> T) -> T {
        if let Some((_, known)) = self.0.iter().find(|(seen, _)| Arc::ptr_eq(seen, text)) {
            return *known;
        }
        let known = answer(text);
        if self.0.len() >= Self::MOST {
            self.0.remove(0);
        }
        self.0.push((text.clone(), known));
        known
    }
}

/// What [`line`] has already worked out about repeated texts.
struct Memo {
    category: Seen<Option<Category>>,
    base_funding: Seen<bool>,
}

impl Memo {
    fn new() -> Memo {
        Memo {
            category: Seen::new(),
            base_funding: Seen::new(),
        }
    }
}

/// How a message names a line: by its item, or by its row when it has none.
fn what(item: &str, row: u32) -> (String, String) {
    if item.is_empty() {
        (format!("raden {}", row + 1), format!("row {}", row + 1))
    } else {
        (format!("\"{item}\""), format!("\"{item}\""))
    }
}

/// Reads the Budget rows: BUD-2 for an amount that cannot be read or is not positive, BUD-3 for
/// an unknown category.
pub fn read(table: &Table<'_>, findings: &mut Vec<Finding>) -> Vec<BudgetLine> {
    let mut memo = Memo::new();
    table
        .data_rows()
        .filter_map(|row| line(&row, findings, &mut memo))
        .collect()
}

/// One data row as a cost line, with its BUD-2 and BUD-3; `None` for a row with only a comment.
fn line(row: &Row<'_, '_>, findings: &mut Vec<Finding>, memo: &mut Memo) -> Option<BudgetLine> {
    {
        let item = row.get(Column::Item);
        let category = row.get(Column::Category);
        let amount = row.get(Column::Amount);
        let funder = row.get(Column::Funder);
        let comment = row.get(Column::Comment);
        // A row with only a comment is a note, not a cost line.
        if [&item, &category, &amount, &funder]
            .iter()
            .all(|f| f.value.is_blank())
        {
            return None;
        }
        let item_text = item.value.shown();

        let parsed_amount = match read_amount(amount.value) {
            Ok(ore) if ore > Ore::ZERO => Some(ore),
            result => {
                let (what_sv, what_en) = what(&item_text, row.row);
                let at = amount.location().reference();
                let shown = amount.value.display();
                let (sv, en) = match result {
                    Ok(ore) => (
                        format!("Beloppet {ore} för {what_sv} i {at} är inte större än noll."),
                        format!("The amount {ore} for {what_en} in {at} is not greater than zero."),
                    ),
                    Err(AmountError::Empty) => (
                        format!("Belopp saknas för {what_sv} i {at}."),
                        format!("The amount is missing for {what_en} in {at}."),
                    ),
                    Err(AmountError::Ambiguous) => (
                        format!(
                            "Beloppet \"{shown}\" för {what_sv} i {at} är tvetydigt; skriv beloppet i hela kronor med mellanslag mellan tusentalen, t.ex. 12 500."
                        ),
                        format!(
                            "The amount \"{shown}\" for {what_en} in {at} is ambiguous; write it in whole kronor with a space between the thousands, e.g. 12 500."
                        ),
                    ),
                    Err(AmountError::TooLarge) => (
                        format!("Beloppet \"{shown}\" för {what_sv} i {at} är orimligt stort."),
                        format!(
                            "The amount \"{shown}\" for {what_en} in {at} is implausibly large."
                        ),
                    ),
                    Err(AmountError::NotANumber) => (
                        format!("Beloppet \"{shown}\" för {what_sv} i {at} är inte ett tal."),
                        format!("The amount \"{shown}\" for {what_en} in {at} is not a number."),
                    ),
                };
                findings.push(Finding::new(&BUD_2, Text::new(sv, en)).at(amount.location()));
                None
            }
        };

        let parsed_category = match category.value {
            Value::Text(t) => memo.category.get(t, Category::parse),
            _ => None,
        };
        if parsed_category.is_none() {
            let shown = category.value.display();
            let (what_sv, what_en) = what(&item_text, row.row);
            let at = category.location().reference();
            let names_sv: Vec<String> = Category::ALL.iter().map(|c| c.name().sv).collect();
            let names_en: Vec<String> = Category::ALL.iter().map(|c| c.name().en).collect();
            findings.push(
                Finding::new(
                    &BUD_3,
                    Text::new(
                        format!("Kategorin \"{shown}\" för {what_sv} i {at} finns inte; välj en av: {}.", names_sv.join(", ")),
                        format!("The category \"{shown}\" for {what_en} in {at} does not exist; choose one of: {}.", names_en.join(", ")),
                    ),
                )
                .at(category.location()),
            );
        }

        let funder_text = funder.value.shown();
        Some(BudgetLine {
            item: item_text,
            category: parsed_category,
            amount: parsed_amount,
            base_funding: memo.base_funding.get(&funder_text, is_base_funding),
            funder: funder_text,
            comment: comment.value.shown(),
            cells: LineCells {
                row: row.row,
                category: category.col().into(),
                amount: amount.col().into(),
                funder: funder.col().into(),
            },
        })
    }
}

/// The Budget sheet as read row by row ([`Streaming`]): its cost lines and the BUD-2 and BUD-3
/// they gave, in row order, exactly as [`read`] gives them from the whole sheet.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Streamed {
    pub lines: Vec<BudgetLine>,
    pub findings: Vec<Finding>,
}

/// A row arrived above one already read: the sheet cannot be streamed and is read whole instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("row {row} came after row {after}")]
pub struct OutOfOrder {
    pub row: u32,
    pub after: u32,
}

/// Reads the Budget sheet as its reader delivers it, one non-empty cell at a time in row order,
/// without keeping the sheet: the first [`HEADER_ROWS`] rows are kept (the header is found among
/// them, as [`Table`] finds it), every later row becomes its cost line as soon as it is complete
/// and its cells are dropped. A budget of 200 000 lines then holds its lines, not its cells.
pub struct Streaming {
    /// The sheet's name, and no cells: what the lines' locations name.
    sheet: Sheet,
    /// The cells of the rows above [`HEADER_ROWS`]: the sheet [`Table`] locates its header in.
    head: Vec<Cell>,
    /// The header, once the head is complete.
    header: Header,
    /// The row being read and its cells so far.
    row: Option<u32>,
    cells: Vec<Cell>,
    read: Streamed,
    memo: Memo,
}

/// What [`Table::locate`] found in the head, kept without borrowing it.
enum Header {
    /// The head is still being read.
    Pending,
    /// The header row and which column holds what.
    Found {
        row: u32,
        columns: Vec<(Column, u32)>,
    },
    /// A required column is missing (FORM-3): there are no lines to read.
    Missing,
}

impl Streaming {
    pub fn new(name: impl Into<String>) -> Self {
        Streaming {
            sheet: Sheet::new(name, Vec::new()),
            head: Vec::new(),
            header: Header::Pending,
            row: None,
            cells: Vec::new(),
            read: Streamed::default(),
            memo: Memo::new(),
        }
    }

    /// Room for about `lines` cost lines (a reader's hint from the sheet's stated size).
    pub fn expect_lines(&mut self, lines: usize) {
        self.read.lines.reserve(lines);
    }

    /// The next non-blank cell, in row order (columns within a row in any order; the last value
    /// at a position wins, as in [`Sheet::new`]).
    pub fn push(&mut self, cell: Cell) -> Result<(), OutOfOrder> {
        match self.row {
            Some(row) if cell.row < row => {
                return Err(OutOfOrder {
                    row: cell.row,
                    after: row,
                });
            }
            Some(row) if cell.row > row => self.end_row(),
            _ => {}
        }
        self.row = Some(cell.row);
        self.cells.push(cell);
        Ok(())
    }

    fn end_row(&mut self) {
        let Some(row) = self.row.take() else { return };
        let cells = Sheet::new("", std::mem::take(&mut self.cells)).into_cells();
        if row < HEADER_ROWS {
            self.head.extend(cells);
            return;
        }
        self.locate();
        read_row(
            &self.sheet,
            &self.header,
            row,
            &cells,
            &mut self.read,
            &mut self.memo,
        );
        // The next row reuses the buffer.
        self.cells = cells;
        self.cells.clear();
    }

    /// Finds the header in the head, once, and reads the head's own data rows.
    fn locate(&mut self) {
        if !matches!(self.header, Header::Pending) {
            return;
        }
        let head = Sheet::new(self.sheet.name.as_str(), std::mem::take(&mut self.head));
        self.header = match Table::locate(&head, SheetKind::Budget, &mut Vec::new()) {
            Some(table) => Header::Found {
                row: table.header_row,
                columns: table.into_columns(),
            },
            None => Header::Missing,
        };
        self.head = head.into_cells();
        for cells in self.head.chunk_by(|a, b| a.row == b.row) {
            read_row(
                &self.sheet,
                &self.header,
                cells[0].row,
                cells,
                &mut self.read,
                &mut self.memo,
            );
        }
    }

    /// The sheet as the rules see it: its head's cells, and its cost lines already read.
    pub fn finish(mut self) -> Sheet {
        self.end_row();
        self.locate();
        Sheet::new(self.sheet.name, self.head).with_budget(self.read)
    }
}

/// One complete row, through the same [`Table::data_row`] and [`line`] as [`read`].
fn read_row(
    sheet: &Sheet,
    header: &Header,
    row: u32,
    cells: &[Cell],
    read: &mut Streamed,
    memo: &mut Memo,
) {
    let Header::Found {
        row: header_row,
        columns,
    } = header
    else {
        return;
    };
    let table = Table::with_columns(sheet, *header_row, columns);
    if let Some(data) = table.data_row(row, cells)
        && let Some(line) = line(&data, &mut read.findings, memo)
    {
        read.lines.push(line);
    }
}

/// Total planned budget and base funding, in öre. Each sum is exact, or clamped beyond every
/// limit when it does not fit an [`Ore`] (which no read budget nears: every line is at most
/// [`MAX_AMOUNT`](crate::money::MAX_AMOUNT)).
pub fn totals(lines: &[BudgetLine]) -> (Ore, Ore) {
    let total = Ore::saturating_sum(lines.iter().filter_map(|l| l.amount));
    let base = Ore::saturating_sum(
        lines
            .iter()
            .filter(|l| l.base_funding)
            .filter_map(|l| l.amount),
    );
    (total, base)
}

/// BUD-1 and BUD-4 to BUD-8. `participants` is `None` when the Deltagare sheet could not be read
/// (then BUD-8 cannot be judged and is left out).
pub fn check(
    lines: &[BudgetLine],
    sheet: &str,
    participants: Option<&[Participant]>,
    registered: Option<&[RegisteredOrg]>,
    rs: &RuleSet,
    findings: &mut Vec<Finding>,
) {
    // BUD-1
    if lines.is_empty() {
        findings.push(
            Finding::new(
                &BUD_1,
                Text::new(
                    format!("Budgeten i bladet {sheet} har inga kostnadsposter."),
                    format!("The budget in the sheet {sheet} has no cost lines."),
                ),
            )
            .at(Location::sheet(sheet)),
        );
        return;
    }

    let (total, base) = totals(lines);
    // The sum BUD-4 and BUD-5 are about: every Reglab-funded amount adds to it.
    let base_cells: Vec<Location> = lines
        .iter()
        .filter(|l| l.base_funding && l.amount.is_some())
        .map(|l| l.cells.at(sheet, l.cells.amount))
        .collect();

    // BUD-4
    if base > rs.base_funding_max {
        let finding = Finding::new(
            &BUD_4,
            Text::new(
                format!(
                    "Reglabs basfinansiering är {base} men får vara högst {}. Minska den med {}.",
                    rs.base_funding_max,
                    base.saturating_sub(rs.base_funding_max)
                ),
                format!(
                    "Reglab's base funding is {base} but may be at most {}. Reduce it by {}.",
                    rs.base_funding_max,
                    base.saturating_sub(rs.base_funding_max)
                ),
            ),
        );
        findings.push(finding.summing(base_cells.iter().cloned()));
    }

    // BUD-5
    let share = rs.base_funding_max_share;
    let limit = total.mul_ratio(share.num, share.den);
    if i128::from(base.ore()) * i128::from(share.den)
        > i128::from(total.ore()) * i128::from(share.num)
    {
        let finding = Finding::new(
            &BUD_5,
            Text::new(
                format!(
                    "Reglabs basfinansiering är {base} men får vara högst {limit}, hälften av den planerade budgeten ({total}). Minska den med {}.",
                    base.saturating_sub(limit)
                ),
                format!(
                    "Reglab's base funding is {base} but may be at most {limit}, half of the planned budget ({total}). Reduce it by {}.",
                    base.saturating_sub(limit)
                ),
            ),
        );
        findings.push(finding.summing(base_cells));
    }

    // BUD-6
    for line in lines
        .iter()
        .filter(|l| l.base_funding && l.category.is_some_and(|c| !c.base_funding_allowed()))
    {
        let amount = line.amount.map(|a| format!(" ({a})")).unwrap_or_default();
        let mut finding = Finding::new(
            &BUD_6,
            Text::new(
                format!(
                    "\"{}\"{amount} är arbetstid men finansieras med Reglabs basfinansiering, som inte får gå till arbetstid.",
                    line.item
                ),
                format!(
                    "\"{}\"{amount} is working time but paid by Reglab's base funding, which may not pay for working time.",
                    line.item
                ),
            ),
        );
        finding.location = Some(line.cells.at(sheet, line.cells.category));
        findings.push(finding);
    }

    // BUD-7
    let expert = lines
        .iter()
        .any(|l| l.category == Some(Category::Expertstod) && l.amount.is_some());
    if !expert {
        findings.push(
            Finding::new(
                &BUD_7,
                Text::new(
                    "Budgeten har ingen post för Expertstöd; provrummet bör budgetera för att köpa in expertkunskap.",
                    "The budget has no line for Expert support (Expertstöd); the provrum should budget for buying in expertise.",
                ),
            )
            .at(Location::sheet(sheet)),
        );
    }

    // BUD-8
    let Some(participants) = participants else {
        return;
    };
    let known_keys: HashSet<String> = participants
        .iter()
        .map(|p| org_key(&p.name))
        .chain(
            registered
                .unwrap_or_default()
                .iter()
                .flat_map(|o| [org_key(&o.id), org_key(&o.name)]),
        )
        .collect();
    let mut seen = Seen::new();
    let mut known = |funder: &Arc<str>| seen.get(funder, |f| known_keys.contains(&org_key(f)));
    for line in lines
        .iter()
        .filter(|l| !l.base_funding && !known(&l.funder))
    {
        let (sv, en) = if line.funder.is_empty() {
            (
                format!(
                    "Finansiär saknas för \"{}\"; ange Reglab eller en deltagande organisation.",
                    line.item
                ),
                format!(
                    "The funder is missing for \"{}\"; name Reglab or a participating organisation.",
                    line.item
                ),
            )
        } else {
            (
                format!(
                    "Finansiären {} för \"{}\" är varken Reglab eller en deltagande organisation.",
                    line.funder, line.item
                ),
                format!(
                    "The funder {} of \"{}\" is neither Reglab nor a participating organisation.",
                    line.funder, line.item
                ),
            )
        };
        let mut finding = Finding::new(&BUD_8, Text::new(sv, en));
        finding.location = Some(line.cells.at(sheet, line.cells.funder));
        findings.push(finding);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::Lang;

    fn line(item: &str, category: Category, kr: i64, base_funding: bool) -> BudgetLine {
        BudgetLine {
            item: Arc::from(item),
            category: Some(category),
            amount: Some(Ore::kr(kr)),
            funder: Arc::from(if base_funding {
                "Reglabs basfinansiering"
            } else {
                "Region Skåne"
            }),
            base_funding,
            comment: no_text(),
            cells: LineCells::default(),
        }
    }

    fn messages(lines: &[BudgetLine], rule: &str, lang: Lang) -> Vec<String> {
        let mut findings = Vec::new();
        check(
            lines,
            "Budget",
            None,
            None,
            &RuleSet::provrum_2023(),
            &mut findings,
        );
        findings
            .iter()
            .filter(|f| f.rule == rule)
            .map(|f| f.text.get(lang).to_string())
            .collect()
    }

    /// 193 000 kr of base funding in a budget of 365 000 kr: above both the 100 000 kr cap and half.
    fn over_both() -> Vec<BudgetLine> {
        vec![
            line("Extern expert", Category::Expertstod, 193_000, true),
            line("Analytiker", Category::Arbetstid, 172_000, false),
        ]
    }

    #[test]
    fn bud_4_says_what_the_base_funding_is_and_may_be() {
        assert_eq!(
            messages(&over_both(), "BUD-4", Lang::Sv),
            [
                "Reglabs basfinansiering är 193 000 kr men får vara högst 100 000 kr. Minska den med 93 000 kr."
            ]
        );
        assert_eq!(
            messages(&over_both(), "BUD-4", Lang::En),
            [
                "Reglab's base funding is 193 000 kr but may be at most 100 000 kr. Reduce it by 93 000 kr."
            ]
        );
    }

    /// A finding about the sum of base funding marks every line that adds to it: the one that
    /// tipped it over and the others, not only the first.
    #[test]
    fn bud_4_and_bud_5_name_every_cell_of_the_base_funding() {
        let mut lines = vec![
            line("Extern expert", Category::Expertstod, 60_000, true),
            line("Analytiker", Category::Arbetstid, 100_000, false),
            line("Lokal", Category::MotenOchLokaler, 30_000, true),
            line("Resor", Category::Resor, 40_000, true),
        ];
        for (i, line) in lines.iter_mut().enumerate() {
            line.cells = LineCells {
                row: 3 + i as u32,
                amount: Some(2).into(),
                ..LineCells::default()
            };
        }
        let mut findings = Vec::new();
        check(
            &lines,
            "Budget",
            None,
            None,
            &RuleSet::provrum_2023(),
            &mut findings,
        );
        let cells = |rule: &str| -> Vec<String> {
            let finding = findings.iter().find(|f| f.rule == rule).expect(rule);
            assert_eq!(finding.location.as_ref(), finding.cells.first());
            finding.cells.iter().map(Location::reference).collect()
        };
        // 130 000 kr of base funding: above the cap, and above half of 230 000 kr.
        assert_eq!(cells("BUD-4"), ["Budget!C4", "Budget!C6", "Budget!C7"]);
        assert_eq!(cells("BUD-5"), ["Budget!C4", "Budget!C6", "Budget!C7"]);
        let rendered = findings[0].render(Lang::Sv);
        assert_eq!(rendered.cells.len(), 3);
    }

    #[test]
    fn bud_5_names_the_limit_and_the_planned_budget() {
        assert_eq!(
            messages(&over_both(), "BUD-5", Lang::Sv),
            [
                "Reglabs basfinansiering är 193 000 kr men får vara högst 182 500 kr, hälften av den planerade budgeten (365 000 kr). Minska den med 10 500 kr."
            ]
        );
        assert_eq!(
            messages(&over_both(), "BUD-5", Lang::En),
            [
                "Reglab's base funding is 193 000 kr but may be at most 182 500 kr, half of the planned budget (365 000 kr). Reduce it by 10 500 kr."
            ]
        );
    }

    #[test]
    fn totals_of_huge_lines_clamp_and_still_break_bud_4_and_5() {
        // Lines past MAX_AMOUNT come only from stored or hand-made data, never from a workbook;
        // their sum must neither wrap nor panic.
        let huge = |base| BudgetLine {
            amount: Some(Ore::from_ore(i64::MAX)),
            ..line("Stort", Category::Resor, 0, base)
        };
        let lines = [huge(true), huge(true), huge(false)];
        let max = Ore::from_ore(i64::MAX);
        assert_eq!(totals(&lines), (max, max));
        assert_eq!(messages(&lines, "BUD-4", Lang::En).len(), 1);
        assert_eq!(messages(&lines, "BUD-5", Lang::En).len(), 1);
    }
}
