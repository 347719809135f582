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
const { Env } = require('../harness/gas');
const { fillExample, EXAMPLE } = require('../harness/user');

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
  // Every open provrum, in the order the server lists them (with the demo's clock standing
  // still they share one creation time, so the server's order is not the demo's).
  const shown = await page.$$eval('#open article h3', (hs) => hs.map((h) => h.textContent));
  assert.deepEqual([...shown].sort(), [
    'AI och visualisering i regional utveckling', 'Civilt försvar', 'Drönare – nya frågeställningar',
    'Fossilfria tjänsteresor', 'Öppna data i regional analys',
  ].sort());
  const listed = (await ctx.server.api('GET', '/provrum', ctx.server.tokens['region-ostergotland'])).body;
  assert.deepEqual(shown, listed.map((p) => p.title));
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

test('a refusal shows the server\'s findings: a partner is not offered to lead (DELT-4), a step no longer allowed is refused', async () => {
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
  const rise = userOf(server, 'rise');
  const id = Array.from(rise.env.call('provrumInfo').provrum).find((p) => p.title.endsWith('Partnerledning')).id;
  // The partner takes part; offering to lead is refused with DELT-4, and its sidebar has no box.
  const wanted = rise.env.call('provrumStep', { method: 'POST', path: `/provrum/${id}/interest` }, { wants_to_lead: true });
  assert.equal(wanted.ok, false);
  assert.ok(wanted.findings.some((f) => f.rule === 'DELT-4'), JSON.stringify(wanted));
  const registered = rise.env.call('provrumStep', { method: 'POST', path: `/provrum/${id}/interest` }, { wants_to_lead: false });
  assert.equal(registered.ok, true, registered.message);
  const risePage = await sidebar(rise.env);
  const theirs = card(risePage, 'Partnerledning');
  assert.equal(await theirs.locator('input[type=checkbox]').count(), 0, 'no "vill leda" for a partner');
  assert.match(await theirs.textContent(), /DELT-4|partner/i);
  await risePage.close();
  await page.click('#refresh');
  await settled(page);
  const mine = card(page, 'Partnerledning');
  // The leader list: the participating members only, never the partner.
  assert.deepEqual(await mine.locator('select option').evaluateAll((os) => os.map((o) => o.value)), ['region-ostergotland']);
  // Withdrawn by the kansli meanwhile: the step is refused in the server's words.
  const withdrawn = await server.api('POST', `/provrum/${id}/withdraw`, server.tokens.reglab);
  assert.equal(withdrawn.status, 200);
  await mine.locator('button', { hasText: 'Välj provrumsledare' }).click();
  await mine.locator('[role=alert]:not([hidden])').waitFor();
  await settled(page);
  const alert = mine.locator('[role=alert]');
  assert.match(await alert.textContent(), /återtaget/);
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
  assert.match(await c.textContent(), /Ge klartecken går inte nu: Reglerna tillåter det inte: BUD-4 \(för hög basfinansiering\), KVOT-1 \(årets provrum är redan startade\), KVOT-2 \(årets basfinansiering räcker inte\)\./);
  // Each finding with its rule's title, from the server.
  assert.match(await c.textContent(), /KVOT-1 Årets provrum är redan startade: 2 provrum har redan startat 2026; Reglab kan genomföra högst 2 per år\./);
  assert.match(await c.textContent(), /KVOT-2 Årets basfinansiering räcker inte: Reglabs beviljade basfinansiering 2026 skulle bli 325 500 kr, över taket 200 000 kr: 186 000 kr är redan beviljat och provrummet begär 139 500 kr\./);
  // BUD-4 is about a sum: the button selects every cell that adds to it.
  const show = c.locator('button.link', { hasText: /^Visa Budget!C7 och \d+ till$/ });
  await show.click();
  await settled(page);
  assert.equal(ss.getActiveSheet().getName(), 'Budget');
  const selected = ss.getActiveSheet().getActiveRangeList().getRanges().map((r) => r.getA1Notation());
  const bud4 = drones.actions.find((a) => a.action === 'approve').findings.find((f) => f.rule === 'BUD-4');
  assert.deepEqual(selected, bud4.cells.map((x) => x.cell));
  assert.equal(selected[0], 'C7');
  assert.ok(selected.length > 1, JSON.stringify(selected));
  // A spreadsheet with a Budget sheet that is not linked to Drönare: the place is said, not offered.
  const other = userOf(server, 'reglab');
  other.env.menu('Skapa mall');
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

/** A user with their own token (one the kansli made in the add-on), in a new spreadsheet. */
function personWith(token, name) {
  const env = new Env({ allow: [`${ctx.server.url}/`] });
  const ss = env.open(env.newSpreadsheet(name));
  const saved = env.call('saveSettings', { apiUrl: ctx.server.url, token });
  assert.ok(saved.ok, saved.message);
  return { env, ss };
}

/** Clicks `name` in `page`, waits for the answer, and returns the notice. */
async function press(page, scope, name) {
  await scope.getByRole('button', { name, exact: true }).click();
  await settled(page);
  return page.textContent('#notice');
}

test('every step\'s form, clicked in the sidebar: interest, its withdrawal, leader, budget, klartecken, result, withdrawal', async () => {
  const { server } = ctx;
  const title = 'Formtest: gemensam upphandling';
  const kansli = userOf(server, 'reglab');
  const skane = personWith(kansli.env.call('createToken', 'region-skane', 'Formtestet').token, 'Upphandling');
  const proposer = userOf(server, 'region-ostergotland');

  let page = await sidebar(proposer.env);
  await page.click('#proposeHead');
  await page.fill('#pTitle', title);
  assert.match(await press(page, page, 'Föreslå provrummet'), /är föreslaget/);
  await page.close();

  // Region Skåne: interest wanting to lead; withdrawn (asked twice); registered again.
  page = await sidebar(skane.env);
  let c = card(page, title);
  await c.locator('label.check').click();
  assert.equal(await press(page, c, 'Anmäl intresse'), 'Intresset är anmält.');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), title, 'the focus is back on the provrum');
  c = card(page, title);
  assert.equal(await c.locator('input[type=checkbox]').isChecked(), true, 'the answer is shown as given');
  await c.getByRole('button', { name: 'Dra tillbaka intresset', exact: true }).click();
  assert.equal(await press(page, c, 'Bekräfta: Dra tillbaka intresset'), 'Intresset är tillbakadraget.');
  c = card(page, title);
  await c.locator('label.check').click();
  assert.equal(await press(page, c, 'Anmäl intresse'), 'Intresset är anmält.');
  await page.close();

  // The proposer chooses the leader: those who want to lead first, and said so.
  page = await sidebar(proposer.env);
  c = card(page, title);
  assert.deepEqual(await c.locator('select option').allTextContents(), ['Region Skåne – vill vara provrumsledare', 'Region Östergötland']);
  await c.locator('select').selectOption('region-skane');
  assert.equal(await press(page, c, 'Välj provrumsledare'), 'Provrumsledaren är vald.');
  await page.close();

  // The leader links the workbook and submits it from the sidebar.
  skane.env.menu('Skapa mall');
  fillExample(skane.ss, {
    ...EXAMPLE,
    plan: { ...EXAMPLE.plan, 'Provrummets namn': title, Startdatum: new Date(2025, 2, 1), Slutdatum: new Date(2025, 6, 31) },
    participants: [['Region Skåne', 'Region', 'Ledare'], ['Region Östergötland', 'Region', 'Deltagare']],
    budget: [
      ['Projektledning', 'Arbetstid', 60000, 'Region Skåne'],
      ['Upphandlare', 'Arbetstid', 40000, 'Region Östergötland'],
      ['Juridiskt stöd', 'Expertstöd', 50000, 'Reglabs basfinansiering'],
    ],
  });
  page = await sidebar(skane.env);
  c = card(page, title);
  assert.equal(await press(page, c, 'Skicka in budgeten'), '', 'not linked: the card says so');
  assert.match(await c.locator('[role=alert]').textContent(), /Koppla först kalkylarket till provrummet/);
  assert.match(await press(page, c, 'Koppla kalkylarket till provrummet'), /^Kalkylarket är kopplat till ”Formtest/);
  c = card(page, title);
  assert.equal(await press(page, c, 'Skicka in budgeten'), 'Sparad som version 1.');
  await page.close();

  // The kansli: klartecken, asked twice.
  page = await sidebar(kansli.env);
  c = card(page, title);
  assert.match(await c.textContent(), /Klartecken startar provrummet\. Det räknas mot årets kvot och kan inte ångras\./);
  await c.getByRole('button', { name: 'Ge klartecken', exact: true }).click();
  assert.equal(await press(page, c, 'Bekräfta: Ge klartecken'), 'Klartecken är givet: provrummet har startat.');
  assert.match(await card(page, title).textContent(), /Avslutat – resultatet är försenat/);
  await page.close();

  // The leader reports the result: the card moves to the finished ones.
  page = await sidebar(skane.env);
  c = card(page, title);
  await c.getByLabel('Vad kom ni fram till?').fill('Gemensam upphandling sparade tid i båda regionerna.');
  await c.getByLabel('Länk till mer (valfritt)').fill('https://reglab.se/provrum/upphandling');
  assert.equal(await press(page, c, 'Återrapportera resultatet'), 'Resultatet är återrapporterat. Tack!');
  assert.equal(await page.locator('#closedBox').evaluate((d) => d.open), true, 'the finished card is shown, with the focus');
  assert.match(await card(page, title).textContent(), /Gemensam upphandling sparade tid i båda regionerna\.https:\/\/reglab\.se\/provrum\/upphandling/);
  await assertAccessible(page, 'provrum sidebar, a finished provrum open');
  await page.close();

  // A proposal withdrawn by its proposer, asked twice.
  page = await sidebar(proposer.env);
  await page.click('#proposeHead');
  await page.fill('#pTitle', 'Formtest: tillbakadraget');
  await press(page, page, 'Föreslå provrummet');
  c = card(page, 'Formtest: tillbakadraget');
  await c.getByRole('button', { name: 'Dra tillbaka provrummet', exact: true }).click();
  assert.equal(await press(page, c, 'Bekräfta: Dra tillbaka provrummet'), 'Provrummet är återtaget.');
  assert.match(await card(page, 'Formtest: tillbakadraget').textContent(), /Återtaget/);
  // An empty title gets the server's own words, not a parser's.
  await page.fill('#pTitle', '   ');
  await press(page, page, 'Föreslå provrummet');
  assert.match(await page.textContent('#notice'), /^Uppgifterna godtogs inte\. Fyll i ”Titel”/);
  await page.close();
});

test('when the service cannot be reached the sidebar still speaks the user\'s language, and passes axe', async () => {
  for (const locale of ['sv', 'en']) {
    const { env } = userOf(ctx.server, 'region-ostergotland', { locale });
    env.userProperties.setProperty('provrum.token', 'prv_wrong');
    const page = await sidebar(env);
    assert.equal(await page.getAttribute('html', 'lang'), locale);
    assert.match(await page.textContent('#notice'), locale === 'sv' ? /^Din token godkändes inte/ : /^Your token was not accepted/);
    assert.equal(await page.textContent('#refresh'), locale === 'sv' ? 'Uppdatera' : 'Refresh');
    await assertAccessible(page, `provrum sidebar (${locale}), the service refusing`);
    await page.close();
  }
});
