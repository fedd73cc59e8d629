/**
 * Text in Courier, one of the PDF's 14 built-in fonts: monospaced, drawn by every reader with no font file in the
 * binder, for the decoder's listing (FORMAT §15), which a person types or an OCR reads column by column.
 */
import { beginContent, endContent } from './content-stream.js';
import { currentPage, selectFont } from './_pdfkit.js';

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/**
 * Draws `text` at x (left edge) on the baseline y (top-down) in the current fill colour. pdfkit writes Courier's
 * font dictionary (Type1, WinAnsiEncoding, not embedded) when the document ends, as for its own text().
 * @throws RangeError for a character outside printable ASCII (WinAnsi would change it, or Courier lacks it)
 */
export function drawMonoText(doc: PDFKit.PDFDocument, text: string, size: number, x: number, baselineY: number): void {
  if (!PRINTABLE_ASCII.test(text)) throw new RangeError(`monospaced text ${JSON.stringify(text.slice(0, 40))}: expected printable ASCII only`);
  // selectFont's font is pdfkit's StandardFont here: only its resource name (id) and its reference are used.
  const f = selectFont(doc, 'Courier');
  const { fonts } = currentPage(doc);
  if (fonts[f.id] == null) fonts[f.id] = f.ref();
  const out = beginContent(doc);
  out.line('BT').byte(0x2f).text(f.id).byte(0x20).number(size).line('Tf');
  out.text('1 0 0 -1 ').number(x).number(baselineY).line('Tm');
  out.byte(0x28).text(text.replace(/[()\\]/g, '\\$&')).line(') Tj');
  out.line('ET');
  endContent(doc, out);
}
