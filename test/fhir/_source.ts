// Reads the FHIR fixtures as plain JSON, independently of src/fhir, so tests count what the source holds.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURES = fileURLToPath(new URL('../fixtures/fhir/', import.meta.url));
export const BULK = join(FIXTURES, 'synthea-bulk-ndjson-10');
export const BUNDLES = join(FIXTURES, 'synthea-r4-bundles');
export const bundleFiles = (): string[] => readdirSync(BUNDLES).filter((f) => f.endsWith('.json')).sort().map((f) => join(BUNDLES, f));

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export function bulkResources(): Json[] {
  return readdirSync(BULK).filter((f) => /^[A-Z].*\.ndjson$/.test(f)).sort()
    .flatMap((f) => readFileSync(join(BULK, f), 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Json));
}

export function bundleResources(): Json[] {
  return bundleFiles().flatMap((f) => (JSON.parse(readFileSync(f, 'utf8')) as Json).entry.map((e: Json) => e.resource));
}

/** The patient id a resource names: subject, patient or beneficiary, by `Patient/id` or `urn:uuid:id`. */
export function patientOf(r: Json): string | undefined {
  const ref: string | undefined = (r.subject ?? r.patient ?? r.beneficiary)?.reference;
  return ref?.replace(/^Patient\//, '').replace(/^urn:uuid:/, '');
}

const code = (c: Json): string | undefined => c?.coding?.[0]?.code;

/** Per patient, what the source holds of each kind the store keeps, by the definitions. */
export function sourceCounts(resources: Json[]): Map<string, Record<string, number>> {
  const counts = new Map<string, Record<string, number>>();
  for (const r of resources) if (r.resourceType === 'Patient') counts.set(r.id, { allergies: 0, activeMedications: 0, activeProblems: 0, immunizations: 0, observations: 0, encounters: 0 });
  const add = (r: Json, key: string): void => { counts.get(patientOf(r)!)![key]!++; };
  for (const r of resources) {
    switch (r.resourceType) {
      case 'AllergyIntolerance': add(r, 'allergies'); break;
      case 'MedicationRequest': if (r.status === 'active') add(r, 'activeMedications'); break;
      case 'Condition': if (['active', 'recurrence', 'relapse'].includes(code(r.clinicalStatus)!)) add(r, 'activeProblems'); break;
      case 'Immunization': if (r.status === 'completed') add(r, 'immunizations'); break;
      case 'Observation': {
        const cats = (r.category ?? []).flatMap((c: Json) => c.coding.map((x: Json) => x.code));
        if (cats.includes('vital-signs') || cats.includes('laboratory')) add(r, 'observations');
        break;
      }
      case 'Encounter': add(r, 'encounters'); break;
      default: break;
    }
  }
  return counts;
}
