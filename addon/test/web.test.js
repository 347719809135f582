// The web page (functions/web) in a real headless Chromium against a real `provrum serve --demo`:
// sign in with a token, the session cookie's flags, the provrum list, sign out, a wrong token
// summarised at the top, keyboard only, and axe-core's WCAG 2.1 A/AA rules on every page.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { useServer } = require('../harness/session');
const { launchBrowser } = require('../harness/browser');
const { assertAccessible } = require('../harness/axe');
const { screenshotPath } = require('../harness/screens');

const ctx = useServer();
let browser;
test.before(async () => { browser = await launchBrowser(); });
test.after(async () => { if (browser) await browser.close(); });

async function page(width = 1024) {
  const p = await browser.context.newPage();
  await p.setViewportSize({ width, height: 800 });
  p.on('pageerror', (e) => { p.errors = (p.errors || []).concat(String(e)); });
  p.on('console', (m) => { if (m.type() === 'error') p.errors = (p.errors || []).concat(m.text()); });
  return p;
}

test('a leader signs in with the demo token, sees the provrum, and signs out', async () => {
  const { server } = ctx;
  await browser.context.clearCookies();
  const p = await page();
  await p.goto(`${server.url}/webb`);
  assert.equal(new URL(p.url()).pathname, '/webb/logga-in', 'not signed in: the sign-in form');
  assert.equal(await p.title(), 'Logga in – Provrum');
  await assertAccessible(p, 'sign-in page');
  await p.getByLabel('Token').fill(server.tokens['region-ostergotland']);
  await p.getByRole('button', { name: 'Logga in' }).click();
  await p.waitForURL(`${server.url}/webb`);
  assert.equal(await p.title(), 'Översikt – Provrum');
  assert.match(await p.textContent('.who'), /Inloggad som Region Östergötland/);
  const titles = await p.$$eval('tbody th', (ths) => ths.map((t) => t.textContent));
  assert.deepEqual(titles, ['AI och visualisering i regional utveckling', 'Drönare – nya frågeställningar', 'Civilt försvar']);
  const [cookie] = await browser.context.cookies(`${server.url}/webb`);
  assert.equal(cookie.name, 'provrum_session');
  assert.deepEqual([cookie.httpOnly, cookie.secure, cookie.sameSite, cookie.path], [true, true, 'Strict', '/webb']);
  assert.ok(!(await p.content()).includes(server.tokens['region-ostergotland']), 'the token is not in the page');
  assert.ok(!p.url().includes('prv_'));
  await assertAccessible(p, 'start page');
  await p.screenshot({ path: screenshotPath('webb-provrum.png'), fullPage: true });
  await p.getByRole('button', { name: 'Logga ut' }).click();
  await p.waitForURL(/\/webb\/logga-in$/);
  assert.deepEqual(await browser.context.cookies(`${server.url}/webb`), [], 'the cookie is gone');
  await p.goto(`${server.url}/webb`);
  assert.equal(new URL(p.url()).pathname, '/webb/logga-in');
  assert.deepEqual(p.errors || [], [], 'no script errors, no CSP violations');
  await p.close();
});

test('a wrong token: "Fel:" in the title, the summary focused and linked to the field', async () => {
  const { server } = ctx;
  const p = await page(400);
  await p.goto(`${server.url}/webb/logga-in`);
  await p.getByLabel('Token').fill('prv_fel');
  await p.keyboard.press('Enter');
  await p.waitForSelector('.error-summary');
  assert.equal(await p.title(), 'Fel: Logga in – Provrum');
  assert.equal(await p.evaluate(() => document.activeElement.className), 'error-summary', 'the summary has the focus');
  await p.click('.error-summary a');
  assert.equal(await p.evaluate(() => document.activeElement.id), 'token', 'the link leads to the field');
  await assertAccessible(p, 'sign-in page with an error');
  await p.screenshot({ path: screenshotPath('webb-fel.png'), fullPage: true });
  await p.close();
});

test('keyboard only: skip link, token, sign in; English by the switch; the statement', async () => {
  const { server } = ctx;
  await browser.context.clearCookies();
  const p = await page();
  await p.goto(`${server.url}/webb/logga-in`);
  await p.keyboard.press('Tab');
  assert.equal(await p.evaluate(() => document.activeElement.textContent), 'Till innehållet');
  await p.keyboard.press('Enter');
  assert.equal(await p.evaluate(() => document.activeElement.id), 'innehall', 'the skip link moves to the content');
  await p.keyboard.press('Tab');
  assert.equal(await p.evaluate(() => document.activeElement.id), 'token');
  await p.keyboard.type(ctx.server.tokens.rise);
  await p.keyboard.press('Tab');
  await p.keyboard.press('Enter');
  await p.waitForURL(`${server.url}/webb`);
  assert.match(await p.textContent('.who'), /RISE/);
  await p.getByRole('link', { name: 'In English' }).click();
  assert.equal(await p.getAttribute('html', 'lang'), 'en');
  assert.match(await p.textContent('.who'), /Signed in as RISE/);
  await assertAccessible(p, 'start page (en)');
  await p.getByRole('link', { name: 'Accessibility statement' }).click();
  assert.equal(await p.textContent('h1'), 'Accessibility statement');
  await assertAccessible(p, 'statement (en)');
  await p.close();
});
