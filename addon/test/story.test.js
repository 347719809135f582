// The seed's whole process, told through the add-on alone: every step is a menu item or a
// function the add-on's sidebars and dialogs call, against a real `provrum serve` that starts
// empty but for the kansli (as a deployment does). The test makes no HTTP call of its own; it
// reads the service only through what the add-on shows: its sidebar, its dialogs and the status
// sheet, which the kansli refreshes after every step.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { useServer } = require('../harness/session');
const { Env } = require('../harness/gas');
const { fillExample, typeIn, EXAMPLE } = require('../harness/user');

const ctx = useServer({ demo: false });

/** An add-on function's answer, as the page receives it (google.script.run sends JSON). */
function call(env, name, ...args) {
  return JSON.parse(JSON.stringify(env.call(name, ...args)));
}

/** A person with the add-on in a new spreadsheet, their token saved the way Inställningar saves it. */
function person(token, name) {
  const env = new Env({ allow: [`${ctx.server.url}/`] });
  const ss = env.open(env.newSpreadsheet(name));
  const saved = call(env, 'saveSettings', { apiUrl: ctx.server.url, token });
  assert.ok(saved.ok, saved.message);
  return { env, ss, saved };
}

/** The provrum card `title` of the Provrum sidebar, as `env`'s user sees it. */
function cardOf(env, title) {
  const info = call(env, 'provrumInfo');
  const card = info.provrum.find((p) => p.title === title);
  assert.ok(card, `${title} is in the sidebar: ${info.provrum.map((p) => p.title)}`);
  return card;
}

/** Takes the step `step` the sidebar offers on `title`, with the form's `body`. */
function takeStep(env, title, step, body = null) {
  const card = cardOf(env, title);
  const action = card.actions.find((a) => a.step === step);
  assert.ok(action, `${step} is offered on ${title}: ${card.actions.map((a) => a.step)}`);
  assert.ok(action.allowed, `${step} is allowed on ${title}: ${action.reason}`);
  return call(env, 'provrumStep', { method: action.method, path: action.path }, body);
}

/** The kansli's status sheet row for `title` after a refresh: {column heading: value}. */
function statusRow(kansli, title) {
  const alerts = kansli.env.alerts.length;
  kansli.env.menu('Statusöversikt (kansli)');
  assert.deepEqual(kansli.env.alerts.slice(alerts), [], 'the refresh worked');
  const sheet = kansli.ss.getSheetByName('Status');
  const header = sheet.rows(4, 20)[0];
  const row = sheet.rows(5, 20).find((r) => r[0] === title);
  assert.ok(row, `${title} is on the status sheet`);
  return Object.fromEntries(header.map((h, i) => [h, row[i]]));
}

const TITLE = 'Gemensam kompetensförsörjning i vården';

test('the whole process, from adding organisations to the reported result, in the add-on only', () => {
  const kansli = person(ctx.server.tokens.reglab, 'Reglab – status');
  assert.match(kansli.saved.message, /Inloggad som Reglabs kansli \(kansliet\)/);

  // The kansli adds the organisations (Organisationer och tokens) and hands each a token.
  const orgs = [
    ['norrkopings-kommun', 'Norrköpings kommun', 'other', 'member'],
    ['region-ostergotland', 'Region Östergötland', 'region', 'member'],
    ['region-skane', 'Region Skåne', 'region', 'member'],
    ['rise', 'RISE Research Institutes of Sweden', 'other', 'partner'],
  ];
  const tokens = {};
  for (const [id, name, kind, membership] of orgs) {
    const added = call(kansli.env, 'addOrg', { id, name, kind, membership });
    assert.equal(added.org.id, id);
    const created = call(kansli.env, 'createToken', id, `${name} – provrumsarbetet`);
    assert.match(created.token, /^prv_/);
    tokens[id] = created.token;
  }
  const listed = call(kansli.env, 'orgsInfo').orgs.map((o) => o.id);
  for (const [id] of orgs) assert.ok(listed.includes(id), `${id} is listed`);

  // Each organisation saves its token; the add-on says who it signs in as.
  const kommun = person(tokens['norrkopings-kommun'], 'Förslag');
  assert.match(kommun.saved.message, /Inloggad som Norrköpings kommun \(medlem\)/);
  const ostergotland = person(tokens['region-ostergotland'], 'Östergötland');
  const skane = person(tokens['region-skane'], 'Budget – kompetensförsörjning');
  assert.match(skane.saved.message, /Inloggad som Region Skåne \(medlem\)/);
  const rise = person(tokens.rise, 'RISE');
  assert.match(rise.saved.message, /Inloggad som RISE Research Institutes of Sweden \(partner\)/);
  // A partner may not propose: the sidebar says why, from the server (PROC-1).
  const riseInfo = call(rise.env, 'provrumInfo');
  assert.equal(riseInfo.propose.allowed, false);
  assert.deepEqual(riseInfo.propose.findings.map((f) => f.rule), ['PROC-1']);

  // A member proposes.
  const proposed = call(kommun.env, 'proposeProvrum', {
    title: TITLE,
    theme: 'Kompetensförsörjning',
    description: 'Pröva en gemensam modell för att rekrytera och behålla specialistsjuksköterskor.',
  });
  assert.ok(proposed.ok, proposed.message);
  let row = statusRow(kansli, TITLE);
  assert.equal(row.Status, 'Föreslaget');
  assert.equal(row['Redo att starta'], 'Nej');
  assert.deepEqual(row['Varför inte redo'].split('\n').map((l) => l.split(':')[0]), ['DELT-3', 'DELT-5']);

  // Two regions and the partner register interest, one region wanting to lead.
  assert.ok(takeStep(ostergotland.env, TITLE, 'register_interest', { wants_to_lead: false }).ok);
  assert.ok(takeStep(skane.env, TITLE, 'register_interest', { wants_to_lead: true }).ok);
  assert.ok(takeStep(rise.env, TITLE, 'register_interest', { wants_to_lead: false }).ok);
  row = statusRow(kansli, TITLE);
  assert.deepEqual([row.Deltagare, row.Regioner, row['Redo att starta']], [4, 2, 'Nej']);
  assert.deepEqual(row['Varför inte redo'].split('\n').map((l) => l.split(':')[0]), ['DELT-3']);

  // The proposer chooses the leader among those who want to lead.
  const choice = cardOf(kommun.env, TITLE).participants.filter((p) => p.wantsToLead).map((p) => p.org);
  assert.deepEqual(choice, ['region-skane']);
  const chosen = takeStep(kommun.env, TITLE, 'choose_leader', { org: 'region-skane' });
  assert.ok(chosen.ok, chosen.message);
  row = statusRow(kansli, TITLE);
  assert.deepEqual([row.Provrumsledare, row['Redo att starta'], row['Kan få klartecken']], ['Region Skåne', 'Ja', 'Nej']);
  assert.match(row['Varför inte (enligt reglerna)'], /^BUD-1: /);

  // The leader makes the workbook from the template, with one line too many on Reglab.
  skane.env.menu('Skapa mall');
  fillExample(skane.ss, {
    ...EXAMPLE,
    plan: { ...EXAMPLE.plan, 'Provrummets namn': TITLE, Startdatum: new Date(2025, 1, 1), Slutdatum: new Date(2025, 5, 30) },
    participants: [
      ['Region Skåne', 'Region', 'Ledare'],
      ['Region Östergötland', 'Region', 'Deltagare'],
      ['Norrköpings kommun', 'Medlem', 'Deltagare'],
      ['RISE Research Institutes of Sweden', 'Partner', 'Deltagare'],
    ],
    budget: [
      ['Projektledning', 'Arbetstid', 60000, 'Region Skåne'],
      ['Specialistsjuksköterskor, Region Östergötland', 'Arbetstid', 80000, 'Region Östergötland'],
      ['Extern utvärdering', 'Expertstöd', 90000, 'Reglabs basfinansiering'],
      ['Workshoppar, tre tillfällen', 'Möten och lokaler', 15000, 'Reglabs basfinansiering'],
      ['Resor', 'Resor', 12000, 'Norrköpings kommun'],
    ],
  });
  // Kontrollera budget: checked, the error marked, nothing stored.
  skane.env.menu('Kontrollera budget');
  assert.match(skane.ss.toasts.at(-1).message, /^Fel som måste rättas före start/);
  assert.equal(cardOf(skane.env, TITLE).budget, null, 'a check stores nothing');
  // The leader links the spreadsheet and submits it from the sidebar: version 1, with errors.
  assert.ok(call(skane.env, 'linkProvrum', cardOf(skane.env, TITLE).id).ok);
  const submitted = takeStep(skane.env, TITLE, 'upload_budget');
  assert.equal(submitted.message, 'Sparad som version 1.');
  row = statusRow(kansli, TITLE);
  assert.deepEqual([row.Budgetkontroll, row.Budgetversioner, row['Kan få klartecken']], ['Fel', 1, 'Nej']);

  // The kansli is refused klartecken from the status sheet's row, with the BUD finding and cell.
  const sheet = kansli.ss.getSheetByName('Status');
  const rowNumber = 5 + sheet.rows(5, 20).findIndex((r) => r[0] === TITLE);
  sheet.getRange(rowNumber, 1).activate();
  kansli.env.answer('YES');
  kansli.env.menu('Ge klartecken för markerad rad (kansli)');
  const refusal = kansli.env.lastAlert().message;
  assert.match(refusal, /^Klartecken kan inte ges för ”Gemensam kompetensförsörjning i vården” ännu:/);
  assert.match(refusal, /• BUD-4 \(Budget!C\d+\): Reglabs basfinansiering är 105 000 kr men får vara högst 100 000 kr\./);
  // The sidebar says the same before anyone asks: no button, the reason and the finding.
  const approve = cardOf(kansli.env, TITLE).actions.find((a) => a.step === 'approve');
  assert.equal(approve.allowed, false);
  assert.ok(approve.findings.some((f) => f.rule === 'BUD-4'), JSON.stringify(approve.findings));

  // The leader fixes the budget and submits version 2 from the menu.
  typeIn(skane.ss, 'Budget', 'C6', 75000);
  skane.env.menu('Skicka in som ny budgetversion');
  assert.match(skane.ss.toasts.at(-1).message, /^Sparad som version 2\. Inga fel/);
  row = statusRow(kansli, TITLE);
  assert.deepEqual([row.Budgetkontroll, row.Budgetversioner, row['Kan få klartecken'], row.Basfinansiering], ['OK', 2, 'Ja', 90000]);

  // The sidebar now offers klartecken; the kansli gives it from the status sheet's row.
  assert.equal(cardOf(kansli.env, TITLE).actions.find((a) => a.step === 'approve').allowed, true);
  const statusSheet = kansli.ss.getSheetByName('Status');
  statusSheet.getRange(5 + statusSheet.rows(5, 20).findIndex((r) => r[0] === TITLE), 3).activate();
  kansli.env.answer('YES');
  kansli.env.menu('Ge klartecken för markerad rad (kansli)');
  assert.equal(kansli.ss.toasts.at(-1).message, `Klartecken givet för ”${TITLE}”: kvotår 2025, basfinansiering 90 000 kr.`);
  row = statusRow(kansli, TITLE);
  // Planned for February to June 2025: long past, so the go-ahead finds its result overdue.
  assert.deepEqual([row.Status, row['Kvotår']], ['Avslutat – resultatet är försenat (skulle ha kommit 2025-07-30)', 2025]);

  // The leader reports the result.
  const reported = takeStep(skane.env, TITLE, 'report_result', {
    summary: 'Modellen fungerade i båda regionerna; rekryteringstiden halverades.',
    link: 'https://reglab.se/provrum/kompetensforsorjning',
  });
  assert.ok(reported.ok, reported.message);
  row = statusRow(kansli, TITLE);
  assert.equal(row.Status, 'Rapporterat');
  const card = cardOf(kommun.env, TITLE);
  assert.equal(card.result.summary, 'Modellen fungerade i båda regionerna; rekryteringstiden halverades.');
  assert.equal(card.closed, true);
});
