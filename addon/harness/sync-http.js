// A synchronous HTTP client for the fake UrlFetchApp: Apps Script's fetch blocks, so the
// add-on's code is written that way. A worker thread does the real request over loopback;
// this thread waits on a shared flag and then takes the answer off the port.
'use strict';
const { Worker, MessageChannel, receiveMessageOnPort } = require('node:worker_threads');
const path = require('node:path');

class SyncHttp {
  constructor() {
    this.signal = new SharedArrayBuffer(4);
    this.flag = new Int32Array(this.signal);
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(path.join(__dirname, 'http-worker.js'), {
      workerData: { port: port2, signal: this.signal },
      transferList: [port2],
    });
    this.worker.unref();
  }

  /** {status, headers, body: Uint8Array} or {error}. */
  request({ url, method = 'GET', headers = {}, body = null, timeoutMs = 30000 }) {
    Atomics.store(this.flag, 0, 0);
    this.port.postMessage({ url, method, headers, body, timeoutMs });
    const outcome = Atomics.wait(this.flag, 0, 0, timeoutMs + 5000);
    if (outcome === 'timed-out') return { error: 'timed out' };
    const message = receiveMessageOnPort(this.port);
    if (!message) return { error: 'no answer from the HTTP worker' };
    return message.message;
  }

  close() {
    this.port.close();
    return this.worker.terminate();
  }
}

module.exports = { SyncHttp };
