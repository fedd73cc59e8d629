#!/usr/bin/env node
// The only caller of process.exit: everything else returns an exit code.
import { main } from '../dist/cli/main.js';
import { processIo } from '../dist/cli/io.js';
import { removeTemporaryFiles } from '../dist/_temporary-file.js';
import { EXIT } from '../dist/errors.js';

// Ctrl-C, a shutdown or a closed terminal mid-print: remove the partial file, exit as interrupted (128 + the signal's number).
for (const [signal, code] of [['SIGINT', EXIT.interrupt], ['SIGTERM', EXIT.terminate], ['SIGHUP', EXIT.hangup]]) {
  process.once(signal, () => {
    // A command listening for the signal itself (station --serve) stops on its own and exits 0.
    if (process.listenerCount(signal) > 0) return;
    const written = removeTemporaryFiles(signal);
    process.stderr.write(written.length === 0 ? `\npaperchart: interrupted; no output was written\n`
      : `\npaperchart: interrupted after ${written.join(', ')} had been written completely\n`);
    process.exit(code);
  });
}

process.exitCode = await main(process.argv.slice(2), processIo());
