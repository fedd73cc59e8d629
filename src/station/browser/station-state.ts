// What the scan station knows: the code texts read (each once), grouped into documents by the codec's own
// FrameGrouper, the run's manifest once its codes are in, and per patient what is in, missing, and checked.
import { decodeFrame, type Frame } from '../../codec/frame.js';
import { FrameGrouper, type FrameGroup } from '../../codec/record-codec.js';
import { checkDocument, codeNeed, type SignatureCheck } from './check-document.js';

/** What one code read meant, for the sound and the flash. */
export type ReadEvent =
  | { kind: 'new'; frame: Frame }
  | { kind: 'repeat'; frame: Frame }
  | { kind: 'other-run'; frame: Frame }
  /** A cross-sheet parity code (PC1:X:…): kept and saved for restore, which uses it; the page does not read it. */
  | { kind: 'cross-sheet'; fresh: boolean }
  | { kind: 'not-ours' };

export interface ManifestPatient { id: string; codes: number; pages: number[] }
export interface StationManifest { runId: string; printedAt: string; patients: ManifestPatient[] }

/** One patient as the page lists it. */
export interface PatientView {
  id: string;
  runId: string;
  status: 'not started' | 'incomplete' | 'complete' | 'failed';
  codesIn: number;
  total: number | null;
  needed: number | null;
  /** Missing code ranges and the binder pages holding them, e.g. "7–12 (page 44)". */
  missing: string[];
  name: string | null;
  mrn: string | null;
  signature: SignatureCheck | null;
  problem: string | null;
}

interface Checked { name: string | null; mrn: string | null; signature: SignatureCheck; problem: string | null }

/** The header of a cross-sheet parity frame, whose layout is restore's business (FORMAT.md). */
const CROSS_SHEET = 'PC1:X:';

const groupKey = (f: Frame): string => [f.kind, f.runId, f.patientId ?? '', f.digestPrefix, f.total, f.dataCount, f.shard.length].join('\u0000');

export class StationState {
  readonly texts: string[] = [];
  private readonly seen = new Set<string>();
  private readonly grouper = new FrameGrouper();
  private readonly checked = new Map<string, Checked>();
  private readonly checking = new Set<string>();
  manifest: StationManifest | null = null;

  constructor(private readonly publicKey: Uint8Array | null) {}

  /** Takes one text read by the camera (or kept from before); the checks that complete a document follow in `settle`. */
  add(text: string): ReadEvent {
    if (text.startsWith(CROSS_SHEET)) {
      const t = text.replace(/[\r\n]+$/, '');
      if (this.seen.has(t)) return { kind: 'cross-sheet', fresh: false };
      this.seen.add(t);
      this.texts.push(t);
      return { kind: 'cross-sheet', fresh: true };
    }
    let frame: Frame;
    try { frame = decodeFrame(text); } catch { return { kind: 'not-ours' }; }
    const key = `${groupKey(frame)}\u0000${frame.index}`;
    if (this.seen.has(key)) return { kind: 'repeat', frame };
    this.seen.add(key);
    this.texts.push(text.replace(/[\r\n]+$/, ''));
    this.grouper.add(text);
    const otherRun = this.manifest !== null && frame.runId !== this.manifest.runId;
    return otherRun ? { kind: 'other-run', frame } : { kind: 'new', frame };
  }

  /** Checks every document whose codes are all in (enough of them); true when something turned complete. */
  async settle(): Promise<boolean> {
    let changed = false;
    for (const g of this.grouper.result().groups) {
      const key = groupKey({ ...g, index: 0, shard: new Uint8Array(g.shardBytes) });
      if (this.checked.has(key) || this.checking.has(key) || codeNeed(g).needed > 0) continue;
      this.checking.add(key);
      const doc = await checkDocument(g, this.publicKey);
      this.checking.delete(key);
      const c: Checked = { name: null, mrn: null, signature: doc.signature, problem: doc.problem };
      if (doc.canonical !== null) {
        if (g.kind === 'M') this.takeManifest(g, doc.canonical, doc.printedAt);
        else Object.assign(c, patientName(doc.canonical, g.patientId!));
      }
      this.checked.set(key, c);
      changed = true;
    }
    return changed;
  }

  private takeManifest(g: FrameGroup, canonical: string, printedAt: string): void {
    try {
      const m = JSON.parse(canonical) as { format?: string; run?: string; patients?: ManifestPatient[] };
      if (m.format !== 'PC1-manifest' || m.run !== g.runId || !Array.isArray(m.patients)) return;
      if (this.manifest === null) this.manifest = { runId: g.runId, printedAt, patients: m.patients.map((p) => ({ id: p.id, codes: p.codes, pages: p.pages })) };
    } catch { /* not a manifest: its row shows it failed nowhere, restore names it */ }
  }

  /** The manifest's documents' state, when its codes are being read. */
  manifestView(): PatientView | null {
    const g = this.grouper.result().groups.find((x) => x.kind === 'M' && (this.manifest === null || x.runId === this.manifest.runId));
    return g ? this.view(g, 'run manifest', null) : null;
  }

  /** Every patient: the manifest's in binder order, then any read that it does not list. */
  patients(): PatientView[] {
    const groups = this.grouper.result().groups.filter((g) => g.kind === 'R');
    const out: PatientView[] = [];
    const listed = new Set<string>();
    const perPage = this.manifest ? codesPerPageRange(this.manifest.patients) : null;
    for (const p of this.manifest?.patients ?? []) {
      listed.add(p.id);
      const g = groups.find((x) => x.patientId === p.id && x.runId === this.manifest!.runId);
      if (g) out.push(this.view(g, p.id, { entry: p, perPage: perPage! }));
      else out.push({ id: p.id, runId: this.manifest!.runId, status: 'not started', codesIn: 0, total: p.codes, needed: null,
        missing: [describeMissing(range(1, p.codes), p, perPage!)], name: null, mrn: null, signature: null, problem: null });
    }
    for (const g of groups) if (!listed.has(g.patientId!) || g.runId !== this.manifest?.runId) out.push(this.view(g, g.patientId!, null));
    return out;
  }

  private view(g: FrameGroup, id: string, where: { entry: ManifestPatient; perPage: [number, number] } | null): PatientView {
    const need = codeNeed(g);
    const c = this.checked.get(groupKey({ ...g, index: 0, shard: new Uint8Array(g.shardBytes) }));
    const status = c ? (c.problem ? 'failed' : 'complete') : 'incomplete';
    return {
      id, runId: g.runId, status, codesIn: g.total - need.missing.length, total: g.total, needed: need.needed,
      missing: need.missing.length ? [where ? describeMissing(need.missing, where.entry, where.perPage) : ranges(need.missing)] : [],
      name: c?.name ?? null, mrn: c?.mrn ?? null, signature: c?.signature ?? null, problem: c?.problem ?? null,
    };
  }
}

function patientName(canonical: string, id: string): Pick<Checked, 'name' | 'mrn' | 'problem'> {
  try {
    const r = JSON.parse(canonical) as { patient?: { id?: string; mrn?: string; family_name?: string; given_names?: string } };
    if (r.patient?.id !== id) return { name: null, mrn: null, problem: 'the codes hold another patient\'s record' };
    return { name: `${r.patient.family_name ?? ''}, ${r.patient.given_names ?? ''}`, mrn: r.patient.mrn ?? null, problem: null };
  } catch { return { name: null, mrn: null, problem: 'the record is not JSON' }; }
}

const range = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, i) => a + i);

/** "1–6, 9" for [1,2,3,4,5,6,9]. */
function ranges(ns: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < ns.length;) {
    let j = i;
    while (j + 1 < ns.length && ns[j + 1] === ns[j]! + 1) j++;
    parts.push(j === i ? `${ns[i]}` : `${ns[i]}–${ns[j]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

/**
 * Codes per code page, as the manifest allows it: a patient's c codes fill p pages in order, so every
 * patient bounds it (ceil(c/p) ≤ n ≤ floor((c−1)/(p−1))). The manifest carries pages, not a page's size.
 */
export function codesPerPageRange(patients: readonly ManifestPatient[]): [number, number] {
  let lo = 1, hi = Infinity;
  for (const p of patients) {
    if (p.pages.length === 0) continue;
    lo = Math.max(lo, Math.ceil(p.codes / p.pages.length));
    if (p.pages.length > 1) hi = Math.min(hi, Math.floor((p.codes - 1) / (p.pages.length - 1)));
  }
  return [lo, Math.max(lo, hi)];
}

/** Missing codes by binder page: "codes 7–12 on page 44"; a code whose page the manifest leaves open names each page it may be on. */
function describeMissing(missing: readonly number[], entry: ManifestPatient, [lo, hi]: [number, number]): string {
  const byPage = new Map<string, number[]>();
  for (const i of missing) {
    const a = entry.pages[Math.min(entry.pages.length - 1, Math.floor((i - 1) / lo))];
    const b = hi === Infinity ? entry.pages[0] : entry.pages[Math.min(entry.pages.length - 1, Math.floor((i - 1) / hi))];
    const where = a === b ? `page ${a}` : `page ${b} or ${a}`;
    byPage.set(where, [...(byPage.get(where) ?? []), i]);
  }
  return [...byPage].map(([where, ns]) => `${ns.length === 1 ? 'code' : 'codes'} ${ranges(ns)} on ${where}`).join('; ');
}
