import type { Db } from './open-store.js';
import type { PatientSummary } from './read-records.js';

/** What the index and the schedule show of a patient: the summary, preferred name, phone, and a Latin alias where the store has one. */
export interface FrontMatterFacts extends PatientSummary {
  preferred_name: string | null;
  phone: string | null;
  family_name_latin: string | null;
  given_names_latin: string | null;
  /** The patient's language: a Japanese name prints in Japanese glyph forms (text/han-language.ts). */
  language: string | null;
}

/** Optional columns a store may have (schema versions from 3): read when present, null otherwise. */
const LATIN_COLUMNS = ['family_name_latin', 'given_names_latin'] as const;

/**
 * Every patient's front-matter facts in one query, in id order; `only`: those patients alone, looked up by id
 * (a supplement's 100 of 10,000 patients: the whole table read took 70-100 ms of its start, measured).
 * The Latin alias columns are null on a store without them.
 */
export function readFrontMatterFacts(db: Db, only?: ReadonlySet<string>): FrontMatterFacts[] {
  const columns = new Set((db.prepare('PRAGMA table_info(patients)').all() as { name: string }[]).map((c) => c.name));
  const latin = LATIN_COLUMNS.map((c) => (columns.has(c) ? c : `NULL AS ${c}`)).join(', ');
  const where = only ? 'WHERE id IN (SELECT value FROM json_each(?))' : '';
  const rows = db.prepare(`SELECT id, mrn, family_name, given_names, birth_date, preferred_name, phone, ${latin}, language FROM patients ${where} ORDER BY id`);
  return (only ? rows.all(JSON.stringify([...only])) : rows.all()) as FrontMatterFacts[];
}

/** An appointment of the schedule, booked or cancelled, with who it is for. */
export interface ScheduleVisit {
  starts_at: string;
  provider: string | null;
  reason: string | null;
  status: 'booked' | 'cancelled';
  patient_id: string;
}

/** Appointments, booked and cancelled, starting on days `from` .. `until` (inclusive, YYYY-MM-DD, the clinic's wall time), in time order. */
export function readScheduleVisits(db: Db, from: string, until: string): ScheduleVisit[] {
  return db.prepare(`SELECT starts_at, provider, reason, status, patient_id FROM appointments
    WHERE starts_at >= ? AND starts_at < ? ORDER BY starts_at, patient_id, id`)
    .all(from, `${until}T99`) as ScheduleVisit[];
}
