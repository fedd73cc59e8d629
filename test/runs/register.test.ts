import { describe, it, expect, beforeAll } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { runCli } from '../_run-cli.js';
import { writeHandmadeClinic } from '../fixtures/handmade-clinic.js';
import { extractPageTexts } from '../_pdf-text.js';
import type { RunFile, RunRow } from '../../src/runs/run-register.js';
import { SCHEMA_VERSION } from '../../src/store/schema.js';

let dir: string;
let store: string;
let keys: string;
const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

async function runs(db: string): Promise<RunRow[]> {
  const r = await runCli('runs', '--db', db, '--json');
  expect(r.code, r.err).toBe(0);
  return (JSON.parse(r.out) as { runs: RunRow[] }).runs;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'register-'));
  store = join(dir, 'clinic.sqlite');
  writeHandmadeClinic(store, 3, false);
  keys = join(dir, 'keys');
  expect((await runCli('keygen', '--out', keys)).code).toBe(0);
});

describe('the run register', () => {
  it('records a print, a verify and a restore, each with who, when, what and how it ended', async () => {
    const first = join(dir, 'first.pdf');
    const second = join(dir, 'second.pdf');
    expect((await runCli('print', '--db', store, '--out', first, '--as-of', '2026-11-25T15:00Z')).code).toBe(0);
    const p = await runCli('print', '--db', store, '--out', second, '--as-of', '2026-11-26T15:00Z', '--key', join(keys, 'paperchart-signing.key'));
    expect(p.code, p.err).toBe(0);
    const v = await runCli('verify', second, '--db', store, '--pubkey', join(keys, 'paperchart-signing.pub'));
    expect(v.code, v.err).toBe(0);
    const restored = join(dir, 'restored.sqlite');
    const r = await runCli('restore', '--db', restored, '--pubkey', join(keys, 'paperchart-signing.pub'), second);
    expect(r.code, r.err).toBe(0);

    expect(existsSync(join(dir, 'clinic.runs.sqlite'))).toBe(true);
    const [print1, print2, verify] = await runs(store);
    const user = (await import('node:os')).userInfo().username;
    expect(print1).toMatchObject({ run_id: '20261125150000', kind: 'print', outcome: 'complete', os_user: user, store_path: store,
      schema_version: SCHEMA_VERSION, patients: 3, pdf_path: first, pdf_sha256: sha256(first), key_fingerprint: null, supersedes: null });
    expect(print1!.pages).toBeGreaterThan(3);
    expect(print1!.data_as_of).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(Date.parse(print1!.ended_at!)).toBeGreaterThanOrEqual(Date.parse(print1!.started_at));
    expect(print2).toMatchObject({ run_id: '20261126150000', outcome: 'complete', pdf_sha256: sha256(second), supersedes: '20261125150000' });
    expect(print2!.key_fingerprint).toMatch(/^([0-9A-F]{4} ){15}[0-9A-F]{4}$/);
    expect(verify).toMatchObject({ kind: 'verify', outcome: 'complete', patients: 3, pdf_path: second, pdf_sha256: sha256(second) });
    const [restore] = await runs(restored);
    expect(restore).toMatchObject({ kind: 'restore', outcome: 'complete', patients: 3, store_path: restored, schema_version: SCHEMA_VERSION });
    expect(restore!.detail).toContain('runs 20261126150000; 3 restored');

    // The cover names the run and the binder it replaces.
    const cover = (await extractPageTexts(second))[0]!;
    expect(cover).toContain('20261126150000');
    // The replaced run's print time in the clinic's zone, as every time of the binder (issue 25).
    expect(cover).toMatch(/binder of run 20261125150000, printed 2026-11-25 09:00\s+CST/);
    // Retention, in the template's words: when to replace it, how to destroy it.
    expect(cover).toMatch(/Keeping and destroying this binder[\s\S]*cross-cut\s+shredding/);
    const text = await runCli('runs', '--db', store);
    expect(text.out).toMatch(/print\s+20261126150000\s+complete .* 3 patients, \d+ pages, sha256 [0-9a-f]{16}…, supersedes 20261125150000\n/);
    expect(text.out).toMatch(/3 runs in .*clinic\.runs\.sqlite\n$/);
  });

  it('lists in runs --json each file a print wrote, with its volume, pages and SHA-256, and none for a verify or a restore', async () => {
    const [print1, print2, verify] = await runs(store) as (RunRow & { files: RunFile[] })[];
    for (const [run, path] of [[print1!, join(dir, 'first.pdf')], [print2!, join(dir, 'second.pdf')]] as const) {
      expect(run.files).toEqual([{ path, role: 'binder', volume: null, pages: run.pages, bytes: readFileSync(path).length, sha256: sha256(path) }]);
    }
    expect(verify!.files).toEqual([]);
  });

  it('records a failed print as failed, never complete, and a new print still supersedes the last complete one', async () => {
    const taken = join(dir, 'taken.pdf');
    writeFileSync(taken, 'not a binder');
    const r = await runCli('print', '--db', store, '--out', taken, '--as-of', '2026-11-27T15:00Z');
    expect(r.code).toBe(2);
    const failed = (await runs(store)).at(-1)!;
    expect(failed).toMatchObject({ run_id: '20261127150000', kind: 'print', outcome: 'failed', pdf_sha256: null, patients: null });
    expect(failed.detail).toMatch(/^E_OUTPUT_EXISTS: /);
    const v = await runCli('verify', taken, '--db', store);
    expect(v.code).toBe(3);
    expect((await runs(store)).at(-1)).toMatchObject({ kind: 'verify', outcome: 'failed' });
    const next = join(dir, 'next.pdf');
    expect((await runCli('print', '--db', store, '--out', next, '--as-of', '2026-11-28T15:00Z')).code).toBe(0);
    expect((await runs(store)).at(-1)).toMatchObject({ run_id: '20261128150000', outcome: 'complete', supersedes: '20261126150000' });
  });

  it('is an SQLite file an auditor reads with any tool, and can be kept elsewhere with --register', async () => {
    const db = new Database(join(dir, 'clinic.runs.sqlite'), { readonly: true });
    const who = db.prepare("SELECT os_user, patients, started_at FROM runs WHERE kind = 'print' AND outcome = 'complete'").all();
    db.close();
    expect(who.length).toBeGreaterThanOrEqual(3);
    const elsewhere = join(dir, 'audit', 'runs.sqlite');
    (await import('node:fs')).mkdirSync(join(dir, 'audit'));
    const out = join(dir, 'elsewhere.pdf');
    expect((await runCli('print', '--db', store, '--out', out, '--as-of', '2026-11-29T15:00Z', '--register', elsewhere)).code).toBe(0);
    const r = await runCli('runs', '--db', store, '--register', elsewhere, '--json');
    expect((JSON.parse(r.out) as { runs: RunRow[] }).runs.map((x) => x.run_id)).toEqual(['20261129150000']);
  });

  it('refuses a register that is not one, in two lines, before printing', async () => {
    const bad = join(dir, 'bad-register.sqlite');
    writeFileSync(bad, 'not sqlite at all, just text that is long enough to not be a header'.repeat(20));
    const out = join(dir, 'never.pdf');
    const r = await runCli('print', '--db', store, '--out', out, '--register', bad);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^paperchart: the run register .*bad-register\.sqlite cannot be used \(.*\)\n→ it is damaged or not a run register: move it aside and keep it/);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses a damaged register, cut short, saying to keep it rather than to free its folder, and prints nothing', async () => {
    const whole = readFileSync(join(dir, 'clinic.runs.sqlite'));
    const cut = join(dir, 'cut.runs.sqlite');
    writeFileSync(cut, whole.subarray(0, Math.floor(whole.length / 2)));
    const out = join(dir, 'never-cut.pdf');
    const r = await runCli('print', '--db', store, '--out', out, '--register', cut, '--since', 'last');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^paperchart: the run register .*cut\.runs\.sqlite cannot be used \((database disk image is malformed|file is not a database)\)\n→ it is damaged or not a run register: move it aside and keep it \(it records past runs\)/);
    expect(r.err.trim().split('\n')).toHaveLength(2);
    expect(existsSync(out)).toBe(false);
    expect(readFileSync(cut)).toEqual(whole.subarray(0, Math.floor(whole.length / 2)));
  });
});
