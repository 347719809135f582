// The other half of sync-http.js: does one request at a time with Node's fetch, then wakes
// the main thread, which is blocked in Atomics.wait.
'use strict';
const { workerData } = require('node:worker_threads');

const { port, signal } = workerData;
const flag = new Int32Array(signal);

port.on('message', async (req) => {
  let reply;
  try {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), req.timeoutMs);
    const res = await fetch(req.url, {
      method: req.method,
      headers: req.headers,
      body: req.body ? Buffer.from(req.body) : undefined,
      redirect: 'manual',
      signal: controller.signal,
    });
    const body = new Uint8Array(await res.arrayBuffer());
    clearTimeout(timer);
    const headers = {};
    res.headers.forEach((value, key) => { headers[key] = value; });
    reply = { status: res.status, headers, body };
  } catch (e) {
    reply = { error: String(e && e.cause ? e.cause.code || e.cause.message || e.message : e && e.message) };
  }
  port.postMessage(reply);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
});
