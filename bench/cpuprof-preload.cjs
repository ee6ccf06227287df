// Loaded with --require (NODE_OPTIONS) by bench/speed.ts --profile into the CLI it measures. Why
// not node --cpu-prof: vitest stops its fork workers with SIGTERM and SIGKILLs them 500 ms later,
// and on a busy machine a worker's profile is rarely written by then. So in our processes (the CLI
// and vitest's fork workers; not the targets, which inherit the variable too) the main thread is
// profiled here in slices of 2 s, each written as soon as it ends: a killed worker loses < 2 s.
'use strict';
const dir = process.env.MCP_CONFORM_BENCH_CPUPROF_DIR;
const entry = process.argv[1] || '';
if (dir && (/bin[\\/]mcp-conform\.js$/.test(entry) || /vitest[\\/]dist[\\/]workers[\\/]forks\.js$/.test(entry))) {
  const { Session } = require('node:inspector');
  const { writeFileSync } = require('node:fs');
  const { join } = require('node:path');
  const session = new Session();
  session.connect();
  let n = 0;
  const start = () => {
    session.post('Profiler.enable');
    session.post('Profiler.setSamplingInterval', { interval: 1000 });
    session.post('Profiler.start');
  };
  // Same-thread sessions answer synchronously, so this also works in an 'exit' handler.
  const flush = () => {
    session.post('Profiler.stop', (err, res) => {
      if (!err && res && res.profile) writeFileSync(join(dir, `slice.${process.pid}.${++n}.cpuprofile`), JSON.stringify(res.profile));
    });
  };
  start();
  setInterval(() => {
    flush();
    start();
  }, 2000).unref();
  process.on('exit', flush);
}
