#!/usr/bin/env node
// @ts-check
// The stdio "server" a client under test starts when its command line says {server}: it relays
// the client's stdin to the mock server (a socket into the mcp-conform process) and the mock's
// messages to stdout, byte for byte, and reports what happens to it (stdin closed, signals, exit)
// on a second socket. Plain JavaScript so it starts fast: every stdio scenario launches it.
//
//   node stdio-relay.mjs <host:port> <token> [lingerMs]
//
// lingerMs: keep running this long after stdin closes (a server slow to shut down); a signal
// still ends it at once.
import { connect } from 'node:net';

const [addr = '', token = '', lingerArg = '0'] = process.argv.slice(2);
const sep = addr.lastIndexOf(':');
const host = addr.slice(0, sep);
const port = Number(addr.slice(sep + 1));
const lingerMs = Number(lingerArg) || 0;

const control = connect(port, host);
control.on('error', () => {});
control.write(`${token} control ${process.pid}\n`);
const data = connect(port, host);
data.on('error', () => {});
data.write(`${token} data ${process.pid}\n`);

/** @param {Record<string, unknown>} event */
function report(event) {
  if (!control.destroyed) control.write(`${JSON.stringify(event)}\n`);
}

let finishing = false;
/** @param {string} reason */
function finish(reason) {
  if (finishing) return;
  finishing = true;
  report({ ev: 'exit', reason });
  control.end();
  data.end();
  // Give the sockets a moment to flush, then go (a real server exits promptly too).
  setTimeout(() => process.exit(0), 30).unref();
  setTimeout(() => process.exit(0), 200);
}

process.stdout.on('error', () => {});
process.stdin.on('data', (chunk) => data.write(chunk));
let lingering = false;
process.stdin.on('end', () => {
  report({ ev: 'stdin-end' });
  data.end(); // the mock sees EOF, as a server reading its stdin would
  if (lingerMs > 0) {
    lingering = true;
    setTimeout(() => finish('lingered after stdin closed'), lingerMs);
  } else finish('stdin closed');
});
process.stdin.on('error', () => {});
data.on('data', (chunk) => process.stdout.write(chunk));
// The mock closed the connection: the server ends the session (exit, as a server would).
data.on('end', () => lingering || finish('the server closed the connection'));
data.on('close', () => lingering || finish('the server connection closed'));
for (const signal of /** @type {const} */ (['SIGTERM', 'SIGINT', 'SIGHUP'])) {
  process.on(signal, () => {
    report({ ev: 'signal', signal });
    finish(signal);
  });
}
