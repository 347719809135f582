#!/usr/bin/env node
// SheetJS competitor: each timed run parses the workbook from memory, turns the Budget sheet into
// rows and computes the budget sums.
//
//     node sheetjs_check.js FILE [--runs N] [--warmup W]
//
// The budget functions are those of budget_sums.py, in the same order; keep the two alike.
'use strict';

const fs = require('fs');
const XLSX = require('xlsx');

// ---- The budget sums (mirror of budget_sums.py) ----

const BUDGET_SHEET = 'budget';
const HEADER_ROWS = 20;
const AMOUNT_HEADERS = new Set(['belopp (kr)', 'amount (sek)', 'belopp', 'amount', 'kostnad (kr)', 'cost (sek)']);
const ITEM_HEADERS = new Set(['kostnadspost', 'item', 'post', 'cost item']);
const CATEGORY_HEADERS = new Set(['kategori', 'category']);
const FUNDER_HEADERS = new Set(['finansiär', 'funder', 'finansieras av', 'funded by']);
const TOTALS = new Set(['summa', 'totalt', 'total']);
const BASE_FUNDERS = new Set([
  'reglab basfinansiering',
  'reglab base funding',
  'reglab',
  'reglabs basfinansiering',
  'basfinansiering',
]);

const SPACES = /[\s\u00a0\u202f]+/g;
const CURRENCY = /(kr|sek)$/i;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)$/;

class NoBudget extends Error {}

/** Lowercase, colons removed, white space trimmed and collapsed; '' for a non-text cell. */
function normalise(value) {
  if (typeof value !== 'string') return '';
  return value.toLowerCase().replace(/:/g, '').split(/\s+/).filter(Boolean).join(' ');
}

function isBlank(value) {
  return value === null || value === undefined || (typeof value === 'string' && value.trim() === '');
}

function isNumber(value) {
  return typeof value === 'number';
}

/** The name of the sheet whose name is Budget, or NoBudget. */
function budgetSheetName(names) {
  for (const name of names) {
    if (normalise(name) === BUDGET_SHEET) return name;
  }
  throw new NoBudget('no Budget sheet');
}

/** Index of the first header cell that is one of `names`, or null. */
function findColumn(header, names) {
  for (let i = 0; i < header.length; i++) {
    if (names.has(normalise(header[i]))) return i;
  }
  return null;
}

/** [row index, {item, category, amount, funder: column index or null}], or NoBudget. */
function findHeader(rows) {
  const top = rows.slice(0, HEADER_ROWS);
  for (let r = 0; r < top.length; r++) {
    const row = top[r];
    const amount = findColumn(row, AMOUNT_HEADERS);
    if (amount !== null) {
      return [r, {
        item: findColumn(row, ITEM_HEADERS),
        category: findColumn(row, CATEGORY_HEADERS),
        amount,
        funder: findColumn(row, FUNDER_HEADERS),
      }];
    }
  }
  throw new NoBudget("no header row with an amount column in the Budget sheet's first 20 rows");
}

function cell(row, column) {
  return column !== null && column < row.length ? row[column] : null;
}

function isTotalsRow(row) {
  for (const value of row) {
    if (!isBlank(value)) return TOTALS.has(normalise(value));
  }
  return false;
}

/** Kronor to öre, half away from zero (Rust's f64::round); null if not finite. */
function roundOre(kronor) {
  if (!Number.isFinite(kronor)) return null;
  const ore = Math.floor(Math.abs(kronor) * 100 + 0.5);
  return kronor < 0 ? -ore : ore;
}

/** An amount cell in öre, or null when it cannot be read. */
function amountOre(value) {
  if (isNumber(value)) return roundOre(value);
  if (typeof value !== 'string') return null;
  let text = value.replace(SPACES, '').replace(CURRENCY, '');
  if (text.split(',').length === 2) text = text.replace(',', '.');
  if (!DECIMAL.test(text)) return null;
  return roundOre(parseFloat(text));
}

/** {lines, total_ore, base_ore} of a Budget sheet's rows. */
function budgetSums(rows) {
  const [headerAt, columns] = findHeader(rows);
  let lines = 0;
  let total = 0;
  let base = 0;
  for (const row of rows.slice(headerAt + 1)) {
    if (isTotalsRow(row)) continue;
    const fields = {};
    for (const [name, column] of Object.entries(columns)) fields[name] = cell(row, column);
    if (Object.values(fields).every(isBlank)) continue;
    lines += 1;
    const ore = amountOre(fields.amount);
    if (ore !== null && ore > 0) {
      total += ore;
      if (BASE_FUNDERS.has(normalise(fields.funder))) base += ore;
    }
  }
  if (!Number.isSafeInteger(total)) throw new Error('the total is beyond exact integers in a double');
  return { lines, total_ore: total, base_ore: base };
}

// ---- The command line and timing loop (as harness.py) ----

function usage(message) {
  process.stderr.write(`${message}\nusage: sheetjs_check.js FILE [--runs N] [--warmup W]\n`);
  process.exit(1);
}

function parseArgs(argv) {
  const args = { file: null, runs: 10, warmup: 2 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--runs' || a === '--warmup') {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n)) usage(`${a} needs a whole number`);
      args[a.slice(2)] = n;
    } else if (a.startsWith('-') || args.file !== null) {
      usage(`unexpected argument: ${a}`);
    } else {
      args.file = a;
    }
  }
  if (args.file === null) usage('the workbook is missing');
  if (args.runs < 1 || args.warmup < 0) usage('--runs must be at least 1 and --warmup at least 0');
  return args;
}

function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

function check(buf) {
  const workbook = XLSX.read(buf, { type: 'buffer' });
  const sheet = workbook.Sheets[budgetSheetName(workbook.SheetNames)];
  return budgetSums(XLSX.utils.sheet_to_json(sheet, { header: 1, raw: true, defval: null }));
}

/** Runs `work()` warmup + runs times; returns [times of the timed runs in ns, last result]. */
function timeRuns(work, runs, warmup) {
  let result = null;
  for (let i = 0; i < warmup; i++) result = work();
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    result = work();
    times.push(Number(process.hrtime.bigint() - start));
  }
  return [times, result];
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  let buf;
  try {
    buf = fs.readFileSync(args.file);
  } catch (e) {
    fail(`cannot read ${args.file}: ${e.message}`);
  }
  let times;
  let sums;
  try {
    [times, sums] = timeRuns(() => check(buf), args.runs, args.warmup);
  } catch (e) {
    if (e instanceof NoBudget) fail(`${args.file}: ${e.message}`);
    fail(`${args.file}: cannot be read by SheetJS: ${e.name}: ${e.message}`);
  }
  process.stdout.write(`${JSON.stringify({ tool: 'sheetjs', version: XLSX.version, times_ns: times, ...sums })}\n`);
}

main();
