// The missing line's word on cross parity (FORMAT §17): what to scan so that a patient whose codes were not read is
// rebuilt from its group's X codes. Told from the X codes read: the manifest does not list the groups, and which
// patients a group holds follows from the records' lengths, so the paper not read cannot say it.
import type { CrossParity } from '../codec/cross-parity.js';
import type { ManifestEntry } from '../codec/manifest.js';
import type { PatientOutcome } from './restore-report.js';

const notRestored = (o: PatientOutcome | undefined): boolean => o?.status === 'missing' || o?.status === 'incomplete';

/** Appends to each missing patient's detail what would rebuild it from its group's parity codes (the others of its group not restored, missing or incomplete, named). */
export function addParityAdvice(outcomes: Map<string, PatientOutcome>, parities: readonly CrossParity[],
  entryOf: (runId: string, id: string) => ManifestEntry | undefined): void {
  for (const o of outcomes.values()) {
    const runId = o.runId;
    // A missing one only: an incomplete one's line already names the pages of its codes not read, which restore it.
    if (o.status !== 'missing' || runId === undefined) continue;
    const group = parities.find((g) => g.runId === runId && g.members.some((m) => m.patientId === o.patientId));
    if (group) {
      // Read, yet not rebuilt: another member is not restored either (a rebuild that failed says why already).
      const others = group.members.filter((m) => m.patientId !== o.patientId && outcomes.get(m.patientId)?.runId === runId && notRestored(outcomes.get(m.patientId)))
        .map((m) => m.patientId);
      if (others.length) o.detail += `; its group's parity codes were read, but ${others.length === 1 ? `patient ${others[0]}` : `patients ${others.join(', ')}`} of that group ${others.length === 1 ? 'is' : 'are'} not restored either: once every one of them but one is read, the parity codes rebuild the last`;
      continue;
    }
    const entry = entryOf(runId, o.patientId);
    const page = entry?.pages[0];
    if (page === undefined) continue;
    const where = `${entry!.volume !== undefined ? `Vol ${entry!.volume} · ` : ''}page ${page}`;
    const read = parities.some((g) => g.runId === runId) ? 'its group\'s parity codes were not read' : `no parity codes of run ${runId} were read`;
    o.detail += `; ${read}: scan the parity page headed "Parity codes for binder pages N–M" whose N–M takes in ${where} (it follows the group); it rebuilds this patient if no other patient of its group is missing`;
  }
}
