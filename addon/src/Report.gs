/**
 * Årsrapport (kansli): GET /reports/{year} into a sheet of its own, with two charts: provrum
 * started against the yearly quota, and base funding granted against the 200 000 kr cap.
 */

function showYearReport() {
  run_(function () {
    var ui = SpreadsheetApp.getUi();
    var thisYear = new Date().getFullYear();
    var answer = ui.prompt(t_('report.promptTitle'), t_('report.prompt', { year: thisYear }), ui.ButtonSet.OK_CANCEL);
    if (answer.getSelectedButton() !== ui.Button.OK) {
      return;
    }
    var text = String(answer.getResponseText() || '').trim();
    var year = text === '' ? thisYear : Number(text);
    if (!/^\d{4}$/.test(String(year)) || year < 2000 || year > 2100) {
      throw new ProvrumError(t_('err.year', { year: thisYear }));
    }
    var spreadsheet = SpreadsheetApp.getActiveSpreadsheet();
    var sheet = writeYearReport_(spreadsheet, request_('GET', '/reports/' + year));
    spreadsheet.setActiveSheet(sheet);
    spreadsheet.toast(t_('report.toast', { year: year, sheet: sheet.getName() }), t_('app.name'), 10);
  });
}

function headerStyle_(range) {
  return range.setFontWeight('bold').setFontColor('#ffffff').setBackground('#1f4e79');
}

function writeYearReport_(spreadsheet, report) {
  var year = report.year;
  var sheet = freshSheet_(spreadsheet, t_('report.sheet', { year: year }));
  [300, 120, 120, 120, 120].forEach(function (w, i) { sheet.setColumnWidth(i + 1, w); });
  sheet.getRange('A1').setValue(t_('report.title', { year: year })).setFontSize(14).setFontWeight('bold');
  sheet
    .getRange('A2')
    .setValue(plain_(t_('report.fetched', { when: now_(spreadsheet), ruleset: report.ruleset || '' })))
    .setFontColor('#5f6368')
    .setFontStyle('italic');

  // The two small tables the charts draw: outcome against limit.
  headerStyle_(sheet.getRange('A4:D4').setValues([[t_('report.provrumBlock'), t_('report.started'), t_('report.quota'), t_('report.left')]]));
  // The year as text: it names the chart's category; as a number it would be drawn as data.
  sheet.getRange('A5:D5').setValues([[plain_(year), number_(report.started), number_(report.quota), Math.max(0, report.quota - report.started)]]);
  headerStyle_(sheet.getRange('A7:D7').setValues([[t_('report.baseBlock'), t_('report.granted'), t_('report.cap'), t_('report.left')]]));
  sheet
    .getRange('A8:D8')
    .setValues([[plain_(year), number_(report.base_funding_ore / 100), number_(report.cap_ore / 100), Math.max(0, report.cap_ore - report.base_funding_ore) / 100]]);
  sheet.getRange('B8:D8').setNumberFormat(KRONOR_FORMAT);
  if (report.started > report.quota) sheet.getRange('B5').setBackground(VERDICT_COLOURS.errors);
  if (report.base_funding_ore > report.cap_ore) sheet.getRange('B8').setBackground(VERDICT_COLOURS.errors);

  var facts = [
    [t_('report.members'), number_(report.members)],
    [t_('report.perMember'), number_(report.cost_per_member_ore / 100)],
    [t_('report.reference'), number_(report.reference_per_member_ore / 100)],
    [t_('report.phase'), t_(report.development_phase ? 'yes' : 'no')]
  ];
  sheet.getRange(10, 1, facts.length, 2).setValues(facts);
  sheet.getRange(10, 1, facts.length, 1).setFontWeight('bold');
  sheet.getRange(11, 2, 2, 1).setNumberFormat(KRONOR_FORMAT);
  sheet.getRange(10, 2, facts.length, 1).setHorizontalAlignment('right');

  var row = 10 + facts.length + 1;
  sheet.getRange(row, 1).setValue(t_('report.list', { year: year })).setFontWeight('bold').setFontSize(12);
  row++;
  headerStyle_(sheet.getRange(row, 1, 1, 5).setValues([[t_('col.title'), t_('col.status'), t_('col.start'), t_('col.end'), t_('col.base')]]));
  row++;
  var started = report.provrum || [];
  ensureRows_(sheet, row + started.length + (report.overdue_results || []).length + 8);
  if (started.length) {
    var values = started.map(function (p) {
      return [plain_(p.title), word_('status', p.status), dateCell_(p.start), dateCell_(p.end), p.base_funding_ore == null ? '' : number_(p.base_funding_ore / 100)];
    });
    sheet.getRange(row, 1, values.length, 5).setValues(values);
    sheet.getRange(row, 3, values.length, 2).setNumberFormat(DATE_FORMAT);
    sheet.getRange(row, 5, values.length, 1).setNumberFormat(KRONOR_FORMAT);
    row += values.length;
  } else {
    sheet.getRange(row, 1).setValue(t_('report.noneStarted', { year: year }));
    row++;
  }

  row++;
  sheet.getRange(row, 1).setValue(t_('report.overdue')).setFontWeight('bold').setFontSize(12);
  row++;
  headerStyle_(sheet.getRange(row, 1, 1, 3).setValues([[t_('col.title'), t_('col.end'), t_('report.daysOverdue')]]));
  row++;
  var overdue = report.overdue_results || [];
  if (overdue.length) {
    var late = overdue.map(function (p) { return [plain_(p.title), dateCell_(p.end), number_(p.days_overdue)]; });
    sheet.getRange(row, 1, late.length, 3).setValues(late);
    sheet.getRange(row, 2, late.length, 1).setNumberFormat(DATE_FORMAT);
    sheet.getRange(row, 1, late.length, 3).setBackground('#fce8e6');
  } else {
    sheet.getRange(row, 1).setValue(t_('report.noneOverdue'));
  }

  sheet.insertChart(
    sheet
      .newChart()
      .setChartType(Charts.ChartType.COLUMN)
      .addRange(sheet.getRange('A4:C5'))
      .setNumHeaders(1)
      .setOption('title', t_('report.chartProvrum', { year: year }))
      .setOption('vAxis', { minValue: 0, format: '0' })
      .setOption('colors', ['#1f4e79', '#9fc5e8'])
      .setOption('legend', { position: 'bottom' })
      .setPosition(4, 7, 0, 0)
      .build()
  );
  sheet.insertChart(
    sheet
      .newChart()
      .setChartType(Charts.ChartType.COLUMN)
      .addRange(sheet.getRange('A7:C8'))
      .setNumHeaders(1)
      .setOption('title', t_('report.chartBase', { year: year }))
      .setOption('vAxis', { minValue: 0, format: '#,##0' })
      .setOption('colors', ['#38761d', '#b6d7a8'])
      .setOption('legend', { position: 'bottom' })
      .setPosition(23, 7, 0, 0)
      .build()
  );
  return sheet;
}
