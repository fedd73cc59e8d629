import type { Writable } from 'node:stream';
import { once } from 'node:events';
import type { Db } from './open-store.js';
import { readInSnapshot, readMeta, readPatientSummaries, RecordReader } from './read-records.js';
import { SCHEMA_VERSION } from './schema.js';
import { canonicalJson } from '../record/canonical-json.js';
import { compareCodePoints } from '../record/id-order.js';

export const EXPORT_FORMAT = 'paperchart-export';

export interface ExportOptions {
  /** Export one patient only; the document then has no clinic `meta`. */
  patientId?: string;
}

/**
 * Writes the store as one canonical JSON document: keys sorted, one patient
 * record per line, patients in id order (FORMAT §5.4: by code point), child rows in id order. Two stores
 * holding the same records give identical bytes. Streams patient by patient.
 * An unknown `patientId` is refused before the first byte is written.
 * @throws PatientNotFoundError when `patientId` names no patient;
 *   the stream's own error (EPIPE when its reader has gone) once `out` fails
 */
export async function exportRecords(db: Db, out: Writable, options: ExportOptions = {}): Promise<number> {
  const write = async (s: string): Promise<void> => {
    // A stream that failed (its reader closed the pipe) never drains: stop at once rather than wait forever.
    if (out.destroyed || out.errored) throw out.errored ?? new Error('the output was closed');
    if (!out.write(s)) await once(out, 'drain');
  };
  // One read transaction across the awaits: the export is one consistent snapshot.
  return readInSnapshot(db, async () => {
    // Sorted here, not by SQL: BINARY is code point order only in a UTF-8 store, and a UTF-16 one compares bytes.
    const ids = options.patientId !== undefined ? [options.patientId] : readPatientSummaries(db).map((p) => p.id).sort(compareCodePoints);
    const reader = new RecordReader(db);
    // Half a document on stdout would look like broken JSON, not like a refusal.
    if (options.patientId !== undefined) reader.read(options.patientId);
    const head: Record<string, unknown> = { format: EXPORT_FORMAT };
    if (options.patientId === undefined) head.meta = readMeta(db);
    // Keys sorted: format < meta < patients < schema_version.
    const opening = canonicalJson(head).slice(0, -1);
    await write(`${opening},"patients":[`);
    let n = 0;
    for (const id of ids) {
      await write(`${n === 0 ? '\n' : ',\n'}${canonicalJson(reader.read(id))}`);
      n++;
    }
    await write(`${n ? '\n' : ''}],"schema_version":${SCHEMA_VERSION}}\n`);
    return n;
  });
}
