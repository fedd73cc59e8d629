import { PassThrough } from 'node:stream';
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
