/**
 * Kontrollera budget: the open spreadsheet, exported as .xlsx, goes to POST /check, which never
 * stores anything. Skicka in som ny budgetversion sends it to POST /provrum/{id}/budget of the
 * provrum the spreadsheet is linked to, which stores it as the next version and says which. Either
 * way the result goes to the Kontroll sheet, and every cell a finding points at is coloured and
 * gets a note; the marks of the previous check are taken away first, restoring what the cells had.
 */

var MARK_COLOURS = { error: '#f4cccc', warning: '#fff2cc', info: '#cfe2f3' };
var SEVERITY_ORDER = { error: 3, warning: 2, info: 1 };
var VERDICT_COLOURS = { ok: '#d9ead3', warnings: '#fff2cc', errors: '#f4cccc' };
/** At most this many cells are marked (the Kontroll sheet lists every finding). */
var MAX_MARKS = 400;
/**
 * PropertiesService keeps at most 9 kB per value, counted in bytes: 3 000 UTF-16 units are at
 * most 9 000 bytes of UTF-8, so marks are saved in parts of that size.
 */
var PROPERTY_PART = 3000;

/** Kontrollera budget: a check, never stored. */
function checkBudget() {
  run_(function () {
    checkSpreadsheet_(null);
  });
}

/** Skicka in som ny budgetversion: stored as the linked provrum's next budget version. */
function submitBudget() {
  run_(function () {
    var linked = linkedProvrum_();
    if (!linked) throw new ProvrumError(t_('submit.notLinked'));
    checkSpreadsheet_(linked);
  });
}

/**
 * Sends the open spreadsheet to be checked (and, for a `linked` provrum, stored) and shows it.
 * Returns the budget version it was stored as, or null for a check.
 */
function checkSpreadsheet_(linked) {
  var spreadsheet = SpreadsheetApp.getActiveSpreadsheet();
  var blob = exportXlsx_(spreadsheet);
  var result = submitWorkbook_(blob, linked && linked.id);
  clearMarks_(spreadsheet);
  markCells_(spreadsheet, result.compliance.findings);
  var sheet = writeResult_(spreadsheet, result, {
    file: t_('check.thisSpreadsheet', { name: spreadsheet.getName() }),
    linked: linked,
    inFile: false
  });
  spreadsheet.setActiveSheet(sheet);
  var toast = toastFor_(result.compliance);
  if (result.version) toast = t_('submit.toast', { version: result.version }) + ' ' + toast;
  spreadsheet.toast(toast, t_('app.name'), 10);
  return result.version;
}

/**
 * The open spreadsheet as .xlsx, through the Drive API's files.export (the way File › Download
 * makes it), with the user's own OAuth token and the manifest's drive.file scope.
 */
function exportXlsx_(spreadsheet) {
  SpreadsheetApp.flush();
  var url = 'https://www.googleapis.com/drive/v3/files/' + encodeURIComponent(spreadsheet.getId()) +
    '/export?mimeType=' + encodeURIComponent(XLSX_TYPE);
  var response;
  try {
    response = UrlFetchApp.fetch(url, {
      headers: { Authorization: 'Bearer ' + ScriptApp.getOAuthToken() },
      muteHttpExceptions: true
    });
  } catch (e) {
    throw new ProvrumError(t_('err.export', { status: '–' }));
  }
  if (response.getResponseCode() !== 200) {
    throw new ProvrumError(t_('err.export', { status: response.getResponseCode() }));
  }
  return response.getBlob().setName(spreadsheet.getName() + '.xlsx').setContentType(XLSX_TYPE);
}

function countOf_(compliance, severity) {
  return compliance.findings.filter(function (f) { return f.severity === severity; }).length;
}

/**
 * The verdict as the user reads it: `Inga fel`, `Inga fel, 2 varningar` or the errors to fix.
 * Never "approved": only the kansli gives a provrum the go-ahead.
 */
function verdictText_(compliance) {
  if (compliance.verdict === 'warnings') {
    return t_('check.warnings', { warnings: count_('warnings', countOf_(compliance, 'warning')) });
  }
  return word_('check', compliance.verdict);
}

function toastFor_(compliance) {
  var verdict = verdictText_(compliance);
  if (compliance.verdict !== 'errors') {
    return t_('check.toast', { verdict: verdict, sheet: t_('check.sheet') });
  }
  return t_('check.toastCounts', {
    verdict: verdict,
    errors: count_('errors', countOf_(compliance, 'error')),
    warnings: count_('warnings', countOf_(compliance, 'warning')),
    sheet: t_('check.sheet')
  });
}

function severityText_(severity) {
  return t_('severity.' + (SEVERITY_ORDER[severity] ? severity : 'info'));
}

/** `Budget!C7`, quoting a sheet name with spaces the way Sheets does. */
function place_(location) {
  if (!location) return '';
  var sheet = /^[A-Za-z0-9_]+$/.test(location.sheet) ? location.sheet : "'" + location.sheet.replace(/'/g, "''") + "'";
  return location.cell ? sheet + '!' + location.cell : location.sheet;
}

/** Whether `text` is a single cell reference we may hand to getRange. */
function isCellRef_(text) {
  return /^[A-Z]{1,3}[1-9][0-9]{0,6}$/.test(String(text || ''));
}

function saveJson_(props, key, value) {
  deleteJson_(props, key);
  var text = JSON.stringify(value);
  var parts = Math.ceil(text.length / PROPERTY_PART);
  var all = {};
  for (var i = 0; i < parts; i++) {
    all[key + '.' + i] = text.slice(i * PROPERTY_PART, (i + 1) * PROPERTY_PART);
  }
  all[key] = String(parts);
  props.setProperties(all);
}

function loadJson_(props, key) {
  var parts = Number(props.getProperty(key) || 0);
  var text = '';
  for (var i = 0; i < parts; i++) {
    text += props.getProperty(key + '.' + i) || '';
  }
  return parts ? parseJson_(text) : null;
}

function deleteJson_(props, key) {
  var parts = Number(props.getProperty(key) || 0);
  for (var i = 0; i < parts; i++) {
    props.deleteProperty(key + '.' + i);
  }
  props.deleteProperty(key);
}

/** Takes away the previous check's colours and notes, giving the cells back what they had. */
function clearMarks_(spreadsheet) {
  var props = PropertiesService.getDocumentProperties();
  var marks = loadJson_(props, KEYS.marks) || [];
  marks.forEach(function (mark) {
    var sheet = spreadsheet.getSheetByName(mark.s);
    if (!sheet || !isCellRef_(mark.c)) return;
    var range = sheet.getRange(mark.c);
    range.setBackground(mark.b || null);
    range.setNote(mark.n || '');
  });
  deleteJson_(props, KEYS.marks);
}

/**
 * Colours every cell a finding points at (by its worst finding) and notes what is wrong. A
 * finding about a sum (BUD-4's base funding, say) points at every cell that adds to it, its
 * `cells`; each of them gets the note, whose message names the sum.
 */
function markCells_(spreadsheet, findings) {
  var byCell = {};
  var order = [];
  findings.forEach(function (f) {
    var places = f.cells && f.cells.length ? f.cells : [f.location];
    places.forEach(function (loc) {
      if (!loc || !isCellRef_(loc.cell) || !spreadsheet.getSheetByName(loc.sheet)) return;
      var key = loc.sheet + '!' + loc.cell;
      if (!byCell[key]) {
        if (order.length >= MAX_MARKS) return;
        byCell[key] = { sheet: loc.sheet, cell: loc.cell, findings: [] };
        order.push(key);
      }
      byCell[key].findings.push(f);
    });
  });
  var when = now_(spreadsheet);
  var marks = order.map(function (key) {
    var mark = byCell[key];
    var range = spreadsheet.getSheetByName(mark.sheet).getRange(mark.cell);
    var background = range.getBackground();
    // '#ffffff' is what Sheets reports for no fill; restoring it as a fill would hide the grid.
    var saved = { s: mark.sheet, c: mark.cell, b: background === '#ffffff' ? null : background, n: range.getNote() };
    var worst = mark.findings.reduce(function (a, f) {
      return (SEVERITY_ORDER[f.severity] || 0) > (SEVERITY_ORDER[a] || 0) ? f.severity : a;
    }, 'info');
    range.setBackground(MARK_COLOURS[worst] || MARK_COLOURS.info);
    var lines = [t_('note.head', { when: when })];
    mark.findings.forEach(function (f) {
      lines.push('• ' + f.rule + ' (' + severityText_(f.severity).toLowerCase() + '): ' + f.message);
    });
    range.setNote(lines.join('\n'));
    return saved;
  });
  if (marks.length) {
    saveJson_(PropertiesService.getDocumentProperties(), KEYS.marks, marks);
  }
  return marks.length;
}

/**
 * Writes the Kontroll sheet: the verdict and key figures, then one row per finding with a link
 * to its cell (or, for an uploaded file, where in the file it is). Returns the sheet.
 */
function writeResult_(spreadsheet, result, how) {
  var c = result.compliance;
  var sheet = freshSheet_(spreadsheet, t_('check.sheet'));
  sheet.setColumnWidth(1, 175);
  sheet.setColumnWidth(2, 110);
  sheet.setColumnWidth(3, 560);
  sheet.setColumnWidth(4, 170);
  sheet.getRange('A1').setValue(t_('check.title')).setFontSize(14).setFontWeight('bold');
  var summary = c.summary || {};
  var stored = result.version
    ? t_('check.storedYes', { version: result.version, title: how.linked ? how.linked.title : '' })
    : t_('check.storedNo');
  var facts = [
    [t_('check.result'), verdictText_(c)],
    [t_('check.file'), plain_(how.file)],
    [t_('check.when'), plain_(now_(spreadsheet))],
    [t_('check.stored'), stored],
    [t_('check.total'), summary.total_budget_ore == null ? '' : number_(summary.total_budget_ore / 100)],
    [t_('check.base'), summary.base_funding_ore == null ? '' : number_(summary.base_funding_ore / 100)],
    [
      t_('check.participants'),
      summary.participants == null ? '' : t_('check.participantsValue', { participants: summary.participants, regions: count_('regions', summary.regions) })
    ],
    [t_('check.ruleset'), plain_(c.ruleset)]
  ];
  sheet.getRange(3, 1, facts.length, 2).setValues(facts).setVerticalAlignment('top');
  sheet.getRange(3, 1, facts.length, 1).setFontWeight('bold');
  for (var r = 0; r < facts.length; r++) {
    sheet.getRange(3 + r, 2, 1, 3).merge();
  }
  sheet.getRange(3, 2, 1, 3).setBackground(VERDICT_COLOURS[c.verdict] || null).setFontWeight('bold');
  sheet.getRange(7, 2, 2, 1).setNumberFormat(KRONOR_FORMAT).setHorizontalAlignment('left');
  var head = 3 + facts.length + 1;
  sheet
    .getRange(head, 1, 1, 4)
    .setValues([[t_('check.rule'), t_('check.severity'), t_('check.message'), t_('check.where')]])
    .setFontWeight('bold')
    .setFontColor('#ffffff')
    .setBackground('#1f4e79');
  sheet.setFrozenRows(head);
  if (!c.findings.length) {
    sheet.getRange(head + 1, 1).setValue(t_('check.none'));
    return sheet;
  }
  var rows = c.findings.map(function (f) {
    var where = place_(f.location);
    if (where && how.inFile) where = t_('check.inFile', { place: where });
    return [plain_(f.rule), severityText_(f.severity), plain_(f.message), plain_(where)];
  });
  ensureRows_(sheet, head + rows.length);
  sheet.getRange(head + 1, 1, rows.length, 4).setValues(rows).setVerticalAlignment('top');
  sheet.getRange(head + 1, 3, rows.length, 1).setWrap(true);
  c.findings.forEach(function (f, i) {
    var row = head + 1 + i;
    sheet.getRange(row, 2).setBackground(MARK_COLOURS[f.severity] || MARK_COLOURS.info);
    var loc = f.location;
    var target = !how.inFile && loc && spreadsheet.getSheetByName(loc.sheet);
    if (target) {
      var range = loc.cell && isCellRef_(loc.cell) ? '&range=' + loc.cell : '';
      var label = place_(loc).replace(/"/g, '""');
      sheet.getRange(row, 4).setFormula('=HYPERLINK("#gid=' + target.getSheetId() + range + '","' + label + '")');
    }
  });
  return sheet;
}
