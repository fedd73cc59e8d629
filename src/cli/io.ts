import type { Writable } from 'node:stream';

/** What the CLI may touch of the outside world; tests pass their own. */
export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Standard output as a stream, for commands that write a lot (export). */
  stdout: Writable;
  /** True when stderr is a terminal: draw a progress bar rather than plain lines. */
  isTTY: boolean;
  /** Writes `text` to stderr as it is, no newline added: a progress bar redrawn in place (`\r…`) on a terminal. */
  redraw?: (text: string) => void;
}

/**
 * True for the error a write gets when the program reading our standard output
 * has stopped (`paperchart export | head`): not a failure of ours, so the command
 * stops writing quietly and exits 0.
 */
export function isReaderGone(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED';
}

export function processIo(): Io {
  // Without a listener a closed pipe's EPIPE would be thrown as an uncaught exception with its stack;
  // writers see it as `process.stdout.errored` (export) or stop writing (out).
  process.stdout.on('error', () => undefined);
  return {
    out: (t) => { if (!process.stdout.destroyed) process.stdout.write(t.endsWith('\n') ? t : `${t}\n`); },
    err: (t) => { process.stderr.write(t.endsWith('\n') ? t : `${t}\n`); },
    stdout: process.stdout,
    isTTY: Boolean(process.stderr.isTTY),
    redraw: (t) => { process.stderr.write(t); },
  };
}
