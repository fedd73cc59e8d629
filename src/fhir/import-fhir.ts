// paperchart import: FHIR R4 inputs → checked, mapped, and written into the records store in one transaction.
import type { Resource } from '@medplum/fhirtypes';
import { FhirInputError } from '../errors.js';
import { CHILD_TABLES, dropEmptyOptional, type ChildTable, type PatientRecord } from '../record/record.js';
import { importIntoStore } from '../store/import-records.js';
import { BadResource, NotMapped, type Mapped, type MappingContext, type Row } from './_mapping.js';
import {
  mapAllergy, mapAppointment, mapCondition, mapDocumentReference, mapEncounter, mapImmunization, mapMedicationRequest,
  mapMedicationStatement, mapObservation, mapProcedure,
} from './map-clinical.js';
import { mapCoverage, mapFlag, mapPatient, mapRelatedPerson } from './map-patient.js';
import { readInputs, type SourcedResource } from './read-inputs.js';
import { ResourceIndex } from './resource-index.js';
import { utcStampOf } from './fhir-values.js';
import { checkR4Type, validateR4 } from './validate-fhir.js';
import { writeWholeFile } from './_write-file.js';

export interface ImportOptions {
  /** Map and check everything, count what would change, write nothing. */
  dryRun?: boolean;
  /** Skip an invalid resource (listed in the report) rather than stop the import. */
  skipInvalid?: boolean;
  /** The import's time (UTC, `YYYY-MM-DDTHH:MM:SSZ`): `updated_at` of a new or changed row without meta.lastUpdated. */
  now?: string;
  /** Also write the report, as JSON, to this file. */
  reportFile?: string;
}

/** A resource the import refused, where it was read and why. */
export interface InvalidResource { file: string; line: number; resourceType: string; id: string | null; problem: string }

/** What an import did: counts per resource type, and everything not mapped, with why. */
export interface ImportReport {
  dryRun: boolean;
  patients: { imported: number; written: number; unchanged: number };
  /** Resources mapped into the store, per type. */
  imported: Record<string, number>;
  /** Resources read only to name who or what a reference points at (Practitioner, Organization, …), per type. */
  referenceData: Record<string, number>;
  /** Resources, or parts of them, the store has no place for: per type and reason, counted. */
  notMapped: { resourceType: string; reason: string; count: number }[];
  /** Resources skipped as invalid (--skip-invalid). */
  invalid: InvalidResource[];
  /** Files of an input folder that are not Bulk resource files (a Bulk export's log). */
  ignoredFiles: string[];
}

type Mapper = (ctx: MappingContext, r: never) => Mapped[];

const MAPPERS: Readonly<Record<string, Mapper>> = {
  Patient: mapPatient, RelatedPerson: mapRelatedPerson, Coverage: mapCoverage, Flag: mapFlag,
  AllergyIntolerance: mapAllergy, Condition: mapCondition, MedicationRequest: mapMedicationRequest,
  MedicationStatement: mapMedicationStatement, Immunization: mapImmunization, Observation: mapObservation,
  Procedure: mapProcedure, Encounter: mapEncounter, DocumentReference: mapDocumentReference, Appointment: mapAppointment,
};

/** Resources that hold no patient data of their own, read to name a reference's target. */
const REFERENCE_DATA = new Set(['Practitioner', 'PractitionerRole', 'Organization', 'Location', 'Medication']);

/**
 * Imports FHIR R4 inputs (Bulk export folders or manifests, NDJSON files, Bundles, single resources) into
 * the store at `dbPath` (made when it does not exist), all in one transaction. Every patient named is put
 * in place whole: its record becomes what the input says (rows the input no longer has are removed), by
 * stable id, and a patient whose record would not change is not written at all.
 * @throws FhirInputError for bad input (named by file and line) unless skipInvalid; store open errors
 */
export function importFhir(dbPath: string, inputs: readonly string[], options: ImportOptions = {}): ImportReport {
  const read = readInputs(inputs);
  const report: ImportReport = { dryRun: !!options.dryRun, patients: { imported: 0, written: 0, unchanged: 0 },
    imported: {}, referenceData: {}, notMapped: [], invalid: [], ignoredFiles: read.ignoredFiles };
  const notMapped = new Map<string, number>();
  const skip = (s: SourcedResource, reason: string): void => {
    const key = `${s.resource.resourceType}\u0000${reason}`;
    notMapped.set(key, (notMapped.get(key) ?? 0) + 1);
  };
  const refuse = (s: SourcedResource, problem: string): void => {
    const r = s.resource;
    if (!options.skipInvalid) {
      throw new FhirInputError(s.file, s.line, `${r.resourceType}/${r.id ?? '(no id)'}: ${problem}`,
        'correct the export (or the resource), or pass --skip-invalid to import the rest and list it in the report');
    }
    report.invalid.push({ file: s.file, line: s.line, resourceType: r.resourceType, id: r.id ?? null, problem });
  };
  const usable = checkResources(read.resources, skip, refuse, report);
  const now = options.now ?? `${new Date().toISOString().slice(0, 19)}Z`;
  return importIntoStore(dbPath, !!options.dryRun, (target) => {
    const ctx: MappingContext = { zone: target.zone, index: new ResourceIndex(usable) };
    const mapped: { s: SourcedResource; m: Mapped }[] = [];
    for (const s of usable) {
      if (REFERENCE_DATA.has(s.resource.resourceType)) continue;
      try {
        for (const m of MAPPERS[s.resource.resourceType]!(ctx, s.resource as never)) mapped.push({ s, m });
        report.imported[s.resource.resourceType] = (report.imported[s.resource.resourceType] ?? 0) + 1;
      } catch (e) {
        if (e instanceof NotMapped) skip(s, e.reason);
        else if (e instanceof BadResource) refuse(s, e.detail);
        else throw e;
      }
    }
    const records = assembleRecords(mapped, skip, report);
    const { written, unchanged } = target.apply(records, now);
    report.patients = { imported: records.length, written: written.length, unchanged: unchanged.length };
    report.notMapped = [...notMapped].map(([k, count]) => {
      const [resourceType, reason] = k.split('\u0000') as [string, string];
      return { resourceType, reason, count };
    }).sort((a, b) => (a.resourceType + a.reason < b.resourceType + b.reason ? -1 : 1));
    return report;
  });
}

/**
 * importFhir, then the report written to `options.reportFile` when given (also after a dry run).
 * @throws as importFhir; OutputNotWritableError for the report file
 */
export function importFhirWithReport(dbPath: string, inputs: readonly string[], options: ImportOptions = {}): ImportReport {
  const report = importFhir(dbPath, inputs, options);
  if (options.reportFile !== undefined) writeWholeFile(options.reportFile, `${JSON.stringify(report, null, 2)}\n`);
  return report;
}

/** Sorts the input: reference data counted, types with no table reported, the rest checked against R4; a later copy of a resource wins. */
function checkResources(all: readonly SourcedResource[], skip: (s: SourcedResource, why: string) => void,
  refuse: (s: SourcedResource, why: string) => void, report: ImportReport): SourcedResource[] {
  const latest = new Map<string, SourcedResource>();
  for (const s of all) {
    const key = `${s.resource.resourceType}/${s.resource.id ?? s.fullUrl ?? `${s.file}:${s.line}`}`;
    const before = latest.get(key);
    // The same resource in two Bundles (a shared Organization) loses nothing; a differing earlier copy is reported.
    if (before && JSON.stringify(before.resource) !== JSON.stringify(s.resource)) skip(before, 'given again later in the input, differently: the later copy was imported');
    latest.set(key, s);
  }
  const usable: SourcedResource[] = [];
  for (const s of latest.values()) {
    const type = s.resource.resourceType;
    // Resources with no table are not validated (Medplum refuses the IPS guide's own Compositions), but a type R4 lacks is bad input.
    const problems = MAPPERS[type] || REFERENCE_DATA.has(type) ? validateR4(s.resource) : checkR4Type(s.resource);
    if (problems.length) { refuse(s, problems.slice(0, 3).join('; ')); continue; }
    if (REFERENCE_DATA.has(type)) { report.referenceData[type] = (report.referenceData[type] ?? 0) + 1; usable.push(s); continue; }
    if (!MAPPERS[type]) { skip(s, type === 'Bundle' ? 'a Bundle inside the input (not read)' : 'the store has no table for it'); continue; }
    usable.push(s);
  }
  return usable;
}

const PATIENT_DEFAULTS: Row = {
  preferred_name: null, language: null, address_line: null, city: null, region: null, postal_code: null, country: null,
  phone: null, email: null, primary_provider: null, pharmacy_name: null, pharmacy_phone: null, pharmacy_address: null,
  code_status: null, advance_directive: null, family_name_latin: null, given_names_latin: null,
};

/** The mapped pieces → one whole record per patient: rows stamped and sorted by id, notes on their encounters, the allergy status. */
function assembleRecords(mapped: readonly { s: SourcedResource; m: Mapped }[], skip: (s: SourcedResource, why: string) => void,
  report: ImportReport): PatientRecord[] {
  const records = new Map<string, PatientRecord>();
  const facts = new Map<string, Row>();
  for (const { s, m } of mapped) {
    if (m.kind !== 'patient-fact') continue;
    if (m.note) { skip(s, m.note); continue; }
    facts.set(m.patientId, { ...facts.get(m.patientId), ...m.facts });
    if (s.resource.resourceType === 'Patient') {
      const stamp = utcStampOf(s.resource.meta?.lastUpdated) ?? '';
      const record = { patient: { ...PATIENT_DEFAULTS, updated_at: stamp } } as unknown as PatientRecord;
      for (const t of CHILD_TABLES) (record as unknown as Record<ChildTable, Row[]>)[t] = [];
      records.set(m.patientId, record);
    }
  }
  const encounters = new Map<string, Row>();
  for (const { s, m } of mapped) {
    if (m.kind !== 'row') continue;
    const record = records.get(m.patientId);
    if (!record) { skip(s, 'its Patient was refused as invalid'); continue; }
    const row: Row = { ...m.row, patient_id: m.patientId, updated_at: utcStampOf(s.resource.meta?.lastUpdated) ?? '' };
    (record[m.table] as unknown as Row[]).push(row);
    if (m.table === 'encounters') encounters.set(row.id as string, row);
  }
  for (const { s, m } of mapped) {
    if (m.kind !== 'note') continue;
    const enc = encounters.get(m.encounterId);
    if (!enc || enc.patient_id !== m.patientId) { skip(s, 'DocumentReference of an encounter not imported'); report.imported.DocumentReference!--; continue; }
    enc.note = enc.note ? `${enc.note as string}\n\n${m.text}` : m.text;
  }
  for (const [id, record] of records) {
    const f = facts.get(id) ?? {};
    Object.assign(record.patient, f);
    record.patient.allergy_status = record.allergies.length ? 'listed' : f.allergy_status === 'none' ? 'none' : 'unknown';
    dropEmptyOptional('patients', record.patient as unknown as Row);
    for (const t of CHILD_TABLES) {
      const rows = record[t] as unknown as Row[];
      rows.sort((a, b) => ((a.id as string) < (b.id as string) ? -1 : 1));
      for (const row of rows) dropEmptyOptional(t, row);
    }
  }
  return [...records.values()].sort((a, b) => (a.patient.id < b.patient.id ? -1 : 1));
}

/** One line for a person: patients, then what was imported per type, then what was not. */
export function importSummary(r: ImportReport): string {
  const list = (o: Record<string, number>): string => Object.entries(o).sort().map(([k, v]) => `${k} ${v}`).join(', ') || 'nothing';
  const notMapped: Record<string, number> = {};
  for (const n of r.notMapped) notMapped[n.resourceType] = (notMapped[n.resourceType] ?? 0) + n.count;
  return `${r.dryRun ? 'import (dry run, nothing written)' : 'import'}: ${r.patients.imported} patients ` +
    `(${r.patients.written} ${r.dryRun ? 'would be written' : 'written'}, ${r.patients.unchanged} unchanged); imported ${list(r.imported)}` +
    `; not mapped ${list(notMapped)}${r.invalid.length ? `; ${r.invalid.length} invalid skipped` : ''}`;
}
