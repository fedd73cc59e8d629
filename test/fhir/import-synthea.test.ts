// Every Synthea patient of both sets imports: per-patient counts against the source, spot-checked values, the exact report.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFhir, type ImportReport } from '../../src/fhir/import-fhir.js';
import { openStore } from '../../src/store/open-store.js';
import { readPatientSummaries, RecordReader } from '../../src/store/read-records.js';
import type { PatientRecord } from '../../src/record/record.js';
import { BULK, bulkResources, bundleFiles, bundleResources, sourceCounts, type Json } from './_source.js';

const dir = mkdtempSync(join(tmpdir(), 'fhir-synthea-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const NOW = '2026-12-06T12:00:00Z';

function records(path: string): PatientRecord[] {
  const db = openStore(path);
  try {
    const reader = new RecordReader(db);
    return readPatientSummaries(db).map((p) => reader.read(p.id));
  } finally { db.close(); }
}

function storeCounts(r: PatientRecord): Record<string, number> {
  return {
    allergies: r.allergies.length, activeMedications: r.medications.filter((m) => m.status === 'active').length,
    activeProblems: r.problems.filter((p) => p.status === 'active').length, immunizations: r.immunizations.length,
    observations: r.observations.length, encounters: r.encounters.length,
  };
}

/** What the report must say was not mapped, worked out from the source by type and category alone. */
function expectedNotMapped(resources: Json[], mapped: Set<string>, referenceData: Set<string>): ImportReport['notMapped'] {
  const out = new Map<string, number>();
  const add = (t: string, reason: string): void => { out.set(`${t}\u0000${reason}`, (out.get(`${t}\u0000${reason}`) ?? 0) + 1); };
  for (const r of resources) {
    const t = r.resourceType as string;
    if (!mapped.has(t) && !referenceData.has(t)) add(t, 'the store has no table for it');
    if (t === 'Observation') {
      const cats: string[] = (r.category ?? []).flatMap((c: Json) => c.coding.map((x: Json) => x.code));
      if (!cats.includes('vital-signs') && !cats.includes('laboratory')) {
        add(t, `Observation of category ${cats.join('+')}: the store keeps vital signs and laboratory results`);
      }
    }
    if (t === 'Patient') {
      for (const n of r.name) if (n.use !== 'official') add(t, `Patient.name (use ${n.use}): the store keeps the name in use, a Latin alias and a preferred name`);
    }
  }
  return [...out].map(([k, count]) => ({ resourceType: k.split('\u0000')[0]!, reason: k.split('\u0000')[1]!, count }))
    .sort((a, b) => (a.resourceType + a.reason < b.resourceType + b.reason ? -1 : 1));
}

const MAPPED = new Set(['Patient', 'AllergyIntolerance', 'Condition', 'MedicationRequest', 'Immunization', 'Observation', 'Procedure', 'Encounter', 'DocumentReference']);
const REFERENCE_DATA = new Set(['Practitioner', 'PractitionerRole', 'Organization', 'Location']);

describe('the Synthea Bulk NDJSON export (13 patients)', () => {
  const store = join(dir, 'bulk.sqlite');
  let report: ImportReport;
  const source = bulkResources();
  beforeAll(() => { report = importFhir(store, [BULK], { now: NOW }); }, 120_000);

  it('imports every patient with the source\'s counts of allergies, active medications and problems, immunizations, encounters', () => {
    const want = sourceCounts(source);
    const got = records(store);
    expect(got.map((r) => r.patient.id).sort()).toEqual([...want.keys()].sort());
    for (const r of got) expect([r.patient.id, storeCounts(r)]).toEqual([r.patient.id, want.get(r.patient.id)]);
    expect(report.patients).toEqual({ imported: 13, written: 13, unchanged: 0 });
  });

  it('counts what it imported per type and reports exactly what it did not map, and the log file it did not read', () => {
    const byType = (t: string): number => source.filter((r) => r.resourceType === t).length;
    expect(report.imported).toEqual({ Patient: 13, AllergyIntolerance: byType('AllergyIntolerance'), Condition: byType('Condition'),
      DocumentReference: byType('DocumentReference'), Encounter: byType('Encounter'), Immunization: byType('Immunization'),
      MedicationRequest: byType('MedicationRequest'), Procedure: byType('Procedure') });
    expect(report.notMapped).toEqual(expectedNotMapped(source, MAPPED, REFERENCE_DATA));
    expect(report.invalid).toEqual([]);
    expect(report.ignoredFiles.map((f) => f.slice(BULK.length + 1))).toEqual(['LICENSE', 'README.upstream.md', 'log.ndjson']);
  });

  it('keeps the values: names, MRN, a medication with its RxNorm code and prescriber, a note on its encounter', () => {
    const got = records(store);
    const p = source.find((r) => r.resourceType === 'Patient' && r.id === '129c6ac7-8d06-89de-ad63-0204a93e76c3');
    const r = got.find((x) => x.patient.id === p.id)!;
    const official = p.name.find((n: Json) => n.use === 'official');
    expect(r.patient).toMatchObject({ family_name: official.family, given_names: official.given.join(' '), birth_date: p.birthDate,
      sex: p.gender, mrn: p.id, city: p.address[0].city });
    const mr = source.find((x) => x.resourceType === 'MedicationRequest' && x.id === '002eb5b8-2964-effd-3b09-f132017dae04');
    const owner = got.find((x) => x.medications.some((m) => m.id === `MedicationRequest/${mr.id}`))!;
    expect(owner.patient.id).toBe(mr.subject.reference.slice('Patient/'.length));
    expect(owner.medications.find((m) => m.id === `MedicationRequest/${mr.id}`)).toMatchObject({
      name: 'lisinopril 10 MG Oral Tablet', code_system: 'RxNorm', code: '314076', status: 'stopped', start_date: '1989-05-27',
      prescriber: 'Dr. Olevia458 Hermiston71', frequency: '1 per 1 d', dose: '1' });
    const doc = source.find((x) => x.resourceType === 'DocumentReference' && x.id === '00212c89-d070-985e-b695-b5f12fffd23e');
    const enc = got.flatMap((x) => x.encounters).find((e) => e.id === doc.context.encounter[0].reference)!;
    expect(enc.note).toContain(Buffer.from(doc.content[0].attachment.data, 'base64').toString('utf8').trim());
  });

  it('changes nothing when the same export is imported again, the change log included', () => {
    const db = openStore(store);
    const log = db.prepare('SELECT * FROM patient_changes ORDER BY patient_id').all();
    db.close();
    const before = JSON.stringify(records(store));
    const again = importFhir(store, [BULK], { now: '2026-12-07T12:00:00Z' });
    expect(again.patients).toEqual({ imported: 13, written: 0, unchanged: 13 });
    expect(JSON.stringify(records(store))).toBe(before);
    const db2 = openStore(store);
    expect(db2.prepare('SELECT * FROM patient_changes ORDER BY patient_id').all()).toEqual(log);
    db2.close();
  }, 120_000);
});

describe('the Synthea R4 transaction Bundles (25 patients, 1,380 Observations)', () => {
  const store = join(dir, 'bundles.sqlite');
  let report: ImportReport;
  const source = bundleResources();
  beforeAll(() => { report = importFhir(store, bundleFiles(), { now: NOW }); }, 120_000);

  it('imports every patient with the source\'s counts, observations included', () => {
    const want = sourceCounts(source);
    const got = records(store);
    expect(got).toHaveLength(25);
    for (const r of got) expect([r.patient.id, storeCounts(r)]).toEqual([r.patient.id, want.get(r.patient.id)]);
  });

  it('reports exactly what it did not map', () => {
    expect(report.notMapped).toEqual(expectedNotMapped(source, MAPPED, REFERENCE_DATA));
    expect(report.invalid).toEqual([]);
  });

  it('keeps an observation\'s value, unit and local time, and a blood pressure\'s two components', () => {
    const got = records(store).flatMap((r) => r.observations);
    const height = source.find((r) => r.id === 'cd82ec16-1bc5-42b2-9118-65df573c09bf');
    expect(got.find((o) => o.id === `Observation/${height.id}`)).toMatchObject({
      category: 'vital', code: '8302-2', name: 'Body Height', value: String(height.valueQuantity.value), unit: 'cm', effective_at: '2012-08-10T20:37' });
    const bp = source.find((r) => r.resourceType === 'Observation' && r.component?.length === 2);
    const row = got.find((o) => o.id === `Observation/${bp.id}`)!;
    expect(row.value).toBe(`${bp.component[0].valueQuantity.value}/${bp.component[1].valueQuantity.value}`);
    expect(row.unit).toBe(bp.component[0].valueQuantity.unit);
  });
});
