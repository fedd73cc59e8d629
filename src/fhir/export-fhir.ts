// paperchart export --fhir: each patient's record as an IPS document Bundle, checked against R4 and IPS, one file per patient.
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Bundle } from '@medplum/fhirtypes';
import { FhirExportError, OutputNotWritableError } from '../errors.js';
import { openStore } from '../store/open-store.js';
import { readInSnapshot, readMeta, readPatientSummaries, RecordReader } from '../store/read-records.js';
import { ipsBundle } from './ips-bundle.js';
import { ipsProblems } from './ips-checks.js';
import { validateR4 } from './validate-fhir.js';
import { writeWholeFile } from './_write-file.js';

export interface FhirExportOptions {
  /** Export this patient only. */
  patientId?: string;
}

/** A file name for a patient id: letters, digits, `.`, `-` and `_` kept, anything else `_`. */
export const bundleFileName = (patientId: string): string => `${patientId.replace(/[^A-Za-z0-9._-]/g, '_')}.ips.json`;

/**
 * The R4 and IPS problems of a Bundle: every resource validated by Medplum (the Composition excepted:
 * Medplum refuses the IPS guide's own valid ones) and the IPS checks of ips-checks.ts.
 */
export function bundleProblems(bundle: Bundle): string[] {
  const r4 = (bundle.entry ?? []).filter((e) => e.resource && e.resource.resourceType !== 'Composition')
    .flatMap((e) => validateR4(e.resource!).map((p) => `${e.resource!.resourceType}/${e.resource!.id}: ${p}`));
  return [...r4, ...ipsProblems(bundle)];
}

/**
 * Writes one IPS document Bundle per patient of the store at `dbPath` (or the one patient asked for) into
 * `outDir` (made when missing), each file whole or not at all, all from one read snapshot. Each Bundle is
 * checked first; one that fails is a FhirExportError naming the patient and the problem, and nothing more is written.
 * @throws store open errors; PatientNotFoundError; OutputNotWritableError; FhirExportError
 */
export async function exportFhir(dbPath: string, outDir: string, options: FhirExportOptions = {}): Promise<{ patients: number; files: string[] }> {
  try { mkdirSync(outDir, { recursive: true }); } catch (e) {
    throw new OutputNotWritableError(outDir, (e as { code?: string }).code ?? (e as Error).message);
  }
  if (!statSync(outDir).isDirectory()) throw new OutputNotWritableError(outDir, 'EEXIST');
  const db = openStore(dbPath);
  try {
    return await readInSnapshot(db, () => {
      const zone = readMeta(db).timezone ?? 'UTC';
      const reader = new RecordReader(db);
      const ids = options.patientId !== undefined ? [options.patientId] : readPatientSummaries(db).map((p) => p.id);
      const files: string[] = [];
      for (const id of ids) {
        const bundle = ipsBundle(reader.read(id), zone);
        const problems = bundleProblems(bundle);
        if (problems.length) throw new FhirExportError(id, problems.slice(0, 3).join('; '));
        const file = join(outDir, bundleFileName(id));
        writeWholeFile(file, `${JSON.stringify(bundle, null, 1)}\n`);
        files.push(file);
      }
      return { patients: ids.length, files };
    });
  } finally {
    db.close();
  }
}
