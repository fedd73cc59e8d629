// Cross parity in the binder (FORMAT §17): consecutive patients grouped, each group's X document printed after it on
// pages of its own, so that any one sheet of the binder may be lost. A sheet holds one patient's codes (each starts on
// the front of a sheet), so a lost sheet takes at most one member of one group.
import { compressContent, encodeDocument, shardPlan } from '../codec/record-codec.js';
import { GrowingCrossParity } from '../codec/cross-parity.js';
import { encodeContainer } from '../codec/container.js';
import { fromHex } from '../codec/bytes.js';
import { layoutParityPages, parityPageCount } from '../layout/parity-pages.js';
import { label } from '../layout/template.js';
import type { PatientPages } from './patient-pages.js';
import type { BinderPages, PrintRun } from './print-binder.js';

/**
 * A group closes once its members fill this many sheets for each page its parity takes (the parity is as long as
 * the group's longest record, so a group holding a long record grows with it). Measured on the 1,000-patient sample
 * (seed 7): at 8, 149 parity pages, 2.556 pages a patient and 23.8 KB of record per page of codes over all codes
 * (15.3 % of them X), under issue 26's 24 KB; at 10, 120 parity pages, 2.526 a patient, 24.5 KB (13.0 % X). A group still
 * never crosses a volume's or the binder's end, so any one lost sheet still takes at most one member of one group.
 */
export const SHEETS_PER_PARITY_PAGE = 10;

interface Member { patientId: string; digest: Uint8Array; container: Uint8Array }
interface Closed { texts: string[]; from: number; to: number }

const member = (p: PatientPages): Member => ({ patientId: p.id, digest: fromHex(p.digest), container: p.container });

/**
 * The codes encodeDocument('X', null, content, {runId, printedAt}) makes, counted without framing them: `exact`
 * compresses as it does (compressContent); otherwise at most, from zlib's conservative deflateBound (n + n/32 +
 * n/128 + n/2048 + 7, raw), which no deflate of n bytes exceeds (codes grow with the container's length).
 */
export function xCodes(runId: string, printedAt: string, content: Uint8Array, exact: boolean): number {
  const n = content.length;
  const body = exact ? compressContent(content).length : n + (n >> 5) + (n >> 7) + (n >> 11) + 7;
  const head = encodeContainer({ flags: 0, digest: new Uint8Array(32), printedAt, signature: null, nonce: null, body: new Uint8Array(0) }).length;
  const { k, plan } = shardPlan('X', runId, null, head + body);
  return k + plan.parity;
}

/** The open group's X pages were one more member to join: at most `hi`; exactly, deflated once, only when asked. */
interface Candidate { m: Member; size: number; content: Uint8Array; hi: number; exact?: number }

/** The open group, the closed ones whose pages are not drawn yet, and where they go. */
export class ParityGroups {
  private group: GrowingCrossParity;
  private sheets = 0;
  private from = 0;
  private to = 0;
  private pending: Closed[] = [];
  private pendingPages = 0;
  private drawnOn?: BinderPages;
  private candidate?: Candidate;
  /** Parity codes printed. */
  codes = 0;

  constructor(private readonly run: PrintRun, private readonly onTexts?: (texts: readonly string[]) => void) {
    this.group = new GrowingCrossParity(run.codeOptions.runId);
  }

  /**
   * The pages patient `p` may need of its volume: its own from a front page, and the parity pages that may follow it
   * (the pending ones and its group's, were the group to close after it), so a volume never ends without room for them.
   */
  pagesFor(p: PatientPages): number {
    const own = p.pages.length + (p.pages.length % 2);
    const c = this.candidateFor(member(p));
    // A group's X takes a page at least: a bound of one page is the count, no deflate needed.
    const parity = this.pendingPages + (c.hi === 1 ? 1 : this.exactPages(c));
    return own + parity + (parity % 2);
  }

  /** Before a patient is drawn on `pages`: a new volume closes the open group, its parity printed in the volume its members are in. */
  async before(pages: BinderPages): Promise<void> {
    if (this.drawnOn && pages !== this.drawnOn) {
      this.close();
      await this.flush(this.drawnOn);
    }
    this.drawnOn = pages;
  }

  /** After patient `p` was drawn on pages `first`–`last` of `pages`; `last` of the binder: every group closes and is printed. */
  async after(pages: BinderPages, p: PatientPages, first: number, lastPage: number, lastPatient: boolean): Promise<void> {
    if (this.group.size === 0) this.from = first;
    const c = this.candidateFor(member(p));
    this.group.add(c.m);
    this.candidate = undefined;
    this.to = lastPage;
    this.sheets += Math.ceil((lastPage - first + 1) / 2);
    // Closes at SHEETS_PER_PARITY_PAGE sheets for each X page (at least one): deflated only when the bound leaves it open.
    const full = this.sheets >= SHEETS_PER_PARITY_PAGE && (this.sheets >= SHEETS_PER_PARITY_PAGE * c.hi || this.sheets >= SHEETS_PER_PARITY_PAGE * this.exactPages(c));
    if (full || lastPatient) this.close();
    // Two groups' one-page parities share a sheet: pages are printed once they fill whole sheets, or at the end.
    if (this.pendingPages > 0 && (lastPatient || this.pendingPages % 2 === 0)) await this.flush(pages);
  }

  /** The open group's X pages with `m` in it, bounded; the same member asked again (pagesFor, then after) is not recounted. */
  private candidateFor(m: Member): Candidate {
    const c = this.candidate;
    if (c && c.m.patientId === m.patientId && c.m.container === m.container && this.group.size === c.size) return c;
    const content = this.group.contentWith(m);
    const { runId, printedAt } = this.run.codeOptions;
    this.candidate = { m, content, hi: parityPageCount(xCodes(runId, printedAt, content, false), this.run.ctx.box), size: this.group.size };
    return this.candidate;
  }

  private exactPages(c: Candidate): number {
    const { runId, printedAt } = this.run.codeOptions;
    return c.exact ??= parityPageCount(xCodes(runId, printedAt, c.content, true), this.run.ctx.box);
  }

  private close(): void {
    if (this.group.size === 0) return;
    // The one encoding of the group's X document (deflate, shards, frames): the codes printed.
    const { texts } = encodeDocument('X', null, this.group.contentNow(), { runId: this.run.codeOptions.runId, printedAt: this.run.codeOptions.printedAt });
    this.pending.push({ texts, from: this.from, to: this.to });
    this.pendingPages += parityPageCount(texts.length, this.run.ctx.box);
    this.group = new GrowingCrossParity(this.run.codeOptions.runId);
    this.sheets = 0;
    this.candidate = undefined;
  }
  private async flush(pages: BinderPages): Promise<void> {
    if (this.pending.length === 0) return;
    const { template } = this.run.options;
    pages.startOnRightHandPage();
    for (const g of this.pending) {
      const bodies = layoutParityPages(g.texts, g.from, g.to, template, this.run.shaper, this.run.ctx.box);
      bodies.forEach((body, i) => pages.next(body, pages.frontHeader(label(template, 'parity'), i, bodies.length)));
      this.onTexts?.(g.texts);
      this.codes += g.texts.length;
      await pages.doc.drained();
    }
    this.pending = [];
    this.pendingPages = 0;
  }
}
