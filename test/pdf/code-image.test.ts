// A code's image is embedded without pdfkit parsing a PNG (issue 6); it must draw what pdfkit draws for that PNG, where pdfkit draws it.
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { pdfkitBytes } from '../_pdfkit-bytes.js';
import { inkDifference } from '../_same-drawing.js';
import { MODULE_PT, QR_MODULES, qrImage } from '../../src/qr/qr-symbol.js';
import { drawQr } from '../../src/pdf/code-image.js';

/** The PNG file qrImage's data is the IDAT of: 1-bit grey, 4 pixels a module. */
function asPng(data: Uint8Array): Buffer {
  const chunk = (type: string, body: Uint8Array): Buffer => {
    const out = Buffer.alloc(12 + body.length);
    out.writeUInt32BE(body.length, 0);
    out.write(type, 4, 'latin1');
    out.set(body, 8);
    out.writeUInt32BE(crc32(out.subarray(4, 8 + body.length)), 8 + body.length);
    return out;
  };
  const size = QR_MODULES * 4;
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([1, 0, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', data), chunk('IEND', new Uint8Array(0))]);
}

const pdf = (draw: (doc: PDFKit.PDFDocument) => void): Promise<Buffer> =>
  pdfkitBytes({ size: 'LETTER', margin: 0, compress: false, info: { CreationDate: new Date('2026-11-25T16:00:00Z') } }, draw);

describe('drawQr', () => {
  it('draws what pdfkit draws for the code as a PNG, pixel for pixel, with the image data as it is', async () => {
    const codes = ['PC1:HELLO WORLD 1', 'PC1:ANOTHER CODE $%*+-./:'].map(qrImage);
    const side = QR_MODULES * MODULE_PT;
    const ours = await pdf((doc) => {
      codes.forEach((c, i) => drawQr(doc, c, 40 + i * 300, 60));
      doc.addPage();
      drawQr(doc, codes[0]!, 100, 100);
    });
    const pdfkits = await pdf((doc) => {
      codes.forEach((c, i) => doc.image(asPng(c), 40 + i * 300, 60, { width: side, height: side }));
      doc.addPage();
      doc.image(asPng(codes[0]!), 100, 100, { width: side, height: side });
    });
    // Uncompressed, so the data is there to see: the image data itself, not deflated again.
    expect(ours.includes(Buffer.from(codes[0]!))).toBe(true);
    const { ink, differing } = await inkDifference(ours, pdfkits);
    expect(ink).toBeGreaterThan(2 * 30_000);
    expect(differing).toBe(0);
  });
});
