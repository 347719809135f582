// A leader typing into the sheets the add-on made, the way Sheets lets a person: a dropdown
// that refuses other values refuses them here too.
'use strict';
const A1 = require('./a1');
const { isDate } = require('./sheets');
const { evaluate } = require('./xlsx');

function allowed(ss, rule, value) {
  const [arg] = rule.args;
  switch (rule.criteria) {
    case 'VALUE_IN_LIST':
      return arg.includes(value);
    case 'VALUE_IN_RANGE': {
      const values = [];
      for (let r = arg.row; r < arg.row + arg.numRows; r++) {
        const cell = arg.sheet.peek(r, arg.col);
        values.push(cell.formula ? evaluate(ss, arg.sheet, cell.formula) : cell.value);
      }
      return values.includes(value);
    }
    case 'DATE_AFTER':
      return isDate(value) && value > arg;
    case 'NUMBER_GREATER_THAN':
      return typeof value === 'number' && value > arg;
    default:
      throw new Error(`unknown validation ${rule.criteria}`);
  }
}

/** Types `value` into `sheet!ref`; throws when the cell's validation refuses it. */
function typeIn(ss, sheetName, ref, value) {
  const sheet = ss.getSheetByName(sheetName);
  if (!sheet) throw new Error(`no sheet ${sheetName}`);
  const p = A1.parse(ref);
  const range = sheet.getRange(p.row, p.col);
  const rule = range.getDataValidation();
  if (rule && !rule.allowInvalid && !allowed(ss, rule, value)) {
    const error = new Error(`Sheets refuses ${JSON.stringify(value)} in ${sheetName}!${ref}: ${rule.helpText}`);
    error.refused = true;
    throw error;
  }
  range.setValue(value);
}

/** The row whose column A says `label` (the plan's labels). */
function rowOf(ss, sheetName, label) {
  const sheet = ss.getSheetByName(sheetName);
  for (let r = 1; r <= sheet.getLastRow(); r++) if (sheet.peek(r, 1).value === label) return r;
  throw new Error(`no row "${label}" in ${sheetName}`);
}

/**
 * The demo's running provrum, as its leader fills in the Swedish template: its plan as the demo
 * dates it from 2026-11-29 (so a new version is a revision within the quota year its go-ahead
 * used, PROC-3).
 */
const EXAMPLE = {
  plan: {
    'Provrummets namn': 'AI och visualisering i regional utveckling',
    Tema: 'Arbetssätt: AI-stöd för analys och visualisering',
    Syfte: 'Pröva hur AI-verktyg kan göra regionala analyser snabbare och lättare att förstå.',
    'Förväntat resultat': 'Tre prövade arbetsflöden och en rapport om vad som fungerade.',
    Huvudfrågeställning: 'Kan AI-stödd visualisering förbättra underlagen för regionala beslut?',
    Avgränsningar: 'Endast öppna data; inga personuppgifter.',
    Startdatum: new Date(2026, 9, 18),
    Slutdatum: new Date(2027, 1, 17),
    Resurser: 'En analytiker per region 20 %, extern AI-expert.',
    'Kriterier för ett lyckat resultat': 'Minst två regioner använder ett arbetsflöde.',
    Indikatorer: 'Tid per analys, antal användare.',
  },
  participants: [
    ['Region Östergötland', 'Region', 'Ledare'],
    ['Region Skåne', 'Region', 'Deltagare'],
    ['Västra Götalandsregionen', 'Region', 'Deltagare'],
    ['Norrköpings kommun', 'Medlem', 'Deltagare'],
  ],
  budget: [
    ['Projektledning', 'Arbetstid', 60000, 'Region Östergötland'],
    ['Analytiker, Region Skåne', 'Arbetstid', 80000, 'Region Skåne'],
    ['Analytiker, Västra Götalandsregionen', 'Arbetstid', 20000, 'Västra Götalandsregionen'],
    ['Extern AI-expert', 'Expertstöd', 60000, 'Reglabs basfinansiering'],
    ['Workshoppar, tre tillfällen', 'Möten och lokaler', 15000, 'Reglabs basfinansiering'],
    ['Resor till workshoppar', 'Resor', 12000, 'Norrköpings kommun'],
    ['Datauttag och licenser', 'Material och analys', 10000, 'Reglabs basfinansiering'],
    ['Slutrapport och webbinarium', 'Kommunikation och spridning', 8000, 'Reglabs basfinansiering'],
  ],
};

/** Fills the Swedish template: plan values in column B, tables from row 4. */
function fillExample(ss, example = EXAMPLE) {
  for (const [label, value] of Object.entries(example.plan)) {
    typeIn(ss, 'Projektplan', `B${rowOf(ss, 'Projektplan', label)}`, value);
  }
  example.participants.forEach(([name, kind, role], i) => {
    typeIn(ss, 'Deltagare', `A${4 + i}`, name);
    typeIn(ss, 'Deltagare', `B${4 + i}`, kind);
    typeIn(ss, 'Deltagare', `C${4 + i}`, role);
  });
  example.budget.forEach(([item, category, amount, funder], i) => {
    typeIn(ss, 'Budget', `A${4 + i}`, item);
    typeIn(ss, 'Budget', `B${4 + i}`, category);
    typeIn(ss, 'Budget', `C${4 + i}`, amount);
    typeIn(ss, 'Budget', `D${4 + i}`, funder);
  });
}

module.exports = { typeIn, rowOf, fillExample, EXAMPLE };
