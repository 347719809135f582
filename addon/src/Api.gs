/**
 * The Provrum HTTP API, as docs/api.md describes it. Every answer that is not a success
 * becomes a ProvrumError whose message a person can act on, in their language.
 */
var KEYS = {
  apiUrl: 'provrum.apiUrl',
  token: 'provrum.token',
  provrumId: 'provrum.provrumId',
  provrumTitle: 'provrum.provrumTitle',
  marks: 'provrum.marks',
  statusSpreadsheet: 'provrum.statusSpreadsheetId'
};

/** The API's upload limit (docs/api.md: 413 beyond 5 MB). */
var MAX_UPLOAD_BYTES = 5 * 1024 * 1024;
var XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** An error for a person: `message` says what happened and what to do. */
function ProvrumError(message, findings, status) {
  this.name = 'ProvrumError';
  this.message = message;
  this.findings = findings || [];
  this.status = status || 0;
}
ProvrumError.prototype = Object.create(Error.prototype);
ProvrumError.prototype.constructor = ProvrumError;

/** The message with the rule findings that explain it, at most `limit` of them. */
function describeError_(error, limit) {
  var lines = [error.message];
  var findings = error.findings || [];
  findings.slice(0, limit || 10).forEach(function (f) {
    lines.push('• ' + f.rule + ': ' + f.message);
  });
  if (findings.length > (limit || 10)) {
    lines.push(t_('findings.more', { count: findings.length - (limit || 10) }));
  }
  return lines.join('\n');
}

function settings_() {
  var props = PropertiesService.getUserProperties();
  return {
    apiUrl: props.getProperty(KEYS.apiUrl) || '',
    token: props.getProperty(KEYS.token) || ''
  };
}

/**
 * The API's base address, checked: https, or http only to this computer (a local
 * `provrum serve`). Returns it without a trailing slash.
 */
function normalizeApiUrl_(text) {
  var url = String(text || '').trim().replace(/\/+$/, '');
  var match = /^(https?):\/\/([^\/?#\s]+)(\/[^?#\s]*)?$/i.exec(url);
  if (!match) {
    throw new ProvrumError(t_('err.badUrl'));
  }
  var host = match[2].toLowerCase().replace(/:\d+$/, '');
  var loopback = host === 'localhost' || host === '127.0.0.1' || host === '[::1]';
  if (match[1].toLowerCase() !== 'https' && !loopback) {
    throw new ProvrumError(t_('err.badUrl'));
  }
  return url;
}

function parseJson_(text) {
  try {
    return JSON.parse(text);
  } catch (e) {
    return null;
  }
}

/** The ProvrumError for an HTTP answer that is not a success. */
function errorFor_(code, body) {
  var detail = body && typeof body.detail === 'string' ? body.detail : '';
  var findings = body && Array.isArray(body.findings) ? body.findings : [];
  var key;
  if (code === 401) {
    return new ProvrumError(t_('err.401'), [], code);
  }
  if (code === 403) key = 'err.403';
  else if (code === 404) key = 'err.404';
  else if (code === 409) key = 'err.409';
  else if (code === 413) key = 'err.413';
  else if (code === 400) key = 'err.400';
  else if (code === 415 || code === 422) key = 'err.415';
  else if (code >= 500) return new ProvrumError(t_('err.server', { status: code }), [], code);
  else key = 'err.other';
  return new ProvrumError(t_(key, { detail: detail, status: code }).trim(), findings, code);
}

/**
 * One API call. `options`: `auth` (default true), `json` (a body to send as JSON), `blob` (a
 * workbook to send as the raw file), `text` (the answer is text, not JSON).
 */
function request_(method, path, options) {
  options = options || {};
  var s = settings_();
  if (!s.apiUrl) {
    throw new ProvrumError(t_('err.noApi'));
  }
  var headers = { Accept: 'application/json', 'Accept-Language': lang_() };
  if (options.auth !== false) {
    if (!s.token) {
      throw new ProvrumError(t_('err.noToken'));
    }
    headers.Authorization = 'Bearer ' + s.token;
  }
  var params = { method: method, headers: headers, muteHttpExceptions: true, followRedirects: false };
  if (options.json !== undefined) {
    params.contentType = 'application/json';
    params.payload = JSON.stringify(options.json);
  } else if (options.blob) {
    params.contentType = options.blob.getContentType() || 'application/octet-stream';
    params.payload = options.blob.getBytes();
  }
  var response;
  try {
    response = UrlFetchApp.fetch(s.apiUrl + path, params);
  } catch (e) {
    console.warn('provrum: request failed', method, path, String(e && e.message ? e.message : e));
    throw new ProvrumError(t_('err.network', { url: s.apiUrl }));
  }
  var code = response.getResponseCode();
  var text = response.getContentText();
  var body = parseJson_(text);
  if (code >= 200 && code < 300) {
    if (code === 204 || options.text) {
      return options.text ? text : null;
    }
    if (body === null) {
      throw new ProvrumError(t_('err.notJson'));
    }
    return options.withHeaders ? { body: body, headers: response.getHeaders() } : body;
  }
  console.warn('provrum: HTTP ' + code, method, path);
  throw errorFor_(code, body);
}

/** At most this many pages of one listing are read (5 000 items at the server's page size). */
var MAX_PAGES = 50;

/**
 * Every item of a paged listing (`/provrum`, `/orgs`): GET `path`, then each next page its `Link`
 * header (rel="next", RFC 8288) names, so a listing longer than one page is read whole.
 */
function requestAll_(path) {
  var items = [];
  var next = path;
  for (var i = 0; next && i < MAX_PAGES; i++) {
    var page = request_('GET', next, { withHeaders: true });
    items = items.concat(page.body);
    next = nextPage_(page.headers);
  }
  return items;
}

/** The next page's path from a `Link` header, or null on the last page. Only a path on the same
 * server is followed (the server writes `</orgs?cursor=…&limit=…>; rel="next"`). */
function nextPage_(headers) {
  var link = '';
  Object.keys(headers || {}).forEach(function (name) {
    if (name.toLowerCase() === 'link') link = String(headers[name]);
  });
  var m = /<([^>]*)>\s*;\s*rel="?next"?/.exec(link);
  return m && /^\/[^\/]/.test(m[1]) ? m[1] : null;
}

/** `application/...` for a workbook file name, or null when it is not a workbook. */
function workbookType_(name) {
  var lower = String(name || '').toLowerCase();
  if (/\.xlsx$/.test(lower)) return XLSX_TYPE;
  if (/\.xlsm$/.test(lower)) return 'application/vnd.ms-excel.sheet.macroEnabled.12';
  if (/\.xls$/.test(lower)) return 'application/vnd.ms-excel';
  if (/\.ods$/.test(lower)) return 'application/vnd.oasis.opendocument.spreadsheet';
  return null;
}

/** `1,2 MB` / `1.2 MB`. */
function megabytes_(bytes) {
  var mb = (bytes / (1024 * 1024)).toFixed(1);
  return (lang_() === 'sv' ? mb.replace('.', ',') : mb) + ' MB';
}

/**
 * Checks a workbook: stores it as a new budget version when `provrumId` is given (the leader's
 * upload), otherwise only checks it. Returns {compliance, version}.
 */
function submitWorkbook_(blob, provrumId) {
  if (blob.getBytes().length > MAX_UPLOAD_BYTES) {
    throw new ProvrumError(t_('err.tooLargeLocal', { size: megabytes_(blob.getBytes().length) }));
  }
  if (provrumId) {
    var stored = request_('POST', '/provrum/' + encodeURIComponent(provrumId) + '/budget', { blob: blob });
    return { compliance: stored.compliance, version: stored.version };
  }
  return { compliance: request_('POST', '/check', { blob: blob }), version: null };
}
