// A code's image is deflated with codes fixed in advance (issue 6): any inflater must get the image's rows back.
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { deflateCodeImage } from '../../src/qr/image-deflate.js';
import { encodeQrModules, QR_MODULES } from '../../src/qr/encoder.js';

/** The image's rows written out plainly: per module row, filter None and its pixels (1 = white, 4 a module), then three Up rows of zeros. */
function imageRows(dark: Uint8Array, modules: number): Buffer {
  const size = modules * 4;
  const stride = 1 + Math.ceil(size / 8);
  const rows = Buffer.alloc(stride * size);
  for (let y = 0; y < size; y++) {
    const row = y * stride;
    if (y % 4 !== 0) {
      rows[row] = 2;
      continue;
    }
    for (let x = 0; x < size; x++) {
      const white = dark[(y / 4) * modules + Math.floor(x / 4)] === 0;
      if (white) rows[row + 1 + (x >> 3)]! |= 0x80 >> (x & 7);
    }
    // Padding past the last module is white.
    for (let x = size; x < (stride - 1) * 8; x++) rows[row + 1 + (x >> 3)]! |= 0x80 >> (x & 7);
  }
  return rows;
}

describe('deflateCodeImage', () => {
  it('inflates, checksum and all, to the image rows of the symbol', () => {
    const texts = ['A', 'PC1:HELLO WORLD 1', '0'.repeat(1451), 'Z'.repeat(700), ...Array.from({ length: 40 }, (_, i) => `PC1:R:${i * 7919}:${'ABC123$%*+-./: '.repeat(i + 1)}`.slice(0, 1451))];
    let bytes = 0;
    for (const text of texts) {
      const dark = encodeQrModules(text);
      const deflated = deflateCodeImage(dark, QR_MODULES);
      bytes += deflated.length;
      expect(inflateSync(deflated).equals(imageRows(dark, QR_MODULES))).toBe(true);
    }
    // About as small as zlib makes it (2.6 KB a full code at its best setting for these rows, measured).
    expect(bytes / texts.length).toBeLessThan(3000);
  });

  it('gets all-dark and all-light symbols right, and refuses a size it has no code for', () => {
    for (const value of [0, 1]) {
      const dark = new Uint8Array(QR_MODULES * QR_MODULES).fill(value);
      expect(inflateSync(deflateCodeImage(dark, QR_MODULES)).equals(imageRows(dark, QR_MODULES))).toBe(true);
    }
    expect(() => deflateCodeImage(new Uint8Array(21 * 21), 21)).toThrow(/21 modules/);
  });
});
