// Where the tests put their screenshots: target/addon-screenshots normally, docs/ when
// scripts/screenshots regenerates the ones the README shows (PROVRUM_SCREENSHOTS=docs: docs/addon).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { renderSheet } = require('./render');

const ROOT = path.join(__dirname, '..', '..');
const DIR = process.env.PROVRUM_SCREENSHOTS === 'docs'
  ? path.join(ROOT, 'docs', 'addon')
  : path.join(ROOT, 'target', 'addon-screenshots');

function screenshotPath(name) {
  fs.mkdirSync(DIR, { recursive: true });
  return path.join(DIR, name);
}

/** Draws `sheetName` of `ss` in the browser and saves it as `name`; returns the page. */
async function shootSheet(browser, ss, sheetName, name, options = {}) {
  const page = await browser.context.newPage();
  const html = renderSheet(ss, ss.getSheetByName(sheetName), options);
  await page.setViewportSize({ width: options.width || 1280, height: options.height || 640 });
  await page.setContent(html, { waitUntil: 'load' });
  await page.screenshot({ path: screenshotPath(name) });
  return page;
}

module.exports = { screenshotPath, shootSheet, DIR };
