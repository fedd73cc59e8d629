import type { Encounter, PatientRecord } from '../../src/record/record.js';
import { generateSampleClinic } from '../../src/sample/sample-clinic.js';

/**
 * A patient whose chart holds about `noteBytes` bytes (UTF-8) of SOAP notes:
 * `base` with its encounters replaced by one visit a day going back from
 * 2026-11-01, each carrying a note the sample clinic wrote (seeded, so the
 * same on every run). Notes from the sample generator rather than random or
 * repeated text, because how well the record compresses decides how many
 * codes it needs: measured, these notes deflate about 6.7 to 1, random text
 * barely at all and a repeated paragraph hundreds to 1.
 */
export function withNotes(base: PatientRecord, noteBytes: number): PatientRecord {
  const id = base.patient.id;
  const encounters: Encounter[] = [];
  let bytes = 0;
  const day = Date.UTC(2026, 10, 1);
  for (const donor of generateSampleClinic({ patients: 1_000_000, seed: 4, asOf: '2026-11-25T15:00:00Z' })) {
    for (const e of donor.encounters) {
      if (e.note === null) continue;
      const k = encounters.length;
      const date = new Date(day - k * 86_400_000).toISOString().slice(0, 10);
      encounters.push({
        ...e, id: `${id}-EN${String(k).padStart(5, '0')}`, patient_id: id,
        occurred_at: `${date}T${e.occurred_at.slice(11, 16)}`, updated_at: `${date}T18:00:00Z`,
      });
      bytes += Buffer.byteLength(e.note, 'utf8');
      if (bytes >= noteBytes) return { ...base, encounters };
    }
  }
  throw new RangeError(`the sample clinic ran out of notes before ${noteBytes} bytes`);
}
