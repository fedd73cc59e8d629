#!/usr/bin/env node
// The only caller of process.exit: everything else returns an exit code.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { hasNodeFlags, NODE_FLAGS } from '../dist/cli/node-flags.js';

if (!hasNodeFlags(process.execArgv)) {
  // Started without paperchart's V8 settings (dist/cli/node-flags.js), as npm's links and `node bin/paperchart.js`
  // start it: run again under them, passing signals on, and exit as that run does.
  const child = spawn(process.execPath, [...process.execArgv, ...NODE_FLAGS, fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('error', (e) => {
    process.stderr.write(`paperchart: could not start Node again (${e.message})\n→ run it as: node ${NODE_FLAGS.join(' ')} ${process.argv[1]}\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 0)));
} else {
  const { main } = await import('../dist/cli/main.js');
  const { processIo } = await import('../dist/cli/io.js');
  const { discardPendingOutputs } = await import('../dist/render/_atomic-output.js');

  // Ctrl-C or a shutdown mid-print: remove the partial file, exit as interrupted.
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]]) {
    process.once(signal, () => {
      discardPendingOutputs();
      process.stderr.write(`\npaperchart: interrupted; no output was written\n`);
      process.exit(code);
    });
  }

  process.exitCode = await main(process.argv.slice(2), processIo());
}
