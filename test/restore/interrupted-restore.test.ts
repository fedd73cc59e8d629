// Ctrl-C or SIGTERM at any moment of a restore, through the built binary: the store is exactly as before
// (a new store is not there at all, not even under a temporary name), the exit is 130 or 143, and the
// message says nothing was written. Also: a --db in a folder that does not exist is refused before any reading.
import { describe, it, expect, beforeAll } from 'vitest';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { runCli } from '../_run-cli.js';
import { handmadePatient, writeHandmadeClinic } from '../fixtures/handmade-clinic.js';
import { encodeRecord } from '../../src/codec/record-codec.js';
import { createStore } from '../../src/store/open-store.js';
import { writeRecords } from '../../src/store/write-records.js';

const BIN = fileURLToPath(new URL('../../bin/paperchart.js', import.meta.url));
const PATIENTS = 2000;

let dir: string;
let pub: string;
/** A store of PATIENTS patients, and codes of all of them changed a day later (signed): a restore replaces every one. */
let big: string;
let bigCodes: string;
let binder: string;
let small: string;
let n = 0;

interface Interrupted { code: number | null; stderr: string; stdout: string; afterSignalMs: number }

/** Runs the binary and sends `signal` once its standard error matches `when` (a progress line). */
async function interruptWhen(args: string[], when: RegExp, signal: NodeJS.Signals): Promise<Interrupted> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '', stdout = '', sentAt = 0;
  child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
    if (!sentAt && when.test(stderr)) { sentAt = performance.now(); child.kill(signal); }
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  return { code, stderr, stdout, afterSignalMs: performance.now() - sentAt };
}

function copyOf(path: string): string {
  const copy = join(dir, `store-${++n}`, 'clinic.sqlite');
  mkdirSync(join(dir, `store-${n}`));
  copyFileSync(path, copy);
  return copy;
}

async function exported(path: string): Promise<string> {
  const r = await runCli('export', '--db', path);
  expect(r.code).toBe(0);
  return r.out;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'interrupt-restore-'));
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  pub = join(dir, 'clinic.pub');
  writeFileSync(pub, publicKey.export({ format: 'pem', type: 'spki' }).toString());
  const records = Array.from({ length: PATIENTS }, (_, i) => handmadePatient(i));
  big = join(dir, 'big.sqlite');
  const db = createStore(big);
  writeRecords(db, records);
  db.close();
  bigCodes = join(dir, 'big-codes.txt');
  writeFileSync(bigCodes, records.flatMap((r) => encodeRecord(
    { ...r, patient: { ...r.patient, phone: 'paper', updated_at: '2026-11-21T10:00:00Z' } },
    { runId: 'PAPER1', printedAt: '2026-11-21T12:00:00Z', signingKey: privateKey })).join('\n'));
  small = join(dir, 'small.sqlite');
  writeHandmadeClinic(small);
  binder = join(dir, 'binder.pdf');
  const printed = await runCli('print', '--db', small, '--out', binder, '--as-of', '2026-11-25T15:00Z');
  expect(printed.code).toBe(0);
}, 180_000);

describe('an interrupted restore', () => {
  const MOMENTS: [moment: string, input: () => string, when: RegExp, pubkey: boolean][] = [
    ['while reading scans', () => binder, /restore read: /, false],
    ['while decoding a large input', () => bigCodes, /restore decode: 0\//, true],
    ['while writing', () => bigCodes, /restore write: 0\//, true],
  ];

  it.each(MOMENTS)('leaves an existing store byte for byte as it was when interrupted %s', async (_moment, input, when, pubkey) => {
    const store = copyOf(input() === binder ? small : big);
    const before = readFileSync(store);
    const exportBefore = await exported(store);
    const r = await interruptWhen(['restore', '--db', store, '--on-conflict', 'replace',
      ...(pubkey ? ['--pubkey', pub] : ['--trust-unsigned']), input()], when, 'SIGINT');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toMatch(/interrupted; no output was written/);
    expect(r.stdout).not.toMatch(/restore: \d+ restored/);
    expect(readFileSync(store).equals(before)).toBe(true);
    expect(await exported(store)).toBe(exportBefore);
  }, 60_000);

  it.each(MOMENTS)('creates no new store, under its name or any other, when interrupted %s', async (_moment, input, when, pubkey) => {
    const folder = join(dir, `new-${++n}`);
    mkdirSync(folder);
    const r = await interruptWhen(['restore', '--db', join(folder, 'restored.sqlite'),
      ...(pubkey ? ['--pubkey', pub] : ['--trust-unsigned']), input()], when, 'SIGTERM');
    expect(r.code, r.stderr).toBe(143);
    expect(r.stderr).toMatch(/interrupted; no output was written/);
    // Only the run register beside it, which records the attempt (issue 28): no store under any name.
    expect(readdirSync(folder).filter((f) => !f.startsWith('restored.runs.sqlite'))).toEqual([]);
  }, 60_000);

  it('never shows a new store under its name after a kill -9 while writing', async () => {
    const folder = join(dir, `new-${++n}`);
    mkdirSync(folder);
    const r = await interruptWhen(['restore', '--db', join(folder, 'restored.sqlite'), '--pubkey', pub, bigCodes], /restore write: 0\//, 'SIGKILL');
    expect(r.code).toBe(null);
    // Only a hidden temporary file can be left (a kill -9 runs no handler); never the store's own name.
    expect(readdirSync(folder).filter((f) => !/^\.restored\.sqlite\..*\.partial/.test(f) && !f.startsWith('restored.runs.sqlite'))).toEqual([]);
  }, 60_000);

  it('stops within a fraction of a second of the signal while writing', async () => {
    const store = copyOf(big);
    const r = await interruptWhen(['restore', '--db', store, '--on-conflict', 'replace', '--pubkey', pub, bigCodes], /restore write: 0\//, 'SIGINT');
    expect(r.code).toBe(130);
    expect(r.afterSignalMs).toBeLessThan(1000);
  }, 60_000);

  it('without a signal, restores all of it', async () => {
    const store = copyOf(big);
    const r = await runCli('restore', '--db', store, '--on-conflict', 'replace', '--pubkey', pub, bigCodes);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`restore: ${PATIENTS} restored`));
  }, 60_000);
});

describe('restore --db in a folder that does not exist', () => {
  it('is refused in one line with a remedy before any input is read, exit 2', async () => {
    const target = join(dir, 'no-such-folder', 'restored.sqlite');
    const r = await runCli('restore', '--db', target, '--pubkey', pub, bigCodes);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`paperchart: cannot restore into ${target}: the folder ${join(dir, 'no-such-folder')} does not exist; nothing was written\n` +
      '→ give --db an existing store, or a new file name in a folder that exists and that you may write to\n');
    expect(r.err).not.toMatch(/restore (read|decode)/); // refused before reading the input
    expect(existsSync(join(dir, 'no-such-folder'))).toBe(false);
  });
});
