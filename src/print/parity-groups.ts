// Cross parity in the binder (FORMAT §17): consecutive patients grouped, each group's X document printed after it on
// pages of its own, so that any one sheet of the binder may be lost. A sheet holds one patient's codes (each starts on
// the front of a sheet), so a lost sheet takes at most one member of one group.
import { encodeDocument, type EncodedDocument } from '../codec/record-codec.js';
import { crossParityContent } from '../codec/cross-parity.js';
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

/** The open group, the closed ones whose pages are not drawn yet, and where they go. */
export class ParityGroups {
  private members: Member[] = [];
  private sheets = 0;
  private from = 0;
  private to = 0;
  private pending: Closed[] = [];
  private pendingPages = 0;
  private drawnOn?: BinderPages;
  private cache?: { key: Member[]; doc: EncodedDocument };
  /** Parity codes printed. */
  codes = 0;

  constructor(private readonly run: PrintRun, private readonly onTexts?: (texts: readonly string[]) => void) {}

  /**
   * The pages patient `p` may need of its volume: its own from a front page, and the parity pages that may follow it
   * (the pending ones and its group's, were the group to close after it), so a volume never ends without room for them.
   */
  pagesFor(p: PatientPages): number {
    const own = p.pages.length + (p.pages.length % 2);
    const parity = this.pendingPages + parityPageCount(this.encode([...this.members, member(p)]).texts.length, this.run.ctx.box);
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
    if (this.members.length === 0) this.from = first;
    this.members.push(member(p));
    this.to = lastPage;
    this.sheets += Math.ceil((lastPage - first + 1) / 2);
    const parityPages = parityPageCount(this.encode(this.members).texts.length, this.run.ctx.box);
    if (this.sheets >= SHEETS_PER_PARITY_PAGE * parityPages || lastPatient) this.close();
    // Two groups' one-page parities share a sheet: pages are printed once they fill whole sheets, or at the end.
    if (this.pendingPages > 0 && (lastPatient || this.pendingPages % 2 === 0)) await this.flush(pages);
  }

  private encode(members: Member[]): EncodedDocument {
    const c = this.cache;
    if (c && c.key.length === members.length && c.key.every((m, i) => m === members[i] || (m.patientId === members[i]!.patientId && m.container === members[i]!.container))) return c.doc;
    const content = crossParityContent(this.run.codeOptions.runId, members);
    const doc = encodeDocument('X', null, content, { runId: this.run.codeOptions.runId, printedAt: this.run.codeOptions.printedAt });
    this.cache = { key: members, doc };
    return doc;
  }

  private close(): void {
    if (this.members.length === 0) return;
    const { texts } = this.encode(this.members);
    this.pending.push({ texts, from: this.from, to: this.to });
    this.pendingPages += parityPageCount(texts.length, this.run.ctx.box);
    this.members = [];
    this.sheets = 0;
    this.cache = undefined;
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
