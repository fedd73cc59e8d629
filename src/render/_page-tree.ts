/**
 * The binder is drawn in a different order than it is read: the front matter
 * (cover, index, schedule) prints every patient's page number, so it is drawn
 * last, then moved to the front of the PDF's page tree. A PDF's page order is
 * its page tree's, not the order its objects are written in, so this costs
 * nothing and lets every patient be laid out once and written at once.
 *
 * It uses pdfkit 0.20's document internals (the root's Pages.Kids array and
 * the outline's children); package.json pins pdfkit's minor version for that.
 */

interface DocumentInternals {
  _root: { data: { Pages: { data: { Kids: unknown[] } } } };
  outline: { children: unknown[] };
}

/** Where the page tree and the outline stand now, so pages and bookmarks added after it can be moved. */
export interface TreeMark { pages: number; bookmarks: number }

export function markTree(doc: PDFKit.PDFDocument): TreeMark {
  const d = doc as unknown as DocumentInternals;
  return { pages: d._root.data.Pages.data.Kids.length, bookmarks: d.outline.children.length };
}

/** Moves the pages and top-level bookmarks added since `mark` in front of all others, keeping their order. */
export function moveToFront(doc: PDFKit.PDFDocument, mark: TreeMark): void {
  const d = doc as unknown as DocumentInternals;
  const kids = d._root.data.Pages.data.Kids;
  kids.unshift(...kids.splice(mark.pages));
  const bookmarks = d.outline.children;
  bookmarks.unshift(...bookmarks.splice(mark.bookmarks));
}

interface PageInternals { dictionary: { data: Record<string, unknown> } }

/**
 * Lets go of a page pdfkit has written. pdfkit keeps every page's dictionary
 * for the page tree, and through it the page's resources and every image's
 * dictionary: 5 KB a page, 25 MB a thousand patients (measured), which grew
 * without end. Only the reference is needed once the page is written; the
 * page tree and the bookmarks print it as "N 0 R".
 */
export function releaseWrittenPage(page: PDFKit.PDFPage): void {
  (page as unknown as PageInternals).dictionary.data = {};
}
