// A supplement (issue 28): the patients whose records changed since an earlier run of the same binder, with a
// replace-and-shred sheet that says, for a person with the binder open, which earlier pages each replaces.
import type { ManifestSupplement } from '../codec/manifest.js';

/** A printed run of the binder's chain: its full print (the base) or one of its supplements. */
export interface ChainRun { runId: string; printedAt: string; kind: 'binder' | 'supplement' }

/** Where a patient's pages are now in the binder as filed: the run that printed them and its pages (null: not recorded). */
export interface FiledPages { run: ChainRun; pages: { first: number; last: number } | null }

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
}

/** FORMAT §11.4: what a supplement's manifest says of its chain. */
export function manifestSupplement(plan: SupplementPlan): ManifestSupplement {
  return { of: plan.of.runId, base: plan.base.runId, removed: [...plan.removedSinceBase].sort(),
    earlier: Object.fromEntries(plan.earlier.map((e) => [e.run.runId, [...e.ids].sort()])) };
}
