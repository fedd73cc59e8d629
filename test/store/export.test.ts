import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../_run-cli.js';
import Database from 'better-sqlite3';
import { createStore, migrate } from '../../src/store/open-store.js';
import { writeMeta, writeRecords } from '../../src/store/write-records.js';
import { canonicalJson } from '../../src/record/canonical-json.js';
import { handmadePatient, withLongHistory } from '../fixtures/handmade-clinic.js';
import { withPatientId } from '../fixtures/renamed-patient.js';
import type { PatientRecord } from '../../src/record/record.js';

let dir: string;
let records: PatientRecord[];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'export-'));
  records = Array.from({ length: 6 }, (_, i) => handmadePatient(i));
  records[2] = withLongHistory(records[2]!, 12);
});

function store(name: string, recs: PatientRecord[]): string {
  const path = join(dir, name);
  const db = createStore(path);
  writeMeta(db, { clinic_name: 'Test Clinic', timezone: 'UTC' });
  writeRecords(db, recs);
  db.close();
  return path;
}

describe('canonical JSON', () => {
  it('sorts keys and drops whitespace', () => {
    expect(canonicalJson({ b: 1, a: [null, 'x', { d: 'é', c: 2 }] })).toBe('{"a":[null,"x",{"c":2,"d":"é"}],"b":1}');
  });
  it('sorts keys by UTF-16 code units, not locale', () => {
    expect(canonicalJson({ b: 0, B: 0, é: 0, a: 0 })).toBe('{"B":0,"a":0,"b":0,"é":0}');
  });
  it('orders each object by its own keys when objects of many shapes share a key count and a first key', () => {
    // Key orders are remembered by count and first key (issue 6): these all collide, and each must still come out right.
    const objects = Array.from({ length: 40 }, (_, i) => ({ id: i, [`k${(i * 7) % 40}`]: 'x', [`a${i}`]: i % 3 === 0 ? undefined : null }));
    for (const o of [...objects, ...objects]) {
      const expected = `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${JSON.stringify(o[k])}`).join(',')}}`;
      expect(canonicalJson(o)).toBe(expected);
    }
    expect(canonicalJson({})).toBe('{}');
    expect(canonicalJson({ a: undefined })).toBe('{}');
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
  });
  it('refuses numbers that do not round-trip', () => {
    expect(() => canonicalJson(0.1)).toThrow(RangeError);
    expect(() => canonicalJson(2 ** 60)).toThrow(RangeError);
  });
});

describe('export', () => {
  it('prints identical bytes for two stores holding the same records in different insertion order', async () => {
    const a = await runCli('export', '--db', store('a.sqlite', records));
    const reversed = records.map((r) => ({ ...r, encounters: [...r.encounters].reverse() })).reverse();
    const b = await runCli('export', '--db', store('b.sqlite', reversed));
    expect(a.code).toBe(0);
    expect(a.out.length).toBeGreaterThan(1000);
    expect(b.out).toBe(a.out);
  });

  it('prints every record exactly as written, one patient per line', async () => {
    const r = await runCli('export', '--db', store('c.sqlite', records));
    const doc = JSON.parse(r.out) as { format: string; meta: Record<string, string>; patients: PatientRecord[]; schema_version: number };
    expect(doc.format).toBe('paperchart-export');
    expect(doc.schema_version).toBe(3);
    expect(doc.meta.clinic_name).toBe('Test Clinic');
    expect(doc.patients.map((p) => p.patient.id)).toEqual(records.map((p) => p.patient.id).sort());
    const byId = new Map(records.map((p) => [p.patient.id, p]));
    for (const p of doc.patients) {
      const want = byId.get(p.patient.id)!;
      const sorted = Object.fromEntries(Object.entries(want).map(([k, v]) =>
        [k, Array.isArray(v) ? [...v].sort((x, y) => (x.id < y.id ? -1 : 1)) : v]));
      expect(canonicalJson(p)).toBe(canonicalJson(sorted));
    }
    expect(r.out.split('\n').filter((l) => l.startsWith('{"alerts"'))).toHaveLength(records.length);
  });

  it('exports one patient with --patient', async () => {
    const r = await runCli('export', '--db', store('d.sqlite', records), '--patient', 'H0003');
    const doc = JSON.parse(r.out) as { patients: PatientRecord[]; meta?: unknown };
    expect(doc.patients.map((p) => p.patient.id)).toEqual(['H0003']);
    expect(doc.meta).toBeUndefined();
  });

  it('lists patients by code point (FORMAT §5.4), in a UTF-16 store too, where SQLite\'s BINARY order is not that', async () => {
    // U+FF21 sorts before U+20000 by code point and after it by UTF-16 code units; U+0100 before U+00FF in UTF-16LE bytes.
    const ids = ['H\u{20000}', 'H\uFF21', 'H\u0100', 'H\u00FF', 'H0001'];
    const recs = ids.map((id, i) => withPatientId(handmadePatient(i), id));
    const utf8 = await runCli('export', '--db', store('ids-utf8.sqlite', recs));
    expect((JSON.parse(utf8.out) as { patients: PatientRecord[] }).patients.map((p) => p.patient.id))
      .toEqual(['H0001', 'H\u00FF', 'H\u0100', 'H\uFF21', 'H\u{20000}']);
    const path = join(dir, 'ids-utf16.sqlite');
    const db = new Database(path);
    db.pragma("encoding = 'UTF-16le'");
    migrate(db);
    writeMeta(db, { clinic_name: 'Test Clinic', timezone: 'UTC' });
    writeRecords(db, [...recs].reverse());
    expect(db.pragma('encoding', { simple: true })).toBe('UTF-16le');
    db.close();
    expect((await runCli('export', '--db', path)).out).toBe(utf8.out);
  });

  it('names a patient id that is not in the store', async () => {
    const r = await runCli('export', '--db', store('e.sqlite', records), '--patient', 'NOPE');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no patient with id NOPE/);
  });
});
