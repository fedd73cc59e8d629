// A new store (a sample clinic, a restore into a new file) is written under a temporary name: Ctrl-C half-way
// leaves no store that looks whole, and what a run killed with -9 left is removed by the next.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../_run-cli.js';
import { encodeRecord } from '../../src/codec/record-codec.js';
import { handmadePatient } from '../fixtures/handmade-clinic.js';

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

describe('a new store after a run killed with -9', () => {
  // No process has this id (Linux's pid_max is at most 4,194,304): the run that left these files is gone.
  const DEAD = 99_999_999;
  const leftBehind = (folder: string, name: string): void => {
    for (const suffix of ['', '-wal', '-shm']) writeFileSync(join(folder, `.${name}.${DEAD}-0a1b2c3d4e5f.partial${suffix}`), 'half a store');
  };

  it('is written by sample, and the dead run\'s temporary files are removed', async () => {
    const folder = join(dir, 'sample-after-kill');
    mkdirSync(folder);
    leftBehind(folder, 'clinic.sqlite');
    const r = await runCli('sample', '--db', join(folder, 'clinic.sqlite'), '--patients', '3');
    expect(r.code, r.err).toBe(0);
    expect(readdirSync(folder)).toEqual(['clinic.sqlite']);
  });

  it('is written by restore, and the dead run\'s temporary files are removed', async () => {
    const folder = join(dir, 'restore-after-kill');
    mkdirSync(folder);
    leftBehind(folder, 'restored.sqlite');
    const codes = join(folder, 'codes.txt');
    writeFileSync(codes, encodeRecord(handmadePatient(1), { runId: 'KILL9', printedAt: '2026-11-21T12:00:00Z' }).join('\n'));
    const r = await runCli('restore', '--db', join(folder, 'restored.sqlite'), '--trust-unsigned', codes);
    expect(r.out).toMatch(/restored\s+H0001/);
    expect(readdirSync(folder).sort()).toEqual(['codes.txt', 'restored.runs.sqlite', 'restored.sqlite']);
  });
});
