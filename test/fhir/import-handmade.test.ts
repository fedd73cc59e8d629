// What Synthea lacks, from hand-made resources and the R4 and IPS examples; bad input named by file and line; --dry-run, --report, --json.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importFhir } from '../../src/fhir/import-fhir.js';
import { FhirInputError } from '../../src/errors.js';
import { openStore } from '../../src/store/open-store.js';
import { RecordReader } from '../../src/store/read-records.js';
import type { PatientRecord } from '../../src/record/record.js';
import { runCli } from '../_run-cli.js';
import { FIXTURES } from './_source.js';

const dir = mkdtempSync(join(tmpdir(), 'fhir-handmade-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const HANDMADE = join(FIXTURES, 'handmade/clinic-bundle.json');
const NKA = ['nka', 'nkda', 'nkla'].map((n) => join(FIXTURES, `fhir-r4-examples-nka/AllergyIntolerance-${n}.json`));
const NOW = '2026-12-06T12:00:00Z';

function record(path: string, id: string): PatientRecord {
  const db = openStore(path);
  try { return new RecordReader(db).read(id); } finally { db.close(); }
}

describe('import of what Synthea lacks', () => {
  const store = join(dir, 'handmade.sqlite');

  it('keeps a name in Arabic script with its Latin alias and nickname, contacts, code status, alerts, appointments, coverage', () => {
    const report = importFhir(store, [HANDMADE, ...NKA], { now: NOW });
    const r = record(store, 'hm-amal');
    expect(r.patient).toMatchObject({ family_name: 'الحسيني', given_names: 'أمل', family_name_latin: 'Al-Husseini', given_names_latin: 'Amal',
      preferred_name: 'Mimi', mrn: 'HM-1001', code_status: 'DNR/DNI', allergy_status: 'none', language: 'ar',
      primary_provider: 'Dr. Amara Okafor', address_line: '12 Cedar Lane, Apt 3', phone: '555-0142', updated_at: '2026-11-30T09:15:00Z' });
    expect(r.contacts.map((c) => [c.name, c.relationship, c.phone, c.is_emergency])).toEqual([
      ['Karim Al-Husseini', 'Son', '555-0199', 1], ['Rosa Lindqvist', 'neighbor', '555-0177', 0]]);
    expect(r.alerts.map((a) => [a.text, a.severity])).toEqual([['Fall risk: uses a walker', 'critical']]);
    expect(r.appointments.map((a) => [a.starts_at, a.duration_minutes, a.status, a.provider, a.location])).toEqual([
      ['2026-12-08T15:30', 20, 'booked', 'Dr. Amara Okafor', 'Exam room 2'], ['2026-12-01T14:00', 15, 'cancelled', null, null]]);
    expect(r.coverages[0]).toMatchObject({ payer: 'Prairie Health Mutual', plan: 'Gold PPO', member_id: 'PHM-556-01', group_number: 'G-7781' });
    expect(r.problems[0]).toMatchObject({ code_system: 'SNOMED CT', code: '59621000', alt_code_system: 'ICD-10-CM', alt_code: 'I10', onset_date: null });
    expect(report.notMapped).toEqual([
      { resourceType: 'Flag', reason: 'Flag of status inactive: the store keeps active alerts', count: 1 },
      { resourceType: 'Patient', reason: 'Patient.name (use old): the store keeps the name in use, a Latin alias and a preferred name', count: 1 },
    ]);
  }, 60_000);

  it('tells "no known allergies" (NKA, NKDA, no known latex) from "never asked"', () => {
    expect(record(store, 'mom').patient.allergy_status).toBe('none'); // NKA and NKDA
    expect(record(store, 'example').patient.allergy_status).toBe('none'); // no known latex allergy
    expect(record(store, 'hm-never-asked').patient.allergy_status).toBe('unknown');
  });

  it('imports the IPS guide\'s example Bundles, medications from Medication resources and flags included', () => {
    const ips = ['Bundle-IPS-examples-Bundle-01.json', 'Bundle-bundle-ips-all-sections.json', 'Bundle-bundle-minimal.json',
      'Bundle-bundle-no-info-required-sections.json', 'Bundle-IPS-examples-Bundle-with-immunization.json'].map((f) => join(FIXTURES, 'ips-examples', f));
    const report = importFhir(join(dir, 'ips.sqlite'), ips, { now: NOW });
    expect(report.patients.imported).toBe(5);
    expect(report.invalid).toEqual([]);
    expect(report.imported).toMatchObject({ MedicationStatement: 8, AllergyIntolerance: 6, Flag: 1, Immunization: 11 });
  }, 60_000);
});

describe('bad input', () => {
  it('names the file and line of a line that is not JSON, and writes no store', () => {
    const bad = join(dir, 'Patient.ndjson');
    const good = readFileSync(join(FIXTURES, 'synthea-bulk-ndjson-10/Patient.000.ndjson'), 'utf8').split('\n')[0]!;
    writeFileSync(bad, `${good}\n{"resourceType": "Patient", "id": \n`);
    const store = join(dir, 'not-json.sqlite');
    expect(() => importFhir(store, [bad])).toThrow(FhirInputError);
    expect(() => importFhir(store, [bad])).toThrow(new RegExp(`${bad}:2: not JSON`));
    expect(existsSync(store)).toBe(false);
  });

  it('stops at a resource that fails R4 validation, naming file, line and element, and leaves the store as it was', () => {
    const store = join(dir, 'invalid.sqlite');
    importFhir(store, [HANDMADE, ...NKA], { now: NOW });
    const before = readFileSync(store);
    const bundle = JSON.parse(readFileSync(HANDMADE, 'utf8'));
    bundle.entry[0].resource.birthDate = '1961-13-09';
    bundle.entry[0].resource.name[0].given = ['Amal'];
    const bad = join(dir, 'bad-bundle.json');
    writeFileSync(bad, JSON.stringify(bundle, null, 2));
    expect(() => importFhir(store, [bad, ...NKA])).toThrow(new RegExp(`${bad}:6: Patient/hm-amal: Patient.birthDate: Invalid date format`));
    expect(readFileSync(store).equals(before)).toBe(true);
  }, 60_000);

  it('with --skip-invalid imports the rest and lists what it skipped and why (a reference to nothing)', () => {
    const store = join(dir, 'skip.sqlite');
    const report = importFhir(store, [HANDMADE, NKA[2]!, join(FIXTURES, 'ips-examples/Flag-546482.json')], { skipInvalid: true, now: NOW });
    expect(report.invalid).toEqual([{ file: join(FIXTURES, 'ips-examples/Flag-546482.json'), line: 1, resourceType: 'Flag', id: '546482',
      problem: expect.stringMatching(/Flag.subject "Patient\/.*" is a reference to nothing in the input/) }]);
    expect(report.patients.written).toBe(4);
  }, 60_000);

  it('refuses a resource of another FHIR version', () => {
    const r5 = join(dir, 'r5.json');
    writeFileSync(r5, JSON.stringify({ resourceType: 'ActorDefinition', id: 'x', status: 'active' }));
    expect(() => importFhir(join(dir, 'r5.sqlite'), [r5])).toThrow(/r5\.json:1: ActorDefinition\/x: resourceType "ActorDefinition" is not an R4 resource/);
  }, 60_000);
});

describe('paperchart import', () => {
  it('--dry-run counts what would be written and writes nothing; --report and --json give the report', async () => {
    const store = join(dir, 'cli.sqlite');
    const dry = await runCli('import', '--db', store, '--dry-run', HANDMADE);
    expect(dry.code, dry.err).toBe(0);
    expect(dry.out).toMatch(/^import \(dry run, nothing written\): 4 patients \(4 would be written, 0 unchanged\); imported .*Appointment 2.*; not mapped Flag 1, Patient 1/);
    expect(existsSync(store)).toBe(false);
    const reportFile = join(dir, 'report.json');
    const real = await runCli('import', '--db', store, '--report', reportFile, '--json', HANDMADE);
    expect(real.code, real.err).toBe(0);
    const printed = JSON.parse(real.out);
    expect(printed.patients).toEqual({ imported: 4, written: 4, unchanged: 0 });
    expect(JSON.parse(readFileSync(reportFile, 'utf8'))).toEqual(printed);
    const again = await runCli('import', '--db', store, HANDMADE);
    expect(again.out).toMatch(/4 patients \(0 written, 4 unchanged\)/);
  }, 120_000);
});
