// The sidebar and the settings dialog in a real headless Chromium: choose a file, send it, see
// the result and the errors. google.script.run is bridged to the add-on's own functions, which
// call a real `provrum serve --demo`. Screenshots go to target/addon-screenshots (docs/ with
// scripts/screenshots).
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { useServer, userOf } = require('../harness/session');
const { launchBrowser, openHtml, settled } = require('../harness/browser');
const { screenshotPath } = require('../harness/screens');
const { fillExample, rowOf } = require('../harness/user');
const { workbookXlsx } = require('../harness/xlsx');

const ctx = useServer();
let browser;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'provrum-sidebar-'));
test.before(async () => { browser = await launchBrowser(); });
test.after(async () => {
  if (browser) await browser.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const EXAMPLE = path.join(__dirname, '..', '..', 'examples', 'exempel-provrum.xlsx');

/** A workbook file as a leader would have it on disk, from the template filled in. */
function workbookFile(name, change) {
  const { env, ss } = userOf(ctx.server, 'region-ostergotland');
  env.menu('Skapa mall');
  fillExample(ss);
  if (change) change(ss);
  const file = path.join(tmp, name);
  fs.writeFileSync(file, workbookXlsx(ss));
  return file;
}

async function sidebarOf(env, label = 'Ladda upp fil…') {
  env.menu(label);
  const sidebar = env.dialogs.at(-1);
  assert.equal(sidebar.kind, 'sidebar');
  return openHtml(browser, env, sidebar.html, { width: 300, height: 760 });
}

test('a correct workbook from disk: no errors, with its key figures', async () => {
  const { env, ss } = userOf(ctx.server, 'region-ostergotland');
  const page = await sidebarOf(env);
  assert.equal(await page.textContent('h2'), 'Provrum – ladda upp fil');
  assert.match(await page.textContent('#notLinked'), /kontrolleras men sparas inte/);
  assert.equal(await page.isDisabled('#send'), true, 'nothing to send before a file is chosen');
  assert.equal(await page.getAttribute('#file', 'aria-label'), 'Välj fil');
  await page.setInputFiles('#file', EXAMPLE);
  assert.match(await page.textContent('#chosen'), /^exempel-provrum\.xlsx \(\d+ kB\)$/);
  await page.click('#send');
  await page.waitForSelector('#result:not([hidden])');
  await settled(page);
  assert.equal(await page.textContent('#banner'), 'Resultat för ”exempel-provrum.xlsx”: Inga fel');
  assert.match(await page.getAttribute('#banner', 'class'), /\bok\b/);
  assert.deepEqual(await page.$$eval('#facts tr', (trs) => trs.map((tr) => tr.textContent)), [
    'Total budget265 000 kr', 'Reglabs basfinansiering93 000 kr',
  ]);
  assert.equal(await page.textContent('#findings'), 'Inga anmärkningar.');
  assert.equal(ss.getSheetByName('Kontroll').text('B4'), 'Uppladdad fil ”exempel-provrum.xlsx”');
  await page.screenshot({ path: screenshotPath('sidebar-godkand.png'), fullPage: true });
  assert.deepEqual(page.errors || [], []);
  await page.close();
});

test('a workbook with errors: each finding with its rule, severity and place in the file; stored when linked', async () => {
  const { server } = ctx;
  // The plan of the provrum waiting for its budget (before the go-ahead a version with errors
  // is stored; after it, a revision with errors is refused: PROC-3).
  const file = workbookFile('budget-ai.xlsx', (ss) => {
    const plan = ss.getSheetByName('Projektplan');
    plan.getRange(rowOf(ss, 'Projektplan', 'Provrummets namn'), 2).setValue('Öppna data i regional analys');
    ss.getSheetByName('Budget').getRange('C7').setValue(160000);
    ss.getSheetByName('Budget').getRange('B8').setValue('Arbetstid');
  });
  const ai = await server.provrum('Öppna data');
  const { env, ss } = userOf(server, 'region-ostergotland');
  env.call('saveSettings', { apiUrl: server.url, token: '', provrumId: ai.id });
  const before = (await server.api('GET', `/provrum/${ai.id}/budget`, server.tokens.reglab)).body.versions.length;
  const page = await sidebarOf(env);
  assert.equal(await page.textContent('#storeText'), 'Spara som ny budgetversion i ”Öppna data i regional analys”');
  assert.equal(await page.isChecked('#store'), true);
  await page.setInputFiles('#file', file);
  await page.click('#send');
  await page.waitForSelector('#result:not([hidden])');
  await settled(page);
  assert.equal(await page.textContent('#banner'), 'Resultat för ”budget-ai.xlsx”: Fel som måste rättas före start');
  const findings = await page.$$eval('#findings li', (lis) => lis.map((li) => ({
    tag: li.querySelector('.tag').textContent,
    severity: li.querySelector('.tag').className,
    where: li.querySelector('.where') && li.querySelector('.where').textContent,
  })));
  assert.ok(findings.some((f) => f.tag === 'Fel · BUD-4' && /error/.test(f.severity) && f.where === 'Budget!C7'), JSON.stringify(findings));
  assert.ok(findings.some((f) => f.tag === 'Fel · BUD-6' && f.where === 'Budget!B8'), JSON.stringify(findings));
  assert.equal(await page.textContent('#stored'), `Sparad som version ${before + 1}.`);
  assert.equal((await server.api('GET', `/provrum/${ai.id}/budget`, server.tokens.reglab)).body.versions.length, before + 1);
  const kontroll = ss.getSheetByName('Kontroll');
  assert.ok(kontroll.rows(13, 4).some((r) => r[0] === 'BUD-4' && r[3] === 'Budget!C7 (i filen)'));
  assert.equal(ss.getSheetByName('Budget'), null, 'nothing in this spreadsheet is marked for a file from disk');
  await page.screenshot({ path: screenshotPath('sidebar-fel.png'), fullPage: true });

  // Unticked: checked only, no new version.
  await page.uncheck('#store');
  await page.click('#send');
  await page.waitForSelector('#result:not([hidden])');
  await settled(page);
  assert.equal(await page.isHidden('#stored'), true);
  assert.equal((await server.api('GET', `/provrum/${ai.id}/budget`, server.tokens.reglab)).body.versions.length, before + 1);
  await page.close();
});

test('wrong file type, too large, refused token: clear Swedish messages in the sidebar', async () => {
  const { env } = userOf(ctx.server, 'region-ostergotland');
  const page = await sidebarOf(env);
  const pdf = path.join(tmp, 'budget.pdf');
  fs.writeFileSync(pdf, '%PDF-1.4');
  await page.setInputFiles('#file', pdf);
  assert.equal(await page.textContent('#error'), 'Välj en arbetsbok: .xlsx, .xlsm, .xls eller .ods.');
  assert.equal(await page.isDisabled('#send'), true);

  const big = path.join(tmp, 'stor-budget.xlsx');
  fs.writeFileSync(big, Buffer.alloc(6 * 1024 * 1024, 1));
  await page.setInputFiles('#file', big);
  assert.equal(await page.textContent('#error'), 'Filen är 6,0 MB – gränsen är 5 MB. Ta bort bilder eller onödiga blad och försök igen.');
  assert.equal(await page.isDisabled('#send'), true);
  const calls = env.fetches.length;

  await page.setInputFiles('#file', EXAMPLE);
  assert.equal(await page.isHidden('#error'), true);
  env.userProperties.setProperty('provrum.token', 'prv_revoked');
  await page.click('#send');
  await page.waitForSelector('#error:not([hidden])');
  await settled(page);
  assert.match(await page.textContent('#error'), /^Din token godkändes inte – den saknas, är felskriven eller har återkallats\./);
  assert.equal(env.fetches.length, calls + 1, 'only the refused check went to the server');
  assert.equal(await page.isDisabled('#send'), false, 'the user can try again');
  await page.screenshot({ path: screenshotPath('sidebar-token.png'), fullPage: true });
  await page.close();
});

test('the sidebar in English', async () => {
  const { env } = userOf(ctx.server, 'region-ostergotland', { locale: 'en' });
  const page = await sidebarOf(env, 'Upload file…');
  assert.equal(await page.textContent('h2'), 'Provrum – upload file');
  await page.setInputFiles('#file', EXAMPLE);
  await page.click('#send');
  await page.waitForSelector('#result:not([hidden])');
  await settled(page);
  assert.equal(await page.textContent('#banner'), 'Result for “exempel-provrum.xlsx”: No errors');
  await page.close();
});

test('the settings dialog: address, token and the provrum link, tested on save', async () => {
  const { server } = ctx;
  const ai = await server.provrum('AI och visualisering');
  const { env } = userOf(server, 'region-ostergotland');
  env.menu('Inställningar…');
  const page = await openHtml(browser, env, env.dialogs.at(-1).html, { width: 460, height: 520 });
  assert.equal(await page.inputValue('#apiUrl'), server.url);
  assert.match(await page.textContent('#tokenHelp'), /^En token är sparad \(slutar på …\w{4}\)\. Lämna tomt för att behålla den\.$/);
  assert.equal(await page.inputValue('#token'), '', 'the saved token is never sent to the page');
  const options = await page.$$eval('#provrumId option', (os) => os.map((o) => o.textContent));
  assert.deepEqual(options.slice(0, 1), ['Inget – bara kontrollera']);
  assert.ok(options.includes('AI och visualisering i regional utveckling (Pågår)'), options.join('|'));

  await page.selectOption('#provrumId', ai.id);
  await page.click('#save');
  await page.waitForFunction(() => /Sparat/.test(document.querySelector('#message').textContent));
  await settled(page);
  assert.equal(await page.textContent('#message'), 'Sparat. Inloggad som Region Östergötland (medlem). Kalkylarket är kopplat till ”AI och visualisering i regional utveckling”.');
  assert.equal(env.docProps(env.active).getProperty('provrum.provrumId'), ai.id);
  await page.screenshot({ path: screenshotPath('installningar.png') });

  await page.fill('#token', 'prv_felskriven');
  await page.click('#save');
  await page.waitForFunction(() => /fungerar inte/.test(document.querySelector('#message').textContent));
  assert.match(await page.textContent('#message'), /^Inställningarna sparades, men anslutningen fungerar inte: Din token godkändes inte/);
  assert.match(await page.getAttribute('#message', 'class'), /\bbad\b/);

  await page.fill('#apiUrl', 'http://provrum.example.se');
  await page.click('#save');
  await page.waitForFunction(() => /https:\/\//.test(document.querySelector('#message').textContent));
  assert.match(await page.textContent('#message'), /^Adressen måste börja med https:\/\//);

  await page.click('#close');
  assert.equal(await page.evaluate(() => window.__closed), true);
  assert.deepEqual(page.errors || [], []);
  await page.close();
});

test('text from a workbook is shown as text, never run as HTML', async () => {
  const item = '<img src=x onerror="window.__pwned = 1">Fika';
  const file = workbookFile('elak.xlsx', (ss) => {
    ss.getSheetByName('Budget').getRange('A8').setValue(item);
    ss.getSheetByName('Budget').getRange('B8').setValue('Arbetstid');
  });
  const { env, ss } = userOf(ctx.server, 'region-ostergotland');
  const page = await sidebarOf(env);
  await page.setInputFiles('#file', file);
  await page.click('#send');
  await page.waitForSelector('#result:not([hidden])');
  await settled(page);
  assert.match(await page.textContent('#findings'), /<img src=x onerror="window\.__pwned = 1">Fika/);
  assert.equal(await page.locator('#findings img').count(), 0);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  const message = ss.getSheetByName('Kontroll').rows(13, 4).find((r) => r[0] === 'BUD-6')[2];
  assert.ok(message.includes(item), message);
  await page.close();
});

test('the page cannot call the add-on\'s private functions', async () => {
  const { env } = userOf(ctx.server, 'region-ostergotland');
  const page = await sidebarOf(env);
  const outcome = await page.evaluate(() => new Promise((resolve) => {
    google.script.run.withSuccessHandler(() => resolve('ran')).withFailureHandler((e) => resolve(e.message)).request_('GET', '/status');
  }));
  assert.match(outcome, /private/);
  await page.close();
});

test('the file button speaks the user\'s language, not the browser\'s, and works from the keyboard', async () => {
  const { env } = userOf(ctx.server, 'region-ostergotland');
  const page = await sidebarOf(env);
  assert.equal(await page.textContent('#choose'), 'Välj fil …');
  assert.equal(await page.isVisible('#choose'), true);
  const box = await page.locator('#file').boundingBox();
  assert.ok(box.width <= 1 && box.height <= 1, `the browser's own button ("Choose File") is out of sight: ${JSON.stringify(box)}`);
  // Tab reaches the file field first; Space opens the chooser, as on a button.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'file');
  const outline = await page.$eval('#choose', (l) => getComputedStyle(l).outlineStyle);
  assert.equal(outline, 'solid', 'the label shows the focus');
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.keyboard.press('Space')]);
  await chooser.setFiles(EXAMPLE);
  assert.match(await page.textContent('#chosen'), /^exempel-provrum\.xlsx/);
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'send', 'the next stop is the button that sends it');
  // And a click on the label opens it too.
  const [again] = await Promise.all([page.waitForEvent('filechooser'), page.click('#choose')]);
  assert.ok(again);
  await page.close();
});
