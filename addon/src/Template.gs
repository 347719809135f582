/**
 * Skapa mall: paints the Reglab template (Projektplan, Deltagare, Budget and the hidden funder
 * list) into the open spreadsheet, from the API's GET /template.json, which is written from the
 * same layout table as the .xlsx template and the workbook reader. Nothing of the layout lives here.
 */

function createTemplate() {
  run_(function () {
    var spec = request_('GET', '/template.json?lang=' + lang_(), { auth: false });
    var spreadsheet = SpreadsheetApp.getActiveSpreadsheet();
    var ui = SpreadsheetApp.getUi();
    var existing = spec.sheets
      .filter(function (s) { return !s.hidden && spreadsheet.getSheetByName(s.name); })
      .map(function (s) { return s.name; });
    if (existing.length) {
      var answer = ui.alert(t_('template.replaceTitle'), t_('template.replace', { sheets: existing.join(', ') }), ui.ButtonSet.YES_NO);
      if (answer !== ui.Button.YES) {
        return;
      }
    }
    var untouched = spreadsheet.getSheets().filter(function (sheet) {
      return sheet.getLastRow() === 0 && !spec.sheets.some(function (s) { return s.name === sheet.getName(); });
    });
    // Every sheet first: a dropdown may take its values from a later sheet.
    var sheets = spec.sheets.map(function (sheetSpec, index) {
      var sheet = spreadsheet.getSheetByName(sheetSpec.name) || spreadsheet.insertSheet(sheetSpec.name, index);
      wipe_(sheet);
      return sheet;
    });
    // The previous check's marks belonged to the sheets just emptied.
    deleteJson_(PropertiesService.getDocumentProperties(), KEYS.marks);
    var styles = {};
    spec.styles.forEach(function (style) {
      styles[style.name] = style;
    });
    spec.sheets.forEach(function (sheetSpec, index) {
      paintSheet_(spreadsheet, sheets[index], sheetSpec, styles);
    });
    // A new spreadsheet's empty first sheet (Blad1) is not part of the template.
    untouched.forEach(function (sheet) {
      if (spreadsheet.getSheets().length > 1) {
        spreadsheet.deleteSheet(sheet);
      }
    });
    spreadsheet.setActiveSheet(sheets[0]);
    spreadsheet.toast(t_('template.done'), t_('app.name'), 10);
  });
}

/** Characters (as Excel measures a column) to pixels, and points to pixels. */
function columnPixels_(characters) {
  return Math.round(characters * 7 + 5);
}
function rowPixels_(points) {
  return Math.round((points * 4) / 3);
}

function applyStyle_(range, style) {
  if (!style) return;
  if (style.bold) range.setFontWeight('bold');
  if (style.italic) range.setFontStyle('italic');
  if (style.wrap) range.setWrap(true);
  if (style.font_size) range.setFontSize(style.font_size);
  if (style.color) range.setFontColor(style.color);
  if (style.background) range.setBackground(style.background);
  if (style.number_format) range.setNumberFormat(style.number_format);
  if (style.border) range.setBorder(true, true, true, true, true, true);
  range.setVerticalAlignment('top');
}

function paintSheet_(spreadsheet, sheet, spec, styles) {
  (spec.column_widths || []).forEach(function (width, i) {
    sheet.setColumnWidth(i + 1, columnPixels_(width));
  });
  (spec.row_heights || []).forEach(function (h) {
    sheet.setRowHeight(h.row, rowPixels_(h.points));
  });
  spec.cells.forEach(function (cell) {
    var range = sheet.getRange(cell.range);
    if (cell.merge) range.merge();
    applyStyle_(range, styles[cell.style]);
    var first = range.getCell(1, 1);
    if (cell.value !== undefined) first.setValue(cell.value);
    if (cell.formula !== undefined) first.setFormula(cell.formula);
    if (cell.note !== undefined) first.setNote(cell.note);
  });
  spec.validations.forEach(function (v) {
    var builder = SpreadsheetApp.newDataValidation();
    if (v.type === 'list') {
      builder.requireValueInList(v.values, true).setAllowInvalid(!v.strict);
    } else if (v.type === 'list_from_range') {
      builder.requireValueInRange(spreadsheet.getRange(v.source), true).setAllowInvalid(!v.strict);
    } else if (v.type === 'date_after') {
      builder.requireDateAfter(dateCell_(v.date)).setAllowInvalid(false);
    } else if (v.type === 'number_greater_than') {
      builder.requireNumberGreaterThan(v.value).setAllowInvalid(false);
    } else {
      return; // a rule this version of the add-on does not know; the server still checks it
    }
    sheet.getRange(v.range).setDataValidation(builder.setHelpText(v.help).build());
  });
  sheet.setFrozenRows(spec.frozen_rows || 0);
  if (spec.hidden) {
    sheet.hideSheet();
  }
}
