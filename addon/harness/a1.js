// A1 notation: `B7`, `$A$1:$A$21`, `'Project plan'!B9`. Rows and columns are 1-based here,
// as in Apps Script.
'use strict';

function columnLetters(col) {
  let s = '';
  let n = col;
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

function columnNumber(letters) {
  let n = 0;
  for (const ch of letters.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n;
}

function a1(row, col) {
  return columnLetters(col) + row;
}

/** {sheet?, row, col, numRows, numCols} from A1 notation; throws like Sheets on nonsense. */
function parse(ref) {
  let text = String(ref);
  let sheet = null;
  const bang = text.lastIndexOf('!');
  if (bang >= 0) {
    sheet = text.slice(0, bang);
    if (sheet.startsWith("'") && sheet.endsWith("'")) sheet = sheet.slice(1, -1).replace(/''/g, "'");
    text = text.slice(bang + 1);
  }
  const m = /^\$?([A-Za-z]{1,3})\$?(\d{1,7})(?::\$?([A-Za-z]{1,3})\$?(\d{1,7}))?$/.exec(text);
  if (!m) throw new Error(`Exception: Range not found: ${ref}`);
  const row = Number(m[2]);
  const col = columnNumber(m[1]);
  const lastRow = m[3] ? Number(m[4]) : row;
  const lastCol = m[3] ? columnNumber(m[3]) : col;
  if (row < 1 || lastRow < row || lastCol < col) throw new Error(`Exception: Range not found: ${ref}`);
  return { sheet, row, col, numRows: lastRow - row + 1, numCols: lastCol - col + 1 };
}

module.exports = { a1, parse, columnLetters, columnNumber };
