// What the API says when it refuses (401, 403, 409 with findings, 413) and a network failure
// become messages a Swedish civil servant can act on; never a raw error.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { Env, Blob } = require('../harness/gas');
const { useServer, userOf } = require('../harness/session');
const { fillExample } = require('../harness/user');

const ctx = useServer();

/** What the add-on would show for a call of its API client. */
function shown(env, ...args) {
  try {
    env.call('request_', ...args);
  } catch (e) {
    return env.call('messageFor_', e);
  }
  throw new Error('the call succeeded');
}

test('no address, no token, unknown token, revoked token', async () => {
  const { server } = ctx;
  const env = new Env({ allow: [`${server.url}/`] });
  env.open(env.newSpreadsheet('x'));
  env.menu('Kontrollera budget');
  assert.equal(env.lastAlert().message, 'Tillägget vet inte var Provrum-tjänsten finns. Ange adressen under Provrum › Inställningar.');
  env.userProperties.setProperty('provrum.apiUrl', server.url);
  env.menu('Statusöversikt (kansli)');
  assert.match(env.lastAlert().message, /^Du har ingen token sparad\./);
  env.userProperties.setProperty('provrum.token', 'prv_unknown');
  env.menu('Statusöversikt (kansli)');
  assert.match(env.lastAlert().message, /^Din token godkändes inte – den saknas, är felskriven eller har återkallats\./);

  // A token the kansli revokes stops working at once.
  const issued = await server.api('POST', '/orgs/region-skane/tokens', server.tokens.reglab, { label: 'test' });
  assert.equal(issued.status, 201);
  env.userProperties.setProperty('provrum.token', issued.body.token);
  env.menu('Ladda upp fil…');
  assert.equal(env.dialogs.at(-1).kind, 'sidebar');
  assert.equal(env.dialogs.at(-1).html.title, 'Provrum – ladda upp fil');
  assert.equal((await server.api('DELETE', `/tokens/${issued.body.id}`, server.tokens.reglab)).status, 204);
  assert.match(shown(env, 'GET', '/provrum'), /^Din token godkändes inte/);
});

test('403: a partner may not propose, and the message carries the server\'s reason', () => {
  const { env } = userOf(ctx.server, 'rise');
  const message = shown(env, 'POST', '/provrum', { json: { title: 'Partnerns idé' } });
  assert.match(message, /^Din organisation får inte göra det här\. .+/);
  assert.match(message, /\n• PROC-1: /);
});

test('409 with findings: the rules that refused are listed under the message', async () => {
  const { server } = ctx;
  const drones = await server.provrum('Drönare');
  const { env } = userOf(server, 'reglab');
  const message = shown(env, 'POST', `/provrum/${drones.id}/approve`, { json: {} });
  assert.match(message, /^Det gick inte att genomföra\. .+/);
  assert.match(message, /\n• BUD-4: .*100 000 kr/);
});

test('413: a file over the limit, said in MB', () => {
  const { env } = userOf(ctx.server, 'region-ostergotland');
  const big = new Blob(new Uint8Array(5 * 1024 * 1024 + 10), 'application/octet-stream', 'stor.xlsx');
  // The add-on refuses it before sending...
  assert.throws(() => env.call('submitWorkbook_', big, null), /Filen är 5,0 MB – gränsen är 5 MB\./);
  // ...and the server's own 413, should one come, reads as well.
  const message = shown(env, 'POST', '/check', { blob: big });
  assert.match(message, /^Filen är för stor\. .*5 MB/);
  // The sidebar's path refuses an oversized file by its base64 length, without decoding it.
  assert.throws(() => env.call('checkUploadedFile', { name: 'stor.xlsx', base64: 'A'.repeat(7.2 * 1024 * 1024) }), /Filen är 5,4 MB – gränsen är 5 MB/);
  assert.throws(() => env.call('checkUploadedFile', { name: 'budget.pdf', base64: 'AAAA' }), /Välj en arbetsbok: \.xlsx, \.xlsm, \.xls eller \.ods\./);
});

test('a file that is not a workbook gets the reader\'s own explanation', () => {
  const { env } = userOf(ctx.server, 'region-ostergotland');
  const result = env.call('checkUploadedFile', { name: 'budget.xlsx', base64: Buffer.from('inte en arbetsbok').toString('base64') });
  assert.equal(result.verdict, 'errors');
  assert.equal(result.findings[0].rule, 'FORM-1');
  assert.equal(result.findings[0].severityText, 'Fel');
});

test('network failure: the address that could not be reached, and what to check', () => {
  const env = new Env({ allow: ['http://127.0.0.1:9/'] });
  env.open(env.newSpreadsheet('x'));
  env.userProperties.setProperty('provrum.apiUrl', 'http://127.0.0.1:9');
  env.userProperties.setProperty('provrum.token', 'prv_x');
  env.menu('Statusöversikt (kansli)');
  assert.equal(env.lastAlert().message, 'Kunde inte nå Provrum-tjänsten på http://127.0.0.1:9. Kontrollera adressen under Provrum › Inställningar och din internetanslutning, och försök igen.');
  // An address the manifest does not allow fails the same readable way.
  const outside = new Env();
  outside.open(outside.newSpreadsheet('x'));
  outside.userProperties.setProperty('provrum.apiUrl', 'https://provrum.example.se');
  outside.userProperties.setProperty('provrum.token', 'prv_x');
  outside.menu('Statusöversikt (kansli)');
  assert.match(outside.lastAlert().message, /^Kunde inte nå Provrum-tjänsten på https:\/\/provrum\.example\.se\./);
});

test('an unexpected failure is still a sentence, with the detail kept short', () => {
  const { env } = userOf(ctx.server, 'reglab');
  env.context.refreshStatus_ = () => { throw new TypeError('x is undefined'); };
  env.menu('Statusöversikt (kansli)');
  assert.match(env.lastAlert().message, /^Ett oväntat fel inträffade i tillägget\. .*\(Teknisk information: x is undefined\)$/);
});

test('English on request: the same errors in English', () => {
  const env = new Env({ locale: 'en', allow: [`${ctx.server.url}/`] });
  env.open(env.newSpreadsheet('x'));
  env.userProperties.setProperty('provrum.apiUrl', ctx.server.url);
  env.userProperties.setProperty('provrum.token', 'prv_unknown');
  env.menu('Status overview (kansli)');
  assert.equal(env.lastAlert().title, 'Provrum – something went wrong');
  assert.match(env.lastAlert().message, /^Your token was not accepted/);
});

test('409 without findings: the server\'s reason, in Swedish words', async () => {
  const { server } = ctx;
  const leader = server.tokens['region-ostergotland'];
  const created = await server.api('POST', '/provrum', leader, { title: 'Återtaget försök' });
  assert.equal(created.status, 201);
  const id = created.body.id;
  assert.equal((await server.api('PUT', `/provrum/${id}/leader`, leader, { org: 'region-ostergotland' })).status, 200);
  assert.equal((await server.api('POST', `/provrum/${id}/withdraw`, leader, {})).status, 200);
  const { env, ss } = userOf(server, 'region-ostergotland');
  env.call('saveSettings', { apiUrl: server.url, token: '', provrumId: id });
  env.menu('Skapa mall');
  fillExample(ss);
  env.menu('Skicka in som ny budgetversion');
  assert.equal(env.lastAlert().message, 'Det gick inte att genomföra. Provrummet har status ”återtaget”; budgeten kan inte längre ändras.');
});
