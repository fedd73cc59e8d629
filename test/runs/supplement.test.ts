// Supplements (issue 28): after a registered full print, three patients changed, one added and one deleted;
// `print --since last` prints exactly those, its replace-and-shred sheet names the full binder's pages, and a
// restore of the binder and its supplement gives back the store as it is now.
import { describe, it, expect, beforeAll } from 'vitest';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { runCli, expectRefusal } from '../_run-cli.js';
import { changePatients, NEW_PATIENT } from './_day-of-changes.js';
import { extractPageTexts } from '../_pdf-text.js';
import type { RunRow } from '../../src/runs/run-register.js';

let dir: string;
let store: string;
const base = (): string => join(dir, 'binder.pdf');
const supplement = (): string => join(dir, 'supplement.pdf');
let changed: string[];
let names: Map<string, string>;
const added = NEW_PATIENT.id;
let deleted: string;

async function exportOf(db: string): Promise<string> {
  const r = await runCli('export', '--db', db);
  expect(r.code, r.err).toBe(0);
  return r.out;
}

/** The binder pages whose running header names `name`: a patient's pages. */
function pagesNaming(texts: string[], name: string): number[] {
  return texts.flatMap((t, i) => (t.split('\n').slice(0, 3).join(' ').includes(name) ? [i + 1] : []));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'supplement-'));
  store = join(dir, 'clinic.sqlite');
  expect((await runCli('sample', '--db', store, '--patients', '12', '--seed', '3', '--as-of', '2026-11-25')).code).toBe(0);
  const p = await runCli('print', '--db', store, '--out', base(), '--as-of', '2026-12-01T14:00Z', '--jobs', '1');
  expect(p.code, p.err).toBe(0);
  // The records system's changes after the print: three patients edited, one new, one deleted.
  const db = new Database(store);
  const ids = db.prepare('SELECT id FROM patients ORDER BY id').pluck().all() as string[];
  changed = ids.slice(1, 4);
  deleted = ids[5]!;
  names = new Map((db.prepare('SELECT id, family_name FROM patients').all() as { id: string; family_name: string }[]).map((r) => [r.id, r.family_name]));
  db.close();
  await changePatients(store, { edited: changed, deleted, copyOf: ids[6]!, at: '2026-12-01T18:00:00Z' });
  names.set(added, NEW_PATIENT.family_name);
}, 300_000);

describe('a supplement', () => {
  it('prints exactly the changed and new patients, and its sheet names the full binder\'s pages to pull', async () => {
    const r = await runCli('print', '--db', store, '--out', supplement(), '--since', 'last', '--as-of', '2026-12-02T14:00Z', '--jobs', '1');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^printed 4 patients/);
    const runs = (JSON.parse((await runCli('runs', '--db', store, '--json')).out) as { runs: RunRow[] }).runs;
    const row = runs.find((x) => x.run_id === '20261202140000')!;
    expect(row).toMatchObject({ kind: 'print', outcome: 'complete', patients: 4, supersedes: null });
    expect(JSON.parse(row.selection!)).toMatchObject({ kind: 'supplement', of: '20261201140000', base: '20261201140000', since: '20261201140000',
      removed: [deleted], ids: [...changed, added].sort() });

    const baseTexts = await extractPageTexts(base());
    const texts = await extractPageTexts(supplement());
    expect(texts[0]).toContain('SUPPLEMENT to the binder of');
    expect(texts[0]).toContain('the full binder of run 20261201140000');
    expect(texts[0]).toMatch(/3 changed and 1 new patients; 1 removed/);
    expect(texts[0]).toContain('Replace-and-shred sheet: page 3');
    const sheet = texts[2]!.replace(/\s+/g, ' ');
    expect(sheet).toContain('Replace and shred');
    // Each changed or removed patient: the full binder's pages with that name in the header, and this supplement's.
    for (const id of [...changed, deleted]) {
      const was = pagesNaming(baseTexts, names.get(id)!);
      expect(was.length, id).toBeGreaterThan(0);
      // The sheet's table wraps "pages" and "33–34 (1 sheet)" onto two lines, and text extraction interleaves the columns.
      const range = was.length === 1 ? `page ${was[0]} (` : `${was[0]}–${was[was.length - 1]} (`;
      expect(sheet.indexOf(range, sheet.indexOf(names.get(id)!)), `${id} ${range}`).toBeGreaterThan(0);
    }
    for (const id of [...changed, added]) {
      const now = pagesNaming(texts, names.get(id)!);
      expect(now.length, id).toBeGreaterThan(0);
      expect(sheet).toContain(now.length === 1 ? `page ${now[0]} (1 sheet)` : `pages ${now[0]}–${now[now.length - 1]}`);
    }
    expect(sheet).toMatch(/Aaronson.*nothing \(new patient\)/);
    expect(sheet).toContain('Removed from the records: pull and shred, nothing goes in (1)');
    // Its pages say whose they are at the foot, as filed among the binder's.
    expect(texts[6]).toContain('Supplement 2026-12-02');
  }, 300_000);

  it('restores with its binder to the store as it is now, byte for byte; the binder alone gives the older records', async () => {
    const restored = join(dir, 'restored.sqlite');
    const r = await runCli('restore', '--db', restored, '--trust-unsigned', base(), supplement());
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('removed from the records before a supplement was printed');
    expect(await exportOf(restored)).toBe(await exportOf(store));
    // verify checks a supplement against the patients it printed, as a partial binder.
    const v = await runCli('verify', supplement(), '--db', store);
    expect(v.code, v.out + v.err).toBe(0);
    expect(v.out).toMatch(/verify: 4 of 4 patients restore exactly/);
    const runsText = (await runCli('runs', '--db', store)).out;
    expect(runsText).toMatch(/20261202140000 +complete .*supplement of 20261201140000/);
    const older = join(dir, 'older.sqlite');
    const o = await runCli('restore', '--db', older, '--trust-unsigned', base());
    expect(o.code, o.err).toBe(0);
    const lines = (await exportOf(older)).trim().split('\n');
    for (const id of changed) expect(lines.find((l) => l.includes(`"id":"${id}"`))).not.toContain('555-0100');
    expect(lines.some((l) => l.includes(`"id":"${deleted}"`))).toBe(true);
  }, 300_000);

  it('refuses an unknown run, a date in the future and a store with no full print, in one line, exit 2', async () => {
    expectRefusal(await runCli('print', '--db', store, '--out', join(dir, 'x.pdf'), '--since', '20250101000000'), /--since 20250101000000: no complete run/);
    expectRefusal(await runCli('print', '--db', store, '--out', join(dir, 'x.pdf'), '--since', '2099-01-01'), /--since 2099-01-01 is in the future/);
    expectRefusal(await runCli('print', '--db', store, '--out', join(dir, 'x.pdf'), '--since', 'yesterday'), /--since yesterday is not a run id/);
    const empty = join(dir, 'empty.sqlite');
    expect((await runCli('sample', '--db', empty, '--patients', '2', '--seed', '1')).code).toBe(0);
    expectRefusal(await runCli('print', '--db', empty, '--out', join(dir, 'x.pdf'), '--since', 'last'), /holds no complete full print/);
    // A refused --since leaves no register behind where there was none.
    expect(readdirSync(dir).filter((f) => f.startsWith('empty.runs.'))).toEqual([]);
    expect(existsSync(join(dir, 'x.pdf'))).toBe(false);
  }, 120_000);

  it('of a binder registered before the register kept pages, sends the person to that binder\'s index', async () => {
    const copy = join(dir, 'before.sqlite');
    const db = new Database(store, { readonly: true });
    await db.backup(copy);
    db.close();
    const register = join(dir, 'before.runs.sqlite');
    expect((await runCli('print', '--db', copy, '--out', join(dir, 'before.pdf'), '--as-of', '2026-12-01T14:00Z', '--jobs', '1')).code).toBe(0);
    const reg = new Database(register);
    reg.exec('DELETE FROM run_patients');
    reg.close();
    const edit = new Database(copy);
    edit.prepare("UPDATE patients SET phone = '555-0142' WHERE id = ?").run(changed[1]);
    edit.close();
    await new Promise((r) => setTimeout(r, 1_100));
    const r = await runCli('print', '--db', copy, '--out', join(dir, 'before-supplement.pdf'), '--since', 'last', '--as-of', '2026-12-02T14:00Z', '--jobs', '1');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^printed 1 patient,/);
    const sheet = (await extractPageTexts(join(dir, 'before-supplement.pdf')))[2]!.replace(/\s+/g, ' ');
    // The table's columns interleave in the extracted text.
    expect(sheet).toMatch(/binder of 2026-12-01 06:00 \w+: its .*pages were not recorded; find the .*patient through its index/);
  }, 300_000);

  it('prints nothing when nothing changed since the last run, and says so (exit 0)', async () => {
    // A time finds the run printed last at or before it: here the first supplement.
    const r = await runCli('print', '--db', store, '--out', join(dir, 'none.pdf'), '--since', '2026-12-02T14:00Z', '--as-of', '2026-12-03T14:00Z');
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain('nothing changed since run 20261202140000: no supplement printed');
  }, 120_000);

  it('in a chain, names the earlier supplement holding a patient\'s current pages, and a restore without it says so', async () => {
    // One patient of the first supplement changes again, and one that only the full binder holds.
    const again = changed[0]!;
    const db = new Database(store);
    const other = (db.prepare('SELECT id FROM patients ORDER BY id').pluck().all() as string[]).find((id) => !changed.includes(id) && id !== added)!;
    for (const id of [again, other]) db.prepare("UPDATE patients SET phone = '555-0199', updated_at = '2026-12-03T18:00:00Z' WHERE id = ?").run(id);
    db.close();
    await new Promise((r) => setTimeout(r, 1_100));
    const second = join(dir, 'supplement-2.pdf');
    const r = await runCli('print', '--db', store, '--out', second, '--since', 'last', '--as-of', '2026-12-04T14:00Z', '--jobs', '1');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^printed 2 patients/);
    const texts = await extractPageTexts(second);
    expect(texts[0]).toContain('the supplement of run 20261202140000');
    expect(texts[0]).toContain('the full binder of run 20261201140000');
    const sheet = texts[2]!.replace(/\s+/g, ' ');
    const wasIn = pagesNaming(await extractPageTexts(supplement()), names.get(again)!);
    const wasBase = pagesNaming(await extractPageTexts(base()), names.get(other)!);
    const after = (name: string, what: string): number => sheet.indexOf(what, sheet.indexOf(name));
    expect(after(names.get(again)!, 'supplement of 2026-12-02')).toBeGreaterThan(0);
    expect(after(names.get(again)!, `${wasIn[0]}–${wasIn[wasIn.length - 1]} (`)).toBeGreaterThan(0);
    expect(after(names.get(other)!, 'binder of 2026-12-01')).toBeGreaterThan(0);
    expect(after(names.get(other)!, `${wasBase[0]}–${wasBase[wasBase.length - 1]} (`)).toBeGreaterThan(0);

    const whole = join(dir, 'chain.sqlite');
    const w = await runCli('restore', '--db', whole, '--trust-unsigned', base(), supplement(), second);
    expect(w.code, w.err).toBe(0);
    expect(await exportOf(whole)).toBe(await exportOf(store));
    // The first supplement left out: its patients come back from the full binder, older, and the report says so.
    const gap = join(dir, 'gap.sqlite');
    const g = await runCli('restore', '--db', gap, '--trust-unsigned', base(), second);
    expect(g.code, g.err).toBe(3);
    expect(g.out).toMatch(/supplement run 20261202140000 \(named by supplement 20261204140000\) was not read: 2 of its 3 patient\(s\) were restored from older pages \(P\d+, P\d+\), 1 not at all; scan it too/);
    expect(g.out).toMatch(new RegExp(`missing\\s+${added} .*its current pages are in supplement run 20261202140000`));
    expect(g.out).toMatch(/OLDER than the binder as filed: its newer pages are in supplement run 20261202140000/);
  }, 300_000);
});
