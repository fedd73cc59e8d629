// A restore of a binder and its supplements (issue 28, FORMAT §11.4): each patient from the newest run that holds
// them (planFromPaper), less the patients a supplement says the records no longer hold, and said plainly when a
// supplement of the chain was not read, so that an older page is never taken for the current one unnoticed.
import type { PaperPlan } from './plan-restore.js';
import { printedAtOfRunId } from '../codec/run-id.js';

/** The plan, with the chain's removals applied and its gaps named. */
export function applySupplementChain(plan: PaperPlan): PaperPlan {
  const supplements = plan.manifests.filter((m) => m.supplement !== undefined).sort((a, b) => (a.printedAt < b.printedAt ? -1 : 1));
  if (supplements.length === 0) return plan;
  const read = new Set(plan.manifests.map((m) => m.runId));
  // A patient removed from the records before a supplement was printed: pages printed before it do not bring them back.
  const removedAt = new Map<string, { runId: string; printedAt: string }>();
  for (const m of supplements) for (const id of m.supplement!.removed) removedAt.set(id, { runId: m.runId, printedAt: m.printedAt });
  const gone = (id: string, printedAt: string): boolean => { const r = removedAt.get(id); return r !== undefined && printedAt < r.printedAt; };
  const records = plan.records.filter((r) => !gone(r.patientId, r.printedAt));
  const dropped = plan.records.length - records.length;
  const outcomes = new Map([...plan.outcomes].filter(([id, o]) => !(o.status === 'missing' && o.runId !== undefined && removedAt.has(id)
    && gone(id, plan.manifests.find((m) => m.runId === o.runId)?.printedAt ?? ''))));
  const notes = [...plan.notes];
  if (dropped > 0 || outcomes.size < plan.outcomes.size) {
    notes.push(`${dropped + plan.outcomes.size - outcomes.size} patient(s) removed from the records before a supplement was printed (runs ${[...new Set([...removedAt.values()].map((r) => r.runId))].join(', ')}) were not restored`);
  }
  const otherRuns = new Map(plan.otherRuns);
  const chosen = new Map(records.map((r) => [r.patientId, r]));
  const newest = supplements[supplements.length - 1]!;
  if (!read.has(newest.supplement!.base)) notes.push(`the full binder of run ${newest.supplement!.base}, which supplement ${newest.runId} follows, was not read: only the patients of the runs read are restored`);
  for (const m of supplements) {
    for (const [runId, ids] of Object.entries(m.supplement!.earlier)) {
      if (read.has(runId)) continue;
      const older = ids.filter((id) => chosen.has(id) && chosen.get(id)!.printedAt < printedAtOfRunId(runId));
      const none = ids.filter((id) => !chosen.has(id)).length;
      notes.push(`supplement run ${runId} (named by supplement ${m.runId}) was not read: ${older.length} of its ${ids.length} patient(s) were restored from older pages${older.length ? ` (${older.slice(0, 10).join(', ')}${older.length > 10 ? ', …' : ''})` : ''}` +
        `${none ? `, ${none} not at all` : ''}; scan it too`);
      for (const id of older) {
        otherRuns.set(id, `${otherRuns.get(id) ?? ''}; OLDER than the binder as filed: its newer pages are in supplement run ${runId}, which was not read`);
      }
      // In the chain's current view with no record read at all (a patient new in that supplement): missing.
      for (const id of ids) {
        if (chosen.has(id) || outcomes.has(id) || gone(id, m.printedAt)) continue;
        outcomes.set(id, { patientId: id, status: 'missing', runId, detail: `its current pages are in supplement run ${runId} (named by supplement ${m.runId}), which was not read` });
      }
    }
  }
  return { ...plan, records, outcomes, notes, otherRuns };
}
