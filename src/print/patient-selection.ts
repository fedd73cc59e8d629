// A partial binder's patients (issue 28): a list of ids or record numbers (a care team's panel), the patients
// booked in the coming days (the week's clinic), or both.
import { readFileSync, statSync } from 'node:fs';
import { PatientSelectionError, fileProblem } from '../errors.js';
import type { Db } from '../store/open-store.js';
import { readPatientSummaries, readScheduledVisits } from '../store/read-records.js';
import type { ManifestSelection } from '../codec/manifest.js';
import { addDays } from '../layout/format.js';

/** How a partial binder's patients are chosen; both given, a patient chosen either way is printed. */
export interface PatientSelection {
  /** `--patients FILE`: the file's name (for the cover) and its lines, each a patient id or a record number. */
  list?: { file: string; lines: string[] };
  /** `--scheduled-within DAYS`: patients with a booked appointment from the print's day through DAYS - 1 days after. */
  scheduledWithinDays?: number;
}

/** The most lines a list may have: a panel, not a clinic (a full binder needs no list). */
const MAX_LIST_LINES = 1_000_000;

/**
 * Reads a `--patients` file: one patient id or record number a line; blank lines and lines starting with `#`
 * are skipped, spaces around a line trimmed.
 * @throws PatientSelectionError when the file cannot be read or holds no line
 */
export function readPatientList(file: string): PatientSelection['list'] {
  let text: string;
  try {
    if (!statSync(file).isFile()) throw new PatientSelectionError(`--patients ${file} is not a file`, 'name a text file with one patient id or MRN a line');
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof PatientSelectionError) throw e;
    throw new PatientSelectionError(`--patients ${file} cannot be read (${fileProblem(e)})`, 'name a text file with one patient id or MRN a line');
  }
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  if (lines.length === 0) throw new PatientSelectionError(`--patients ${file} lists no patient`, 'put one patient id or MRN on each line');
  if (lines.length > MAX_LIST_LINES) throw new PatientSelectionError(`--patients ${file} has ${lines.length} lines, over ${MAX_LIST_LINES}`, 'print the whole clinic without --patients');
  return { file, lines };
}

/** The chosen patients' ids, and the manifest's words for how they were chosen. */
export interface ResolvedSelection { ids: Set<string>; manifest: ManifestSelection }

/**
 * The patients a selection chooses, by id first and record number second. A line that names no patient of
 * the store is refused, naming it: a typo must not leave someone out of the week's binder unnoticed.
 * @throws PatientSelectionError for an unknown line or a selection that chooses no one
 */
export function resolveSelection(db: Db, selection: PatientSelection, today: string): ResolvedSelection {
  const ids = new Set<string>();
  const manifest: ManifestSelection = { by: [] };
  if (selection.list) {
    const summaries = readPatientSummaries(db);
    const byId = new Set(summaries.map((s) => s.id));
    const byMrn = new Map(summaries.map((s) => [s.mrn, s.id]));
    const unknown: string[] = [];
    for (const line of selection.list.lines) {
      const id = byId.has(line) ? line : byMrn.get(line);
      if (id === undefined) unknown.push(line); else ids.add(id);
    }
    if (unknown.length) {
      throw new PatientSelectionError(`--patients ${selection.list.file}: ${unknown.length} line(s) name no patient of the store: ${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? ', …' : ''}`,
        'correct or remove those lines (one patient id or MRN a line)');
    }
    manifest.by.push('list');
    manifest.list_file = selection.list.file;
  }
  if (selection.scheduledWithinDays !== undefined) {
    const until = addDays(today, selection.scheduledWithinDays - 1);
    for (const v of readScheduledVisits(db, today, until)) ids.add(v.patient_id);
    manifest.by.push('scheduled');
    manifest.scheduled_from = today;
    manifest.scheduled_until = until;
  }
  if (ids.size === 0) throw new PatientSelectionError('the selection chooses no patient: no appointment is booked in those days', 'widen --scheduled-within, or name the patients with --patients FILE');
  return { ids, manifest };
}
