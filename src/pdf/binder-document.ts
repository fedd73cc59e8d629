/**
 * The binder's PDF, written to its file as it is drawn. It owns the order of
 * the calls that keep a binder of any size in bounded memory (pdfkit's own
 * state would grow with it): for each page, the last page's content written →
 * a new page → the page taken into our page tree → the running header and
 * footer → the body; at the end, the page tree handed back → the outline
 * ended → the cross-reference table written a block at a time → the file settled.
 *
 * "Front matter last": the cover, index and schedule print every patient's
 * page number, so they are drawn after the patients and moved to the front of
 * the page tree (frontMatterLast). A PDF's page order is its page tree's, not
 * the order its objects are written in, so each patient is laid out once and
 * written at once.
 */
import PDFDocument from 'pdfkit';
import { once } from 'node:events';
import type { PageBody } from '../layout/flow.js';
import type { TextShaper } from '../text/shape-text.js';
import { registerFonts } from '../text/font-files.js';
import { nextTurn } from '../_next-turn.js';
import type { AtomicOutput } from './atomic-output.js';
import { PageContent } from './content-stream.js';
import { drawChrome, drawOps, versoShift, type Chrome, type PageFrame } from './draw-page.js';
import { endDocument, keepObjectOffsetsFlat } from './object-offsets.js';
import { Outline } from './outline.js';
import { PageTree } from './page-tree.js';
import type { PdfDoc } from './_pdfkit.js';

/** What the document's info dictionary says. */
export interface DocumentInfo {
  title: string;
  /** The print time: it fixes the file's dates and identifier, so the same print time gives the same bytes. */
  createdAt: Date;
  /** The binder's language (BCP 47), for readers and screen readers. */
  lang: string;
}

export class BinderDocument {
  private readonly doc: PdfDoc;
  private readonly content: PageContent;
  private readonly tree = new PageTree();
  private readonly outline: Outline;
  /** Rejects once the file fails; raced against each wait at the end. */
  private readonly failed: Promise<never>;
  private inFrontMatter = false;

  /** `frontBookmarks`: how many bookmarks the front matter will add (frontMatterLast). */
  constructor(private readonly out: AtomicOutput, private readonly frame: PageFrame, info: DocumentInfo,
    private readonly shaper: TextShaper, frontBookmarks: number) {
    this.doc = new PDFDocument({
      size: [frame.width, frame.height], margin: 0, autoFirstPage: false, compress: true,
      info: { Title: info.title, Producer: 'paperchart', Creator: 'paperchart', CreationDate: info.createdAt },
      lang: info.lang,
    } as PDFKit.PDFDocumentOptions);
    keepObjectOffsetsFlat(this.doc);
    registerFonts(this.doc, shaper.fonts);
    // Not doc.pipe(): a pipe pauses pdfkit while pdfkit's own buffer grows (14 MB at 1,000 patients, docs/PERFORMANCE.md).
    this.doc.on('data', (chunk: Uint8Array) => out.write(chunk));
    this.doc.on('end', () => out.end());
    this.failed = once(out.stream, 'error').then(([e]) => { throw e; });
    this.failed.catch(() => undefined); // observed by the races in end(); never an unhandled rejection
    this.content = new PageContent(this.doc);
    this.outline = new Outline(this.doc, frontBookmarks);
  }

  /** Draws a page after the others: its running header and footer (`chrome`), then its body. */
  page(body: PageBody, chrome: Chrome): void {
    this.content.flush();
    this.doc.addPage({ size: [this.frame.width, this.frame.height], margin: 0 }); // writes the previous page
    this.tree.take(this.doc);
    drawChrome(this.content, this.shaper, this.frame, chrome);
    drawOps(this.content, this.shaper, body.ops, chrome.recto === false ? versoShift(this.frame) : 0);
  }

  /** A bookmark to the page drawn last, after the others; inside frontMatterLast, before every one outside it. */
  bookmark(title: string): void {
    if (this.inFrontMatter) this.outline.addFront(title);
    else this.outline.add(title);
  }

  /** Front matter last: the pages `draw` draws go in front of all pages drawn before, in their order. */
  frontMatterLast(draw: () => void): void {
    const mark = this.tree.mark();
    this.inFrontMatter = true;
    try {
      draw();
    } finally {
      this.inFrontMatter = false;
    }
    this.tree.moveToFront(mark);
  }

  /** Resolves once the file has room for more, after a turn at least (signals, worker messages); rejects once it failed. */
  async drained(): Promise<void> {
    if (this.out.stream.writableNeedDrain || this.out.stream.errored) await this.out.drained();
    else await nextTurn();
  }

  /** Writes the rest: the last page, the page tree, the outline, the cross-reference table; resolves once the file has it all. */
  async end(): Promise<{ pages: number }> {
    this.content.flush();
    this.tree.restore(this.doc);
    this.outline.end();
    // A turn first, for pdfkit to hand over what it holds; then the file has taken all of it.
    const ended = endDocument(this.doc, async () => { await nextTurn(); await this.out.settled(); });
    ended.catch(() => undefined); // when the file fails, `failed` reports it; never an unhandled rejection
    await Promise.race([ended, this.failed]);
    await Promise.race([once(this.out.stream, 'finish'), this.failed]);
    return { pages: this.tree.mark() };
  }
}
