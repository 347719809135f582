// The add-on's HTML (sidebar, settings dialog) in a real headless Chromium. google.script.run
// is replaced by a bridge to the add-on's server-side functions in the test's vm context, which
// in turn call the real `provrum serve`: the page, the .gs code and the API all run for real;
// only Google's transport between them is stood in for.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const ARGS = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-dev-shm-usage', '--font-render-hinting=none',
];

/** A browser for one test file; fails (never skips) when Chromium is missing. */
async function launchBrowser() {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: scripts/test installs Debian's chromium package`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'provrum-chromium-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    locale: 'sv-SE',
    viewport: { width: 300, height: 700 },
  });
  return {
    context,
    async close() {
      await context.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The stand-in for google.script.run and google.script.host, installed before the page runs. */
function bridgeScript() {
  function runner(success, failure) {
    return new Proxy({}, {
      get(_, name) {
        if (name === 'withSuccessHandler') return (f) => runner(f, failure);
        if (name === 'withFailureHandler') return (g) => runner(success, g);
        if (name === 'withUserObject') return () => runner(success, failure);
        return (...args) => {
          window.__gasCalls = (window.__gasCalls || 0) + 1;
          window.__gasRun(String(name), JSON.parse(JSON.stringify(args))).then((r) => {
            window.__gasCalls -= 1;
            if (r.ok) { if (success) success(r.value); } else if (failure) failure(new Error(r.message));
          });
        };
      },
    });
  }
  window.google = {
    script: {
      run: runner(null, null),
      host: { close() { window.__closed = true; } },
    },
  };
}

/**
 * Opens an HtmlService output (as the add-on built it) in a page `width` wide, the way Sheets
 * shows a sidebar (300 px) or a dialog. Returns the page.
 */
async function openHtml(browser, env, output, { width = 300, height = 700 } = {}) {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width, height });
  page.on('pageerror', (e) => { page.errors = (page.errors || []).concat(String(e)); });
  await page.exposeBinding('__gasRun', (_source, name, args) => {
    if (/_$/.test(name)) return { ok: false, message: `${name} is private to the server side` };
    try {
      const value = env.call(name, ...args);
      return { ok: true, value: value === undefined ? null : JSON.parse(JSON.stringify(value)) };
    } catch (e) {
      return { ok: false, message: String(e && e.message ? e.message : e) };
    }
  });
  await page.addInitScript(bridgeScript);
  // Served from a made-up origin, as Google serves it from its own sandbox domain: a real
  // navigation, so the bridge is in place before the page's scripts run.
  const url = `https://addon.provrum.test/${output.file}.html`;
  await page.route(url, (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: output.getContent() }));
  await page.goto(url, { waitUntil: 'load' });
  await settled(page);
  return page;
}

/** Waits until every google.script.run call the page made has been answered. */
async function settled(page) {
  await page.waitForFunction(() => !window.__gasCalls, null, { timeout: 15000 });
}

module.exports = { launchBrowser, openHtml, settled };
