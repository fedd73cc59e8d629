/**
 * Test helper: the records system's changes after a print, as a supplement test makes them: patients edited (their
 * phone), one deleted (its rows with it), and a new one, NEW_PATIENT, copied from another; all at `at`. Then waits past
 * the second, since the change log counts in whole seconds and a change in the second a run starts counts as after it.
 */
import Database from 'better-sqlite3';

export const NEW_PATIENT = { id: 'PNEW01', mrn: '99990001', family_name: 'Aaronson' } as const;

export async function changePatients(store: string, c: { edited: readonly string[]; deleted: string; copyOf: string; at: string }): Promise<void> {
  const db = new Database(store);
  try {
    for (const id of c.edited) db.prepare("UPDATE patients SET phone = '555-0100', updated_at = ? WHERE id = ?").run(c.at, id);
    db.pragma('foreign_keys = ON');
    db.prepare('DELETE FROM patients WHERE id = ?').run(c.deleted);
    const row = db.prepare('SELECT * FROM patients WHERE id = ?').get(c.copyOf) as Record<string, unknown>;
    Object.assign(row, { ...NEW_PATIENT, updated_at: c.at });
    db.prepare(`INSERT INTO patients (${Object.keys(row).join(', ')}) VALUES (${Object.keys(row).map((k) => `@${k}`).join(', ')})`).run(row);
  } finally {
    db.close();
  }
  await new Promise((r) => setTimeout(r, 1_100));
}
