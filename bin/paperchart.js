#!/usr/bin/env node
// The only caller of process.exit: everything else returns an exit code.
import { startDrawingThread } from '../dist/print/threads/drawing-thread.js';

// A print's drawing thread starts first, so that its modules and fonts load while the rest of paperchart loads and the
// command line is read and planned: about 0.3 s off every print, a tenth of a 1% supplement of 10,000 patients (two cores).
if (process.argv[2] === 'print') startDrawingThread();
const [{ main }, { processIo }, { removeTemporaryFiles }, { EXIT }] = await Promise.all([
  import('../dist/cli/main.js'), import('../dist/cli/io.js'), import('../dist/_temporary-file.js'), import('../dist/errors.js')]);

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
