import type { Writable } from 'node:stream';

/** What the CLI may touch of the outside world; tests pass their own. */
export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Standard output as a stream, for commands that write a lot (export). */
  stdout: Writable;
  /** True when stderr is a terminal: draw a progress bar rather than plain lines. */
  isTTY: boolean;
}

export function processIo(): Io {
  return {
    out: (t) => { process.stdout.write(t.endsWith('\n') ? t : `${t}\n`); },
    err: (t) => { process.stderr.write(t.endsWith('\n') ? t : `${t}\n`); },
    stdout: process.stdout,
    isTTY: Boolean(process.stderr.isTTY),
  };
}
