/**
 * The binder's page tree, kept as object numbers while it prints.
 *
 * The binder is drawn in a different order than it is read: the front matter
 * (cover, index, schedule) prints every patient's page number, so it is drawn
 * last, then moved to the front of the page tree. A PDF's page order is its
 * page tree's, not the order its objects are written in, so this costs
 * nothing and lets every patient be laid out once and written at once.
 *
 * pdfkit keeps each page's reference object in its page tree until the end,
 * and through it the page's dictionary, resources and every image's
 * dictionary (5 KB a page). Here a written page leaves only its object number
 * behind: 4 bytes a page, and a 100,000-patient binder has 500,000 pages.
 */
import { currentPage, pageTreeKids, referencePrototype, setPageTreeKids, type PdfDoc } from './_pdfkit.js';

export class PageTree {
  private ids = new Int32Array(1024);
  private count = 0;

  /**
   * Takes the page pdfkit has just added (doc.page) out of pdfkit's page tree
   * into this one. Call right after each doc.addPage().
   */
  take(doc: PdfDoc): void {
    const page = pageTreeKids(doc).pop();
    const { dictionary } = currentPage(doc);
    if (page === undefined || page !== dictionary) throw new Error('the page tree lost track of the current page');
    if (this.count === this.ids.length) {
      const grown = new Int32Array(this.ids.length * 2);
      grown.set(this.ids);
      this.ids = grown;
    }
    this.ids[this.count++] = dictionary.id;
  }

  /** How many pages there are now: pages taken after it can be moved to the front. */
  mark(): number {
    return this.count;
  }

  /** Moves the pages taken since `mark` in front of all others, keeping their order. */
  moveToFront(mark: number): void {
    const moved = this.ids.slice(mark, this.count);
    this.ids.copyWithin(moved.length, 0, mark);
    this.ids.set(moved, 0);
  }

  /**
   * Hands the pages back to pdfkit's page tree, in order, as one entry that
   * prints as all their references ("12 0 R 15 0 R …"). Call once, just before doc.end().
   */
  restore(doc: PdfDoc): void {
    const ids = this.ids.subarray(0, this.count);
    // pdfkit prints an entry of its reference class with toString(): one such entry stands for them all.
    const references = Object.create(referencePrototype(doc), {
      toString: { value: () => referencesText(ids) },
    }) as unknown;
    setPageTreeKids(doc, [references]);
  }
}

/**
 * "12 0 R 15 0 R …" for the page ids, built in one buffer. Built as a string
 * a page and joined, half a million pages' references raised the peak of a
 * 100,000-patient print by tens of MB at its very end (measured).
 */
function referencesText(ids: Int32Array): string {
  const REFERENCE = ' 0 R';
  const out = Buffer.allocUnsafe(ids.length * (10 + REFERENCE.length + 1));
  let o = 0;
  for (let i = 0; i < ids.length; i++) {
    if (i > 0) out[o++] = 0x20;
    let id = ids[i]!;
    let digits = 1;
    for (let rest = id; rest >= 10; rest = Math.floor(rest / 10)) digits++;
    for (let k = o + digits - 1; k >= o; k--, id = Math.floor(id / 10)) out[k] = 0x30 + (id % 10);
    o += digits;
    o += out.write(REFERENCE, o, 'latin1');
  }
  return out.toString('latin1', 0, o);
}
