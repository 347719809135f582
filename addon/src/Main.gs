/**
 * Provrum for Google Sheets: the menu, and the settings every other action uses.
 *
 * Menu actions run through run_, which turns every failure into a message box in the user's
 * language; the HTML dialogs call the functions without a trailing underscore through
 * google.script.run, and show the ProvrumError's message.
 */

function onInstall(e) {
  onOpen(e);
}

function onOpen(e) {
  SpreadsheetApp.getUi()
    .createAddonMenu()
    .addItem(t_('menu.settings'), 'showSettings')
    .addItem(t_('menu.provrum'), 'showProvrum')
    .addSeparator()
    .addItem(t_('menu.template'), 'createTemplate')
    .addItem(t_('menu.check'), 'checkBudget')
    .addItem(t_('menu.submit'), 'submitBudget')
    .addItem(t_('menu.upload'), 'showUploadSidebar')
    .addSeparator()
    .addItem(t_('menu.status'), 'showStatus')
    .addItem(t_('menu.approveRow'), 'approveSelectedRow')
    .addItem(t_('menu.stopStatus'), 'stopStatusRefresh')
    .addItem(t_('menu.report'), 'showYearReport')
    .addItem(t_('menu.orgs'), 'showOrgs')
    .addToUi();
}

/** Runs a menu action; whatever goes wrong is shown as a message, never as a raw error. */
function run_(action) {
  try {
    return action();
  } catch (e) {
    var ui = SpreadsheetApp.getUi();
    ui.alert(t_('error.title'), messageFor_(e), ui.ButtonSet.OK);
    return null;
  }
}

/** What to tell a person about `e`. */
function messageFor_(e) {
  if (e instanceof ProvrumError) {
    return describeError_(e, 10);
  }
  console.error('provrum: unexpected', e && e.stack ? e.stack : String(e));
  return t_('error.unexpected', { detail: String(e && e.message ? e.message : e).slice(0, 200) });
}

/** For the HTML dialogs: rethrows with a message a person can read. */
function forDialog_(action) {
  try {
    return action();
  } catch (e) {
    throw new Error(messageFor_(e));
  }
}

function showSettings() {
  run_(function () {
    var html = HtmlService.createTemplateFromFile('Settings').evaluate().setWidth(460).setHeight(520);
    SpreadsheetApp.getUi().showModalDialog(html, t_('settings.title'));
  });
}

/** The contents of another HTML file, for `<?!= include_('Client'); ?>` in a template. */
function include_(name) {
  return HtmlService.createHtmlOutputFromFile(name).getContent();
}

/** What the settings dialog shows. The token itself never leaves the server side. */
function settingsInfo() {
  return forDialog_(function () {
    var s = settings_();
    var doc = PropertiesService.getDocumentProperties();
    return {
      lang: lang_(),
      strings: strings_(['settings.', 'err.']),
      apiUrl: s.apiUrl,
      tokenTail: s.token ? s.token.slice(-4) : '',
      provrumId: doc.getProperty(KEYS.provrumId) || '',
      provrumTitle: doc.getProperty(KEYS.provrumTitle) || ''
    };
  });
}

/** The provrum this user can see, for the link list; [] when the settings do not work yet. */
function provrumChoices() {
  return forDialog_(function () {
    return requestAll_('/provrum').map(function (p) {
      return { id: p.id, title: p.title, status: word_('status', p.status) };
    });
  });
}

/**
 * Saves the settings and tests them: the address answers /health, the token is accepted, and the
 * linked provrum exists. Returns {ok, message, provrum}; throws only for an invalid address.
 */
function saveSettings(form) {
  return forDialog_(function () {
    form = form || {};
    var apiUrl = normalizeApiUrl_(form.apiUrl);
    var props = PropertiesService.getUserProperties();
    var previous = props.getProperty(KEYS.apiUrl) || '';
    var token = String(form.token || '').trim();
    if (token) {
      props.setProperty(KEYS.token, token);
    } else if (previous && origin_(previous) !== origin_(apiUrl)) {
      // A token belongs to one deployment: never send it to another address unasked.
      props.deleteProperty(KEYS.token);
    }
    props.setProperty(KEYS.apiUrl, apiUrl);
    rememberLang_();
    var doc = PropertiesService.getDocumentProperties();
    var provrumId = String(form.provrumId || '').trim();
    try {
      request_('GET', '/health', { auth: false, text: true });
      // Who the token acts for, as the server says (GET /me): shown, so a wrong token is seen.
      var me = request_('GET', '/me');
      var who = t_('settings.who', { name: me.org.name, membership: word_('membership', me.org.membership) });
      var visible = requestAll_('/provrum');
      var choices = visible.map(function (p) {
        return { id: p.id, title: p.title, status: word_('status', p.status) };
      });
      if (provrumId) {
        var linked = request_('GET', '/provrum/' + encodeURIComponent(provrumId));
        doc.setProperty(KEYS.provrumId, provrumId);
        doc.setProperty(KEYS.provrumTitle, linked.title);
        return { ok: true, message: t_('settings.okLinked', { who: who, title: linked.title }), provrum: choices };
      }
      doc.deleteProperty(KEYS.provrumId);
      doc.deleteProperty(KEYS.provrumTitle);
      return { ok: true, message: t_('settings.ok', { who: who, count: visible.length }), provrum: choices };
    } catch (e) {
      if (!(e instanceof ProvrumError)) {
        throw e;
      }
      return { ok: false, message: t_('settings.savedButFailed', { message: describeError_(e, 5) }), provrum: [] };
    }
  });
}

/** The provrum this spreadsheet is linked to: {id, title}, or null. */
function linkedProvrum_() {
  var doc = PropertiesService.getDocumentProperties();
  var id = doc.getProperty(KEYS.provrumId);
  return id ? { id: id, title: doc.getProperty(KEYS.provrumTitle) || id } : null;
}

/** Now, as the spreadsheet's users read it. */
function now_(spreadsheet) {
  var zone = (spreadsheet && spreadsheet.getSpreadsheetTimeZone()) || Session.getScriptTimeZone();
  return Utilities.formatDate(new Date(), zone, 'yyyy-MM-dd HH:mm');
}

/** `https://host:port` of an address. */
function origin_(url) {
  var m = /^(https?:\/\/[^\/?#]+)/i.exec(String(url || ''));
  return m ? m[1].toLowerCase() : '';
}

/** Empties a sheet of contents, formats, notes, merges and dropdowns, however big it grew. */
function wipe_(sheet) {
  var all = sheet.getRange(1, 1, sheet.getMaxRows(), sheet.getMaxColumns());
  all.breakApart();
  sheet.clear();
  sheet.clearNotes();
  all.clearDataValidations();
}

/** Makes sure the sheet has at least `rows` rows (a new sheet has 1 000). */
function ensureRows_(sheet, rows) {
  var have = sheet.getMaxRows();
  if (rows > have) {
    sheet.insertRowsAfter(have, rows - have);
  }
}

/** The sheet called `name`, created at the end when missing, emptied of contents and formats. */
function freshSheet_(spreadsheet, name) {
  var sheet = spreadsheet.getSheetByName(name) || spreadsheet.insertSheet(name, spreadsheet.getSheets().length);
  wipe_(sheet);
  sheet.getCharts().forEach(function (chart) {
    sheet.removeChart(chart);
  });
  sheet.setConditionalFormatRules([]);
  sheet.setFrozenRows(0);
  return sheet;
}

/**
 * Text from the API (a title, a name, a message) as a cell takes it: always text. Sheets would
 * run `=…`, `+…`, `-…` or `@…` as a formula and turn `1/2` into a date; the leading apostrophe
 * makes it literal and is not shown.
 */
function plain_(value) {
  return value === null || value === undefined || value === '' ? '' : "'" + String(value);
}

/**
 * A date from the API (`2025-03-01`) as a Date, or '' for none. At noon, so that a spreadsheet
 * in another time zone than the script's still shows the same day.
 */
function dateCell_(text) {
  var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(text || ''));
  return m ? new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 12) : '';
}

/** A number from the API, or '' when it is missing or not a number. */
function number_(value) {
  return typeof value === 'number' && isFinite(value) ? value : '';
}
