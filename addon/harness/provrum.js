// A real `provrum serve --demo` in a child process, on a free loopback port, with its own
// database in a fresh folder; its printed demo tokens by organisation. The binary is the one
// `cargo build -p provrum` made (PROVRUM_BIN overrides). A test that cannot start it fails.
'use strict';
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.join(__dirname, '..', '..');
const BIN = process.env.PROVRUM_BIN || path.join(ROOT, 'target', 'debug', 'provrum');

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * `demo: false` starts an empty service the way a deployment begins: the kansli added with the
 * CLI (`provrum org add`, `provrum token create`), and nothing else; `tokens.reglab` is its token.
 */
/**
 * The day the demo service's clock starts on, at noon (`provrum serve --today`): the demo is
 * dated from it, so what the tests read does not move with the calendar.
 */
const DEMO_TODAY = '2026-11-29';

async function startProvrum({ demo = true } = {}) {
  if (!fs.existsSync(BIN)) {
    throw new Error(`${BIN} is missing: build it with \`cargo build -p provrum\` (scripts/test does)`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'provrum-addon-'));
  const db = path.join(dir, 'provrum.db');
  let kansliToken = null;
  if (!demo) {
    execFileSync(BIN, ['org', 'add', 'reglab', '--name', 'Reglabs kansli', '--kind', 'other', '--membership', 'kansli', '--db', db], { cwd: dir, stdio: 'pipe' });
    kansliToken = execFileSync(BIN, ['token', 'create', '--org', 'reglab', '--label', 'Kansliets kalkylark', '--db', db], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  }
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(BIN, ['serve', ...(demo ? ['--demo', '--today', DEMO_TODAY] : []), '--addr', `127.0.0.1:${port}`, '--db', db], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 20000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`provrum serve exited with ${child.exitCode}:\n${stderr}`);
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok && (!demo || /prv_/.test(stdout))) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`provrum serve did not answer on ${url} within 20 s:\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  // "kansli  reglab  prv_…": the organisation, then its token.
  const tokens = {};
  for (const line of stdout.split('\n')) {
    const m = /(\S+)\s+(prv_\S+)\s*$/.exec(line);
    if (m) tokens[m[1]] = m[2];
  }
  if (!demo) tokens.reglab = kansliToken;
  for (const org of demo ? ['reglab', 'region-ostergotland', 'rise'] : ['reglab']) {
    if (!tokens[org]) throw new Error(`no demo token for ${org} in:\n${stdout}`);
  }
  const api = async (method, pathname, token, body) => {
    const res = await fetch(url + pathname, {
      method,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  return {
    url,
    tokens,
    api,
    /** The demo provrum whose title starts with `prefix`. */
    async provrum(prefix) {
      const list = (await api('GET', '/provrum', tokens.reglab)).body;
      const found = list.find((p) => p.title.startsWith(prefix));
      if (!found) throw new Error(`no demo provrum "${prefix}…"`);
      return found;
    },
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

module.exports = { startProvrum, DEMO_TODAY };
