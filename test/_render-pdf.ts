/**
 * Test helper: a PDF drawn with pdfkit and the shipped faces, written to `path`
 * (kept for a look with KEEP_TEST_PDFS) and its bytes returned.
 */
import { writeFileSync } from 'node:fs';
import PDFDocument from 'pdfkit';
import { registerFonts, type FontSet } from '../src/text/font-files.js';

export async function renderPdf(path: string, fonts: FontSet, draw: (doc: PDFKit.PDFDocument) => void,
  page: { size: string; margin: number } = { size: 'A4', margin: 40 }): Promise<Uint8Array> {
  const doc = new PDFDocument(page);
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve) => doc.on('end', () => resolve()));
  registerFonts(doc, fonts);
  draw(doc);
  doc.end();
  await done;
  const bytes = Buffer.concat(chunks);
  writeFileSync(path, bytes);
  return new Uint8Array(bytes);
}
