import { PassThrough } from 'node:stream';
import { expect } from 'vitest';
import { main } from '../src/cli/main.js';

export interface CliResult { code: number; out: string; err: string }

/** Runs the CLI in-process with captured output, exactly as bin/paperchart.js does. */
export async function runCli(...argv: string[]): Promise<CliResult> {
  let out = '';
  let err = '';
  const stdout = new PassThrough();
  stdout.on('data', (c: Buffer) => { out += c.toString('utf8'); });
  const code = await main(argv, {
    out: (t) => { out += t.endsWith('\n') ? t : `${t}\n`; },
    err: (t) => { err += t.endsWith('\n') ? t : `${t}\n`; },
    stdout,
    isTTY: false,
  });
  return { code, out, err };
}

/** A refusal: exit 2, one line naming the problem, the next saying what to do; never a stack trace. */
export function expectRefusal(r: CliResult, problem: RegExp): void {
  expect(r.code, r.err).toBe(2);
  const lines = r.err.trim().split('\n');
  expect(lines).toHaveLength(2);
  expect(lines[0]).toMatch(/^paperchart: /);
  expect(lines[0]).toMatch(problem);
  expect(lines[1]).toMatch(/^→ /);
}
