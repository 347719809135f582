// A fake of the parts of Google Sheets' SpreadsheetApp the add-on uses: spreadsheets, sheets,
// ranges with values, formulas, formats, notes, merges, data validation, conditional formatting
// and charts. It keeps everything it is told, so tests (and the renderer that draws the
// screenshots) can look at the result, and it fails the way Sheets fails on wrong sizes and
// unknown ranges.
'use strict';
const A1 = require('./a1');

const FORMAT_KEYS = [
  'background', 'fontWeight', 'fontStyle', 'fontColor', 'fontSize', 'wrap', 'numberFormat',
  'border', 'hAlign', 'vAlign',
];

function isDate(v) {
  return Object.prototype.toString.call(v) === '[object Date]';
}

class Cell {
  constructor() {
    this.value = '';
    this.formula = '';
    this.note = '';
    this.validation = null;
  }
  isEmpty() {
    return this.value === '' && this.formula === '';
  }
}

class Range {
  constructor(sheet, row, col, numRows, numCols) {
    if (row < 1 || col < 1 || numRows < 1 || numCols < 1
      || row + numRows - 1 > sheet.maxRows || col + numCols - 1 > sheet.maxCols) {
      throw new Error('Exception: The coordinates of the range are outside the dimensions of the sheet.');
    }
    this.sheet = sheet;
    this.row = row;
    this.col = col;
    this.numRows = numRows;
    this.numCols = numCols;
  }
  each(fn) {
    for (let r = 0; r < this.numRows; r++) {
      for (let c = 0; c < this.numCols; c++) fn(this.sheet.cell(this.row + r, this.col + c), r, c);
    }
    return this;
  }
  first() {
    return this.sheet.cell(this.row, this.col);
  }
  getSheet() { return this.sheet; }
  getRow() { return this.row; }
  getColumn() { return this.col; }
  getNumRows() { return this.numRows; }
  getNumColumns() { return this.numCols; }
  getLastRow() { return this.row + this.numRows - 1; }
  getA1Notation() {
    const start = A1.a1(this.row, this.col);
    return this.numRows === 1 && this.numCols === 1 ? start : `${start}:${A1.a1(this.getLastRow(), this.col + this.numCols - 1)}`;
  }
  getCell(r, c) { return new Range(this.sheet, this.row + r - 1, this.col + c - 1, 1, 1); }
  getValue() { return this.sheet.peek(this.row, this.col).value; }
  getValues() {
    const out = [];
    for (let r = 0; r < this.numRows; r++) {
      const line = [];
      for (let c = 0; c < this.numCols; c++) line.push(this.sheet.peek(this.row + r, this.col + c).value);
      out.push(line);
    }
    return out;
  }
  getFormula() { return this.sheet.peek(this.row, this.col).formula; }
  setValue(v) {
    this.sheet.spreadsheet.checkValue(v);
    store(this.first(), v);
    return this;
  }
  setValues(values) {
    if (!Array.isArray(values) || values.length !== this.numRows) {
      throw new Error(`Exception: The number of rows in the data does not match the number of rows in the range. The data has ${values && values.length} but the range has ${this.numRows}.`);
    }
    values.forEach((line) => {
      if (!Array.isArray(line) || line.length !== this.numCols) {
        throw new Error(`Exception: The number of columns in the data does not match the number of columns in the range. The data has ${line && line.length} but the range has ${this.numCols}.`);
      }
    });
    this.each((cell, r, c) => {
      this.sheet.spreadsheet.checkValue(values[r][c]);
      store(cell, values[r][c]);
    });
    return this;
  }
  setFormula(f) {
    const cell = this.first();
    cell.formula = String(f);
    cell.value = '';
    return this;
  }
  getNote() { return this.sheet.peek(this.row, this.col).note; }
  setNote(note) { return this.each((cell) => { cell.note = note === null || note === undefined ? '' : String(note); }); }
  getBackground() { return this.sheet.peek(this.row, this.col).background || '#ffffff'; }
  setBackground(colour) { return this.each((cell) => { cell.background = colour === null ? undefined : colour; }); }
  setFontWeight(w) { return this.each((cell) => { cell.fontWeight = w; }); }
  setFontStyle(s) { return this.each((cell) => { cell.fontStyle = s; }); }
  setFontColor(c) { return this.each((cell) => { cell.fontColor = c; }); }
  setFontSize(s) { return this.each((cell) => { cell.fontSize = s; }); }
  setWrap(w) { return this.each((cell) => { cell.wrap = !!w; }); }
  setNumberFormat(f) { return this.each((cell) => { cell.numberFormat = f; }); }
  setHorizontalAlignment(a) { return this.each((cell) => { cell.hAlign = a; }); }
  setVerticalAlignment(a) { return this.each((cell) => { cell.vAlign = a; }); }
  setBorder(top, left, bottom, right) {
    return this.each((cell) => { cell.border = !!(top || left || bottom || right); });
  }
  merge() {
    this.sheet.merges = this.sheet.merges.filter((m) => !overlaps(m, this));
    this.sheet.merges.push({ row: this.row, col: this.col, numRows: this.numRows, numCols: this.numCols });
    return this;
  }
  breakApart() {
    this.sheet.merges = this.sheet.merges.filter((m) => !overlaps(m, this));
    return this;
  }
  setDataValidation(rule) { return this.each((cell) => { cell.validation = rule; }); }
  getDataValidation() { return this.sheet.peek(this.row, this.col).validation; }
  clearDataValidations() { return this.each((cell) => { cell.validation = null; }); }
  activate() {
    this.sheet.spreadsheet.activeSheet = this.sheet;
    this.sheet.activeRange = this;
    this.sheet.activeRangeList = null;
    return this;
  }
  /** Contents and formats of these cells (Range.clear: notes and validation stay). */
  clear() {
    return this.each((cell) => {
      cell.value = '';
      cell.formula = '';
      for (const k of FORMAT_KEYS) delete cell[k];
    });
  }
  clearNote() { return this.each((cell) => { cell.note = ''; }); }
}

/**
 * As Sheets takes a value from a script: `=…` is a formula, a leading apostrophe makes the rest
 * text, and text that reads as a number or an ISO date (or date and time) becomes one.
 */
function store(cell, v) {
  cell.formula = '';
  if (typeof v === 'string' && v.startsWith('=')) {
    cell.formula = v;
    cell.value = '';
  } else if (typeof v === 'string' && v.startsWith("'")) {
    cell.value = v.slice(1);
  } else if (typeof v === 'string' && /^-?\d+([.,]\d+)?$/.test(v.trim())) {
    cell.value = Number(v.trim().replace(',', '.'));
  } else if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}(:\d{2})?)?$/.test(v.trim())) {
    const [d, t = '00:00'] = v.trim().split(' ');
    const [y, m, day] = d.split('-').map(Number);
    const [hh, mm, ss = 0] = t.split(':').map(Number);
    cell.value = new Date(y, m - 1, day, hh, mm, ss);
  } else {
    cell.value = v === null || v === undefined ? '' : v;
  }
}

function overlaps(a, b) {
  return a.row < b.row + b.numRows && b.row < a.row + a.numRows && a.col < b.col + b.numCols && b.col < a.col + a.numCols;
}

let nextSheetId = 1000;

class Sheet {
  constructor(spreadsheet, name) {
    this.spreadsheet = spreadsheet;
    this.name = name;
    this.id = nextSheetId++;
    this.cells = new Map();
    this.merges = [];
    this.frozenRows = 0;
    this.columnWidths = {};
    this.rowHeights = {};
    this.hidden = false;
    // A new sheet in Google Sheets has 1 000 rows and 26 columns.
    this.maxRows = 1000;
    this.maxCols = 26;
    this.conditionalRules = [];
    this.charts = [];
  }
  key(r, c) { return `${r},${c}`; }
  cell(r, c) {
    const k = this.key(r, c);
    if (!this.cells.has(k)) this.cells.set(k, new Cell());
    return this.cells.get(k);
  }
  peek(r, c) { return this.cells.get(this.key(r, c)) || new Cell(); }
  getName() { return this.name; }
  setName(name) { this.name = name; return this; }
  getSheetId() { return this.id; }
  getParent() { return this.spreadsheet; }
  getRange(a, b, c, d) {
    if (typeof a === 'string') {
      const p = A1.parse(a);
      if (p.sheet !== null && p.sheet !== this.name) throw new Error(`Exception: Range not found: ${a}`);
      return new Range(this, p.row, p.col, p.numRows, p.numCols);
    }
    return new Range(this, a, b, c === undefined ? 1 : c, d === undefined ? 1 : d);
  }
  getLastRow() {
    let last = 0;
    for (const [k, cell] of this.cells) if (!cell.isEmpty()) last = Math.max(last, Number(k.split(',')[0]));
    return last;
  }
  getLastColumn() {
    let last = 0;
    for (const [k, cell] of this.cells) if (!cell.isEmpty()) last = Math.max(last, Number(k.split(',')[1]));
    return last;
  }
  getDataRange() { return new Range(this, 1, 1, Math.max(1, this.getLastRow()), Math.max(1, this.getLastColumn())); }
  clear() {
    // Contents and formats. Notes, merges and data validation have their own calls
    // (clearNotes, breakApart, clearDataValidations): this fake keeps them, so code that needs
    // them gone must say so.
    for (const cell of this.cells.values()) {
      cell.value = '';
      cell.formula = '';
      for (const k of FORMAT_KEYS) delete cell[k];
    }
    return this;
  }
  clearNotes() {
    for (const cell of this.cells.values()) cell.note = '';
    return this;
  }
  getMaxRows() { return this.maxRows; }
  getMaxColumns() { return this.maxCols; }
  insertRowsAfter(after, n) {
    if (after < 1 || after > this.maxRows || n < 1) throw new Error('Exception: Those rows are out of bounds.');
    if (after !== this.maxRows) throw new Error('this fake only appends rows at the end');
    this.maxRows += n;
    return this;
  }
  setFrozenRows(n) { this.frozenRows = n; return this; }
  getFrozenRows() { return this.frozenRows; }
  setColumnWidth(col, px) { this.columnWidths[col] = px; return this; }
  setRowHeight(row, px) { this.rowHeights[row] = px; return this; }
  hideSheet() { this.hidden = true; return this; }
  showSheet() { this.hidden = false; return this; }
  isSheetHidden() { return this.hidden; }
  activate() { this.spreadsheet.activeSheet = this; return this; }
  /** The range the user selected (Range.activate), A1 when none was. */
  getActiveRange() { return this.activeRange || new Range(this, 1, 1, 1, 1); }
  /** Sheet.getRangeList: several A1 ranges; activate() selects them all, the last one current. */
  getRangeList(refs) {
    const ranges = refs.map((ref) => { const p = A1.parse(ref); return new Range(this, p.row, p.col, p.numRows, p.numCols); });
    const list = {
      getRanges: () => ranges.slice(),
      activate: () => {
        this.spreadsheet.activeSheet = this;
        this.activeRangeList = ranges;
        this.activeRange = ranges[ranges.length - 1];
        return list;
      },
    };
    return list;
  }
  getActiveRangeList() { return { getRanges: () => (this.activeRangeList || [this.getActiveRange()]).slice() }; }
  getActiveCell() { const r = this.getActiveRange(); return new Range(this, r.row, r.col, 1, 1); }
  setConditionalFormatRules(rules) { this.conditionalRules = rules.slice(); return this; }
  getConditionalFormatRules() { return this.conditionalRules.slice(); }
  newChart() { return new ChartBuilder(); }
  insertChart(chart) { this.charts.push(chart); }
  getCharts() { return this.charts.slice(); }
  removeChart(chart) { this.charts = this.charts.filter((c) => c !== chart); }

  // For tests: the value or formula text at an A1 cell.
  text(ref) {
    const p = A1.parse(ref);
    const cell = this.peek(p.row, p.col);
    return cell.formula || cell.value;
  }
  /** Rows of values from `first` row on, `width` columns wide, up to the last row. */
  rows(first, width) {
    const out = [];
    for (let r = first; r <= this.getLastRow(); r++) {
      const line = [];
      for (let c = 1; c <= width; c++) {
        const cell = this.peek(r, c);
        line.push(cell.formula || cell.value);
      }
      out.push(line);
    }
    return out;
  }
}

class ChartBuilder {
  constructor() {
    this.chart = { type: null, ranges: [], options: {}, position: null, numHeaders: -1 };
  }
  setChartType(t) { this.chart.type = t; return this; }
  addRange(r) { this.chart.ranges.push(r); return this; }
  setNumHeaders(n) { this.chart.numHeaders = n; return this; }
  setOption(k, v) { this.chart.options[k] = v; return this; }
  setPosition(row, col, x, y) { this.chart.position = { row, col, x, y }; return this; }
  build() {
    const c = this.chart;
    if (!c.type || !c.ranges.length) throw new Error('Exception: A chart needs a type and a range.');
    return {
      ...c,
      getRanges: () => c.ranges.slice(),
      getChartType: () => c.type,
      getOptions: () => ({ get: (k) => c.options[k] }),
    };
  }
}

class DataValidationBuilder {
  constructor() {
    this.rule = { criteria: null, args: [], allowInvalid: true, helpText: '' };
  }
  requireValueInList(values, dropdown) { this.rule.criteria = 'VALUE_IN_LIST'; this.rule.args = [values.slice(), dropdown]; return this; }
  requireValueInRange(range, dropdown) { this.rule.criteria = 'VALUE_IN_RANGE'; this.rule.args = [range, dropdown]; return this; }
  requireDateAfter(date) {
    if (!isDate(date)) throw new Error('Exception: Invalid argument: date');
    this.rule.criteria = 'DATE_AFTER';
    this.rule.args = [date];
    return this;
  }
  requireNumberGreaterThan(n) { this.rule.criteria = 'NUMBER_GREATER_THAN'; this.rule.args = [n]; return this; }
  setAllowInvalid(b) { this.rule.allowInvalid = !!b; return this; }
  setHelpText(t) { this.rule.helpText = String(t); return this; }
  build() {
    if (!this.rule.criteria) throw new Error('Exception: A data validation rule needs a criterion.');
    return { ...this.rule, getCriteriaType: () => this.rule.criteria, getCriteriaValues: () => this.rule.args, getHelpText: () => this.rule.helpText };
  }
}

class ConditionalFormatRuleBuilder {
  constructor() {
    this.rule = { when: null, text: null, background: null, fontColor: null, ranges: [] };
  }
  whenTextEqualTo(text) { this.rule.when = 'TEXT_EQUAL_TO'; this.rule.text = text; return this; }
  setBackground(c) { this.rule.background = c; return this; }
  setFontColor(c) { this.rule.fontColor = c; return this; }
  setRanges(ranges) { this.rule.ranges = ranges.slice(); return this; }
  build() {
    if (!this.rule.when || !this.rule.ranges.length) throw new Error('Exception: A conditional format rule needs a condition and ranges.');
    return { ...this.rule, getRanges: () => this.rule.ranges.slice() };
  }
}

let nextSpreadsheet = 1;

class Spreadsheet {
  constructor(name, { timeZone = 'Europe/Stockholm', locale = 'sv_SE' } = {}) {
    this.id = `fake-spreadsheet-${nextSpreadsheet++}-${Math.random().toString(36).slice(2, 10)}`;
    this.name = name;
    this.timeZone = timeZone;
    this.locale = locale;
    this.sheets = [new Sheet(this, locale.startsWith('en') ? 'Sheet1' : 'Blad1')];
    this.activeSheet = this.sheets[0];
    this.toasts = [];
  }
  checkValue(v) {
    if (v !== null && v !== undefined && typeof v === 'object' && !isDate(v)) {
      throw new Error(`Exception: Cannot convert ${Object.prototype.toString.call(v)} to a cell value.`);
    }
  }
  getId() { return this.id; }
  getName() { return this.name; }
  getUrl() { return `https://docs.google.com/spreadsheets/d/${this.id}/edit`; }
  getSpreadsheetTimeZone() { return this.timeZone; }
  getSheets() { return this.sheets.slice(); }
  getSheetByName(name) { return this.sheets.find((s) => s.name === name) || null; }
  insertSheet(name, index) {
    if (this.getSheetByName(name)) {
      throw new Error(`Exception: A sheet with the name "${name}" already exists. Please enter another name.`);
    }
    const sheet = new Sheet(this, name);
    const at = index === undefined ? this.sheets.length : Math.min(index, this.sheets.length);
    this.sheets.splice(at, 0, sheet);
    this.activeSheet = sheet;
    return sheet;
  }
  deleteSheet(sheet) {
    if (this.sheets.length === 1) throw new Error("Exception: You can't remove all the sheets in a document.");
    this.sheets = this.sheets.filter((s) => s !== sheet);
    if (this.activeSheet === sheet) this.activeSheet = this.sheets[0];
  }
  setActiveSheet(sheet) { this.activeSheet = sheet; return sheet; }
  getActiveSheet() { return this.activeSheet; }
  toast(message, title, seconds) { this.toasts.push({ message, title, seconds }); }
  getRange(ref) {
    const p = A1.parse(ref);
    const sheet = p.sheet === null ? this.activeSheet : this.getSheetByName(p.sheet);
    if (!sheet) throw new Error(`Exception: Range not found: ${ref}`);
    return new Range(sheet, p.row, p.col, p.numRows, p.numCols);
  }
}

module.exports = {
  Spreadsheet, Sheet, Range, DataValidationBuilder, ConditionalFormatRuleBuilder, isDate,
};
