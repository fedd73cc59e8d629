// Schema version 2: patient_changes logs when each patient's data last changed, deletions included.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createStore, migrate, openStoreForMigration } from '../../src/store/open-store.js';
import { SCHEMA_V1, SCHEMA_VERSION } from '../../src/store/schema.js';
import { writeRecords } from '../../src/store/write-records.js';
import { changeLogOf } from '../../src/store/patient-changes.js';

const patientChangedAt = (db: Parameters<typeof changeLogOf>[0], id: string): string | undefined => changeLogOf(db)(id);
import { writeSampleClinic } from '../../src/sample/sample-clinic.js';
import { CHILD_TABLES } from '../../src/record/record.js';
import { runCli } from '../_run-cli.js';
import { handmadePatient } from '../fixtures/handmade-clinic.js';

const dir = mkdtempSync(join(tmpdir(), 'patient-changes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const nowStamp = (): string => new Date().toISOString().slice(0, 19) + 'Z';

/** The store's whole export, as `paperchart export` prints it. */
async function exported(path: string): Promise<string> {
  const r = await runCli('export', '--db', path);
  expect(r.code, r.err).toBe(0);
  return r.out;
}

describe('patient_changes', () => {
  it('logs a row deleted from a patient as a change of that patient, at the time it happened', () => {
    const db = createStore(join(dir, 'deleted-row.sqlite'));
    const record = handmadePatient(4); // has an alert row
    expect(record.alerts).toHaveLength(1);
    writeRecords(db, [record]);
    db.prepare("UPDATE patient_changes SET changed_at = '2020-01-01T00:00:00Z'").run();
    const before = nowStamp();
    db.prepare('DELETE FROM alerts WHERE patient_id = ?').run(record.patient.id);
    expect(patientChangedAt(db, record.patient.id)! >= before).toBe(true);
    db.close();
  });

  it('keeps the log of a patient deleted altogether, and logs both patients when a row moves', () => {
    const db = createStore(join(dir, 'deleted-patient.sqlite'));
    const [a, b] = [handmadePatient(4), handmadePatient(5)];
    writeRecords(db, [a, b]);
    db.prepare("UPDATE patient_changes SET changed_at = '2020-01-01T00:00:00Z'").run();
    const before = nowStamp();
    db.prepare('UPDATE alerts SET patient_id = ? WHERE patient_id = ?').run(b.patient.id, a.patient.id);
    expect(patientChangedAt(db, a.patient.id)! >= before).toBe(true);
    expect(patientChangedAt(db, b.patient.id)! >= before).toBe(true);
    db.prepare("UPDATE patient_changes SET changed_at = '2020-01-01T00:00:00Z'").run();
    db.prepare('DELETE FROM patients WHERE id = ?').run(a.patient.id);
    expect(db.prepare('SELECT 1 FROM patients WHERE id = ?').get(a.patient.id)).toBeUndefined();
    expect(patientChangedAt(db, a.patient.id)! >= before).toBe(true);
    expect(patientChangedAt(db, 'never-here')).toBeUndefined();
    db.close();
  });

  it('never moves a logged time back (a clock set back does not hide a change)', () => {
    const db = createStore(join(dir, 'future.sqlite'));
    const record = handmadePatient(1);
    writeRecords(db, [record]);
    db.prepare("UPDATE patient_changes SET changed_at = '2999-01-01T00:00:00Z'").run();
    db.prepare("UPDATE patients SET phone = '555-0000' WHERE id = ?").run(record.patient.id);
    expect(patientChangedAt(db, record.patient.id)).toBe('2999-01-01T00:00:00Z');
    db.close();
  });

  it('migrates a version 1 store: each patient logged at its latest updated_at, records unchanged', async () => {
    const path = join(dir, 'v1.sqlite');
    const v1 = new Database(path);
    v1.exec(SCHEMA_V1);
    v1.pragma('user_version = 1');
    const record = handmadePatient(4);
    record.alerts[0]!.updated_at = '2026-11-24T08:00:00Z';
    const ins = (table: string, row: object): void => {
      const cols = Object.keys(row);
      v1.prepare(`INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map((c) => '@' + c).join(', ')})`).run(row);
    };
    ins('patients', record.patient);
    for (const table of CHILD_TABLES) for (const row of record[table]) ins(table, row);
    v1.close();

    const db = openStoreForMigration(path);
    expect(migrate(db)).toEqual({ from: 1, to: SCHEMA_VERSION });
    expect(patientChangedAt(db, record.patient.id)).toBe('2026-11-24T08:00:00Z');
    const before = nowStamp();
    db.prepare('DELETE FROM alerts').run();
    expect(patientChangedAt(db, record.patient.id)! >= before).toBe(true);
    db.close();

    const fresh = createStore(join(dir, 'v2.sqlite'));
    writeRecords(fresh, [{ ...record, alerts: [] }]);
    fresh.close();
    expect(await exported(path)).toBe(await exported(join(dir, 'v2.sqlite')));
  });

  it('logs a sample clinic as of its own time, so the same seed gives the same store', async () => {
    const path = join(dir, 'sample.sqlite');
    await writeSampleClinic(path, { patients: 5, seed: 3, asOf: '2026-11-25T12:00:00Z' });
    const db = new Database(path, { readonly: true });
    expect(db.prepare('SELECT DISTINCT changed_at AS t FROM patient_changes').all()).toEqual([{ t: '2026-11-25T12:00:00Z' }]);
    expect((db.prepare('SELECT count(*) AS n FROM patient_changes').get() as { n: number }).n).toBe(5);
    db.close();
  });
});
