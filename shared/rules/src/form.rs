//! FORM: is this the Reglab workbook at all? Finds the three sheets and their header rows.
//!
//! No sentence of the model states these rules (they have no `source`); they make sure the
//! other rules look at the right cells.

use crate::finding::{Finding, Location, Rule, Severity, Title};
use crate::lang::Text;
use crate::layout::{Column, HEADER_ROWS, SheetKind, TOTALS};
use crate::sheet::{Sheet, Value, Workbook};
use crate::words::{Name, starts_with_word};
use std::borrow::Cow;

/// FORM-1 · the file is a readable workbook (.xlsx, .xlsm, .xls, .ods); anything else is refused
/// with a clear message.
pub const FORM_1: Rule = Rule {
    id: "FORM-1",
    title: Title::new("Filen kan inte läsas", "The file cannot be read"),
    severity: Severity::Error,
    source: None,
};

/// FORM-2 · a required sheet is missing (Projektplan, Deltagare, Budget).
pub const FORM_2: Rule = Rule {
    id: "FORM-2",
    title: Title::new("Ett blad saknas", "A sheet is missing"),
    severity: Severity::Error,
    source: None,
};

/// FORM-3 · a required column header is missing in a sheet.
pub const FORM_3: Rule = Rule {
    id: "FORM-3",
    title: Title::new("En kolumnrubrik saknas", "A column header is missing"),
    severity: Severity::Error,
    source: None,
};

/// FORM-1 for a file the reader refused; `reason` says why in words a leader understands.
pub fn unreadable(reason: Text) -> Finding {
    Finding::new(&FORM_1, reason)
}

/// The sheets of the template found in a workbook. A missing one has given FORM-2.
pub struct Found<'a> {
    pub plan: Option<&'a Sheet>,
    pub participants: Option<Table<'a>>,
    pub budget: Option<Table<'a>>,
}

pub fn locate<'a>(workbook: &'a Workbook, findings: &mut Vec<Finding>) -> Found<'a> {
    let mut sheet = |kind: SheetKind| {
        let name = kind.name();
        let found = workbook.sheets.iter().find(|s| name.matches(&s.name));
        if found.is_none() {
            let present: Vec<&str> = workbook.sheets.iter().map(|s| s.name.as_str()).collect();
            let present = present.join(", ");
            findings.push(Finding::new(
                &FORM_2,
                Text::new(
                    format!("Bladet {} saknas i arbetsboken (bladen heter: {present}).", name.sv),
                    format!("The sheet {} ({}) is missing from the workbook (its sheets are: {present}).", name.en, name.sv),
                ),
            ));
        }
        found
    };
    let plan = sheet(SheetKind::Plan);
    let participants = sheet(SheetKind::Participants);
    let budget = sheet(SheetKind::Budget);
    Found {
        plan,
        participants: participants
            .and_then(|s| Table::locate(s, SheetKind::Participants, findings)),
        budget: budget.and_then(|s| Table::locate(s, SheetKind::Budget, findings)),
    }
}

/// A table sheet whose header row was found: which column holds what.
pub struct Table<'a> {
    pub sheet: &'a Sheet,
    pub header_row: u32,
    /// Which column holds what: found here, or kept by a streaming reader ([`Table::with_columns`]).
    columns: Cow<'a, [(Column, u32)]>,
}

/// One cell of a data row: its value (Empty when blank) and its place.
pub struct Field<'a> {
    pub value: &'a Value,
    sheet: &'a str,
    row: u32,
    /// `None` for an optional column the sheet does not have.
    col: Option<u32>,
}

impl Field<'_> {
    /// The cell's column, `None` for a column the sheet does not have.
    pub fn col(&self) -> Option<u32> {
        self.col
    }

    /// Where the cell is (the sheet alone for a column the sheet does not have). Built on
    /// demand: most fields of most rows never need one.
    pub fn location(&self) -> Location {
        match self.col {
            Some(col) => Location::cell(self.sheet, self.row, col),
            None => Location::sheet(self.sheet),
        }
    }
}

static EMPTY: Value = Value::Empty;

impl<'a> Table<'a> {
    /// The header row is the row among the first 20 that names most of the sheet's columns (in any
    /// order, Swedish or English); each required column it lacks is a FORM-3.
    pub(crate) fn locate(
        sheet: &'a Sheet,
        kind: SheetKind,
        findings: &mut Vec<Finding>,
    ) -> Option<Table<'a>> {
        let wanted = kind.columns();
        let mut best: Option<(u32, Vec<(Column, u32)>)> = None;
        for (row, cells) in sheet.rows().take_while(|(row, _)| *row < HEADER_ROWS) {
            let mut columns: Vec<(Column, u32)> = Vec::new();
            for cell in cells {
                let Value::Text(text) = &cell.value else {
                    continue;
                };
                if let Some(column) = Column::named(text).filter(|c| wanted.contains(c))
                    && !columns.iter().any(|(c, _)| *c == column)
                {
                    columns.push((column, cell.col));
                }
            }
            if !columns.is_empty() && best.as_ref().is_none_or(|(_, b)| columns.len() > b.len()) {
                best = Some((row, columns));
            }
        }
        let (header_row, columns) = match best {
            Some((row, columns)) => (row, columns),
            None => (0, Vec::new()),
        };
        let missing: Vec<Name> = wanted
            .iter()
            .filter(|c| c.required() && !columns.iter().any(|(have, _)| have == *c))
            .map(|c| c.header())
            .collect();
        for name in &missing {
            let location = if columns.is_empty() {
                Location::sheet(&sheet.name)
            } else {
                Location::cell(&sheet.name, header_row, 0)
            };
            let location_sv = if columns.is_empty() {
                format!("bland de {HEADER_ROWS} första raderna")
            } else {
                format!("på rubrikraden (rad {})", header_row + 1)
            };
            let location_en = if columns.is_empty() {
                format!("in the first {HEADER_ROWS} rows")
            } else {
                format!("on the header row (row {})", header_row + 1)
            };
            let mut finding = Finding::new(
                &FORM_3,
                Text::new(
                    format!(
                        "Kolumnen {} saknas i bladet {} {location_sv}.",
                        name.sv, sheet.name
                    ),
                    format!(
                        "The column {} ({}) is missing in the sheet {} {location_en}.",
                        name.en, name.sv, sheet.name
                    ),
                ),
            );
            finding.location = Some(Location {
                cell: None,
                ..location
            });
            findings.push(finding);
        }
        if missing.is_empty() {
            Some(Table {
                sheet,
                header_row,
                columns: Cow::Owned(columns),
            })
        } else {
            None
        }
    }

    /// A table whose header is already known (a streaming reader's, found by [`Table::locate`]).
    pub(crate) fn with_columns(
        sheet: &'a Sheet,
        header_row: u32,
        columns: &'a [(Column, u32)],
    ) -> Table<'a> {
        Table {
            sheet,
            header_row,
            columns: Cow::Borrowed(columns),
        }
    }

    /// Which column holds what.
    pub(crate) fn into_columns(self) -> Vec<(Column, u32)> {
        self.columns.into_owned()
    }

    pub fn name(&self) -> &str {
        &self.sheet.name
    }

    pub fn column(&self, column: Column) -> Option<u32> {
        self.columns
            .iter()
            .find(|(c, _)| *c == column)
            .map(|(_, col)| *col)
    }

    /// The rows below the header that have something in one of the table's columns; empty rows
    /// and totals rows (`Summa`, `Totalt`, `Total`) are skipped.
    pub fn data_rows(&self) -> impl Iterator<Item = Row<'_, 'a>> {
        self.sheet
            .rows()
            .filter_map(move |(row, cells)| self.data_row(row, cells))
    }

    /// One row of the sheet (its non-empty cells, by column) as a data row, or `None` when
    /// [`Table::data_rows`] skips it. For a reader that hands the rows over one at a time.
    pub fn data_row<'t, 'c>(
        &'t self,
        row: u32,
        cells: &'c [crate::sheet::Cell],
    ) -> Option<Row<'t, 'c>>
    where
        'a: 'c,
    {
        let in_columns = cells
            .iter()
            .any(|c| self.columns.iter().any(|(_, col)| *col == c.col));
        (row > self.header_row && in_columns && !is_totals_row(cells)).then_some(Row {
            table: self,
            row,
            cells,
        })
    }
}

/// A data row of a table.
pub struct Row<'t, 'a> {
    table: &'t Table<'a>,
    pub row: u32,
    /// The row's non-empty cells, by column.
    cells: &'a [crate::sheet::Cell],
}

impl<'a> Row<'_, 'a> {
    /// The cell of a column in this row; Empty for an optional column the sheet does not have.
    pub fn get(&self, column: Column) -> Field<'a> {
        let col = self.table.column(column);
        let value = col
            .and_then(|col| {
                self.cells
                    .binary_search_by_key(&col, |c| c.col)
                    .ok()
                    .map(|i| &self.cells[i].value)
            })
            .unwrap_or(&EMPTY);
        let sheet: &'a crate::sheet::Sheet = self.table.sheet;
        Field {
            value,
            sheet: &sheet.name,
            row: self.row,
            col,
        }
    }
}

fn is_totals_row(cells: &[crate::sheet::Cell]) -> bool {
    let Some(first) = cells.first() else {
        return false;
    };
    let Value::Text(text) = &first.value else {
        return false;
    };
    TOTALS.iter().any(|word| starts_with_word(text, word))
}
