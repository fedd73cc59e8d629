/**
 * Collects the drawing operators of the page being drawn as text, and writes
 * them into the page at once, deflated, when the page is done. pdfkit turns
 * every operator it is given into its own byte array (thousands a page, each
 * allocated, then joined), converts text to bytes in JavaScript, and deflates
 * at zlib's default level. On the drawing thread, which every patient passes
 * through, those were 2.5 s of 17 for 1,000 patients (issue 6).
 *
 * It uses pdfkit 0.20's internals (addContent, the page's content reference);
 * package.json pins pdfkit's minor version for that reason.
 */
import { deflateSync } from 'node:zlib';

interface ContentReference {
  compress: boolean;
  data: Record<string, unknown>;
  buffer: unknown[];
  write(chunk: Uint8Array): void;
}
interface ContentInternals {
  addContent(data: string): unknown;
  page: { content: ContentReference };
}

/**
 * zlib level for page content. Against pdfkit's 6 (which, deflated here,
 * gives the same bytes as pdfkit), level 1 printed 1,000 patients 0.6 s
 * faster of 15.6 for 9% more bytes: 6.5 KB a page, a tenth of the budget (measured).
 */
const CONTENT_LEVEL = 1;

export class PageContent {
  private parts: string[] = [];

  /** From now on, what `doc` draws is held here until flush(). */
  constructor(private readonly doc: PDFKit.PDFDocument) {
    (doc as unknown as ContentInternals).addContent = (data: string) => {
      this.parts.push(data);
      return doc;
    };
  }

  /** Writes what was drawn into the current page. Call once a page, before adding the next page and before ending the document. */
  flush(): void {
    if (this.parts.length === 0) return;
    const content = (this.doc as unknown as ContentInternals).page.content;
    if (content.buffer.length > 0) throw new Error('the page\'s content was already written');
    // The bytes pdfkit writes (each operator ends with a line feed; operators are ASCII), deflated here.
    const text = Buffer.from(`${this.parts.join('\n')}\n`, 'latin1');
    content.compress = false;
    content.data.Filter = 'FlateDecode';
    content.write(deflateSync(text, { level: CONTENT_LEVEL }));
    this.parts = [];
  }
}
