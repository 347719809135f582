// Every sidebar and dialog of the add-on, in both languages, checked by axe-core with the
// WCAG 2.1 A/AA rule tags in a real headless Chromium, in the states a person sees: empty,
// filled, with a result, with an error.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { useServer, userOf } = require('../harness/session');
const { launchBrowser, openHtml, settled } = require('../harness/browser');
const { violations, assertAccessible } = require('../harness/axe');

const ctx = useServer();
let browser;
test.before(async () => { browser = await launchBrowser(); });
test.after(async () => { if (browser) await browser.close(); });

const EXAMPLE = path.join(__dirname, '..', '..', 'examples', 'exempel-provrum.xlsx');

async function open(env, label) {
  env.menu(label);
  const shown = env.dialogs.at(-1);
  return openHtml(browser, env, shown.html, shown.kind === 'sidebar' ? { width: 300, height: 760 } : { width: 460, height: 560 });
}

test('the check itself fails on a page with a violation (an unlabelled field, low contrast)', async () => {
  const page = await browser.context.newPage();
  await page.setContent('<!DOCTYPE html><html lang="sv"><head><title>x</title></head><body><main><input type="text"><p style="color:#bbb;background:#fff">grå</p></main></body></html>');
  const rules = (await violations(page)).map((v) => v.rule).sort();
  assert.deepEqual(rules, ['color-contrast', 'label']);
  await page.close();
});

for (const locale of ['sv', 'en']) {
  const menu = locale === 'sv'
    ? { upload: 'Ladda upp fil…', settings: 'Inställningar…' }
    : { upload: 'Upload file…', settings: 'Settings…' };

  test(`${locale}: the upload sidebar, empty and with a result`, async () => {
    const { env } = userOf(ctx.server, 'region-ostergotland', { locale });
    const page = await open(env, menu.upload);
    await assertAccessible(page, 'upload sidebar, empty');
    await page.setInputFiles('#file', EXAMPLE);
    await page.click('#send');
    await page.waitForSelector('#result:not([hidden])');
    await settled(page);
    await assertAccessible(page, 'upload sidebar, with a result');
    await page.close();
  });

  test(`${locale}: the settings dialog, as opened and after a failed test`, async () => {
    const { env } = userOf(ctx.server, 'region-ostergotland', { locale });
    const page = await open(env, menu.settings);
    await assertAccessible(page, 'settings dialog');
    await page.fill('#token', 'prv_wrong');
    await page.click('#save');
    await page.waitForSelector('#message.bad');
    await settled(page);
    await assertAccessible(page, 'settings dialog, failed');
    await page.close();
  });
}

for (const locale of ['sv', 'en']) {
  const menu = locale === 'sv'
    ? { provrum: 'Provrum…', orgs: 'Organisationer och tokens (kansli)…' }
    : { provrum: 'Provrum…', orgs: 'Organisations and tokens (kansli)…' };

  test(`${locale}: the Provrum sidebar, as the kansli, a member and a partner see it`, async () => {
    for (const org of ['reglab', 'region-ostergotland', 'rise']) {
      const { env } = userOf(ctx.server, org, { locale });
      const page = await open(env, menu.provrum);
      await page.click('#proposeHead');
      await page.$$eval('details', (ds) => ds.forEach((d) => { d.open = true; }));
      await assertAccessible(page, `provrum sidebar as ${org}, every fold open`);
      await page.close();
    }
  });

  test(`${locale}: the organisations and tokens dialog, with an organisation's tokens open`, async () => {
    const { env } = userOf(ctx.server, 'reglab', { locale });
    const page = await open(env, menu.orgs);
    await assertAccessible(page, 'organisations dialog');
    await page.locator('button', { hasText: 'Tokens' }).first().click();
    await settled(page);
    await assertAccessible(page, 'organisations dialog, tokens open');
    await page.close();
  });
}
