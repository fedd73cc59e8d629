// A sample clinic is written under a temporary name: Ctrl-C half-way leaves no store that looks whole.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// The built binary, as `npx paperchart` runs it (npm test builds dist/ first).
const BIN = fileURLToPath(new URL('../../bin/paperchart.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'sample-interrupt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('an interrupted sample', () => {
  it('leaves neither the store nor a temporary file behind', async () => {
    const child = spawn(process.execPath, [BIN, 'sample', '--db', join(dir, 'clinic.sqlite'), '--patients', '20000'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    // Interrupt once the store's temporary file is being filled (its first 500 patients are written).
    const started = Date.now();
    while (!readdirSync(dir).some((f) => f.endsWith('.partial')) && Date.now() - started < 60_000) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(130);
    expect(stderr).toContain('interrupted; no output was written');
    expect(readdirSync(dir)).toEqual([]);
  });
});
