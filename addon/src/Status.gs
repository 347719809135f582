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
/** Hourly refreshes in a row that could not read the API, and since when. */
var STATUS_REFRESH_FAILURES = 'provrum.statusRefreshFailures';
/** From this many failed refreshes in a row the notice in the sheet is red on red. */
var STATUS_LOUD_AFTER = 3;

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
    var props = PropertiesService.getUserProperties();
    markStopped_(props.getProperty(KEYS.statusSpreadsheet));
    props.deleteProperty(KEYS.statusSpreadsheet);
    var ui = SpreadsheetApp.getUi();
    ui.alert(t_('app.name'), removed ? t_('status.stopped') : t_('status.notRunning'), ui.ButtonSet.OK);
  });
}

/** Says in the status sheet that it is no longer refreshed, so nobody trusts an old line 2. */
function markStopped_(id) {
  if (!id) return;
  try {
    var spreadsheet = SpreadsheetApp.openById(id);
    var sheet = spreadsheet.getSheetByName(t_('status.sheet'));
    if (sheet) {
      sheet.getRange('A2').setValue(plain_(t_('status.stoppedNote', { when: now_(spreadsheet) }))).setFontColor('#a50e0e');
    }
  } catch (e) {
    console.warn('provrum: could not mark the status sheet as stopped', String(e && e.message ? e.message : e));
  }
}

/**
 * The hourly trigger's handler: there is no open spreadsheet and nobody to show a message to, so
 * a failed refresh is said in the sheet (A3), with how many hours in a row it has failed.
 */
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
    // Keep the last good rows; say on the sheet why they are not fresh, and for how long.
    var failed = loadJson_(props, STATUS_REFRESH_FAILURES) || { count: 0, since: now_(spreadsheet) };
    failed.count += 1;
    saveJson_(props, STATUS_REFRESH_FAILURES, failed);
    var sheet = spreadsheet.getSheetByName(t_('status.sheet'));
    if (sheet) {
      var key = failed.count > 1 ? 'status.failedAgain' : 'status.failed';
      sheet
        .getRange('A3')
        .setValue(plain_(t_(key, { when: now_(spreadsheet), count: failed.count, since: failed.since, message: messageFor_(e) })))
        .setFontColor('#a50e0e')
        .setFontWeight('bold')
        .setBackground(failed.count >= STATUS_LOUD_AFTER ? '#fce8e6' : null);
    }
    console.warn('provrum: hourly status refresh failed (' + failed.count + ' in a row)', String(e && e.message ? e.message : e));
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

/** The status sheet's own columns, in order; the kansli's columns to the right are left alone. */
var STATUS_COLUMNS = [
  'col.title', 'col.status', 'col.ready', 'col.readyWhy', 'col.canStart', 'col.canStartWhy', 'col.leader',
  'col.participants', 'col.regions',
  'col.start', 'col.end', 'col.total', 'col.base', 'col.verdict', 'col.errors', 'col.warnings',
  'col.versions', 'col.year', 'col.overdue', 'col.id'
];
var STATUS_WIDTHS = [300, 100, 90, 260, 100, 320, 190, 80, 75, 90, 90, 110, 110, 110, 50, 75, 115, 65, 95, 150];

/**
 * Fetches /status and writes it into the Status sheet's own columns (A to the Id column). Each
 * provrum keeps the row it had — found by its id — so notes the kansli writes in the columns to
 * the right stay next to their provrum, even after sorting the sheet; a new provrum gets the first
 * row after the others. Returns the number of provrum.
 */
function refreshStatus_(spreadsheet, hourly) {
  var rows = request_('GET', '/status');
  var me = request_('GET', '/me');
  var names = {};
  try {
    requestAll_('/orgs').forEach(function (org) { names[org.id] = org.name; });
  } catch (e) {
    if (!(e instanceof ProvrumError)) throw e; // without names the ids still say who leads
  }
  var width = STATUS_COLUMNS.length;
  var first = STATUS_HEADER_ROW + 1;
  var sheet = spreadsheet.getSheetByName(t_('status.sheet')) ||
    spreadsheet.insertSheet(t_('status.sheet'), spreadsheet.getSheets().length);
  var placed = placeRows_(sheet, rows, first, width);
  var height = Math.max(sheet.getMaxRows(), placed.last);
  ensureRows_(sheet, height);
  // Only our block: contents, formats, notes and dropdowns of columns A to the Id column.
  var own = sheet.getRange(1, 1, height, width);
  own.clear();
  own.clearNote();
  own.clearDataValidations();
  sheet.getRange('A1').setValue(t_('status.title')).setFontSize(14).setFontWeight('bold');
  var owner = t_('status.owner', { label: me.token.label || me.token.id, org: me.org.name });
  sheet
    .getRange('A2')
    .setValue(plain_(t_(hourly ? 'status.updated' : 'status.updatedManual', { when: now_(spreadsheet), owner: owner })))
    .setFontColor('#5f6368')
    .setFontStyle('italic');
  sheet
    .getRange(STATUS_HEADER_ROW, 1, 1, width)
    .setValues([STATUS_COLUMNS.map(function (c) { return t_(c); })])
    .setFontWeight('bold')
    .setFontColor('#ffffff')
    .setBackground('#1f4e79')
    .setWrap(true)
    .setVerticalAlignment('top');
  sheet.setFrozenRows(STATUS_HEADER_ROW);
  STATUS_WIDTHS.forEach(function (w, i) { sheet.setColumnWidth(i + 1, w); });
  var col = function (key) { return STATUS_COLUMNS.indexOf(key) + 1; };
  if (!rows.length) {
    sheet.getRange(first, 1).setValue(t_('status.empty'));
    sheet.setConditionalFormatRules(othersRules_(sheet, width));
    deleteJson_(PropertiesService.getUserProperties(), STATUS_REFRESH_FAILURES);
    return 0;
  }
  var n = placed.last - first + 1;
  var values = placed.grid.map(function (r) {
    return r ? statusValues_(r, names) : STATUS_COLUMNS.map(function () { return ''; });
  });
  sheet.getRange(first, 1, n, width).setValues(values).setVerticalAlignment('top');
  sheet.getRange(first, col('col.readyWhy'), n, 1).setWrap(true);
  sheet.getRange(first, col('col.canStartWhy'), n, 1).setWrap(true);
  sheet.getRange(first, col('col.start'), n, 2).setNumberFormat(DATE_FORMAT);
  sheet.getRange(first, col('col.total'), n, 2).setNumberFormat(KRONOR_FORMAT);
  sheet.getRange(first, col('col.year'), n, 1).setNumberFormat('0');
  sheet.getRange(first, col('col.id'), n, 1).setFontColor('#5f6368');
  sheet.setConditionalFormatRules(othersRules_(sheet, width).concat(statusRules_(sheet, first, n, col)));
  deleteJson_(PropertiesService.getUserProperties(), STATUS_REFRESH_FAILURES);
  return rows.length;
}

/**
 * Where each status row goes: the row its id is on now, or else the next row after the last one
 * used. Returns {grid, last}: grid[i] is the status row for sheet row first + i (or null).
 */
function placeRows_(sheet, rows, first, width) {
  var lastUsed = Math.max(sheet.getLastRow(), first - 1);
  var at = {};
  if (lastUsed >= first) {
    sheet.getRange(first, width, lastUsed - first + 1, 1).getValues().forEach(function (line, i) {
      var id = String(line[0] || '');
      if (/^pr_/.test(id) && !at[id]) at[id] = first + i;
    });
  }
  var taken = {};
  var next = first;
  Object.keys(at).forEach(function (id) { next = Math.max(next, at[id] + 1); });
  var grid = [];
  var last = first - 1;
  rows.forEach(function (r) {
    var row = at[r.id];
    if (!row || taken[row]) row = next++;
    taken[row] = true;
    grid[row - first] = r;
    last = Math.max(last, row);
  });
  for (var i = 0; i < last - first + 1; i++) if (!grid[i]) grid[i] = null;
  return { grid: grid, last: last };
}

/** One provrum's values in the status sheet's own columns. */
function statusValues_(r, names) {
  return [
    plain_(r.title),
    // Where it is in time, in the server's words ("Startar 2025-03-01").
    r.phase_text ? plain_(textOf_(r.phase_text)) : word_('status', r.status),
    t_(r.ready ? 'yes' : 'no'),
    plain_(reasons_(r.ready_reasons)),
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
}

/** The conditional formatting the kansli put on its own columns (right of ours), kept. */
function othersRules_(sheet, width) {
  return sheet.getConditionalFormatRules().filter(function (rule) {
    return rule.getRanges().every(function (range) { return range.getColumn() > width; });
  });
}

/**
 * Why the kansli cannot give the go-ahead yet, as the server says it: each finding's message in
 * the user's language, with the cell it points at. The add-on decides nothing itself.
 */
function reasons_(findings) {
  return (findings || [])
    .map(function (f) {
      var text = textOf_(f.text) || f.rule;
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

/**
 * Ge klartecken för markerad rad: the kansli's go-ahead for the provrum on the selected row of
 * the Status sheet, after a yes. A refusal shows the server's findings, each with its cell.
 */
function approveSelectedRow() {
  run_(function () {
    var spreadsheet = SpreadsheetApp.getActiveSpreadsheet();
    var sheet = spreadsheet.getActiveSheet();
    var row = sheet && sheet.getName() === t_('status.sheet') ? sheet.getActiveCell().getRow() : 0;
    var id = row > STATUS_HEADER_ROW ? String(sheet.getRange(row, STATUS_COLUMNS.length).getValue() || '').replace(/^'/, '') : '';
    if (!/^pr_[a-z2-7]{16}$/.test(id)) {
      throw new ProvrumError(t_('status.pickRow', { sheet: t_('status.sheet') }));
    }
    var title = String(sheet.getRange(row, 1).getValue() || id).replace(/^'/, '');
    var ui = SpreadsheetApp.getUi();
    if (ui.alert(t_('app.name'), t_('status.approveAsk', { title: title }), ui.ButtonSet.YES_NO) !== ui.Button.YES) {
      return;
    }
    var started;
    try {
      started = request_('POST', '/provrum/' + encodeURIComponent(id) + '/approve');
    } catch (e) {
      if (e instanceof ProvrumError && e.findings.length) {
        var lines = [t_('status.refused', { title: title })];
        e.findings.forEach(function (f) {
          lines.push('• ' + f.rule + (f.location ? ' (' + place_(f.location) + ')' : '') + ': ' + f.message);
        });
        ui.alert(t_('app.name'), lines.join('\n'), ui.ButtonSet.OK);
        return;
      }
      throw e;
    }
    refreshStatus_(spreadsheet, true);
    spreadsheet.toast(
      t_('status.approved', { title: title, year: started.quota_year, base: kronor_(started.base_funding_ore) }),
      t_('app.name'),
      10
    );
  });
}
