// restore --on-conflict keep never undoes a change made to the store after the paper was printed,
// deletions included (schema version 2's patient_changes).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../_run-cli.js';
import { createStore } from '../../src/store/open-store.js';
import { writeRecords } from '../../src/store/write-records.js';
import { encodeRecord } from '../../src/codec/record-codec.js';
import { handmadePatient } from '../fixtures/handmade-clinic.js';
import type { PatientRecord } from '../../src/record/record.js';

const dir = mkdtempSync(join(tmpdir(), 'keep-newer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

/** The handmade records' rows are stamped 2026-11-20T10:00:00Z; the paper is printed after that. */
const PRINTED_AT = '2026-11-21T12:00:00Z';

/** The store's whole export, as `paperchart export` prints it. */
async function exported(path: string): Promise<string> {
  const r = await runCli('export', '--db', path);
  expect(r.code, r.err).toBe(0);
  return r.out;
}

/** A store holding `records`, every change logged before the print (as if written by last week's export). */
function storeBeforePrint(records: PatientRecord[]): string {
  const path = join(dir, `store-${++n}.sqlite`);
  const db = createStore(path);
  writeRecords(db, records);
  db.prepare("UPDATE patient_changes SET changed_at = '2026-11-20T10:00:00Z'").run();
  db.close();
  return path;
}

// The clinic's key: paper signed with it outranks the store's record when it is the newer.
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const pubPath = join(dir, 'clinic.pub');
writeFileSync(pubPath, publicKey.export({ type: 'spki', format: 'pem' }));

/** The paper's signed codes for `records`, as a handheld scanner's text file. */
function paper(records: PatientRecord[]): string {
  const path = join(dir, `codes-${++n}.txt`);
  writeFileSync(path, records.flatMap((r) => encodeRecord(r, { runId: 'KEEP1', printedAt: PRINTED_AT, signingKey: privateKey })).join('\n') + '\n');
  return path;
}

const restore = (db: string, codes: string) => runCli('restore', '--db', db, '--pubkey', pubPath, '--on-conflict', 'keep', codes);

describe('restore --on-conflict keep', () => {
  it('does not bring back a row deleted after the print', async () => {
    const record = handmadePatient(4);
    expect(record.alerts).toHaveLength(1);
    // The alert was the record's newest change before the print: once it is deleted, the store's newest
    // updated_at is older than the paper's, and only the change log tells that the store is the newer.
    record.alerts[0]!.updated_at = '2026-11-21T09:00:00Z';
    const store = storeBeforePrint([record]);
    const codes = paper([record]);
    const db = new Database(store);
    db.prepare('DELETE FROM alerts WHERE patient_id = ?').run(record.patient.id);
    db.close();
    const after = await exported(store);

    const r = await restore(store, codes);
    expect(r.out).toMatch(/kept-newer\s+H0004/);
    expect(await exported(store)).toBe(after);
  });

  it('does not bring back a patient deleted after the print', async () => {
    const [kept, deleted] = [handmadePatient(1), handmadePatient(2)];
    const store = storeBeforePrint([kept, deleted]);
    const codes = paper([kept, deleted]);
    const db = new Database(store);
    db.pragma('foreign_keys = ON');
    db.prepare('DELETE FROM patients WHERE id = ?').run(deleted.patient.id);
    db.close();
    const after = await exported(store);

    const r = await restore(store, codes);
    expect(r.out).toMatch(/kept-newer\s+H0002/);
    expect(r.out).toMatch(/already-current\s+H0001/);
    expect(await exported(store)).toBe(after);
  });

  it('still restores the paper over a store that has not changed since the print', async () => {
    const record = handmadePatient(4);
    record.alerts[0]!.updated_at = '2026-11-21T09:00:00Z';
    // The store was put back from an older backup: it lacks the alert the paper has, and logged nothing since.
    const store = storeBeforePrint([{ ...record, alerts: [] }]);
    const codes = paper([record]);
    const r = await restore(store, codes);
    expect(r.out).toMatch(/restored\s+H0004/);
    const full = storeBeforePrint([record]);
    const expected = (await exported(full));
    expect(await exported(store)).toBe(expected);
  });
});
