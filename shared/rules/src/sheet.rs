//! What a workbook reader hands to the rules: named sheets of sparse cells, each with its place.
//!
//! The reader (`provrum-workbook`) does the I/O and the bounding; everything that interprets the
//! cells — which sheet is which, where the headers are, what an amount means — is a rule and lives
//! in this crate.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::sync::{Arc, LazyLock};

/// One cell's value, as a spreadsheet shows it (formulas by their cached value). Text is shared:
/// a sheet repeats its categories and funders thousands of times, and a budget line keeps the
/// texts of its cells without copying them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Value {
    Empty,
    Text(Arc<str>),
    Number(f64),
    Date(NaiveDate),
    Bool(bool),
    /// A formula error such as `#REF!` or `#DIV/0!`.
    Error(Arc<str>),
}

impl Value {
    /// Empty, or text of only white space.
    pub fn is_blank(&self) -> bool {
        match self {
            Value::Empty => true,
            Value::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }

    /// The value as a person reads it in the cell (numbers without a trailing `.0`).
    pub fn display(&self) -> String {
        match self {
            Value::Empty => String::new(),
            Value::Text(s) => s.trim().to_string(),
            Value::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
            Value::Number(n) => n.to_string(),
            Value::Date(d) => d.format("%Y-%m-%d").to_string(),
            Value::Bool(true) => "TRUE".into(),
            Value::Bool(false) => "FALSE".into(),
            Value::Error(e) => e.to_string(),
        }
    }

    /// [`Value::display`], sharing the text of a text cell that needs no trimming.
    pub fn shown(&self) -> Arc<str> {
        /// One empty text for every empty cell shown (most lines have no comment).
        static EMPTY: LazyLock<Arc<str>> = LazyLock::new(|| Arc::from(""));
        match self {
            Value::Text(s) if s.trim().len() == s.len() => s.clone(),
            Value::Empty => EMPTY.clone(),
            other => match other.display() {
                shown if shown.is_empty() => EMPTY.clone(),
                shown => shown.into(),
            },
        }
    }
}

/// A value and its position (0-based row and column).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    pub row: u32,
    pub col: u32,
    pub value: Value,
}

/// A sheet: its name as the workbook spells it and its non-empty cells, sorted by row, then column.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Sheet {
    pub name: String,
    cells: Vec<Cell>,
    /// The Budget sheet's cost lines, when its reader streamed them ([`crate::bud::Streaming`]):
    /// then `cells` holds only the rows the header is found among.
    #[serde(skip)]
    budget: Option<Box<crate::bud::Streamed>>,
}

impl Sheet {
    /// Builds a sheet from cells in any order; blank cells are dropped, the last value at a
    /// position wins.
    pub fn new(name: impl Into<String>, mut cells: Vec<Cell>) -> Sheet {
        cells.retain(|c| !c.value.is_blank());
        // Readers give cells in order; sorting them anyway would ask for scratch space the size
        // of the sheet.
        if !cells.is_sorted_by_key(|c| (c.row, c.col)) {
            cells.sort_by_key(|c| (c.row, c.col));
        }
        cells.dedup_by(|later, earlier| {
            if (later.row, later.col) == (earlier.row, earlier.col) {
                std::mem::swap(later, earlier);
                true
            } else {
                false
            }
        });
        Sheet {
            name: name.into(),
            cells,
            budget: None,
        }
    }

    /// This sheet, with the cost lines its reader already read from it.
    pub fn with_budget(mut self, budget: crate::bud::Streamed) -> Sheet {
        self.budget = Some(Box::new(budget));
        self
    }

    /// The cost lines read while streaming, taken out of the sheet.
    pub(crate) fn take_budget(&mut self) -> Option<crate::bud::Streamed> {
        self.budget.take().map(|b| *b)
    }

    pub fn cells(&self) -> &[Cell] {
        &self.cells
    }

    pub(crate) fn into_cells(self) -> Vec<Cell> {
        self.cells
    }

    pub fn get(&self, row: u32, col: u32) -> Option<&Value> {
        self.cells
            .binary_search_by_key(&(row, col), |c| (c.row, c.col))
            .ok()
            .map(|i| &self.cells[i].value)
    }

    /// The non-empty cells of each row that has any, in order.
    pub fn rows(&self) -> impl Iterator<Item = (u32, &[Cell])> {
        self.cells
            .chunk_by(|a, b| a.row == b.row)
            .map(|chunk| (chunk[0].row, chunk))
    }
}

/// A workbook as read: its sheets in order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Workbook {
    pub sheets: Vec<Sheet>,
}

/// `A1` notation for a 0-based row and column.
pub fn a1(row: u32, col: u32) -> String {
    let mut letters = Vec::new();
    let mut n = col as u64 + 1;
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        letters.push((b'A' + rem) as char);
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect::<String>() + &(row as u64 + 1).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a1_notation() {
        assert_eq!(a1(0, 0), "A1");
        assert_eq!(a1(8, 2), "C9");
        assert_eq!(a1(0, 25), "Z1");
        assert_eq!(a1(0, 26), "AA1");
        assert_eq!(a1(1_048_575, 16_383), "XFD1048576");
    }

    #[test]
    fn sheet_sorts_drops_blanks_and_groups_rows() {
        let c = |row, col, v: &str| Cell {
            row,
            col,
            value: Value::Text(v.into()),
        };
        let sheet = Sheet::new(
            "S",
            vec![
                c(2, 1, "b"),
                c(0, 0, "a"),
                c(2, 0, "x"),
                c(1, 0, "  "),
                c(2, 0, "y"),
            ],
        );
        assert_eq!(sheet.get(2, 0), Some(&Value::Text("y".into())));
        assert_eq!(sheet.get(1, 0), None);
        let rows: Vec<(u32, usize)> = sheet.rows().map(|(r, cells)| (r, cells.len())).collect();
        assert_eq!(rows, vec![(0, 1), (2, 2)]);
    }
}
