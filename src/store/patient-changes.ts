import type { Db } from './open-store.js';

/**
 * When the store last changed a patient's data, deletions included
 * (`patient_changes`, kept by the schema's triggers: docs/SCHEMA.md), or
 * undefined when the store has never held the patient; the statement is prepared once.
 */
export function changeLogOf(db: Db): (patientId: string) => string | undefined {
  const stmt = db.prepare('SELECT changed_at FROM patient_changes WHERE patient_id = ?').pluck();
  return (patientId) => stmt.get(patientId) as string | undefined;
}

/**
 * Logs every patient of a store just written as changed at `at`, in place of
 * the time the rows were written: a synthetic clinic is "as of" its own time,
 * so that the same seed gives the same store.
 */
export function backdateChanges(db: Db, at: string): void {
  db.prepare('UPDATE patient_changes SET changed_at = ?').run(at);
}

/**
 * The patients the store changed at or after `since` (UTC, seconds), from the change log (issue 28: what a
 * supplement prints): those it still holds, and those it deleted; and the ids of every patient it holds.
 */
export function readChangesSince(db: Db, since: string): { changed: string[]; deleted: string[]; all: string[] } {
  const rows = db.prepare(`SELECT c.patient_id AS id, p.id IS NOT NULL AS present FROM patient_changes c LEFT JOIN patients p ON p.id = c.patient_id
    WHERE c.changed_at >= ?`).all(since) as { id: string; present: number }[];
  const all = db.prepare('SELECT id FROM patients').pluck().all() as string[];
  return { changed: rows.filter((r) => r.present).map((r) => r.id), deleted: rows.filter((r) => !r.present).map((r) => r.id), all };
}
