// Test set-up shared by the add-on's test files: one real `provrum serve --demo` per file, and
// users (Envs) with the settings saved the way the settings dialog saves them.
'use strict';
const { before, after } = require('node:test');
const { Env, shutdown } = require('./gas');
const { startProvrum } = require('./provrum');

/** Starts the server before the file's tests and stops it after; `.server` once started. */
function useServer(options) {
  const holder = { server: null };
  before(async () => {
    holder.server = await startProvrum(options);
  });
  after(async () => {
    if (holder.server) await holder.server.stop();
    await shutdown();
  });
  return holder;
}

/** A user of `org` (a demo organisation) with a new spreadsheet open and the settings saved. */
function userOf(server, org, { locale = 'sv', name = 'Provrum' } = {}) {
  const env = new Env({ locale, allow: [`${server.url}/`] });
  const ss = env.open(env.newSpreadsheet(name));
  const saved = env.call('saveSettings', { apiUrl: server.url, token: server.tokens[org] });
  if (!saved.ok) throw new Error(`settings for ${org}: ${saved.message}`);
  return { env, ss };
}

module.exports = { useServer, userOf };
