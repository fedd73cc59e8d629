/**
 * Collects the drawing operators of the page being drawn as text, and writes
 * them into the page at once when the page is done: the same bytes, but
 * pdfkit turns every operator it is given into its own byte array (thousands
 * a page, each allocated, then joined). On the drawing thread, which every
 * patient passes through, that cost 1 s of 20 for 1,000 patients (issue 6).
 *
 * It uses pdfkit 0.20's internals (addContent, the page's content reference);
 * package.json pins pdfkit's minor version for that reason.
 */
interface ContentInternals {
  addContent(data: string): unknown;
  /** Writes a chunk of content and a line feed. */
  page: { write(chunk: string): void };
}

export class PageContent {
  private parts: string[] = [];

  /** From now on, what `doc` draws is held here until flush(). */
  constructor(private readonly doc: PDFKit.PDFDocument) {
    (doc as unknown as ContentInternals).addContent = (data: string) => {
      this.parts.push(data);
      return doc;
    };
  }

  /** Writes what was drawn into the current page. Call before adding the next page and before ending the document. */
  flush(): void {
    if (this.parts.length === 0) return;
    // The bytes pdfkit writes: each operator ends with a line feed. (Deflating
    // page content at level 1 instead of pdfkit's 6 saved only 0.3 s a thousand
    // patients for 8% more bytes, measured.)
    (this.doc as unknown as ContentInternals).page.write(this.parts.join('\n'));
    this.parts = [];
  }
}
