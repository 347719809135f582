// The leader's menu actions end to end: settings, Skapa mall, Kontrollera budget (checked only,
// and stored as a version of a linked provrum), with cell marks and notes, against a real
// `provrum serve --demo`.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { Env } = require('../harness/gas');
const { useServer, userOf } = require('../harness/session');
const { fillExample, typeIn } = require('../harness/user');
const { evaluate } = require('../harness/xlsx');

const ctx = useServer();

test('the menu is Swedish, or English for an English locale', () => {
  const sv = new Env();
  sv.open(sv.newSpreadsheet('x'));
  assert.deepEqual(sv.menus[0].items.map((i) => i.label), [
    'Inställningar…', 'Provrum…', '---', 'Skapa mall', 'Kontrollera budget', 'Skicka in som ny budgetversion', 'Ladda upp fil…', '---',
    'Statusöversikt (kansli)', 'Ge klartecken för markerad rad (kansli)', 'Stoppa timuppdatering av status', 'Årsrapport (kansli)…',
    'Organisationer och tokens (kansli)…',
  ]);
  const en = new Env({ locale: 'en' });
  en.open(en.newSpreadsheet('x'));
  assert.deepEqual(en.menus[0].items.filter((i) => i.fn).map((i) => i.label), [
    'Settings…', 'Provrum…', 'Create template', 'Check budget', 'Submit as a new budget version', 'Upload file…',
    'Status overview (kansli)', 'Give the go-ahead for the selected row (kansli)', 'Stop hourly status refresh', 'Annual report (kansli)…',
    'Organisations and tokens (kansli)…',
  ]);
  // Every item calls a function the add-on has.
  for (const item of sv.menus[0].items.filter((i) => i.fn)) assert.equal(typeof sv.context[item.fn], 'function', item.fn);
});

test('settings are tested against the server and keep the token on the server side', () => {
  const { server } = ctx;
  const env = new Env({ allow: [`${server.url}/`] });
  env.open(env.newSpreadsheet('x'));
  env.menu('Inställningar…');
  assert.equal(env.dialogs[0].kind, 'dialog');
  assert.equal(env.dialogs[0].html.file, 'Settings');
  assert.equal(env.dialogs[0].title, 'Provrum – inställningar');

  assert.throws(() => env.call('saveSettings', { apiUrl: 'ftp://example.se', token: 'x' }), /Adressen måste börja med https:\/\//);
  assert.throws(() => env.call('saveSettings', { apiUrl: 'http://provrum.example.se', token: 'x' }), /https:\/\//);

  const wrong = env.call('saveSettings', { apiUrl: `${server.url}/`, token: 'prv_not_a_token' });
  assert.equal(wrong.ok, false);
  assert.match(wrong.message, /sparades, men anslutningen fungerar inte: Din token godkändes inte/);

  const right = env.call('saveSettings', { apiUrl: server.url, token: server.tokens['region-ostergotland'] });
  assert.equal(right.ok, true, right.message);
  assert.equal(right.message, 'Sparat. Inloggad som Region Östergötland (medlem). Anslutningen fungerar – du ser 5 provrum.');
  const kansli = env.call('saveSettings', { apiUrl: server.url, token: server.tokens.reglab });
  assert.match(kansli.message, /^Sparat\. Inloggad som Reglabs kansli \(kansliet\)\./);
  const partner = env.call('saveSettings', { apiUrl: server.url, token: server.tokens.rise });
  assert.match(partner.message, /^Sparat\. Inloggad som \S.* \(partner\)\./);
  assert.equal(env.call('saveSettings', { apiUrl: server.url, token: server.tokens['region-ostergotland'] }).ok, true);
  const info = env.call('settingsInfo');
  assert.equal(info.apiUrl, server.url);
  assert.equal(info.tokenTail, server.tokens['region-ostergotland'].slice(-4));
  assert.ok(!JSON.stringify(info).includes(server.tokens['region-ostergotland']), 'the token never goes to the browser');
  // An empty token field keeps the saved token.
  assert.equal(env.call('saveSettings', { apiUrl: server.url, token: '' }).ok, true);
});

test('Skapa mall builds the three sheets with dropdowns, formats and notes', () => {
  const { env, ss } = userOf(ctx.server, 'region-ostergotland');
  env.menu('Skapa mall');
  assert.deepEqual(ss.getSheets().map((s) => [s.getName(), s.isSheetHidden()]), [
    ['Projektplan', false], ['Deltagare', false], ['Budget', false], ['Listor', true],
  ]);
  const plan = ss.getSheetByName('Projektplan');
  assert.match(plan.text('A1'), /^Projektplan för Reglabs provrum/);
  assert.equal(plan.text('A6'), 'Syfte');
  assert.match(plan.getRange('A6').getNote(), /måste fyllas i/);
  const participants = ss.getSheetByName('Deltagare');
  assert.deepEqual([participants.text('A3'), participants.text('B3'), participants.text('C3')], ['Organisation', 'Typ', 'Roll']);
  assert.equal(participants.getFrozenRows(), 3);
  assert.deepEqual([...participants.getRange('B10').getDataValidation().args[0]], ['Region', 'Medlem', 'Partner']);
  const budget = ss.getSheetByName('Budget');
  assert.deepEqual([1, 2, 3, 4, 5].map((c) => budget.getRange(3, c).getValue()), ['Kostnadspost', 'Kategori', 'Belopp (kr)', 'Finansiär', 'Kommentar']);
  assert.equal(budget.getRange('C50').first().numberFormat, '#,##0 "kr"');
  assert.equal(budget.getRange('A3').first().background, '#1f4e79');
  assert.equal(budget.text('C104'), '=SUM(C4:C103)');
  assert.ok(budget.getRange('B4').getDataValidation().args[0].includes('Expertstöd'));
  // A person cannot type a kind or category that is not in the list...
  assert.throws(() => typeIn(ss, 'Deltagare', 'B4', 'Kommun'), /refuses "Kommun"/);
  assert.throws(() => typeIn(ss, 'Budget', 'C4', -5), /refuses -5/);
  // ...and the funder list follows the participants, with Reglab's base funding first.
  const funder = budget.getRange('D4').getDataValidation();
  assert.equal(funder.criteria, 'VALUE_IN_RANGE');
  assert.equal(funder.args[0].getA1Notation(), 'A1:A21');
  assert.equal(funder.args[0].getSheet().getName(), 'Listor');
  assert.equal(funder.allowInvalid, true, 'another funder is a warning, not refused');
  assert.equal(ss.getSheetByName('Listor').text('A1'), 'Reglabs basfinansiering');
  assert.equal(evaluate(ss, ss.getSheetByName('Listor'), ss.getSheetByName('Listor').text('A2')), '');
  typeIn(ss, 'Deltagare', 'A4', 'Region Skåne');
  assert.equal(evaluate(ss, ss.getSheetByName('Listor'), ss.getSheetByName('Listor').text('A2')), 'Region Skåne');
  typeIn(ss, 'Budget', 'D4', 'Region Skåne');
  typeIn(ss, 'Budget', 'D5', 'Reglabs basfinansiering');
  assert.ok(!ss.getSheetByName('Blad1'), 'the empty first sheet is removed');

  // Again: asks before overwriting; "No" keeps what is there.
  env.answer('NO');
  env.menu('Skapa mall');
  assert.match(env.lastAlert().message, /Bladen Projektplan, Deltagare, Budget finns redan/);
  assert.equal(ss.getSheetByName('Deltagare').text('A4'), 'Region Skåne');
  env.answer('YES');
  env.menu('Skapa mall');
  assert.equal(ss.getSheetByName('Deltagare').text('A4'), '');
});

test('Kontrollera budget: a correct budget passes; a wrong one is marked on its cells; fixing it clears the marks', () => {
  const { env, ss } = userOf(ctx.server, 'region-ostergotland', { name: 'Budget AI' });
  env.menu('Skapa mall');
  fillExample(ss);
  const budget = ss.getSheetByName('Budget');
  budget.getRange('C7').setBackground('#ffff00').setNote('min egen anteckning');

  env.menu('Kontrollera budget');
  assert.equal(env.alerts.length, 0, JSON.stringify(env.alerts));
  const result = ss.getSheetByName('Kontroll');
  assert.equal(ss.getActiveSheet(), result);
  assert.equal(result.text('B3'), 'Inga fel');
  assert.equal(result.text('B7'), 265000);
  assert.equal(result.text('B8'), 93000);
  assert.equal(result.text('A13'), 'Inga anmärkningar – allt stämmer med reglerna för provrum.');
  assert.equal(ss.toasts.at(-1).message, 'Inga fel. Se bladet Kontroll.');
  const export_ = env.fetches.find((f) => f.url.startsWith('https://www.googleapis.com/drive/v3/files/'));
  assert.equal(export_.url, `https://www.googleapis.com/drive/v3/files/${ss.getId()}/export?mimeType=application%2Fvnd.openxmlformats-officedocument.spreadsheetml.sheet`);
  assert.equal(export_.headers.Authorization, `Bearer ${env.oauthToken}`);
  const check = env.fetches.at(-1);
  assert.equal(check.url, `${ctx.server.url}/check`);
  assert.equal(check.headers['Content-Type'], 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');

  // 400 000 kr more base funding on the expert line: over the cap and over half the budget.
  budget.getRange('C7').setValue(460000);
  env.menu('Kontrollera budget');
  assert.equal(result.text('B3'), 'Fel som måste rättas före start');
  const rows = result.rows(13, 4);
  assert.deepEqual(rows.map((r) => r[0]), ['BUD-4', 'BUD-5']);
  assert.equal(rows[0][1], 'Fel');
  assert.equal(rows[0][2], 'Reglabs basfinansiering är 493 000 kr men får vara högst 100 000 kr. Minska den med 393 000 kr.');
  assert.equal(rows[1][2], 'Reglabs basfinansiering är 493 000 kr men får vara högst 332 500 kr, hälften av den planerade budgeten (665 000 kr). Minska den med 160 500 kr.');
  assert.equal(ss.toasts.at(-1).message, 'Fel som måste rättas före start: 2 fel, 0 varningar. Se bladet Kontroll.');
  assert.equal(rows[0][3], `=HYPERLINK("#gid=${budget.getSheetId()}&range=C7","Budget!C7")`);
  assert.equal(budget.getRange('C7').getBackground(), '#f4cccc');
  assert.match(budget.getRange('C7').getNote(), /^Provrum, kontroll \d{4}-\d\d-\d\d \d\d:\d\d:\n• BUD-4 \(fel\): .*\n• BUD-5 \(fel\): /);
  // The sum is marked wherever it comes from: every Reglab-funded amount, not only the first.
  const funded = [];
  for (let row = 4; row <= 30; row++) {
    if (String(budget.getRange(`D${row}`).getValue()).startsWith('Reglabs basfinansiering')) funded.push(`C${row}`);
  }
  assert.ok(funded.length >= 2, JSON.stringify(funded));
  for (const cell of funded) {
    assert.equal(budget.getRange(cell).getBackground(), '#f4cccc', cell);
    assert.match(budget.getRange(cell).getNote(), /• BUD-4 \(fel\): Reglabs basfinansiering är 493 000 kr/, cell);
  }

  // Fixed: the marks go, and the cell gets back the colour and note it had.
  budget.getRange('C7').setValue(60000);
  env.menu('Kontrollera budget');
  assert.equal(result.text('B3'), 'Inga fel');
  assert.equal(budget.getRange('C7').getBackground(), '#ffff00');
  assert.equal(budget.getRange('C7').getNote(), 'min egen anteckning');
  for (const cell of funded.filter((c) => c !== 'C7')) assert.equal(budget.getRange(cell).getNote(), '', cell);
  assert.deepEqual(env.docProps(ss).getKeys(), [], 'no marks left to clear');
});

test('a missing plan and a leaderless participant list are marked where they belong', () => {
  const { env, ss } = userOf(ctx.server, 'region-ostergotland');
  env.menu('Skapa mall');
  fillExample(ss);
  ss.getSheetByName('Projektplan').getRange('B6').setValue('');
  ss.getSheetByName('Deltagare').getRange('C4').setValue('Deltagare');
  env.menu('Kontrollera budget');
  const result = ss.getSheetByName('Kontroll');
  const rules = result.rows(13, 4).map((r) => r[0]);
  assert.ok(rules.includes('PLAN-1'), rules.join());
  assert.ok(rules.includes('DELT-3'), rules.join());
  assert.equal(ss.getSheetByName('Projektplan').getRange('B6').getBackground(), '#f4cccc');
  assert.match(ss.getSheetByName('Projektplan').getRange('B6').getNote(), /PLAN-1/);
});

test('linked to its provrum, a check stores nothing; submitting stores the next budget version', async () => {
  const { server } = ctx;
  const ai = await server.provrum('AI och visualisering');
  const before = (await server.api('GET', `/provrum/${ai.id}/budget`, server.tokens.reglab)).body;
  const { env, ss } = userOf(server, 'region-ostergotland');
  const linked = env.call('saveSettings', { apiUrl: server.url, token: '', provrumId: ai.id });
  assert.equal(linked.ok, true, linked.message);
  assert.match(linked.message, /kopplat till ”AI och visualisering i regional utveckling”/);
  env.menu('Skapa mall');
  fillExample(ss);
  // Kontrollera: checked, not stored, and the sheet says how to store it.
  env.menu('Kontrollera budget');
  assert.equal(env.alerts.length, 0, JSON.stringify(env.alerts));
  assert.equal(env.fetches.at(-1).url, `${server.url}/check`);
  const checked = (await server.api('GET', `/provrum/${ai.id}/budget`, server.tokens.reglab)).body;
  assert.equal(checked.versions.length, before.versions.length, 'a check stores nothing');
  assert.match(ss.getSheetByName('Kontroll').text('B6'), /^Nej – bara kontrollerad \(Skicka in som ny budgetversion sparar/);
  // Skicka in: stored as the next version, and the sheet and the toast say which.
  env.menu('Skicka in som ny budgetversion');
  assert.equal(env.alerts.length, 0, JSON.stringify(env.alerts));
  const after = (await server.api('GET', `/provrum/${ai.id}/budget`, server.tokens.reglab)).body;
  assert.equal(after.versions.length, before.versions.length + 1);
  const version = after.versions.length;
  assert.equal(ss.getSheetByName('Kontroll').text('B6'), `Som version ${version} i provrummet ”AI och visualisering i regional utveckling”`);
  assert.equal(env.fetches.at(-1).url, `${server.url}/provrum/${ai.id}/budget`);
  assert.match(ss.toasts.at(-1).message, new RegExp(`^Sparad som version ${version}\\. Inga fel\\.`));
});

test('submitting an unlinked spreadsheet says to link it first, and sends nothing', () => {
  const { env, ss } = userOf(ctx.server, 'region-ostergotland');
  env.menu('Skapa mall');
  fillExample(ss);
  const sent = env.fetches.length;
  env.menu('Skicka in som ny budgetversion');
  assert.match(env.lastAlert().message, /^Kalkylarket är inte kopplat till något provrum\. Koppla det under Inställningar/);
  assert.equal(env.fetches.length, sent, 'nothing exported or sent');
  assert.ok(!ss.getSheetByName('Kontroll'));
});

test('only the leader stores: a partner linked to the provrum gets a Swedish 403 message', async () => {
  const { server } = ctx;
  const ai = await server.provrum('AI och visualisering');
  const { env, ss } = userOf(server, 'rise');
  env.call('saveSettings', { apiUrl: server.url, token: '', provrumId: ai.id });
  env.menu('Skapa mall');
  fillExample(ss);
  env.menu('Skicka in som ny budgetversion');
  const alert = env.lastAlert();
  assert.equal(alert.title, 'Provrum – något gick fel');
  assert.match(alert.message, /^Din organisation får inte göra det här\. \S/);
  assert.ok(!ss.getSheetByName('Kontroll'), 'no result sheet for a refused check');
});

test('an export Google refuses says how to go on, in Swedish', () => {
  const { env, ss } = userOf(ctx.server, 'region-ostergotland');
  env.menu('Skapa mall');
  env.exportFails = 403;
  env.menu('Kontrollera budget');
  assert.match(env.lastAlert().message, /kunde inte exporteras till \.xlsx \(HTTP 403\)\. Ladda ned det via Arkiv › Ladda ned/);
  assert.ok(!ss.getSheetByName('Kontroll'));
});

test('in English: English sheets, English findings', () => {
  const { env, ss } = userOf(ctx.server, 'region-ostergotland', { locale: 'en' });
  env.menu('Create template');
  assert.deepEqual(ss.getSheets().map((s) => s.getName()), ['Project plan', 'Participants', 'Budget', 'Listor']);
  typeIn(ss, 'Participants', 'A4', 'Region Skåne');
  typeIn(ss, 'Participants', 'B4', 'Region');
  typeIn(ss, 'Participants', 'C4', 'Leader');
  env.menu('Check budget');
  const result = ss.getSheetByName('Check');
  assert.equal(result.text('B3'), 'Errors to fix before the start');
  assert.ok(result.rows(13, 4).some((r) => r[1] === 'Error' && /required|missing/i.test(r[2])), JSON.stringify(result.rows(13, 4)));
});

test('a budget with 1 200 wrong lines: every finding listed past row 1 000, 400 cells marked', () => {
  const { env, ss } = userOf(ctx.server, 'region-ostergotland');
  env.menu('Skapa mall');
  fillExample(ss);
  const budget = ss.getSheetByName('Budget');
  budget.insertRowsAfter(budget.getMaxRows(), 300);
  const lines = [];
  for (let i = 0; i < 1200; i++) lines.push([`Arbetstid för möte nummer ${i + 1} – åäö`, 'Arbetstid', 10, 'Reglabs basfinansiering']);
  budget.getRange(12, 1, lines.length, 4).setValues(lines);
  budget.getRange(12, 2, lines.length, 1).setNote('Ekonomi: åäöåäöåäöåäöåäöåäöåäöåäöåäöåäö granskad.');
  env.menu('Kontrollera budget');
  assert.deepEqual(env.alerts, []);
  const result = ss.getSheetByName('Kontroll');
  const rows = result.rows(13, 4);
  assert.ok(rows.length > 1200, `${rows.length} rows`);
  assert.ok(result.getMaxRows() > 1000);
  const marked = [...budget.cells.values()].filter((c) => c.note.startsWith('Provrum, kontroll')).length;
  assert.equal(marked, 400);
  // The saved marks, in parts each within Google's 9 kB a value: the next check clears them all.
  assert.ok(env.docProps(ss).getKeys().length > 3);
  budget.getRange(12, 1, lines.length, 4).setValues(lines.map(() => ['', '', '', '']));
  env.menu('Kontrollera budget');
  assert.equal([...budget.cells.values()].filter((c) => c.note.startsWith('Provrum, kontroll')).length, 0);
  assert.equal(ss.getSheetByName('Kontroll').text('B3'), 'Inga fel');
  assert.equal(budget.getRange('B12').getNote(), 'Ekonomi: åäöåäöåäöåäöåäöåäöåäöåäöåäöåäö granskad.', 'the user\'s own notes come back');
});

test('Skapa mall forgets the marks of the sheets it empties', () => {
  const { env, ss } = userOf(ctx.server, 'region-ostergotland');
  env.menu('Skapa mall');
  fillExample(ss);
  ss.getSheetByName('Budget').getRange('C7').setValue(460000);
  env.menu('Kontrollera budget');
  assert.ok(env.docProps(ss).getKeys().length > 0);
  env.answer('YES');
  env.menu('Skapa mall');
  assert.deepEqual(env.docProps(ss).getKeys(), []);
  assert.equal(ss.getSheetByName('Budget').getRange('C7').getNote(), '');
  assert.equal(ss.getSheetByName('Budget').getRange('C7').getBackground(), '#ffffff');
});

test('a new address forgets the token saved for the old one', () => {
  const { server } = ctx;
  const { env } = userOf(server, 'region-ostergotland');
  const moved = env.call('saveSettings', { apiUrl: 'http://localhost:9', token: '' });
  assert.equal(moved.ok, false);
  assert.equal(env.userProperties.getProperty('provrum.token'), null);
  assert.equal(env.fetches.filter((f) => f.url.startsWith('http://localhost:9')).every((f) => !f.headers.Authorization), true);
});

test('a status or verdict this version does not know is shown as the API wrote it', () => {
  const env = new Env();
  assert.equal(env.context.word_('status', 'running'), 'Pågår');
  assert.equal(env.context.word_('status', 'paused'), 'paused');
  assert.equal(env.context.word_('check', 'ok'), 'Inga fel');
});

test('a check is never called approved, and every count agrees with its noun, in both languages', () => {
  const findings = (errors, warnings) => [
    ...Array.from({ length: errors }, () => ({ severity: 'error' })),
    ...Array.from({ length: warnings }, () => ({ severity: 'warning' }))
  ];
  const c = (verdict, errors, warnings) => ({ verdict, findings: findings(errors, warnings) });
  const sv = new Env().context;
  assert.equal(sv.verdictText_(c('ok', 0, 0)), 'Inga fel');
  assert.equal(sv.verdictText_(c('warnings', 0, 1)), 'Inga fel, 1 varning');
  assert.equal(sv.verdictText_(c('warnings', 0, 2)), 'Inga fel, 2 varningar');
  assert.equal(sv.toastFor_(c('warnings', 0, 1)), 'Inga fel, 1 varning. Se bladet Kontroll.');
  assert.equal(sv.toastFor_(c('errors', 1, 1)), 'Fel som måste rättas före start: 1 fel, 1 varning. Se bladet Kontroll.');
  assert.equal(sv.count_('regions', 1), '1 region');
  assert.equal(sv.count_('regions', 3), '3 regioner');
  const en = new Env({ locale: 'en' }).context;
  assert.equal(en.verdictText_(c('ok', 0, 0)), 'No errors');
  assert.equal(en.verdictText_(c('warnings', 0, 1)), 'No errors, 1 warning');
  assert.equal(en.toastFor_(c('errors', 2, 3)), 'Errors to fix before the start: 2 errors, 3 warnings. See the sheet Check.');
  assert.equal(en.count_('regions', 1), '1 region');
  for (const ctx of [sv, en]) {
    const all = JSON.stringify(ctx.STRINGS);
    assert.ok(!/[«»]/.test(all), 'quotes are ” ” (Swedish) and “ ” (English), not « »');
    assert.ok(!/secretariat|Godkänd|Approved|medlemsavgift|membership fee/.test(all), all.match(/secretariat|Godkänd|Approved|medlemsavgift|membership fee/));
  }
});
