// @modelcontextprotocol/server-everything in its HTTP modes, on a free port, for tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { stopChild, trackChild } from '../../mock-server/index.ts';

export const EVERYTHING = join(resolve(import.meta.dirname, '..', '..'), 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');

export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => (typeof addr === 'object' && addr ? ok(addr.port) : fail(new Error('no port'))));
    });
  });
}

/** Starts server-everything in an HTTP mode; resolves once it says it listens. */
export async function everythingOver(mode: 'streamableHttp' | 'sse'): Promise<{ port: number; child: ChildProcess; stop: () => Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, [EVERYTHING, mode], { env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  trackChild(child);
  await new Promise<void>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`server-everything ${mode} did not start`)), 30_000);
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      if (/listening|running/i.test(d)) {
        clearTimeout(timer);
        ok();
      }
    });
    child.once('exit', () => fail(new Error(`server-everything ${mode} exited`)));
  });
  return { port, child, stop: () => stopChild(child, 1_000) };
}
