// What the CLI shows of a dead process's stderr: the lines that say something (the error and a
// few before it), never only Node's version banner or a stack frame.
import { describe, expect, it } from 'vitest';
import { stderrGist, stderrNote } from '../../suites/harness/index.ts';
import { exitSummary, runScenario, scenario } from '../../suites/client/index.ts';
import { nodeClient } from '../suites/client-helpers.ts';

const NODE_CRASH = `[client] connecting to http://127.0.0.1:1/mcp
file:///tmp/client.mjs:12
    throw new Error('boom: the config file is missing');
    ^

Error: boom: the config file is missing
    at file:///tmp/client.mjs:12:11
    at ModuleJob.run (node:internal/modules/esm/module_job:195:25)
    at async ModuleLoader.import (node:internal/modules/esm/loader:337:24)

Node.js v20.20.2
`;

const NODE_OBJECT = `node:internal/process/promises:391
    triggerUncaughtException(err, true /* fromPromise */);
    ^

Error: connect ECONNREFUSED 127.0.0.1:9
    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16) {
  errno: -111,
  code: 'ECONNREFUSED',
  syscall: 'connect',
  address: '127.0.0.1',
  port: 9
}

Node.js v20.20.2
`;

const PYTHON = `INFO: starting
Traceback (most recent call last):
  File "/srv/server.py", line 3, in <module>
    main()
ModuleNotFoundError: No module named 'mcp'
`;

describe('stderrGist', () => {
  it('picks the error line and the lines before it, not the Node banner or stack frames', () => {
    expect(stderrGist(NODE_CRASH)).toEqual(['[client] connecting to http://127.0.0.1:1/mcp', 'Error: boom: the config file is missing']);
    expect(stderrGist(NODE_OBJECT).at(-1)).toBe('Error: connect ECONNREFUSED 127.0.0.1:9');
    expect(stderrGist(NODE_OBJECT).join('\n')).not.toMatch(/Node\.js v|triggerUncaught|port: 9|^\s*at /m);
    expect(stderrGist(PYTHON)).toEqual(['Traceback (most recent call last):', 'main()', "ModuleNotFoundError: No module named 'mcp'"]);
  });

  it('without an error line, the last lines that say something; nothing for noise alone', () => {
    expect(stderrGist('starting\nlistening on stdio\n\nNode.js v20.20.2\n')).toEqual(['starting', 'listening on stdio']);
    expect(stderrGist('\n\nNode.js v20.20.2\n')).toEqual([]);
    expect(stderrNote('Node.js v20.20.2')).toBe('');
    expect(stderrNote(NODE_CRASH)).toBe('stderr: [client] connecting to http://127.0.0.1:1/mcp | Error: boom: the config file is missing');
  });

  it('a client that crashes: the verdict messages quote the error, not the banner', async () => {
    const run = await runScenario(scenario('initialize')!, '2025-11-25', nodeClient('test/fixtures/clients/bad-client.ts', 'http', ['--mode', 'crash']), { timeoutMs: 10_000 });
    expect(run.process.stderrTail).toMatch(/Node\.js v\d/);
    const said = exitSummary(run);
    expect(said).toMatch(/^the client exited with code 1 \(stderr: .*Error: bad-client crashed on purpose\)$/);
    expect(said).not.toMatch(/Node\.js v/);
  }, 30_000);
});
