/**
 * Statusöversikt (kansli): GET /status into the Status sheet, coloured by status and budget
 * check, with the time of the last refresh. Choosing it refreshes now and starts an hourly
 * time-driven trigger (the most often an add-on may run one), which opens this spreadsheet by id.
 */

var STATUS_HANDLER = 'refreshStatusOnTimer';
var STATUS_HEADER_ROW = 4;

var STATUS_COLOURS = {
  proposed: '#cfe2f3',
  running: '#d9ead3',
  reported: '#b6d7a8',
  withdrawn: '#eeeeee'
};

/** After this many hourly runs in a row that cannot open the spreadsheet, the refresh stops. */
var STATUS_MAX_FAILURES = 24;
var STATUS_FAILURES = 'provrum.statusFailures';

function showStatus() {
  run_(function () {
    rememberLang_();
    var spreadsheet = SpreadsheetApp.getActiveSpreadsheet();
    var count = refreshStatus_(spreadsheet, true);
    ensureStatusTrigger_(spreadsheet);
    spreadsheet.setActiveSheet(spreadsheet.getSheetByName(t_('status.sheet')));
    spreadsheet.toast(t_('status.toast', { count: count }), t_('app.name'), 10);
  });
}

function stopStatusRefresh() {
  run_(function () {
    var removed = removeStatusTriggers_();
    PropertiesService.getUserProperties().deleteProperty(KEYS.statusSpreadsheet);
    var ui = SpreadsheetApp.getUi();
    ui.alert(t_('app.name'), removed ? t_('status.stopped') : t_('status.notRunning'), ui.ButtonSet.OK);
  });
}

/** The hourly trigger's handler: there is no open spreadsheet and nobody to show a message to. */
function refreshStatusOnTimer() {
  var id = PropertiesService.getUserProperties().getProperty(KEYS.statusSpreadsheet);
  if (!id) {
    removeStatusTriggers_();
    return;
  }
  var props = PropertiesService.getUserProperties();
  var spreadsheet;
  try {
    spreadsheet = SpreadsheetApp.openById(id);
    props.deleteProperty(STATUS_FAILURES);
  } catch (e) {
    // Google is sometimes briefly unavailable: try again next hour. A spreadsheet that stays
    // out of reach for a day is gone or no longer shared, and the refresh stops.
    var failures = Number(props.getProperty(STATUS_FAILURES) || 0) + 1;
    console.warn('provrum: status spreadsheet unavailable (' + failures + ' in a row)', String(e));
    if (failures >= STATUS_MAX_FAILURES) {
      removeStatusTriggers_();
      props.deleteProperty(KEYS.statusSpreadsheet);
      props.deleteProperty(STATUS_FAILURES);
    } else {
      props.setProperty(STATUS_FAILURES, String(failures));
    }
    return;
  }
  try {
    refreshStatus_(spreadsheet, true);
  } catch (e) {
    // Keep the last good rows; say on the sheet why they are not fresh.
    var sheet = spreadsheet.getSheetByName(t_('status.sheet'));
    if (sheet) {
      sheet
        .getRange('A2')
        .setValue(plain_(t_('status.failed', { when: now_(spreadsheet), message: messageFor_(e) })))
        .setFontColor('#cc0000');
    }
    console.warn('provrum: hourly status refresh failed', String(e && e.message ? e.message : e));
  }
}

function removeStatusTriggers_() {
  var removed = 0;
  ScriptApp.getProjectTriggers().forEach(function (trigger) {
    if (trigger.getHandlerFunction() === STATUS_HANDLER) {
      ScriptApp.deleteTrigger(trigger);
      removed++;
    }
  });
  return removed;
}

/** One hourly trigger for this user, refreshing this spreadsheet. */
function ensureStatusTrigger_(spreadsheet) {
  PropertiesService.getUserProperties().setProperty(KEYS.statusSpreadsheet, spreadsheet.getId());
  var existing = ScriptApp.getProjectTriggers().filter(function (t) {
    return t.getHandlerFunction() === STATUS_HANDLER;
  });
  if (existing.length === 1) return;
  existing.forEach(function (t) { ScriptApp.deleteTrigger(t); });
  ScriptApp.newTrigger(STATUS_HANDLER).timeBased().everyHours(1).create();
}

/** Fetches /status and rewrites the Status sheet. Returns the number of provrum. */
function refreshStatus_(spreadsheet, hourly) {
  var rows = request_('GET', '/status');
  var names = {};
  try {
    requestAll_('/orgs').forEach(function (org) { names[org.id] = org.name; });
  } catch (e) {
    if (!(e instanceof ProvrumError)) throw e; // without names the ids still say who leads
  }
  var sheet = freshSheet_(spreadsheet, t_('status.sheet'));
  sheet.getRange('A1').setValue(t_('status.title')).setFontSize(14).setFontWeight('bold');
  sheet
    .getRange('A2')
    .setValue(plain_(t_(hourly ? 'status.updated' : 'status.updatedManual', { when: now_(spreadsheet) })))
    .setFontColor('#5f6368')
    .setFontStyle('italic');
  var columns = [
    'col.title', 'col.status', 'col.ready', 'col.canStart', 'col.canStartWhy', 'col.leader',
    'col.participants', 'col.regions',
    'col.start', 'col.end', 'col.total', 'col.base', 'col.verdict', 'col.errors', 'col.warnings',
    'col.versions', 'col.year', 'col.overdue', 'col.id'
  ];
  sheet
    .getRange(STATUS_HEADER_ROW, 1, 1, columns.length)
    .setValues([columns.map(function (c) { return t_(c); })])
    .setFontWeight('bold')
    .setFontColor('#ffffff')
    .setBackground('#1f4e79')
    .setWrap(true)
    .setVerticalAlignment('top');
  sheet.setFrozenRows(STATUS_HEADER_ROW);
  var widths = [300, 100, 90, 100, 320, 190, 80, 75, 90, 90, 110, 110, 110, 50, 75, 115, 65, 95, 150];
  widths.forEach(function (w, i) { sheet.setColumnWidth(i + 1, w); });
  if (!rows.length) {
    sheet.getRange(STATUS_HEADER_ROW + 1, 1).setValue(t_('status.empty'));
    return 0;
  }
  ensureRows_(sheet, STATUS_HEADER_ROW + rows.length);
  var values = rows.map(function (r) {
    return [
      plain_(r.title),
      word_('status', r.status),
      t_(r.ready ? 'yes' : 'no'),
      t_(r.can_start ? 'yes' : 'no'),
      plain_(reasons_(r.can_start_reasons)),
      plain_(r.leader ? names[r.leader] || r.leader : ''),
      number_(r.participants),
      number_(r.regions),
      dateCell_(r.start),
      dateCell_(r.end),
      r.total_budget_ore == null ? '' : number_(r.total_budget_ore / 100),
      r.base_funding_ore == null ? '' : number_(r.base_funding_ore / 100),
      r.verdict ? word_('verdict', r.verdict) : t_('verdict.none'),
      number_(r.errors),
      number_(r.warnings),
      number_(r.budget_versions),
      number_(r.quota_year),
      r.result_overdue ? t_('yes') : '',
      plain_(r.id)
    ];
  });
  var first = STATUS_HEADER_ROW + 1;
  var n = values.length;
  sheet.getRange(first, 1, n, columns.length).setValues(values).setVerticalAlignment('top');
  var col = function (key) { return columns.indexOf(key) + 1; };
  sheet.getRange(first, col('col.canStartWhy'), n, 1).setWrap(true);
  sheet.getRange(first, col('col.start'), n, 2).setNumberFormat(DATE_FORMAT);
  sheet.getRange(first, col('col.total'), n, 2).setNumberFormat(KRONOR_FORMAT);
  sheet.getRange(first, col('col.year'), n, 1).setNumberFormat('0');
  sheet.getRange(first, col('col.id'), n, 1).setFontColor('#5f6368');
  sheet.setConditionalFormatRules(statusRules_(sheet, first, n, col));
  return n;
}

/**
 * Why the kansli cannot give the go-ahead yet, as the server says it: each finding's message in
 * the user's language, with the cell it points at. The add-on decides nothing itself.
 */
function reasons_(findings) {
  return (findings || [])
    .map(function (f) {
      var text = (f.text && (f.text[lang_()] || f.text.sv)) || f.rule;
      var at = f.location ? ' (' + place_(f.location) + ')' : '';
      return f.rule + at + ': ' + text;
    })
    .join('\n');
}

/** Colours by status, readiness, the go-ahead, budget check and overdue result. */
function statusRules_(sheet, first, n, col) {
  var rules = [];
  function when(column, text, background, color) {
    var builder = SpreadsheetApp.newConditionalFormatRule()
      .whenTextEqualTo(text)
      .setBackground(background)
      .setRanges([sheet.getRange(first, column, n, 1)]);
    if (color) builder.setFontColor(color);
    rules.push(builder.build());
  }
  Object.keys(STATUS_COLOURS).forEach(function (status) {
    when(col('col.status'), t_('status.' + status), STATUS_COLOURS[status], status === 'withdrawn' ? '#666666' : null);
  });
  when(col('col.ready'), t_('yes'), '#d9ead3');
  when(col('col.ready'), t_('no'), '#fff2cc');
  when(col('col.canStart'), t_('yes'), '#d9ead3');
  when(col('col.verdict'), t_('verdict.ok'), VERDICT_COLOURS.ok);
  when(col('col.verdict'), t_('verdict.warnings'), VERDICT_COLOURS.warnings);
  when(col('col.verdict'), t_('verdict.errors'), VERDICT_COLOURS.errors, '#990000');
  when(col('col.verdict'), t_('verdict.none'), '#eeeeee', '#666666');
  when(col('col.overdue'), t_('yes'), '#f4cccc', '#990000');
  return rules;
}
