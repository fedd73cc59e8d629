// An office scanner's PDF of a binder: each page rasterised at DPI, encoded as a JPEG (quality 75, what
// scanners' "standard" setting writes) and placed as the page's one full-page image, as scanners write it.
// Usage: node bench/_scanner-pdf.mjs BINDER.pdf OUT.pdf [DPI]
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createCanvas } from '@napi-rs/canvas';
import PDFDocument from 'pdfkit';
import { rasterisePdf } from '../dist/scan/rasterise-pdf.js';

const [binder, out, dpiArg] = process.argv.slice(2);
const dpi = Number(dpiArg ?? 300);
const doc = new PDFDocument({ autoFirstPage: false, info: { CreationDate: new Date(0) } });
const chunks = [];
doc.on('data', (b) => chunks.push(b));
const ended = new Promise((resolve) => doc.on('end', resolve));
for await (const p of rasterisePdf(new Uint8Array(readFileSync(binder)), { dpi })) {
  const canvas = createCanvas(p.width, p.height);
  const ctx = canvas.getContext('2d');
  const image = ctx.createImageData(p.width, p.height);
  image.data.set(p.rgba);
  ctx.putImageData(image, 0, 0);
  const w = (p.width * 72) / dpi, h = (p.height * 72) / dpi;
  doc.addPage({ size: [w, h], margin: 0 });
  doc.image(canvas.encodeSync('jpeg', 75), 0, 0, { width: w, height: h });
}
doc.end();
await ended;
writeFileSync(`${out}.partial`, Buffer.concat(chunks));
renameSync(`${out}.partial`, out);
