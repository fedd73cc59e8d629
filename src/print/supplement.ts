// A supplement (issue 28): the patients whose records changed since an earlier run of the same binder, with a
// replace-and-shred sheet that says, for a person with the binder open, which earlier pages each replaces.
import type { ManifestSupplement } from '../codec/manifest.js';
import type { CoverSupplement } from '../layout/front-matter.js';
import { layoutReplaceSheet } from '../layout/supplement-pages.js';
import { label } from '../layout/template.js';
import type { Db } from '../store/open-store.js';
import { readLatestChange, readLatestChangeOf } from '../store/read-records.js';
import type { FrontSection, PrintRun } from './print-binder.js';

/** A printed run of the binder's chain: its full print (the base) or one of its supplements. */
export interface ChainRun { runId: string; printedAt: string; kind: 'binder' | 'supplement' }

/** Where a patient's pages are now in the binder as filed: the run that printed them and its pages (null: not recorded), and their volume in a binder printed in volumes. */
export interface FiledPages { run: ChainRun; pages: { first: number; last: number; volume?: number } | null }

/** What a supplement prints, decided from the run register and the store's change log before drawing. */
export interface SupplementPlan {
  /** The newest run of the chain, which this supplement follows, and the chain's full print. */
  of: ChainRun;
  base: ChainRun;
  /** The run whose data changes are counted from (`--since`), and the time they are counted from (UTC). */
  since: ChainRun;
  sinceTime: string;
  /** The patients printed, by id, and where each one's current pages are filed (absent: a new patient). */
  changed: string[];
  filed: Record<string, FiledPages>;
  /** Patients of the binder as filed that the store no longer holds: their pages are pulled. */
  removed: { id: string; name: string; mrn: string; filed: FiledPages }[];
  /** The chain's earlier supplements, each with the patients whose current pages it holds and this one does not reprint. */
  earlier: { run: ChainRun; ids: string[] }[];
  /** Every patient printed in the chain that the store no longer holds: a restore must not bring them back from older pages. */
  removedSinceBase: string[];
  /** The `--since` run's "data as of" (the register's): no patient left out of this supplement changed after it. */
  sinceDataAsOf?: string | null;
}

/**
 * A supplement's "data as of": the latest change of the patients it prints, or of the `--since` run's data, which
 * every patient it leaves out is as of (none of them changed since). The figure a scan of the whole store gives
 * (readLatestChange), unless the latest change was to a patient deleted since, without scanning every table.
 */
export function supplementDataAsOf(db: Db, plan: SupplementPlan): string | null {
  if (!plan.sinceDataAsOf) return readLatestChange(db);
  const changed = readLatestChangeOf(db, plan.changed);
  return changed !== null && changed > plan.sinceDataAsOf ? changed : plan.sinceDataAsOf;
}

/** FORMAT §11.4: what a supplement's manifest says of its chain. */
export function manifestSupplement(plan: SupplementPlan): ManifestSupplement {
  return { of: plan.of.runId, base: plan.base.runId, removed: [...plan.removedSinceBase].sort(),
    earlier: Object.fromEntries(plan.earlier.map((e) => [e.run.runId, [...e.ids].sort()])) };
}

/** A supplement's front matter (issue 28): its replace-and-shred sheet, after the cover sheet. */
export function replaceSheet(run: PrintRun, plan: SupplementPlan, firstPage: (patient: number) => number, lastPage: (patient: number) => number): FrontSection {
  const { patients } = run;
  const pull = (f: SupplementPlan['filed'][string] | undefined): Parameters<typeof layoutReplaceSheet>[0]['lines'][number]['pull'] =>
    f ? { kind: f.run.kind, printedAt: f.run.printedAt, pages: f.pages } : null;
  const lines = patients.ids.map((id, i) => ({ name: patients.findableName(i), mrn: patients.mrn(i), pull: pull(plan.filed[id]), now: { first: firstPage(i), last: lastPage(i) } }));
  const removed = plan.removed.map((r) => ({ name: r.name, mrn: r.mrn, pull: pull(r.filed), now: null }));
  return { title: label(run.options.template, 'sheet_title'), bookmark: true,
    layout: (onPage) => layoutReplaceSheet({ timeZone: run.timeZone, lines, removed }, run.ctx, onPage) };
}

/** What the supplement's cover says of it: counts of changed, added and removed patients, and its sheet's page. */
export function coverSupplement(plan: SupplementPlan, sheetPage: number): CoverSupplement {
  const added = plan.changed.filter((id) => !plan.filed[id]).length;
  return { of: plan.of, base: plan.base, since: plan.since, changed: plan.changed.length - added, added, removed: plan.removed.length, sheetPage };
}
