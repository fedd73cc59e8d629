// `print --since RUN|last|DATE` (issue 28): which binder a supplement follows, found in the run register, and what
// it prints, from the store's change log and each earlier run's patient pages.
import { NothingChangedError, SupplementBaseError } from '../errors.js';
import { printedAtOfRunId, runIdFor } from '../codec/run-id.js';
import type { Db } from '../store/open-store.js';
import { readChangesSince } from '../store/patient-changes.js';
import type { ChainRun, FiledPages, SupplementPlan } from '../print/supplement.js';
import type { RunRegister, RunRow } from './run-register.js';

/** What a supplement row of the register keeps in its selection (JSON): its chain, and whom it printed and removed. */
interface SupplementWords { kind: 'supplement'; of: string; base: string; since: string; ids?: string[]; removed?: string[] }

const selectionOf = (r: RunRow): { kind?: string; base?: string; removed?: string[] } => {
  try { return r.selection ? JSON.parse(r.selection) as { kind?: string } : {}; } catch { return {}; }
};
const isFull = (r: RunRow): boolean => (selectionOf(r).kind ?? 'all') === 'all';
const isSupplementOf = (r: RunRow, base: string): boolean => {
  const { kind, base: of } = selectionOf(r);
  return kind === 'supplement' && of === base;
};

const chainRun = (r: RunRow): ChainRun => ({ runId: r.run_id, printedAt: printedAtOfRunId(r.run_id), kind: isFull(r) ? 'binder' : 'supplement' });

/** `--since` as typed: a day (its runs through its end, UTC), a UTC time, a run id, or "last". */
function sinceRun(since: string, chain: RunRow[], printedAt: string, storePath: string): RunRow {
  const list = `list the runs with \`paperchart runs --db ${storePath}\``;
  if (since === 'last') return chain[chain.length - 1]!;
  if (/^\d{14}$/.test(since)) {
    const run = chain.find((r) => r.run_id === since);
    if (!run) throw new SupplementBaseError(`--since ${since}: no complete run of the last full binder (${chain[0]!.run_id}) or its supplements has this id`, `${list}, or use --since last`);
    return run;
  }
  const m = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2})(:\d{2})?Z)?$/.exec(since);
  const at = !m ? '' : m[2] ? `${m[1]}T${m[2]}${m[3] ?? ':00'}Z` : `${m[1]}T23:59:59Z`;
  if (!m || Number.isNaN(Date.parse(at))) throw new SupplementBaseError(`--since ${since} is not a run id, "last" or a date`, `give a run id (14 digits), last, or a date YYYY-MM-DD or YYYY-MM-DDTHH:MMZ (UTC); ${list}`);
  if (`${m[1]}T00:00:00Z` > printedAt) throw new SupplementBaseError(`--since ${since} is in the future (the print time is ${printedAt})`, 'give a date on or after the last full print and not after today, or --since last');
  const run = [...chain].reverse().find((r) => printedAtOfRunId(r.run_id) <= at);
  if (!run) throw new SupplementBaseError(`--since ${since} is before the last full binder, printed ${printedAtOfRunId(chain[0]!.run_id)} (run ${chain[0]!.run_id})`, 'a supplement follows the last full binder: use a later date, or --since last');
  return run;
}

/**
 * The chain a supplement follows (the last complete full print of the store and its supplements since, by print
 * time), and what it prints: the patients the store changed since the `--since` run's start, those it holds that the
 * binder as filed does not (new), and those of the binder it no longer holds (removed).
 * @throws SupplementBaseError for an empty register, an unknown, partial or replaced run, a bad or future date; NothingChangedError
 */
export function planSupplement(register: RunRegister, db: Db, storePath: string, since: string, printedAt: string): { plan: SupplementPlan; words: SupplementWords } {
  const prints = register.completePrints(storePath).filter((r) => r.run_id < runIdFor(printedAt));
  const base = [...prints].reverse().find(isFull);
  if (!base) {
    throw new SupplementBaseError(`--since ${since}: the register ${register.path} holds no complete full print of ${storePath}`,
      'print the full binder first (paperchart print --db STORE --out binder.pdf); a supplement follows it');
  }
  const chain = [base, ...prints.filter((r) => r.run_id > base.run_id && isSupplementOf(r, base.run_id))];
  if (/^\d{14}$/.test(since) && !chain.some((r) => r.run_id === since) && prints.some((r) => r.run_id === since)) {
    const run = prints.find((r) => r.run_id === since)!;
    throw new SupplementBaseError(`--since ${since}: that run is ${isFull(run) ? `a full binder replaced by the full binder ${base.run_id}` : selectionOf(run).kind === 'supplement' ? `a supplement of an earlier full binder than ${base.run_id}` : 'a partial binder, which no supplement follows'}`,
      `use --since last (the binder ${base.run_id} and its supplements)`);
  }
  const from = sinceRun(since, chain, printedAt, storePath);
  const sinceTime = `${from.started_at.slice(0, 19)}Z`;
  const log = readChangesSince(db, sinceTime);
  const store = new Set(log.all);
  // The binder as filed: for each patient, the chain run that holds its newest pages, less those a supplement removed.
  // By id alone: a patient's pages, name and MRN are read only for the patients this supplement names (placementOf).
  const filedIn = new Map<string, number>();
  // Patients the chain ever printed that the store no longer holds.
  const gone = new Set<string>();
  let recorded = true;
  chain.forEach((r, i) => {
    const ids = register.patientIdsOf(r.seq);
    if (ids.length === 0 && (r.patients ?? 0) > 0) recorded = false;
    for (const id of ids) {
      filedIn.set(id, i);
      if (!store.has(id)) gone.add(id);
    }
    for (const id of selectionOf(r).removed ?? []) filedIn.delete(id);
  });
  const filed = (id: string): (FiledPages & { name: string; mrn: string }) | undefined => {
    const i = filedIn.get(id);
    if (i === undefined) return undefined;
    const p = register.placementOf(chain[i]!.seq, id)!;
    return { run: chainRun(chain[i]!), pages: { first: p.first_page, last: p.last_page, ...(p.volume ? { volume: p.volume } : {}) }, name: p.name, mrn: p.mrn };
  };
  // Pages not recorded (a run registered before they were): the change log alone says who, and the sheet sends the person to the index.
  const changed = recorded ? [...new Set([...log.changed, ...log.all.filter((id) => !filedIn.has(id))])] : log.changed;
  const unknown = (_id: string): FiledPages => ({ run: chainRun(chain[chain.length - 1]!), pages: null });
  const removed = recorded
    ? [...filedIn.keys()].filter((id) => !store.has(id)).map((id) => { const f = filed(id)!; return { id, name: f.name, mrn: f.mrn, filed: { run: f.run, pages: f.pages } }; })
    : log.deleted.map((id) => ({ id, name: id, mrn: '—', filed: unknown(id) }));
  if (changed.length === 0 && removed.length === 0) throw new NothingChangedError(from.run_id);
  const filedOf: Record<string, FiledPages> = {};
  for (const id of changed) {
    const f = filed(id);
    if (f) filedOf[id] = { run: f.run, pages: f.pages }; else if (!recorded) filedOf[id] = unknown(id);
  }
  const reprinted = new Set(changed);
  const earlier = chain.slice(1).map((r, k) => ({ run: chainRun(r), ids: [...filedIn].filter(([id, i]) => i === k + 1 && !reprinted.has(id) && store.has(id)).map(([id]) => id) }));
  const removedSinceBase = [...new Set([...gone, ...log.deleted])];
  const plan: SupplementPlan = { of: chainRun(chain[chain.length - 1]!), base: chainRun(base), since: chainRun(from), sinceTime, changed: changed.sort(),
    filed: filedOf, removed, earlier, removedSinceBase, sinceDataAsOf: from.data_as_of };
  return { plan, words: { kind: 'supplement', of: plan.of.runId, base: base.run_id, since: from.run_id, removed: removed.map((r) => r.id).sort() } };
}
