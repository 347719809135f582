// The Provrum sidebar in a real headless Chromium against a real `provrum serve --demo`: the
// provrum a user can see, the steps the server's `actions` allow as buttons and forms, the
// refused ones with the server's reasons, refusals with their findings (each cell shown when
// the linked workbook is open), hostile text kept as text, both languages, WCAG 2.1 AA.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { useServer, userOf } = require('../harness/session');
const { launchBrowser, openHtml, settled } = require('../harness/browser');
const { assertAccessible } = require('../harness/axe');
const { screenshotPath } = require('../harness/screens');

const ctx = useServer();
let browser;
test.before(async () => { browser = await launchBrowser(); });
test.after(async () => { if (browser) await browser.close(); });

async function sidebar(env, label = 'Provrum…') {
  env.menu(label);
  const shown = env.dialogs.at(-1);
  assert.equal(shown.kind, 'sidebar');
  const page = await openHtml(browser, env, shown.html, { width: 300, height: 1000 });
  await page.waitForSelector('#loading', { state: 'hidden' });
  return page;
}

/** The card (article) whose heading is `title`. */
function card(page, title) {
  return page.locator('article.card', { has: page.locator('h3', { hasText: title }) });
}

test('a member proposes, registers interest and sees each step the server allows, in Swedish', async () => {
  const { env } = userOf(ctx.server, 'region-ostergotland');
  const page = await sidebar(env);
  assert.equal(await page.title(), 'Provrum');
  assert.equal(await page.textContent('#who'), 'Inloggad som Region Östergötland (medlem)');
  assert.deepEqual(await page.$$eval('#open article h3', (hs) => hs.map((h) => h.textContent)), [
    'AI och visualisering i regional utveckling', 'Drönare – nya frågeställningar', 'Civilt försvar',
  ]);
  // Running: the leader's steps as buttons, the others folded with the server's reason.
  const ai = card(page, 'AI och visualisering');
  assert.deepEqual(await ai.locator('form.step button[type=submit]').allTextContents(), ['Skicka in budgeten', 'Återrapportera resultatet']);
  assert.match(await ai.locator('details.step summary').textContent(), /^Steg som inte går nu \(4\)$/);
  assert.match(await ai.locator('details.step').textContent(), /Välj provrumsledare går inte nu: Provrummet har status ”pågår”; det går bara före start\./);
  await assertAccessible(page, 'provrum sidebar (member)');

  // Propose.
  await page.click('#proposeHead');
  await page.fill('#pTitle', 'Cykelpendling över kommungränser');
  await page.fill('#pTheme', 'Hållbart resande');
  await page.fill('#pDescription', 'Pröva gemensamma cykelstråk mellan kommuner.');
  await assertAccessible(page, 'provrum sidebar, propose form');
  await page.click('#pSend');
  await page.waitForSelector('#notice.ok');
  await settled(page);
  assert.equal(await page.textContent('#notice'), 'Provrummet ”Cykelpendling över kommungränser” är föreslaget. Nu kan andra medlemmar och partner anmäla intresse.');
  const mine = card(page, 'Cykelpendling');
  assert.match(await mine.textContent(), /Hållbart resande/);
  // The proposer takes part and may withdraw it, after saying so twice.
  assert.match(await mine.textContent(), /Region Östergötland \(region\)/);
  await mine.getByRole('button', { name: 'Dra tillbaka provrummet', exact: true }).click();
  assert.equal(await mine.locator('button.danger').textContent(), 'Bekräfta: Dra tillbaka provrummet');
  await mine.locator('button', { hasText: 'Avbryt' }).click();
  assert.equal(await mine.locator('button.danger').isHidden(), true);

  // Register interest in another, wanting to lead.
  const defence = card(page, 'Civilt försvar');
  await defence.locator('label.check').click();
  await defence.locator('button', { hasText: 'Anmäl intresse' }).click();
  await page.waitForSelector('#notice.ok');
  await settled(page);
  assert.equal(await page.textContent('#notice'), 'Intresset är anmält.');
  assert.match(await card(page, 'Civilt försvar').textContent(), /Region Östergötland \(region, vill vara provrumsledare\)/);
  await page.screenshot({ path: screenshotPath('provrum-sidopanel.png'), fullPage: true });
  await assertAccessible(page, 'provrum sidebar, after steps');
  assert.deepEqual(page.errors || [], []);
  await page.close();
});

test('a refusal shows the server\'s findings: a partner chosen to lead gets DELT-4', async () => {
  const { server } = ctx;
  const { env } = userOf(server, 'region-ostergotland');
  const page = await sidebar(env);
  // Proposed by this member, with the partner taking part.
  // A title that is markup and a theme that is a formula: text, always.
  await page.click('#proposeHead');
  await page.fill('#pTitle', '<img src=x onerror="window.__xss=1">Partnerledning');
  await page.fill('#pTheme', '=HYPERLINK("https://evil.example","x")');
  await page.fill('#pDescription', '<script>window.__xss=2</script><b>fet</b>');
  await page.click('#pSend');
  await page.waitForSelector('#notice.ok');
  await settled(page);
  assert.equal(await page.textContent('#notice'), 'Provrummet ”<img src=x onerror="window.__xss=1">Partnerledning” är föreslaget. Nu kan andra medlemmar och partner anmäla intresse.');
  assert.equal(await card(page, 'Partnerledning').locator('h3').textContent(), '<img src=x onerror="window.__xss=1">Partnerledning');
  assert.match(await card(page, 'Partnerledning').textContent(), /=HYPERLINK\("https:\/\/evil\.example","x"\)/);
  assert.match(await card(page, 'Partnerledning').textContent(), /<script>window\.__xss=2<\/script><b>fet<\/b>/);
  assert.equal(await page.locator('img, b').count(), 0, 'no element was made from the title or the description');
  assert.equal(await page.evaluate(() => window.__xss), undefined);
  assert.match(await card(page, 'Partnerledning').textContent(), /Välj provrumsledare: ingen deltagare har anmält att de vill vara provrumsledare ännu\./);
  assert.equal(await card(page, 'Partnerledning').locator('select').count(), 0);
  const rise = userOf(server, 'rise');
  const id = Array.from(rise.env.call('provrumInfo').provrum).find((p) => p.title.endsWith('Partnerledning')).id;
  const registered = rise.env.call('provrumStep', { method: 'POST', path: `/provrum/${id}/interest` }, { wants_to_lead: true });
  assert.equal(registered.ok, true, registered.message);
  await page.click('#refresh');
  await settled(page);
  const mine = card(page, 'Partnerledning');
  await mine.locator('select').selectOption('rise');
  await mine.locator('button', { hasText: 'Välj provrumsledare' }).click();
  await mine.locator('[role=alert]:not([hidden])').waitFor();
  await settled(page);
  const alert = mine.locator('[role=alert]');
  assert.match(await alert.textContent(), /DELT-4/);
  assert.equal(await alert.evaluate((el) => el === document.activeElement), true, 'the refusal takes the focus');
  await assertAccessible(page, 'provrum sidebar, refusal');
  await page.close();
});

test('the kansli sees why klartecken is refused, each finding a button to its cell in the linked workbook', async () => {
  const { server } = ctx;
  const { env, ss } = userOf(server, 'reglab');
  env.menu('Skapa mall'); // the kansli's copy of the leader's workbook: it has a Budget sheet
  const drones = await server.provrum('Drönare');
  env.call('linkProvrum', drones.id);
  const page = await sidebar(env);
  const c = card(page, 'Drönare');
  assert.match(await c.textContent(), /Det här kalkylarket är kopplat till provrummet\./);
  assert.match(await c.textContent(), /Ge klartecken går inte nu: Reglerna tillåter det inte: BUD-4, KVOT-2\./);
  const show = c.locator('button.link', { hasText: 'Visa Budget!C7' });
  await show.click();
  await settled(page);
  assert.equal(ss.getActiveSheet().getName(), 'Budget');
  assert.equal(ss.getActiveSheet().getActiveRange().getA1Notation(), 'C7');
  // Without the workbook, the place is said, not offered.
  const other = userOf(server, 'reglab');
  const plain = await sidebar(other.env);
  assert.equal(await card(plain, 'Drönare').locator('button.link').count(), 0);
  assert.match(await card(plain, 'Drönare').textContent(), /Budget!C7/);
  await assertAccessible(page, 'provrum sidebar (kansli)');
  await page.close();
  await plain.close();
});

test('in English for an English locale; a partner is told why it cannot propose', async () => {
  const { env } = userOf(ctx.server, 'rise', { locale: 'en' });
  const page = await sidebar(env);
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.equal(await page.textContent('#who'), 'Signed in as RISE Research Institutes of Sweden (partner)');
  await page.click('#proposeHead');
  assert.match(await page.textContent('#proposeRefused'), /Only Reglab's members can propose a provrum\./);
  assert.match(await page.textContent('#proposeRefused'), /PROC-1/);
  assert.equal(await page.isHidden('#proposeForm'), true);
  // Every word is English but the names and titles the organisations wrote.
  const info = JSON.parse(JSON.stringify(env.call('provrumInfo')));
  const written = info.provrum.flatMap((p) => [p.title, p.proposer, p.leader, p.theme, p.description, ...p.participants.map((x) => x.name)]);
  let rest = await page.textContent('main');
  for (const w of written.filter(Boolean).sort((a, b) => b.length - a.length)) rest = rest.split(w).join('');
  assert.ok(!/[åäöÅÄÖ]/.test(rest), `Swedish left in the English sidebar: ${rest.match(/.{0,40}[åäöÅÄÖ].{0,40}/)}`);
  await assertAccessible(page, 'provrum sidebar (en)');
  await page.close();
});
