// The manifest asks for exactly the scopes the code needs (each fake Google call checks the
// scope Google's reference lists for it), fetches only from https, and every text has both
// languages.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { Env, MANIFEST, SCOPE } = require('../harness/gas');
const { useServer, userOf } = require('../harness/session');
const { fillExample } = require('../harness/user');

const ctx = useServer();
const SRC = path.join(__dirname, '..', 'src');

test('the manifest: explicit scopes, https allowlist, V8, Stockholm time', () => {
  assert.equal(MANIFEST.runtimeVersion, 'V8');
  assert.equal(MANIFEST.timeZone, 'Europe/Stockholm');
  assert.deepEqual([...MANIFEST.oauthScopes].sort(), [
    'drive.file', 'script.container.ui', 'script.external_request', 'script.scriptapp', 'spreadsheets',
  ].map(SCOPE).sort());
  for (const prefix of MANIFEST.urlFetchWhitelist) {
    assert.match(prefix, /^https:\/\/[^/]+\//, prefix);
  }
});

/** Every menu action, as a leader and as the kansli, including the hourly trigger. */
function everyAction(server, manifest) {
  const envs = [];
  const leader = userOf(server, 'region-ostergotland');
  envs.push(leader.env);
  leader.env.menu('Inställningar…');
  leader.env.menu('Skapa mall');
  fillExample(leader.ss);
  leader.env.menu('Kontrollera budget');
  leader.env.menu('Ladda upp fil…');
  const kansli = new Env({ manifest, allow: [`${server.url}/`] });
  envs.push(kansli);
  kansli.open(kansli.newSpreadsheet('Status'));
  kansli.call('saveSettings', { apiUrl: server.url, token: server.tokens.reglab });
  kansli.menu('Statusöversikt (kansli)');
  kansli.fireTriggers('refreshStatusOnTimer');
  kansli.answer({ button: 'OK', text: '2025' });
  kansli.menu('Årsrapport (kansli)…');
  kansli.menu('Stoppa timuppdatering av status');
  return envs;
}

test('every declared scope is used, and nothing runs without its scope', () => {
  const envs = everyAction(ctx.server, MANIFEST);
  for (const env of envs) {
    assert.deepEqual(env.alerts.filter((a) => /fel|Exception/i.test(a.message) && !/avstängd/.test(a.message)), []);
  }
  const used = new Set(envs.flatMap((e) => [...e.scopesUsed]));
  assert.deepEqual([...used].sort(), [...MANIFEST.oauthScopes].sort());
});

test('spreadsheets.currentonly alone is not enough: the hourly refresh opens the sheet by id', () => {
  const narrow = {
    ...MANIFEST,
    oauthScopes: MANIFEST.oauthScopes.filter((s) => s !== SCOPE('spreadsheets')).concat(SCOPE('spreadsheets.currentonly')),
  };
  const env = new Env({ manifest: narrow, allow: [`${ctx.server.url}/`] });
  env.open(env.newSpreadsheet('Status'));
  env.call('saveSettings', { apiUrl: ctx.server.url, token: ctx.server.tokens.reglab });
  env.menu('Statusöversikt (kansli)');
  assert.deepEqual(env.alerts, [], 'the menu action itself works with currentonly');
  env.fireTriggers('refreshStatusOnTimer');
  assert.ok(
    env.logs.some((l) => /not sufficient to call SpreadsheetApp\.openById/.test(l.join(' '))),
    JSON.stringify(env.logs),
  );
});

test('every text exists in Swedish and English, and every text the code asks for exists', () => {
  const context = new Env().context;
  const strings = context.STRINGS;
  assert.deepEqual(Object.keys(strings.en).sort(), Object.keys(strings.sv).sort());
  for (const lang of ['sv', 'en']) {
    for (const [key, text] of Object.entries(strings[lang])) assert.ok(text.trim(), `${lang} ${key}`);
  }
  const code = fs.readdirSync(SRC).filter((f) => /\.(gs|html)$/.test(f)).map((f) => fs.readFileSync(path.join(SRC, f), 'utf8')).join('\n');
  // Literal keys; keys built as 'status.' + status are checked by their families below.
  const asked = new Set([...code.matchAll(/\b(?:t_|text)\('([a-zA-Z.]+[a-zA-Z])'/g)].map((m) => m[1]));
  assert.ok(asked.size > 60, `${asked.size}`);
  for (const key of asked) {
    assert.ok(key in strings.sv, `missing text ${key}`);
  }
  for (const s of ['proposed', 'running', 'reported', 'withdrawn']) assert.ok(`status.${s}` in strings.sv);
  for (const v of ['ok', 'warnings', 'errors']) assert.ok(`verdict.${v}` in strings.sv && `check.${v}` in strings.sv);
  for (const s of ['error', 'warning', 'info']) assert.ok(`severity.${s}` in strings.sv);
});

test('amounts read 100 000 kr in both languages', () => {
  const context = new Env().context;
  assert.equal(context.kronor_(10000000), '100 000 kr');
  assert.equal(context.kronor_(1250050), '12 500,50 kr');
  assert.equal(context.kronor_(0), '0 kr');
  assert.equal(new Env({ locale: 'en' }).context.kronor_(20000000), '200 000 kr');
});
