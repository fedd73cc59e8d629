import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// pdfjs-dist's own canvas (a dependency of ours through it) makes the JPEG a scanner would.
import { encodeRaster } from '../_encode-raster.js';
import { writeHandmadeClinic } from '../fixtures/handmade-clinic.js';
import { openStore } from '../../src/store/open-store.js';
import { drawBinder } from '../../src/print/print-binder.js';
import { loadTemplate } from '../../src/layout/template.js';
import { rasterisePdf, type RasterPage } from '../../src/scan/rasterise-pdf.js';
import { readCodes } from '../../src/scan/read-codes.js';
import { degrade } from '../scan/_qr-pdf.js';


describe('a page of a printed binder\'s codes under scanning conditions', () => {
  let pdf: Uint8Array;
  let pageNumber: number;
  let clean: string[];
  let page200: RasterPage;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scan-conditions-'));
    const store = join(dir, 'clinic.sqlite');
    writeHandmadeClinic(store);
    const db = openStore(store);
    await drawBinder({ db, storePath: store, outPath: join(dir, 'binder.pdf'), template: loadTemplate('default'), printedAt: '2026-11-25T15:00:00Z' });
    db.close();
    pdf = new Uint8Array(readFileSync(join(dir, 'binder.pdf')));
    // The page holding the most codes (the manifest's or the long history's).
    clean = [];
    for await (const page of rasterisePdf(pdf, { dpi: 200 })) {
      const codes = await readCodes(page);
      if (codes.length > clean.length) {
        pageNumber = page.page;
        page200 = page;
        clean = codes.map((c) => c.text).sort();
      }
    }
  });

  it('has a page of several codes to test', () => {
    expect(clean.length).toBeGreaterThanOrEqual(4);
  });

  it('reads them all when "fit to page" shrinks the print to 94%', async () => {
    for await (const page of rasterisePdf(pdf, { dpi: 200 * 0.94, pages: [pageNumber] })) {
      expect((await readCodes(page)).map((c) => c.text).sort()).toEqual(clean);
    }
  });

  it('reads them all from a JPEG of a slightly rotated, blurred, noisy scan', async () => {
    const scanned = degrade(page200, 1.5, 24);
    const bytes = new Uint8Array(encodeRaster(scanned, 'jpeg', 70));
    expect(bytes.length).toBeLessThan(page200.rgba.length / 4);
    expect((await readCodes(bytes)).map((c) => c.text).sort()).toEqual(clean);
  });

  it('reads them all rotated the other way, more noisily, at JPEG quality 50', async () => {
    const bytes = new Uint8Array(encodeRaster(degrade(page200, -2, 40, 11), 'jpeg', 50));
    expect((await readCodes(bytes)).map((c) => c.text).sort()).toEqual(clean);
  });
});
