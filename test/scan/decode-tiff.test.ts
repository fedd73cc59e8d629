import { describe, it, expect, beforeAll } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeTiff, countTiffPages, type TiffPage } from '../../src/scan/decode-tiff.js';
import { UnreadableTiffError } from '../../src/errors.js';
import { rasterisePdf, type RasterPage } from '../../src/scan/rasterise-pdf.js';
import { readCodes } from '../../src/scan/read-codes.js';
import { qrPagesPdf, randomTexts } from './_qr-pdf.js';
import { encodeTiff } from './_tiff.js';

const G4 = fileURLToPath(new URL('./fixtures/codes-g4.tif', import.meta.url));
const hasTiffcp = spawnSync('tiffcp', ['-h']).error === undefined;

async function pagesOf(tiff: Uint8Array): Promise<TiffPage[]> {
  const out: TiffPage[] = [];
  for await (const p of decodeTiff(tiff, 'test.tif')) out.push(p);
  return out;
}
const textsOn = async (page: { width: number; height: number; rgba: Uint8ClampedArray }): Promise<string[]> =>
  (await readCodes(page)).map((c) => c.text).sort();

describe('decodeTiff', () => {
  let page: RasterPage;
  const texts = randomTexts(601, 6);

  beforeAll(async () => {
    for await (const p of rasterisePdf(await qrPagesPdf([texts]), { dpi: 200 })) page = p;
  });

  it('reads every code of a two-page CCITT G4 scan, page by page', async () => {
    const tiff = new Uint8Array(readFileSync(G4));
    expect(countTiffPages(tiff)).toBe(2);
    const pages = await pagesOf(tiff);
    expect(pages.map((p) => [p.page, p.width, p.height])).toEqual([[1, 1700, 2200], [2, 1700, 2200]]);
    expect(await textsOn(pages[0]!)).toEqual(randomTexts(501, 6).sort());
    expect(await textsOn(pages[1]!)).toEqual(randomTexts(502, 4).sort());
  });

  it.skipIf(!hasTiffcp)('decodes G4 to exactly the pixels libtiff does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tiff-'));
    const plain = join(dir, 'plain.tif');
    execFileSync('tiffcp', ['-c', 'none', '-r', '2200', G4, plain]);
    const [ours, theirs] = [await pagesOf(new Uint8Array(readFileSync(G4))), await pagesOf(new Uint8Array(readFileSync(plain)))];
    expect(theirs.length).toBe(2);
    for (let i = 0; i < 2; i++) expect(Buffer.from(ours[i]!.rgba).equals(Buffer.from(theirs[i]!.rgba))).toBe(true);
  });

  it('reads bilevel, grayscale and RGB pages of one file, skipping a thumbnail', async () => {
    const small = { width: 170, height: 220, rgba: new Uint8ClampedArray(170 * 220 * 4).fill(200) };
    const tiff = encodeTiff([
      { ...page, kind: 'bilevel' }, { ...small, kind: 'gray', thumbnail: true }, { ...page, kind: 'gray' }, { ...page, kind: 'rgb' },
    ]);
    expect(countTiffPages(tiff)).toBe(3);
    const pages = await pagesOf(tiff);
    expect(pages.map((p) => p.page)).toEqual([1, 2, 3]);
    for (const p of pages) expect(await textsOn(p)).toEqual([...texts].sort());
    // An RGB page comes back as it went in.
    expect(Buffer.from(pages[2]!.rgba).equals(Buffer.from(page.rgba))).toBe(true);
  });

  it('reads a TIFF held at a non-zero offset of a larger buffer', async () => {
    const tiff = encodeTiff([{ ...page, kind: 'bilevel' }]);
    const big = new Uint8Array(tiff.length + 13);
    big.set(tiff, 7);
    const [p] = await pagesOf(big.subarray(7, 7 + tiff.length));
    expect(await textsOn(p!)).toEqual([...texts].sort());
  });

  it('refuses damaged files with a reason, and never hangs on a looping directory chain', async () => {
    const good = encodeTiff([{ ...page, kind: 'bilevel' }]);
    const v = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
    const ifdAt = v(good).getUint32(4, true);
    const looping = good.slice();
    v(looping).setUint32(ifdAt + 2 + v(looping).getUint16(ifdAt, true) * 12, ifdAt, true);
    const lzw99 = good.slice();
    const entries = v(lzw99).getUint16(ifdAt, true);
    for (let i = 0; i < entries; i++) if (v(lzw99).getUint16(ifdAt + 2 + i * 12, true) === 259) v(lzw99).setUint16(ifdAt + 2 + i * 12 + 8, 34712, true);
    const cases: [Uint8Array, RegExp][] = [
      [good.subarray(0, 5), /too short/],
      [new TextEncoder().encode('PK\x03\x04 a zip, not a TIFF'), /byte-order mark/],
      [good.subarray(0, ifdAt + 10), /truncated/],
      [looping, /loops back/],
      [lzw99, /compression 34712, which is not supported/],
    ];
    for (const [bytes, reason] of cases) {
      const e = await pagesOf(bytes).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(UnreadableTiffError);
      expect((e as Error).message).toMatch(/^test\.tif is not a readable TIFF \(/);
      expect((e as Error).message).toMatch(reason);
    }
  });
});
