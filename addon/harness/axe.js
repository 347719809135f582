// axe-core run in a page the tests opened, with the WCAG 2.1 A and AA rule tags: what a person
// sees in a sidebar or dialog must meet WCAG 2.1 AA (the regions are bound by DOS-lagen).
'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');

/** axe-core's source: evaluated in the page (a script tag would be refused by a strict CSP). */
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** The violations axe-core finds on `page` as it is now, each with its rule and the elements. */
async function violations(page) {
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) {
    await page.evaluate(AXE);
  }
  const result = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
    TAGS,
  );
  return result.violations.map((v) => ({
    rule: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary}`),
  }));
}

/** Fails, naming each rule and element, when axe-core finds a WCAG 2.1 A/AA violation on `page`. */
async function assertAccessible(page, what) {
  const found = await violations(page);
  assert.deepEqual(found, [], `${what}: WCAG 2.1 A/AA violations:\n${JSON.stringify(found, null, 2)}`);
}

module.exports = { violations, assertAccessible, TAGS };
