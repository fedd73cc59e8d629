// Codes of one patient from two print runs, mixed in one restore: each run is read on its own, the newest
// complete one wins, and frames of different runs are never combined into one record.
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { runCli } from '../_run-cli.js';
import { writeHandmadeClinic } from '../fixtures/handmade-clinic.js';
import { openStore } from '../../src/store/open-store.js';
import { collectTexts } from '../../src/restore/collect-texts.js';
import { decodeFrame } from '../../src/codec/frame.js';

const X = 'H0001';
let dir: string;
let pub: string;
/** Exports: before the change (run 1 printed it), after (run 2). */
let before: string;
let after: string;
let run1: string[];
let run2: string[];
let n = 0;
const fresh = (): string => join(dir, `restored-${++n}.sqlite`);
const of = (texts: string[], id: string | null): string[] => texts.filter((t) => decodeFrame(t).patientId === id);
const not = (texts: string[], id: string): string[] => texts.filter((t) => decodeFrame(t).patientId !== id);
const code = (texts: string[], index: number): string => texts.find((t) => decodeFrame(t).index === index)!;
const runOf = (texts: string[]): string => decodeFrame(texts[0]!).runId;
// Cross-sheet parity codes (kind X, FORMAT §17) rebuild a lost record; the tests of combining runs leave them out.
const noParity = (texts: string[]): string[] => texts.filter((t) => !t.startsWith('PC1:X:'));

async function restore(texts: string[]): Promise<{ code: number; out: string; err: string; db: string }> {
  const file = join(dir, `codes-${++n}.txt`);
  writeFileSync(file, texts.join('\n'));
  const db = fresh();
  return { ...await runCli('restore', '--db', db, '--pubkey', pub, file), db };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'restore-runs-'));
  const store = join(dir, 'clinic.sqlite');
  writeHandmadeClinic(store, 3, false);
  expect((await runCli('keygen', '--out', join(dir, 'keys'))).code).toBe(0);
  pub = join(dir, 'keys', 'paperchart-signing.pub');
  const key = join(dir, 'keys', 'paperchart-signing.key');
  const print = async (asOf: string, out: string): Promise<string[]> => {
    expect((await runCli('print', '--db', store, '--out', out, '--as-of', asOf, '--key', key)).code).toBe(0);
    return (await collectTexts([out])).map((c) => c.text);
  };
  run1 = await print('2026-11-25T15:00Z', join(dir, 'run1.pdf'));
  before = (await runCli('export', '--db', store)).out;
  // The clinic changes a dose the next morning and prints again.
  const db = new Database(store);
  db.prepare("UPDATE medications SET dose = '20 mg', updated_at = '2026-11-26T09:00:00Z' WHERE patient_id = ?").run(X);
  db.close();
  run2 = await print('2026-11-26T15:00Z', join(dir, 'run2.pdf'));
  after = (await runCli('export', '--db', store)).out;
  expect(after).not.toBe(before);
  expect(runOf(run1)).not.toBe(runOf(run2));
}, 120_000);

describe('restore with codes of two print runs mixed', () => {
  it('takes the newer run of a patient whose codes of both runs are complete', async () => {
    const r = await restore([...run1, ...of(run2, X), ...of(run2, null)]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`^restored +${X}  [^\\n]*MRN \\S+  from run ${runOf(run2)}, signature valid$`, 'm'));
    expect((await runCli('export', '--db', r.db)).out).toBe(after);
  });

  it('never combines one code of each run into a record: the patient is incomplete and not written', async () => {
    // One code of three from each run; either run needs two. Combined they would "suffice".
    const r = await restore([...noParity(not(run1, X)), code(of(run1, X), 1), code(of(run2, X), 2)]);
    expect(r.code).toBe(3);
    // Its three codes sit in one row under the summary (issue 26, nine codes a page; they ran onto the next page before).
    expect(r.out).toMatch(new RegExp(`^incomplete +${X}  [^\\n]*MRN \\S+  codes 2–3 on binder page \\d+ not read, 1 more needed; ` +
      `codes of run ${runOf(run2)} were also read but not used \\(codes 1, 3 not read, 1 more needed\\)$`, 'm'));
    expect(r.out).toMatch(/restore: 2 restored, 0 already current, 0 kept newer, 1 incomplete, 0 refused, 0 missing/);
    const db = openStore(r.db);
    expect(db.prepare('SELECT count(*) AS n FROM patients WHERE id = ?').get(X)).toEqual({ n: 0 });
    expect(db.prepare('SELECT count(*) AS n FROM patients').get()).toEqual({ n: 2 });
    db.close();
    // With run 1's parity codes the patient is rebuilt from run 1 alone, never from the two runs' codes together.
    const rebuilt = await restore([...not(run1, X), code(of(run1, X), 1), code(of(run2, X), 2)]);
    expect(rebuilt.code).toBe(0);
    expect(rebuilt.out).toMatch(new RegExp(`^restored +${X}  [^\\n]*from run ${runOf(run1)}`, 'm'));
    expect((await runCli('export', '--db', rebuilt.db)).out).toBe(before);
  });

  it('restores the complete older run and says that codes of another run were read but not used', async () => {
    const r = await restore([...run1, code(of(run2, X), 3)]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`^restored +${X}  [^\\n]*MRN \\S+  from run ${runOf(run1)}, signature valid; codes of run ${runOf(run2)} ` +
      'were also read but not used \\(codes 1, 2 not read, 1 more needed\\)$', 'm'));
    expect((await runCli('export', '--db', r.db)).out).toBe(before);
  });
});
