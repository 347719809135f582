// The add-on's .gs files loaded into one vm context, as Apps Script loads a project, with fakes
// of the Google services they call. UrlFetchApp makes real, synchronous HTTP requests (to a real
// `provrum serve`); only Google itself is faked: Sheets, Drive's export, properties, UI, triggers.
//
// Each fake call checks the OAuth scope Google's reference lists for it against the manifest's
// oauthScopes, and records which scope it needed, so a test can show the manifest asks for
// exactly what the code uses.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const { SyncHttp } = require('./sync-http');
const sheets = require('./sheets');
const { workbookXlsx } = require('./xlsx');

const SRC = path.join(__dirname, '..', 'src');
const MANIFEST = JSON.parse(fs.readFileSync(path.join(SRC, 'appsscript.json'), 'utf8'));
const SCOPE = (s) => `https://www.googleapis.com/auth/${s}`;
/** A broader scope that grants a narrower one. */
const IMPLIES = { [SCOPE('spreadsheets')]: [SCOPE('spreadsheets.currentonly')] };

let http = null;
function syncHttp() {
  if (!http) http = new SyncHttp();
  return http;
}

function toBytes(data) {
  if (data === null || data === undefined) return new Uint8Array(0);
  if (typeof data === 'string') return new Uint8Array(Buffer.from(data, 'utf8'));
  if (data instanceof Uint8Array) return data;
  if (Array.isArray(data)) return Uint8Array.from(data, (b) => b & 255);
  if (data && typeof data.getBytes === 'function') return toBytes(data.getBytes());
  throw new Error(`Exception: Unexpected payload ${Object.prototype.toString.call(data)}`);
}

/** Apps Script's Byte[]: signed numbers. */
function signed(bytes) {
  return Array.from(bytes, (b) => (b > 127 ? b - 256 : b));
}

class Blob {
  constructor(bytes, contentType, name) {
    this.bytes = toBytes(bytes);
    this.contentType = contentType || null;
    this.name = name || null;
  }
  getBytes() { return signed(this.bytes); }
  getDataAsString() { return Buffer.from(this.bytes).toString('utf8'); }
  getContentType() { return this.contentType; }
  setContentType(t) { this.contentType = t; return this; }
  getName() { return this.name; }
  setName(n) { this.name = n; return this; }
}

class Properties {
  constructor(env) {
    this.env = env;
    this.map = new Map();
  }
  check(key, value) {
    // Google's limits, in bytes: 9 kB a value, 500 kB a store.
    const bytes = (s) => Buffer.byteLength(String(s), 'utf8');
    if (bytes(value) > 9 * 1024) throw new Error('Exception: Argument too large: value');
    let total = 0;
    for (const [k, v] of this.map) if (k !== key) total += bytes(k) + bytes(v);
    if (total + bytes(key) + bytes(value) > 500 * 1024) throw new Error('Exception: You have exceeded the property storage quota.');
  }
  getProperty(k) { return this.map.has(k) ? this.map.get(k) : null; }
  setProperty(k, v) { this.check(k, v); this.map.set(k, String(v)); return this; }
  setProperties(obj) { for (const [k, v] of Object.entries(obj)) this.setProperty(k, v); return this; }
  deleteProperty(k) { this.map.delete(k); return this; }
  getProperties() { return Object.fromEntries(this.map); }
  getKeys() { return [...this.map.keys()]; }
}

function formatDate(date, zone, pattern) {
  const parts = {};
  for (const p of new Intl.DateTimeFormat('en-GB', {
    timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
  }).formatToParts(date)) parts[p.type] = p.value;
  return pattern
    .replace('yyyy', parts.year).replace('MM', parts.month).replace('dd', parts.day)
    .replace('HH', parts.hour).replace('mm', parts.minute).replace('ss', parts.second);
}

function originMatches(url, prefix) {
  // urlFetchWhitelist: https prefixes; `*.` allowed at the start of the host.
  const m = /^(https?:\/\/)\*\.(.*)$/.exec(prefix);
  if (!m) return url.startsWith(prefix);
  if (!url.startsWith(m[1])) return false;
  const rest = url.slice(m[1].length);
  const dot = rest.indexOf('.');
  return dot > 0 && rest.slice(dot + 1).startsWith(m[2]);
}

/**
 * One user in one Google account: their properties, triggers and the spreadsheets they can open.
 * `allow`: extra urlFetchWhitelist prefixes (the test server's loopback origin).
 */
class Env {
  constructor({ locale = 'sv', allow = [], manifest = MANIFEST } = {}) {
    this.locale = locale;
    this.manifest = manifest;
    this.whitelist = [...(manifest.urlFetchWhitelist || []), ...allow];
    this.scopesUsed = new Set();
    this.userProperties = new Properties(this);
    this.documentProperties = new Map();
    this.drive = new Map();
    this.active = null;
    this.triggers = [];
    this.alerts = [];
    this.answers = [];
    this.dialogs = [];
    this.menus = [];
    this.logs = [];
    this.fetches = [];
    this.oauthToken = `ya29.fake-${Math.random().toString(36).slice(2)}`;
    this.exportFails = null;
    this.context = this.makeContext();
    for (const file of fs.readdirSync(SRC).filter((f) => f.endsWith('.gs')).sort()) {
      vm.runInContext(fs.readFileSync(path.join(SRC, file), 'utf8'), this.context, { filename: file });
    }
  }

  /** Records that a call needed one of `scopes` (the first is the narrowest) and checks it. */
  need(what, ...scopes) {
    const declared = new Set(this.manifest.oauthScopes || []);
    for (const s of scopes.map(SCOPE)) {
      if (declared.has(s)) { this.scopesUsed.add(s); return; }
      for (const [broad, narrow] of Object.entries(IMPLIES)) {
        if (narrow.includes(s) && declared.has(broad)) { this.scopesUsed.add(broad); return; }
      }
    }
    throw new Error(`Exception: Specified permissions are not sufficient to call ${what}. Required permissions: ${scopes.map(SCOPE).join(' || ')}`);
  }

  newSpreadsheet(name) {
    const ss = new sheets.Spreadsheet(name, { locale: this.locale === 'en' ? 'en_GB' : 'sv_SE' });
    this.drive.set(ss.getId(), ss);
    return ss;
  }

  /** The user opens `ss` in the browser: it becomes the active spreadsheet and onOpen runs. */
  open(ss) {
    this.active = ss;
    this.menus = [];
    this.call('onOpen', { authMode: 'FULL' });
    return ss;
  }

  docProps(ss) {
    if (!this.documentProperties.has(ss.getId())) this.documentProperties.set(ss.getId(), new Properties(this));
    return this.documentProperties.get(ss.getId());
  }

  /** Queues the user's answers to the next alert or prompt dialogs: 'YES', 'NO', 'OK', {text}. */
  answer(...answers) { this.answers.push(...answers); }

  call(name, ...args) {
    const fn = this.context[name];
    if (typeof fn !== 'function') throw new Error(`no function ${name} in the add-on`);
    return fn(...args);
  }

  /** Runs the menu item labelled `label`, as a click does. */
  menu(label) {
    const item = this.menus.flatMap((m) => m.items).find((i) => i.label === label);
    if (!item) throw new Error(`no menu item "${label}" in ${JSON.stringify(this.menus.flatMap((m) => m.items.map((i) => i.label)))}`);
    return this.call(item.fn);
  }

  /** Runs the time-driven trigger for `handler` as Google would: no open spreadsheet, no UI. */
  fireTriggers(handler) {
    const due = this.triggers.filter((t) => t.handler === handler);
    const active = this.active;
    this.active = null;
    this.inTrigger = true;
    try {
      for (const t of due) this.call(t.handler, { triggerUid: t.id });
    } finally {
      this.active = active;
      this.inTrigger = false;
    }
    return due.length;
  }

  lastAlert() { return this.alerts[this.alerts.length - 1]; }

  makeContext() {
    const env = this;
    const Button = { OK: 'OK', CANCEL: 'CANCEL', YES: 'YES', NO: 'NO', CLOSE: 'CLOSE' };
    const ButtonSet = { OK: 'OK', OK_CANCEL: 'OK_CANCEL', YES_NO: 'YES_NO', YES_NO_CANCEL: 'YES_NO_CANCEL' };
    const nextAnswer = (fallback) => (env.answers.length ? env.answers.shift() : fallback);
    const ui = {
      Button,
      ButtonSet,
      createAddonMenu() {
        const menu = { items: [] };
        const api = {
          addItem(label, fn) { menu.items.push({ label, fn }); return api; },
          addSeparator() { menu.items.push({ label: '---', fn: null }); return api; },
          addToUi() { env.menus.push(menu); },
        };
        return api;
      },
      alert(title, message, buttons) {
        env.need('Ui.alert', 'script.container.ui');
        if (message === undefined) { message = title; title = ''; }
        const answer = nextAnswer(buttons === ButtonSet.YES_NO ? 'YES' : 'OK');
        env.alerts.push({ title, message, buttons, answer });
        return answer;
      },
      prompt(title, message, buttons) {
        env.need('Ui.prompt', 'script.container.ui');
        const a = nextAnswer({ text: '' });
        const answer = typeof a === 'string' ? { button: a, text: '' } : { button: a.button || 'OK', text: a.text || '' };
        env.alerts.push({ title, message, buttons, answer, prompt: true });
        return { getSelectedButton: () => answer.button, getResponseText: () => answer.text };
      },
      showSidebar(html) { env.need('Ui.showSidebar', 'script.container.ui'); env.dialogs.push({ kind: 'sidebar', html }); },
      showModalDialog(html, title) { env.need('Ui.showModalDialog', 'script.container.ui'); env.dialogs.push({ kind: 'dialog', html, title }); },
    };
    const SpreadsheetApp = {
      getActiveSpreadsheet() {
        env.need('SpreadsheetApp.getActiveSpreadsheet', 'spreadsheets.currentonly', 'spreadsheets');
        return env.active;
      },
      openById(id) {
        env.need('SpreadsheetApp.openById', 'spreadsheets');
        const ss = env.drive.get(id);
        if (!ss) throw new Error(`Exception: Unexpected error while getting the method or property openById on object SpreadsheetApp.`);
        return ss;
      },
      getUi() {
        if (!env.active) throw new Error('Exception: Cannot call SpreadsheetApp.getUi() from this context.');
        return ui;
      },
      flush() {},
      newDataValidation: () => new sheets.DataValidationBuilder(),
      newConditionalFormatRule: () => new sheets.ConditionalFormatRuleBuilder(),
    };
    const PropertiesService = {
      getUserProperties: () => env.userProperties,
      getDocumentProperties: () => (env.active ? env.docProps(env.active) : null),
    };
    const Session = {
      // A time-driven trigger runs with no one at the keyboard: no locale.
      getActiveUserLocale: () => (env.active === null && env.inTrigger ? '' : env.locale === 'en' ? 'en_GB' : 'sv'),
      getScriptTimeZone: () => 'Europe/Stockholm',
    };
    const Utilities = {
      formatDate,
      newBlob: (data, type, name) => new Blob(data, type, name),
      base64Decode: (s) => signed(Buffer.from(String(s), 'base64')),
      base64Encode: (b) => Buffer.from(toBytes(b)).toString('base64'),
    };
    const htmlOutput = (name, content) => {
      const output = {
        file: name, content, title: '', width: null, height: null,
        setTitle(t) { output.title = t; return output; },
        setWidth(w) { output.width = w; return output; },
        setHeight(h) { output.height = h; return output; },
        getContent() { return output.content; },
      };
      return output;
    };
    const read = (name) => fs.readFileSync(path.join(SRC, `${name}.html`), 'utf8');
    const HtmlService = {
      createHtmlOutputFromFile: (name) => htmlOutput(name, read(name)),
      // Printing scriptlets only (`<?!= expr ?>` raw, `<?= expr ?>` escaped), run on the server
      // side as Apps Script runs them; the add-on uses nothing else.
      createTemplateFromFile(name) {
        const source = read(name);
        if (/<\?(?![=!])/.test(source)) throw new Error(`${name}.html: this fake evaluates printing scriptlets only`);
        return {
          evaluate: () => htmlOutput(name, source.replace(/<\?(!?=)([\s\S]*?)\?>/g, (_, kind, expr) => {
            const value = String(vm.runInContext(expr.trim().replace(/;$/, ''), env.context));
            return kind === '!=' ? value : value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
          })),
        };
      },
    };
    let nextTrigger = 1;
    const ScriptApp = {
      getOAuthToken: () => env.oauthToken,
      getProjectTriggers() {
        env.need('ScriptApp.getProjectTriggers', 'script.scriptapp');
        return env.triggers.map((t) => ({ getHandlerFunction: () => t.handler, getUniqueId: () => t.id, _t: t }));
      },
      deleteTrigger(trigger) {
        env.need('ScriptApp.deleteTrigger', 'script.scriptapp');
        env.triggers = env.triggers.filter((t) => t !== trigger._t);
      },
      newTrigger(handler) {
        env.need('ScriptApp.newTrigger', 'script.scriptapp');
        const spec = { handler, id: `trigger-${nextTrigger++}`, kind: null, hours: null };
        const clock = {
          everyHours(n) {
            if (![1, 2, 4, 6, 8, 12].includes(n)) throw new Error('Exception: The value passed to everyHours must be 1, 2, 4, 6, 8 or 12.');
            spec.hours = n;
            return clock;
          },
          everyMinutes() { throw new Error('Exception: Add-ons can not create time-based triggers that run more often than once an hour.'); },
          create() {
            if (!spec.hours) throw new Error('Exception: A time-based trigger needs an interval.');
            if (env.triggers.filter((t) => t.handler === handler).length >= 20) throw new Error('Exception: This add-on has created too many time-based triggers in this document for this Google user account.');
            env.triggers.push(spec);
            return { getHandlerFunction: () => handler, getUniqueId: () => spec.id };
          },
        };
        return { timeBased() { spec.kind = 'clock'; return clock; } };
      },
    };
    const UrlFetchApp = { fetch: (url, params) => env.fetch(url, params || {}) };
    const console = {
      log: (...a) => env.logs.push(['log', ...a]),
      info: (...a) => env.logs.push(['info', ...a]),
      warn: (...a) => env.logs.push(['warn', ...a]),
      error: (...a) => env.logs.push(['error', ...a]),
    };
    const Charts = { ChartType: { COLUMN: 'COLUMN', BAR: 'BAR', PIE: 'PIE', LINE: 'LINE' } };
    return vm.createContext({
      SpreadsheetApp, PropertiesService, Session, Utilities, HtmlService, ScriptApp, UrlFetchApp,
      Charts, console, Logger: { log: console.log },
    });
  }

  /** Google's UrlFetchApp.fetch: the allowlist, then Drive's export or a real HTTP request. */
  fetch(url, params) {
    this.need('UrlFetchApp.fetch', 'script.external_request');
    url = String(url);
    if (!this.whitelist.some((prefix) => originMatches(url, prefix))) {
      throw new Error(`Exception: Request failed: the URL ${url} is not in the urlFetchWhitelist of the manifest.`);
    }
    const method = String(params.method || 'get').toUpperCase();
    const headers = {};
    for (const [k, v] of Object.entries(params.headers || {})) headers[k] = String(v);
    let body = null;
    if (params.payload !== undefined && params.payload !== null) {
      body = toBytes(params.payload);
      if (params.contentType) headers['Content-Type'] = params.contentType;
    }
    this.fetches.push({ url, method, headers: { ...headers }, bytes: body ? body.length : 0 });
    let reply;
    const exportMatch = /^https:\/\/www\.googleapis\.com\/drive\/v3\/files\/([^/?]+)\/export\?mimeType=([^&]+)$/.exec(url);
    if (exportMatch) {
      reply = this.exportSpreadsheet(decodeURIComponent(exportMatch[1]), decodeURIComponent(exportMatch[2]), headers);
    } else if (url.startsWith('https://www.googleapis.com/')) {
      reply = { status: 404, headers: {}, body: new Uint8Array(0) };
    } else {
      reply = syncHttp().request({ url, method, headers, body });
    }
    if (reply.error) throw new Error(`Exception: Address unavailable: ${url}`);
    if (reply.status >= 400 && !params.muteHttpExceptions) {
      throw new Error(`Exception: Request failed for ${url} returned code ${reply.status}.`);
    }
    const bytes = reply.body;
    return {
      getResponseCode: () => reply.status,
      getContentText: () => Buffer.from(bytes).toString('utf8'),
      getContent: () => signed(bytes),
      getHeaders: () => ({ ...reply.headers }),
      getAllHeaders: () => ({ ...reply.headers }),
      getBlob: () => new Blob(bytes, reply.headers['content-type'] || null, null),
    };
  }

  /** Drive API v3 files.export of a spreadsheet as .xlsx, for the owner of the OAuth token. */
  exportSpreadsheet(id, mimeType, headers) {
    if (this.exportFails) return { status: this.exportFails, headers: {}, body: new Uint8Array(0) };
    if (headers.Authorization !== `Bearer ${this.oauthToken}`) return { status: 401, headers: {}, body: new Uint8Array(0) };
    if (mimeType !== 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet') return { status: 400, headers: {}, body: new Uint8Array(0) };
    this.need('the export of a spreadsheet', 'drive.file', 'drive.readonly', 'drive');
    const ss = this.drive.get(id);
    if (!ss) return { status: 404, headers: {}, body: new Uint8Array(0) };
    return {
      status: 200,
      headers: { 'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
      body: new Uint8Array(workbookXlsx(ss)),
    };
  }
}

function shutdown() {
  if (http) {
    const h = http;
    http = null;
    return h.close();
  }
  return Promise.resolve();
}

module.exports = { Env, Blob, MANIFEST, SCOPE, shutdown, formatDate };
