import type { Io } from './io.js';

/**
 * Reports progress on stderr through `io`: a bar redrawn in place on a terminal, and on anything
 * else (a log file, CI) one plain line per quarter so logs stay readable.
 */
export function progressReporter(io: Io, label: string, unit = 'patients'): (done: number, total: number, phase: string) => void {
  let lastQuarter = -1;
  let lastPhase = '';
  let lastDraw = 0;
  return (done, total, phase) => {
    if (io.isTTY && io.redraw) {
      const now = Date.now();
      if (done !== total && now - lastDraw < 100) return;
      lastDraw = now;
      const width = 30;
      const filled = Math.round((done / total) * width);
      io.redraw(`\r${label} ${phase.padEnd(6)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}${done === total ? '\n' : ''}`);
      return;
    }
    const quarter = Math.floor((done / total) * 4);
    if (quarter === lastQuarter && phase === lastPhase) return;
    lastQuarter = quarter;
    lastPhase = phase;
    io.err(`${label} ${phase}: ${done}/${total} ${unit}`);
  };
}
