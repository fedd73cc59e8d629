// Kept in its own file so zxing's wasm is loaded for the first time here, with fetch stubbed.
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import QRCode from 'qrcode';
import { readCodes } from '../../src/scan/read-codes.js';
import { encodeQr, QUIET, randomTexts } from './_qr-pdf.js';

const fetchStub = vi.fn(() => { throw new Error('network access attempted during scan'); });

beforeAll(() => { vi.stubGlobal('fetch', fetchStub); });
afterAll(() => { vi.unstubAllGlobals(); });

/** Paints a QR matrix into an RGBA raster, `px` pixels per module, with its quiet zone. */
function paint(m: { size: number; data: Uint8Array }, px: number): { width: number; height: number; rgba: Uint8ClampedArray } {
  const side = (m.size + 2 * QUIET) * px;
  const rgba = new Uint8ClampedArray(side * side * 4).fill(255);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const r = Math.floor(y / px) - QUIET, c = Math.floor(x / px) - QUIET;
      if (r >= 0 && c >= 0 && r < m.size && c < m.size && m.data[r * m.size + c]) {
        const o = 4 * (y * side + x);
        rgba[o] = rgba[o + 1] = rgba[o + 2] = 0;
      }
    }
  }
  return { width: side, height: side, rgba };
}

it('loads zxing from node_modules and decodes without any fetch', async () => {
  const [text] = randomTexts(42, 1);
  const codes = await readCodes(paint(encodeQr(text!, 0), 4));
  expect(codes.map((c) => c.text)).toEqual([text]);
  expect(fetchStub).not.toHaveBeenCalled();
  // A second call reuses the loaded module.
  expect((await readCodes(paint(encodeQr(text!, 3), 4))).map((c) => c.text)).toEqual([text]);
  expect(fetchStub).not.toHaveBeenCalled();
});

it('decodes PNG bytes as given, also without fetch', async () => {
  const [text] = randomTexts(43, 1);
  const png = await QRCode.toBuffer([{ data: text!, mode: 'alphanumeric' }],
    { version: 25, errorCorrectionLevel: 'M', margin: QUIET, scale: 4 });
  const codes = await readCodes(new Uint8Array(png));
  expect(codes.map((c) => c.text)).toEqual([text]);
  expect(fetchStub).not.toHaveBeenCalled();
});
