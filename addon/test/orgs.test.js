// Organisationer och tokens, the kansli's dialog, against a real `provrum serve --demo`: adding an
// organisation, creating a token (its secret shown once), listing and revoking tokens. First the
// server-side functions the dialog calls, then the dialog itself in a real headless Chromium in
// both languages, checked by axe-core (WCAG 2.1 A/AA). The add-on decides nothing: every refusal
// is the server's, shown in its words.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { Env } = require('../harness/gas');
const { useServer, userOf } = require('../harness/session');
const { launchBrowser, openHtml, settled } = require('../harness/browser');
const { assertAccessible } = require('../harness/axe');
const { screenshotPath } = require('../harness/screens');

const ctx = useServer();
let browser;
test.before(async () => { browser = await launchBrowser(); });
test.after(async () => { if (browser) await browser.close(); });

const ORIGIN = 'https://addon.provrum.test';
const WHEN = /^\d{4}-\d\d-\d\d \d\d:\d\d$/;
/** A value from the add-on's vm context as plain data (deepEqual compares prototypes). */
const plain = (value) => JSON.parse(JSON.stringify(value));
/** An RFC 3339 time as Reglab reads it, in Swedish time: `2025-03-01 14:05`. */
const stockholm = (iso) => new Date(iso).toLocaleString('sv-SE', {
  timeZone: 'Europe/Stockholm', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
});

/** The person a token was made for: a new user who saves it in the settings dialog. */
function personWith(server, token, locale = 'sv') {
  const env = new Env({ locale, allow: [`${server.url}/`] });
  env.open(env.newSpreadsheet('Budget'));
  return { env, saved: env.call('saveSettings', { apiUrl: server.url, token }) };
}

/** The server's own list of an organisation's tokens, as the kansli sees it. */
async function serverTokens(server, org) {
  const answer = await server.api('GET', `/orgs/${org}/tokens`, server.tokens.reglab);
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return answer.body;
}

test('the kansli adds a region and gives it a token that works until it is revoked', async () => {
  const { server } = ctx;
  const { env } = userOf(server, 'reglab');
  const added = plain(env.call('addOrg', { id: 'region-provstad', name: 'Region Provstad', kind: 'region', membership: 'member' }));
  assert.deepEqual(added.org, {
    id: 'region-provstad', name: 'Region Provstad', kind: 'region', kindText: 'region', membership: 'member', membershipText: 'medlem',
  });
  assert.ok(added.orgs.some((o) => o.id === 'region-provstad'), 'the refreshed list has it');
  const sent = env.fetches.find((f) => f.method === 'POST' && f.url === `${server.url}/orgs`);
  assert.ok(sent, 'it was the server that added it');

  const info = plain(env.call('orgsInfo'));
  assert.equal(info.lang, 'sv');
  assert.equal(info.strings['orgs.title'], 'Organisationer och tokens');
  assert.ok(info.strings['err.401'], 'the error texts come along');
  const listed = (await server.api('GET', '/orgs?limit=500', server.tokens.reglab)).body;
  assert.deepEqual(info.orgs.map((o) => o.id), listed.map((o) => o.id));
  const kansli = info.orgs.find((o) => o.id === 'reglab');
  assert.deepEqual([kansli.kindText, kansli.membershipText], ['annan organisation', 'kansliet']);
  assert.equal(info.orgs.find((o) => o.id === 'rise').membershipText, 'partner');

  const created = plain(env.call('createToken', 'region-provstad', 'Anna Svensson, Region Provstad'));
  assert.deepEqual(Object.keys(created).sort(), ['id', 'label', 'token']);
  assert.match(created.id, /^tok_[a-z2-7]{16}$/);
  assert.match(created.token, /^prv_/);
  assert.equal(created.label, 'Anna Svensson, Region Provstad');

  let tokens = plain(env.call('orgTokens', 'region-provstad'));
  assert.equal(tokens.length, 1);
  assert.deepEqual(Object.keys(tokens[0]).sort(), ['created', 'id', 'label', 'lastUsed', 'revoked']);
  assert.equal(tokens[0].id, created.id);
  assert.equal(tokens[0].label, 'Anna Svensson, Region Provstad');
  assert.equal(tokens[0].lastUsed, 'aldrig');
  assert.equal(tokens[0].revoked, '');
  const stored = (await serverTokens(server, 'region-provstad'))[0];
  assert.equal(tokens[0].created, stockholm(stored.created_at), 'in Swedish time');
  assert.match(tokens[0].created, WHEN);
  assert.ok(!JSON.stringify(tokens).includes(created.token), 'the secret is never listed');

  // Anna saves it in her settings: it signs her in as Region Provstad.
  const anna = personWith(server, created.token);
  assert.equal(anna.saved.ok, true, anna.saved.message);
  assert.match(anna.saved.message, /Inloggad som Region Provstad \(medlem\)/);
  tokens = plain(env.call('orgTokens', 'region-provstad'));
  assert.match(tokens[0].lastUsed, WHEN, 'the list says it has been used');

  assert.equal(env.call('revokeToken', created.id), true);
  tokens = plain(env.call('orgTokens', 'region-provstad'));
  assert.match(tokens[0].revoked, WHEN);
  assert.equal(tokens[0].revoked, stockholm((await serverTokens(server, 'region-provstad'))[0].revoked_at));

  // Her next test of the settings: the token is refused.
  const again = anna.env.call('saveSettings', { apiUrl: server.url, token: '' });
  assert.equal(again.ok, false);
  assert.match(again.message, /^Inställningarna sparades, men anslutningen fungerar inte: Din token godkändes inte – den saknas, är felskriven eller har återkallats\./);
});

test('the server decides what is valid: a bad id, a duplicate and an unknown organisation are its words', async () => {
  const { server } = ctx;
  const { env } = userOf(server, 'reglab');
  const before = env.fetches.length;
  assert.throws(
    () => env.call('addOrg', { id: 'Region Skåne', name: 'Region Skåne', kind: 'region', membership: 'member' }),
    (e) => {
      assert.match(e.message, /^Uppgifterna godtogs inte\. /);
      assert.ok(e.message.includes('"Region Skåne"'), e.message);
      assert.ok(!/Filen/.test(e.message), 'not worded as a file upload');
      return true;
    },
  );
  assert.equal(env.fetches.length, before + 1, 'the id was sent, not judged by the script');
  const duplicate = await server.api('POST', '/orgs', server.tokens.reglab, { id: 'region-skane', name: 'Region Skåne', kind: 'region', membership: 'member' });
  assert.equal(duplicate.status, 409);
  assert.throws(
    () => env.call('addOrg', { id: 'region-skane', name: 'Region Skåne', kind: 'region', membership: 'member' }),
    { message: `Det gick inte att genomföra. ${duplicate.body.detail}` },
  );
  assert.throws(() => env.call('createToken', 'finns-inte', 'x'), /^Error: Det du frågade efter finns inte \(längre\)\. /);
  assert.throws(() => env.call('orgTokens', 'finns-inte'), /^Error: Det du frågade efter finns inte \(längre\)\. /);
});

test('a member gets the server\'s 403 in Swedish, and nothing changes', async () => {
  const { server } = ctx;
  const { env } = userOf(server, 'region-ostergotland');
  const refused = await server.api('POST', '/orgs', server.tokens['region-ostergotland'], { id: 'region-smyg', name: 'Smyg', kind: 'region', membership: 'kansli' });
  assert.equal(refused.status, 403);
  const forbidden = { message: `Din organisation får inte göra det här. ${refused.body.detail}` };

  // A member sees the list (GET /orgs is open to every token), and GET /me's refusal of the rest,
  // in the server's words.
  const listing = await server.api('GET', '/orgs?limit=500', server.tokens['region-ostergotland']);
  assert.equal(listing.status, 200);
  const info = plain(env.call('orgsInfo'));
  assert.deepEqual(info.orgs.map((o) => o.id), listing.body.map((o) => o.id));
  assert.deepEqual(info.administer, { allowed: false, reason: refused.body.detail, findings: [] });
  assert.throws(() => env.call('addOrg', { id: 'region-smyg', name: 'Smyg', kind: 'region', membership: 'kansli' }), forbidden);
  assert.throws(() => env.call('orgTokens', 'reglab'), forbidden);
  assert.throws(() => env.call('createToken', 'region-ostergotland', 'en till'), forbidden);
  const kansliToken = (await serverTokens(server, 'reglab'))[0];
  assert.throws(() => env.call('revokeToken', kansliToken.id), forbidden);

  const orgs = (await server.api('GET', '/orgs?limit=500', server.tokens.reglab)).body;
  assert.ok(!orgs.some((o) => o.id === 'region-smyg'));
  assert.equal((await serverTokens(server, 'reglab'))[0].revoked_at, null);
  assert.equal((await serverTokens(server, 'region-ostergotland')).length, 1);
});

const UI = {
  sv: {
    menu: 'Organisationer och tokens (kansli)…',
    title: 'Organisationer och tokens',
    refused: /^Uppgifterna godtogs inte\. .*"Region Skåne"/,
    duplicate: /^Det gick inte att genomföra\. .*region-skane/,
    added: (name, id) => `Organisationen ${name} (${id}) är tillagd. Skapa en token för den under ”Tokens för ${name}”.`,
    tokensOf: (name) => `Tokens för ${name}`,
    noTokens: 'Organisationen har inga tokens ännu.',
    other: 'annan organisation',
    partner: 'partner',
    secretHeading: (label) => `Ny token: ${label}`,
    warning: 'Tokenen visas bara nu. Den sparas inte och kan inte visas igen – när du stänger dialogen eller väljer en annan organisation är den borta.',
    handover: /lämna den säkert till personen/,
    copy: 'Kopiera',
    copied: 'Kopierad till urklipp.',
    never: 'aldrig',
    no: 'nej',
    revoke: 'Återkalla',
    confirm: 'Bekräfta återkallning',
    cancel: 'Avbryt',
    isRevoked: 'återkallad',
    revoked: (label) => `Tokenen ”${label}” är återkallad och fungerar inte längre.`,
    signedIn: 'Inloggad som',
    refusedToken: /Din token godkändes inte/,
    person: 'Anna Svensson, Region Provstad',
  },
  en: {
    menu: 'Organisations and tokens (kansli)…',
    title: 'Organisations and tokens',
    refused: /^The details were not accepted\. .*"Region Skåne"/,
    duplicate: /^This could not be done\. .*region-skane/,
    added: (name, id) => `The organisation ${name} (${id}) is added. Create a token for it under “Tokens of ${name}”.`,
    tokensOf: (name) => `Tokens of ${name}`,
    noTokens: 'The organisation has no tokens yet.',
    other: 'other organisation',
    partner: 'partner',
    secretHeading: (label) => `New token: ${label}`,
    warning: 'The token is shown only now. It is not stored and cannot be shown again – once you close this dialog or choose another organisation, it is gone.',
    handover: /hand it over safely to the person/,
    copy: 'Copy',
    copied: 'Copied to the clipboard.',
    never: 'never',
    no: 'no',
    revoke: 'Revoke',
    confirm: 'Confirm revocation',
    cancel: 'Cancel',
    isRevoked: 'revoked',
    revoked: (label) => `The token “${label}” is revoked and no longer works.`,
    signedIn: 'Signed in as',
    refusedToken: /Your token was not accepted/,
    person: 'Anna Svensson, Region Testby',
  },
};

/** The text of each cell of each row of the tokens table. */
function tokenRows(page) {
  return page.$$eval('#tokenRows tr', (trs) => trs.map((tr) => Array.from(tr.cells, (c) => c.textContent)));
}

/** Fills in and sends the form Lägg till organisation. */
async function addThroughForm(page, { id, name, kind, membership }) {
  await page.fill('#orgId', id);
  await page.fill('#orgName', name);
  await page.selectOption('#orgKind', kind);
  await page.selectOption('#orgMembership', membership);
  await page.click('#addOrg');
  await settled(page);
}

for (const locale of ['sv', 'en']) {
  const L = UI[locale];

  test(`${locale}: the dialog: add an organisation, give it a token shown once, copy it, revoke it`, async () => {
    const { server } = ctx;
    const { env } = userOf(server, 'reglab', { locale });
    env.menu(L.menu);
    const shown = env.dialogs.at(-1);
    assert.equal(shown.kind, 'dialog');
    assert.equal(shown.title, L.title);
    assert.deepEqual([shown.html.width, shown.html.height], [720, 620]);
    const page = await openHtml(browser, env, shown.html, { width: 720, height: 620 });
    assert.equal(await page.evaluate(() => document.documentElement.lang), locale);
    assert.equal(await page.title(), L.title);
    assert.equal(await page.textContent('h1'), L.title);

    // The list: every organisation the server has, in its order, with the words for its kind.
    const listed = (await server.api('GET', '/orgs?limit=500', server.tokens.reglab)).body;
    assert.deepEqual(await page.$$eval('#orgRows tr', (trs) => trs.map((tr) => tr.getAttribute('data-id'))), listed.map((o) => o.id));
    assert.equal(await page.textContent('#orgRows tr[data-id="region-skane"] th'), 'Region Skåne');
    assert.equal(await page.isHidden('#tokensSection'), true, 'no organisation chosen yet');
    await assertAccessible(page, `${locale}: the list`);

    // Visible focus: a field and a button reached with the keyboard get a clear outline.
    await page.focus('#orgMembership');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'addOrg');
    const outline = await page.evaluate(() => {
      const s = getComputedStyle(document.activeElement);
      return [s.outlineStyle, s.outlineWidth];
    });
    assert.deepEqual(outline, ['solid', '3px']);

    // Refused by the server: an id that is not an id, then one that exists. Its words, in the alert.
    await addThroughForm(page, { id: 'Region Skåne', name: 'Region Skåne', kind: 'region', membership: 'member' });
    assert.equal(await page.getAttribute('#addError', 'role'), 'alert');
    assert.match(await page.textContent('#addError'), L.refused);
    await assertAccessible(page, `${locale}: the form with the server's refusal`);
    await addThroughForm(page, { id: 'region-skane', name: 'Region Skåne', kind: 'region', membership: 'member' });
    assert.match(await page.textContent('#addError'), L.duplicate);
    assert.equal(listed.length, (await server.api('GET', '/orgs?limit=500', server.tokens.reglab)).body.length, 'nothing added');

    // Added, and chosen. In English its name looks like HTML and is shown as text (the Swedish
    // run keeps a plain name: its screenshot is the one docs/ shows).
    const id = `provstad-${locale}`;
    const name = locale === 'en' ? '<img src=x onerror="window.__xss=1">Provstad Municipality' : 'Provstads kommun';
    await addThroughForm(page, { id, name, kind: 'other', membership: 'partner' });
    assert.equal(await page.textContent('#addError'), '');
    assert.equal(await page.textContent('#addStatus'), L.added(name, id));
    const row = await page.$$eval(`#orgRows tr[data-id="${id}"]`, (trs) => trs.map((tr) => Array.from(tr.cells, (c) => c.textContent)));
    assert.deepEqual(row, [[name, id, L.other, L.partner, `Tokens – ${name}`]]);
    assert.equal(await page.getAttribute(`#orgRows tr[data-id="${id}"]`, 'class'), 'selected');
    assert.equal(await page.inputValue('#orgId'), '', 'the form is emptied');
    const org = (await server.api('GET', '/orgs?limit=500', server.tokens.reglab)).body.find((o) => o.id === id);
    assert.deepEqual([org.name, org.kind, org.membership], [name, 'other', 'partner']);
    assert.equal(await page.isVisible('#tokensSection'), true);
    assert.equal(await page.textContent('#tokensHeading'), L.tokensOf(name));
    assert.equal(await page.textContent('#noTokens'), L.noTokens);
    await assertAccessible(page, `${locale}: an organisation added, no tokens yet`);

    // A token: shown once, with the warning; the table lists it without its secret.
    await page.fill('#tokenLabel', L.person);
    await page.click('#createToken');
    await page.waitForSelector('#secretBox:not([hidden])');
    await settled(page);
    const secret = await page.inputValue('#secret');
    assert.match(secret, /^prv_/);
    assert.equal(await page.getAttribute('#secret', 'readonly'), '');
    assert.equal(await page.textContent('#secretHeading'), L.secretHeading(L.person));
    assert.equal(await page.textContent('#secretWarning'), L.warning);
    assert.match(await page.textContent('#secretHandover'), L.handover);
    assert.equal(await page.textContent('#copy'), L.copy);
    assert.equal(await page.inputValue('#tokenLabel'), '');
    let rows = await tokenRows(page);
    assert.equal(rows.length, 1);
    assert.equal(rows[0][0], L.person);
    assert.match(rows[0][1], WHEN);
    assert.deepEqual(rows[0].slice(2), [L.never, L.no, `${L.revoke} – ${L.person}`]);
    assert.ok(!(await page.textContent('#tokens')).includes(secret), 'the secret is not in the list');
    const stored = await serverTokens(server, id);
    assert.deepEqual(stored.map((t) => [t.label, t.revoked_at]), [[L.person, null]]);
    assert.equal(rows[0][1], stockholm(stored[0].created_at));

    // Kopiera: to the clipboard, said in a status message.
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: ORIGIN });
    await page.click('#copy');
    await page.waitForFunction(() => document.querySelector('#copyStatus').textContent !== '');
    assert.equal(await page.getAttribute('#copyStatus', 'role'), 'status');
    assert.equal(await page.textContent('#copyStatus'), L.copied);
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), secret);
    await assertAccessible(page, `${locale}: a token shown once`);
    if (locale === 'sv') await page.screenshot({ path: screenshotPath('organisationer-tokens.png'), fullPage: true });

    // The token shown is the one made: the person signs in with it.
    const person = personWith(server, secret, locale);
    assert.equal(person.saved.ok, true, person.saved.message);
    assert.ok(person.saved.message.includes(`${L.signedIn} ${name} (${L.partner})`), person.saved.message);

    // A label that looks like a formula is text, too.
    const formula = '=HYPERLINK("http://evil")';
    await page.fill('#tokenLabel', formula);
    await page.click('#createToken');
    await page.waitForFunction((f) => document.querySelector('#secretHeading').textContent.endsWith(f), formula);
    await settled(page);
    assert.notEqual(await page.inputValue('#secret'), secret, 'the new secret replaces the old one');
    rows = await tokenRows(page);
    assert.deepEqual(rows.map((r) => r[0]), [L.person, formula]);
    assert.match(rows[0][2], WHEN, 'used once, by the person');

    // Återkalla, in two steps in the page: the first click only asks.
    await page.getByRole('button', { name: `${L.revoke} – ${L.person}` }).click();
    const confirm = page.getByRole('button', { name: `${L.confirm} – ${L.person}` });
    assert.equal(await confirm.isVisible(), true);
    assert.equal(await page.evaluate(() => document.activeElement.textContent), `${L.confirm} – ${L.person}`, 'focus on the confirmation');
    assert.equal((await serverTokens(server, id))[0].revoked_at, null, 'not yet revoked');
    await assertAccessible(page, `${locale}: asking to confirm a revocation`);
    await page.getByRole('button', { name: `${L.cancel} – ${L.person}` }).click();
    assert.equal(await confirm.count(), 0, 'cancelled');
    await page.getByRole('button', { name: `${L.revoke} – ${L.person}` }).click();
    await confirm.click();
    await page.waitForFunction((t) => document.querySelector('#tokensBusy').textContent === t, L.revoked(L.person));
    await settled(page);
    rows = await tokenRows(page);
    assert.match(rows[0][3], WHEN);
    assert.equal(rows[0][4], L.isRevoked);
    assert.equal(rows[1][4], `${L.revoke} – ${formula}`, 'the other token stays');
    assert.notEqual((await serverTokens(server, id))[0].revoked_at, null);
    const after = person.env.call('saveSettings', { apiUrl: server.url, token: '' });
    assert.equal(after.ok, false);
    assert.match(after.message, L.refusedToken);
    await assertAccessible(page, `${locale}: the tokens table with a revoked token`);

    // Nothing from the server ran as HTML or as a link.
    assert.equal(await page.evaluate(() => window.__xss), undefined);
    assert.equal(await page.locator('img').count(), 0);
    assert.equal(await page.locator('a').count(), 0);

    // Choosing the organisation again lists its tokens anew: the secret is gone for good.
    await page.click(`#orgRows tr[data-id="${id}"] button`);
    await settled(page);
    assert.equal(await page.isHidden('#secretBox'), true);
    assert.equal(await page.inputValue('#secret'), '');
    assert.ok(!(await page.content()).includes(secret));
    assert.equal((await tokenRows(page)).length, 2);

    // Another organisation's tokens.
    await page.click('#orgRows tr[data-id="reglab"] button');
    await settled(page);
    assert.equal(await page.textContent('#tokensHeading'), L.tokensOf('Reglabs kansli'));
    assert.equal(await page.evaluate(() => document.activeElement.id), 'tokensHeading');
    assert.deepEqual((await tokenRows(page)).map((r) => r[0]), ['demo']);

    await page.click('#close');
    assert.equal(await page.evaluate(() => window.__closed), true);
    assert.deepEqual(page.errors || [], []);
    await page.close();
  });
}

test('without the clipboard API the token is copied by selecting it', async () => {
  const { server } = ctx;
  const { env } = userOf(server, 'reglab');
  env.menu(UI.sv.menu);
  const page = await openHtml(browser, env, env.dialogs.at(-1).html, { width: 720, height: 620 });
  await page.evaluate(() => {
    Object.defineProperty(navigator, 'clipboard', { value: undefined, configurable: true });
    window.__copied = null;
    document.execCommand = (command) => {
      const input = document.activeElement;
      window.__copied = command === 'copy' ? input.value.slice(input.selectionStart, input.selectionEnd) : null;
      return true;
    };
  });
  await page.click('#orgRows tr[data-id="rise"] button');
  await settled(page);
  await page.fill('#tokenLabel', 'Erik Ek, RISE');
  await page.click('#createToken');
  await page.waitForSelector('#secretBox:not([hidden])');
  await settled(page);
  const secret = await page.inputValue('#secret');
  await page.click('#copy');
  assert.equal(await page.textContent('#copyStatus'), UI.sv.copied);
  assert.equal(await page.evaluate(() => window.__copied), secret);

  // Klar – dölj tokenen: gone from the page.
  await page.click('#hideSecret');
  assert.equal(await page.isHidden('#secretBox'), true);
  assert.ok(!(await page.content()).includes(secret));
  assert.deepEqual(page.errors || [], []);
  await page.close();
});

test('a member opening the dialog sees the list and the server\'s reason, no forms', async () => {
  const { server } = ctx;
  const { env } = userOf(server, 'region-ostergotland');
  env.menu(UI.sv.menu);
  const page = await openHtml(browser, env, env.dialogs.at(-1).html, { width: 720, height: 620 });
  await page.waitForSelector('#content:not([hidden])');
  const me = await server.api('GET', '/me', server.tokens['region-ostergotland']);
  const administer = me.body.actions.find((a) => a.action === 'administer');
  assert.equal(administer.allowed, false);
  assert.equal(await page.textContent('#notAllowed'), administer.reason.sv);
  assert.equal(await page.isHidden('#addSection'), true);
  assert.equal(await page.locator('#orgRows button').count(), 0, 'no token buttons');
  assert.ok((await page.locator('#orgRows tr').count()) > 20, 'the list is shown');
  await assertAccessible(page, 'the dialog as a member');
  await page.close();
});
