/**
 * Provrum…: a sidebar with the provrum the user can see and, for each, the steps of the process
 * the server's `actions` list — a button where a step is allowed, the server's reason where it is
 * not. Nothing here decides a rule: the page shows what GET /provrum says, and a step is the
 * request its action names (method and path), whose answer is shown as the server gave it.
 */

/** The shape of an action's path: a step on one provrum (GET /provrum lists these). */
var STEP_PATH = /^\/provrum\/pr_[a-z2-7]{16}\/(interest|leader|budget|approve|withdraw|result)$/;
var STEP_METHODS = { POST: true, PUT: true, DELETE: true };

function showProvrum() {
  run_(function () {
    var html = HtmlService.createTemplateFromFile('Provrum').evaluate().setTitle(t_('pv.title'));
    SpreadsheetApp.getUi().showSidebar(html);
  });
}

/**
 * The page's language and texts, written into the template (`<?!= pageTexts_(…) ?>`) so that
 * the page is labelled and in the right language before it asks the server for anything, also
 * when that fails. `<` is escaped: the JSON sits inside a script element.
 */
function pageTexts_(prefixes) {
  return JSON.stringify({ lang: lang_(), strings: strings_(prefixes) }).replace(/</g, '\\u003c');
}

/** GET /me's actions ({propose, administer, oversee}) as the pages show them. */
function myActions_(me) {
  var mine = {};
  (me.actions || []).forEach(function (a) {
    mine[a.action] = { allowed: !!a.allowed, reason: a.reason ? textOf_(a.reason) : '', findings: findingsOf_(a.findings, null) };
  });
  return mine;
}

/** Everything the sidebar shows: who the user is, what they may start, and each provrum. */
function provrumInfo() {
  return forDialog_(function () {
    var me = request_('GET', '/me');
    var mine = myActions_(me);
    return {
      who: t_('settings.who', { name: me.org.name, membership: word_('membership', me.org.membership) }),
      propose: mine.propose || { allowed: false, reason: '', findings: [] },
      linked: linkedProvrum_(),
      provrum: requestAll_('/provrum').map(function (p) { return provrumCard_(p, me.org.id); })
    };
  });
}

/** A text the API sends in both languages ({sv, en}), in the user's. */
function textOf_(text) {
  if (!text) return '';
  if (typeof text === 'string') return text;
  return text[lang_()] || text.sv || '';
}

/**
 * Findings from a provrum view, an action or a refusal ({rule, severity, text or message,
 * location, cells}), for reading. `provrumId`: the provrum they are about, so that their cells
 * can be shown when this spreadsheet is that provrum's linked workbook.
 */
function findingsOf_(findings, provrumId) {
  var linked = provrumId ? linkedProvrum_() : null;
  var workbook = linked && linked.id === provrumId ? SpreadsheetApp.getActiveSpreadsheet() : null;
  return (findings || []).map(function (f) {
    return findingForPage_(f, workbook);
  });
}

/**
 * One finding as the pages show it: rule, severity in words, message, the place in words, and,
 * in the provrum's linked `workbook` (or null), the cells to show (`here`: the sheet and every
 * cell the finding names, a sum's too).
 */
function findingForPage_(f, workbook) {
  var here = null;
  if (workbook && f.location && f.location.sheet && workbook.getSheetByName(f.location.sheet)) {
    var cells = (f.cells && f.cells.length ? f.cells : [f.location])
      .filter(function (c) { return c.sheet === f.location.sheet && isCellRef_(c.cell); })
      .map(function (c) { return c.cell; });
    if (cells.length) here = { sheet: f.location.sheet, cells: cells };
  }
  var more = f.cells && f.cells.length > 1 ? ' ' + t_('pv.moreCells', { count: f.cells.length - 1 }) : '';
  return {
    rule: String(f.rule || ''),
    // The rule's short name from the server, in the user's language.
    title: typeof f.title === 'string' ? f.title : f.title ? textOf_(f.title) : '',
    severity: SEVERITY_ORDER[f.severity] ? f.severity : 'info',
    severityText: severityText_(f.severity),
    message: textOf_(f.text || f.message),
    where: f.location ? place_(f.location) + more : '',
    here: here
  };
}

/** A provrum view as the sidebar shows it to organisation `me`: names, words and its steps. */
function provrumCard_(p, me) {
  var names = {};
  var mine = null;
  (p.participants || []).forEach(function (x) {
    names[x.org] = x.name;
    if (x.org === me) mine = { wantsToLead: !!x.wants_to_lead, leads: x.org === p.leader };
  });
  var budget = p.latest_budget;
  return {
    id: p.id,
    title: p.title,
    theme: p.theme || '',
    description: p.description || '',
    status: p.status,
    // Where it is in time, in the server's words ("Startar 2025-03-01"); the status's word before.
    statusText: p.phase_text ? textOf_(p.phase_text) : word_('status', p.status),
    closed: p.status === 'withdrawn' || p.status === 'reported',
    // Whether the user's organisation takes part (and wants to lead), so that taking part
    // again reads as changing that answer.
    mine: mine,
    // A linked workbook is what the leader submits and where the kansli is shown the cells.
    linkable: (p.actions || []).some(function (a) { return a.action === 'upload_budget' || a.action === 'approve'; }),
    proposer: names[p.proposer] || p.proposer,
    leader: p.leader ? names[p.leader] || p.leader : '',
    participants: (p.participants || []).map(function (x) {
      return {
        org: x.org,
        name: x.name,
        kind: x.kind ? word_('participant', x.kind) : '',
        wantsToLead: !!x.wants_to_lead,
        leads: x.org === p.leader
      };
    }),
    ready: !!p.ready,
    readyReasons: findingsOf_(p.readiness && p.readiness.findings, p.id),
    budget: budget ? {
      version: budget.version,
      verdict: budget.verdict,
      verdictText: word_('verdict', budget.verdict),
      counts: count_('errors', budget.errors) + ', ' + count_('warnings', budget.warnings),
      total: kronor_(budget.total_budget_ore),
      base: kronor_(budget.base_funding_ore)
    } : null,
    result: p.result ? { summary: p.result.summary, link: p.result.link || '' } : null,
    actions: (p.actions || []).map(function (a) {
      return {
        step: a.action,
        label: a.action === 'register_interest' && mine ? t_('pv.step.register_interest.again') : word_('pv.step', a.action),
        method: a.method,
        path: a.path,
        allowed: !!a.allowed,
        reason: a.reason ? textOf_(a.reason) : '',
        findings: findingsOf_(a.findings, p.id),
        // register_interest: whether the user's organisation may offer to lead, and why not.
        mayLead: !!(a.wants_to_lead && a.wants_to_lead.allowed),
        leadReason: a.wants_to_lead && a.wants_to_lead.reason ? textOf_(a.wants_to_lead.reason) : '',
        // choose_leader: the organisations the server says may be chosen, in its order.
        leaders: (a.leaders || []).map(function (org) { return { org: org, name: names[org] || org }; })
      };
    })
  };
}

/**
 * Takes one step the sidebar offered: `step` is {method, path} from the provrum's action and
 * `body` what its form holds. Returns {ok, message, findings, info}: a refusal is an answer to
 * show, with its findings located, not an error.
 */
function provrumStep(step, body) {
  return forDialog_(function () {
    step = step || {};
    var method = String(step.method || '').toUpperCase();
    var path = String(step.path || '');
    if (!STEP_METHODS[method] || !STEP_PATH.test(path)) {
      throw new ProvrumError(t_('pv.badStep'));
    }
    if (/\/budget$/.test(path)) {
      return sendLinkedBudget_(path);
    }
    var options = {};
    if (body && typeof body === 'object') options.json = cleanBody_(body);
    return answered_(function () {
      request_(method, path, options);
      return t_('pv.done.' + path.split('/').pop() + '.' + method.toLowerCase());
    }, path.split('/')[2]);
  });
}

/**
 * The body a step's form gives, as its route takes it: the required texts (a title, a result's
 * summary) always, trimmed, so that an empty one gets the server's own answer; the optional ones
 * only when filled in.
 */
function cleanBody_(body) {
  var out = {};
  ['title', 'summary', 'org'].forEach(function (k) {
    if (body[k] !== undefined) out[k] = String(body[k] === null ? '' : body[k]).trim();
  });
  ['theme', 'description', 'link'].forEach(function (k) {
    if (body[k] !== undefined && body[k] !== null && String(body[k]).trim() !== '') out[k] = String(body[k]).trim();
  });
  if (body.wants_to_lead !== undefined) out.wants_to_lead = !!body.wants_to_lead;
  return out;
}

/**
 * Runs `action`; a ProvrumError becomes an answer with its findings, located for the page
 * (their cells offered when this is `provrumId`'s linked workbook).
 */
function answered_(action, provrumId) {
  try {
    var message = action();
    return { ok: true, message: message, findings: [] };
  } catch (e) {
    if (!(e instanceof ProvrumError)) throw e;
    return {
      ok: false,
      message: e.message,
      findings: findingsOf_(e.findings, provrumId)
    };
  }
}

/** Föreslå provrum: POST /provrum with the form's title, theme and description. */
function proposeProvrum(form) {
  return forDialog_(function () {
    form = form || {};
    return answered_(function () {
      var created = request_('POST', '/provrum', { json: cleanBody_({ title: form.title, theme: form.theme, description: form.description }) });
      return t_('pv.proposed', { title: created.title });
    });
  });
}

/** Kopplar kalkylarket till provrummet `id` (as the settings dialog does). */
function linkProvrum(id) {
  return forDialog_(function () {
    var p = request_('GET', '/provrum/' + encodeURIComponent(String(id || '')));
    var doc = PropertiesService.getDocumentProperties();
    doc.setProperty(KEYS.provrumId, p.id);
    doc.setProperty(KEYS.provrumTitle, p.title);
    return { ok: true, message: t_('pv.linkedNow', { title: p.title }), findings: [] };
  });
}

/** The leader's step "upload budget" from the sidebar: this spreadsheet, when it is linked there. */
function sendLinkedBudget_(path) {
  var id = path.split('/')[2];
  var linked = linkedProvrum_();
  if (!linked || linked.id !== id) {
    return { ok: false, message: t_('pv.linkFirst'), findings: [] };
  }
  return answered_(function () {
    var version = checkSpreadsheet_(linked);
    return t_('submit.toast', { version: version });
  }, id);
}

/** Shows a finding's cells in this spreadsheet (`place`: {sheet, cells}) and selects them. */
function showCell(place) {
  return forDialog_(function () {
    place = place || {};
    var spreadsheet = SpreadsheetApp.getActiveSpreadsheet();
    var sheet = spreadsheet.getSheetByName(String(place.sheet || ''));
    var cells = Array.isArray(place.cells) ? place.cells.slice(0, MAX_MARKS) : [];
    if (!sheet || !cells.length || !cells.every(isCellRef_)) throw new ProvrumError(t_('pv.noCell'));
    if (cells.length === 1) sheet.getRange(cells[0]).activate();
    else sheet.getRangeList(cells).activate();
    return true;
  });
}
