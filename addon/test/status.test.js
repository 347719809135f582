// A status sheet the kansli can live in: the refresh writes only its own columns, each provrum
// keeps its row (so the kansli's notes to the right stay with it, even after sorting), repeated
// hourly failures are said in the sheet, and klartecken is given from a selected row.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { useServer, userOf } = require('../harness/session');

const ctx = useServer();
const ID = 20; // the Id column: the last of the status sheet's own columns
const NOTE = 21; // the first column that is the kansli's own

/** Sheet row → provrum title, for the rows 5… that have one. */
function titlesByRow(sheet) {
  const out = {};
  sheet.rows(5, ID).forEach((r, i) => { if (r[0]) out[5 + i] = r[0]; });
  return out;
}

test('the kansli\'s notes to the right survive every refresh and stay with their provrum, sorted or not', async () => {
  const { server } = ctx;
  const { env, ss } = userOf(server, 'reglab', { name: 'Reglab – status' });
  env.menu('Statusöversikt (kansli)');
  const sheet = ss.getSheetByName('Status');
  // The kansli's own column: a heading, a note per provrum, their own colour rule.
  sheet.getRange(4, NOTE).setValue('Kanslets anteckningar');
  const rows = titlesByRow(sheet);
  for (const [row, title] of Object.entries(rows)) {
    sheet.getRange(Number(row), NOTE).setValue(`Om ${title}`);
    sheet.getRange(Number(row), NOTE).setBackground('#fef7e0');
  }
  const mine = env.context.SpreadsheetApp.newConditionalFormatRule()
    .whenTextEqualTo('Brådskande').setBackground('#f4cccc')
    .setRanges([sheet.getRange(5, NOTE, 20, 1)]).build();
  sheet.setConditionalFormatRules(sheet.getConditionalFormatRules().concat([mine]));

  // The kansli sorts the sheet: the first two provrum swap rows, notes and all.
  const swap = (a, b) => {
    const width = NOTE;
    const ra = sheet.getRange(a, 1, 1, width).getValues();
    const rb = sheet.getRange(b, 1, 1, width).getValues();
    sheet.getRange(a, 1, 1, width).setValues(rb);
    sheet.getRange(b, 1, 1, width).setValues(ra);
  };
  swap(5, 6);
  // A new provrum is proposed; the hourly refresh runs, then a manual one.
  const created = await server.api('POST', '/provrum', server.tokens['region-ostergotland'], { title: 'Ny cykelväg' });
  assert.equal(created.status, 201);
  assert.equal(env.fireTriggers('refreshStatusOnTimer'), 1);
  env.menu('Statusöversikt (kansli)');

  assert.equal(sheet.text(`${'U'}4`), 'Kanslets anteckningar', 'the kansli\'s heading is kept');
  const after = titlesByRow(sheet);
  for (const [row, title] of Object.entries(after)) {
    if (title === 'Ny cykelväg') continue;
    assert.equal(sheet.getRange(Number(row), NOTE).getValue(), `Om ${title}`, `row ${row}: the note is still next to ${title}`);
    assert.equal(sheet.getRange(Number(row), NOTE).getBackground(), '#fef7e0');
  }
  assert.equal(after[5], rows[6], 'the sorted order is kept');
  assert.equal(after[6], rows[5]);
  const newRow = Number(Object.keys(after).find((r) => after[r] === 'Ny cykelväg'));
  assert.equal(newRow, 5 + Object.keys(rows).length, 'a new provrum gets the first row after the others');
  assert.equal(sheet.getRange(newRow, NOTE).getValue(), '');
  assert.ok(sheet.getConditionalFormatRules().some((r) => r.text === 'Brådskande'), 'the kansli\'s own colour rule is kept');
});

test('hourly refreshes that keep failing say so in the sheet, louder after three, and a success clears it', () => {
  const { env, ss } = userOf(ctx.server, 'reglab');
  env.menu('Statusöversikt (kansli)');
  const sheet = ss.getSheetByName('Status');
  const good = env.userProperties.getProperty('provrum.token');
  const rowsBefore = sheet.rows(5, ID).length;
  env.userProperties.setProperty('provrum.token', 'prv_revoked');
  env.fireTriggers('refreshStatusOnTimer');
  assert.match(sheet.text('A3'), /^Uppdateringen \d{4}-\d\d-\d\d \d\d:\d\d misslyckades: Din token godkändes inte/);
  assert.notEqual(sheet.getRange('A3').getBackground(), '#fce8e6');
  env.fireTriggers('refreshStatusOnTimer');
  env.fireTriggers('refreshStatusOnTimer');
  assert.match(sheet.text('A3'), /misslyckades – 3 gånger i rad sedan \d{4}-\d\d-\d\d \d\d:\d\d\. Raderna nedan är från den senaste lyckade uppdateringen\. Din token godkändes inte/);
  assert.equal(sheet.getRange('A3').getBackground(), '#fce8e6');
  assert.equal(sheet.rows(5, ID).length, rowsBefore, 'the last good rows stay');
  assert.equal(env.triggers.length, 1, 'it keeps trying');
  env.userProperties.setProperty('provrum.token', good);
  // A refresh by hand that works ends the run of failures too.
  env.menu('Statusöversikt (kansli)');
  assert.equal(env.userProperties.getProperty('provrum.statusRefreshFailures'), null);
  assert.equal(env.userProperties.getProperty('provrum.statusRefreshFailures.0'), null, 'no part is left behind');
  env.fireTriggers('refreshStatusOnTimer');
  assert.equal(sheet.text('A3'), '');
  assert.match(sheet.text('A2'), /uppdateras automatiskt varje timme av token ”demo” \(Reglabs kansli\)$/, 'the sheet says whose refresh it is');
  assert.equal(env.userProperties.getProperty('provrum.statusRefreshFailures'), null);
});

test('klartecken from a selected row: asked first, refused with the findings and their cells, never without a row', async () => {
  const { server } = ctx;
  const { env, ss } = userOf(server, 'reglab');
  env.menu('Statusöversikt (kansli)');
  const sheet = ss.getSheetByName('Status');
  // Nothing selected but the title: the kansli is told to pick a row, and nothing is sent.
  sheet.getRange('A1').activate();
  const sent = env.fetches.length;
  env.menu('Ge klartecken för markerad rad (kansli)');
  assert.match(env.lastAlert().message, /Markera en rad med ett provrum i bladet Status/);
  assert.equal(env.fetches.length, sent);

  const rows = titlesByRow(sheet);
  const drones = Number(Object.keys(rows).find((r) => rows[r].startsWith('Drönare')));
  sheet.getRange(drones, 3).activate();
  // "No" to the question: nothing is sent.
  env.answer('NO');
  env.menu('Ge klartecken för markerad rad (kansli)');
  assert.match(env.alerts.at(-1).message, /^Ge klartecken för ”Drönare/);
  assert.equal(env.fetches.filter((f) => /\/approve$/.test(f.url)).length, 0);
  // "Yes": the server refuses, and each finding is shown with its cell.
  env.answer('YES');
  env.menu('Ge klartecken för markerad rad (kansli)');
  const refusal = env.lastAlert().message.split('\n');
  assert.match(refusal[0], /^Klartecken kan inte ges för ”Drönare/);
  assert.ok(refusal.includes('• BUD-4 (Budget!C7): Reglabs basfinansiering är 139 500 kr men får vara högst 100 000 kr. Minska den med 39 500 kr.'), refusal.join('\n'));
  const view = await server.api('GET', `/provrum/${sheet.getRange(drones, ID).getValue().replace(/^'/, '')}`, server.tokens.reglab);
  assert.equal(view.body.status, 'proposed', 'refused: still proposed');
});
