// The result sheets as a Swedish civil servant sees them: each sheet the add-on wrote is drawn
// from the fake Sheets model (values through their number formats, colours, conditional
// formatting, notes, charts) in headless Chromium, checked, and saved as a screenshot.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { useServer, userOf } = require('../harness/session');
const { launchBrowser } = require('../harness/browser');
const { shootSheet } = require('../harness/screens');
const { fillExample } = require('../harness/user');

const ctx = useServer();
let browser;
test.before(async () => { browser = await launchBrowser(); });
test.after(async () => { if (browser) await browser.close(); });

/** The colour the browser shows for the cell whose text is `text`. */
function backgroundOf(page, text) {
  return page.$$eval('td', (tds, t) => {
    const td = tds.find((x) => x.querySelector('.c') && x.querySelector('.c').textContent === t);
    return td ? getComputedStyle(td).backgroundColor : null;
  }, text);
}

test('Skapa mall, as the leader sees it', async () => {
  const { env, ss } = userOf(ctx.server, 'region-ostergotland', { name: 'Budget – AI och visualisering' });
  env.menu('Skapa mall');
  const page = await shootSheet(browser, ss, 'Projektplan', 'mall-projektplan.png', { rows: 16, cols: 3, height: 760 });
  assert.match(await page.textContent('body'), /Kriterier för ett lyckat resultat/);
  await page.close();
});

test('Kontroll and the marked budget', async () => {
  const { env, ss } = userOf(ctx.server, 'region-ostergotland', { name: 'Budget – AI och visualisering' });
  env.menu('Skapa mall');
  fillExample(ss);
  ss.getSheetByName('Budget').getRange('C7').setValue(160000);
  ss.getSheetByName('Budget').getRange('B8').setValue('Arbetstid');
  env.menu('Kontrollera budget');
  let page = await shootSheet(browser, ss, 'Kontroll', 'kontroll.png', { rows: 18, cols: 4, height: 520 });
  const text = await page.textContent('body');
  assert.match(text, /365 000 kr/);
  assert.match(text, /193 000 kr/);
  assert.match(text, /Fel som måste rättas före start/);
  assert.equal(await backgroundOf(page, 'Fel som måste rättas före start'), 'rgb(244, 204, 204)');
  assert.equal(await page.textContent('.link'), 'Budget!C7');
  await page.close();
  // B8 (BUD-6), and every Reglab-funded amount: BUD-4 and BUD-5 are about their sum.
  const budget = ss.getSheetByName('Budget');
  const funded = [];
  for (let row = 4; row <= 14; row++) {
    if (String(budget.getRange(`D${row}`).getValue()).startsWith('Reglabs basfinansiering')) funded.push(`C${row}`);
  }
  assert.ok(funded.includes('C7') && funded.length >= 2, JSON.stringify(funded));
  page = await shootSheet(browser, ss, 'Budget', 'budget-markerad.png', { rows: 14, cols: 5, openNote: 'C7', height: 520 });
  assert.equal(await page.locator('.note').count(), 1 + funded.length, `B8 and ${funded} carry a note`);
  assert.match(await page.textContent('.popup'), /BUD-4 \(fel\)/);
  assert.equal(await backgroundOf(page, '160 000 kr'), 'rgb(244, 204, 204)');
  await page.close();
});

test('Status, as the kansli sees it', async () => {
  const { env, ss } = userOf(ctx.server, 'reglab', { name: 'Reglab – provrum' });
  env.menu('Statusöversikt (kansli)');
  const page = await shootSheet(browser, ss, 'Status', 'status.png', { rows: 9, cols: 16, width: 1900, height: 300 });
  assert.equal(await backgroundOf(page, 'Pågår'), 'rgb(217, 234, 211)');
  assert.equal(await backgroundOf(page, 'Föreslaget'), 'rgb(207, 226, 243)');
  assert.equal(await backgroundOf(page, 'Ingen budget'), 'rgb(238, 238, 238)');
  assert.match(await page.textContent('body'), /265 000 kr/);
  await page.close();
});

test('Årsrapport with its charts', async () => {
  const { env, ss } = userOf(ctx.server, 'reglab', { name: 'Reglab – provrum' });
  env.answer({ button: 'OK', text: '2025' });
  env.menu('Årsrapport (kansli)…');
  const page = await shootSheet(browser, ss, 'Årsrapport 2025', 'arsrapport.png', { rows: 40, cols: 11, width: 1420, height: 860 });
  assert.equal(await page.locator('.chart svg').count(), 2);
  assert.match(await page.textContent('.chart'), /Provrum 2025: startade mot kvoten/);
  assert.match(await page.textContent('body'), /200 000 kr/);
  await page.close();
});
