import { describe, it, expect, beforeAll } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../_run-cli.js';
import { extractPageTexts } from '../_pdf-text.js';
import { handmadePatient, withLongHistory } from '../fixtures/handmade-clinic.js';
import { photograph, type PhotoOptions } from './_photo.js';
import { createStore, openStore } from '../../src/store/open-store.js';
import { drawBinder } from '../../src/print/print-binder.js';
import { loadTemplate } from '../../src/layout/template.js';
import { writeMeta, writeRecords } from '../../src/store/write-records.js';
import { rasterisePdf, type RasterPage } from '../../src/scan/rasterise-pdf.js';
import { readCodes } from '../../src/scan/read-codes.js';

/** Frames a phone saves: 12 MP as the camera takes it, 3 MP as scanner apps keep it, 1600 px as messaging apps send it. */
const MP12 = { width: 3024, height: 4032 };
const MP12_LANDSCAPE = { width: 4032, height: 3024 };
const MP3 = { width: 1536, height: 2048 };
const MESSAGING = { width: 1200, height: 1600 };

/**
 * Each photo holds a whole page of nine codes. The 3 MP and 1600 px frames
 * leave 2.3 to 3.0 pixels per module with the page upright, 1.4 to 1.9 with
 * it turned near 45° (12 MP: 3.7 to 6).
 * "was n/6": what zxing read of six 0.5 mm codes of the same photo before read-codes.ts took a
 * second, enlarged look at codes that small (measured).
 */
const PHOTOS: [string, PhotoOptions][] = [
  ['12 MP, upright, even light', { ...MP12 }],
  ['12 MP, turned 90° and skewed 3°', { ...MP12_LANDSCAPE, angle: 93 }],
  ['12 MP, upside down and skewed -2°', { ...MP12, angle: 178 }],
  ['12 MP, turned 270°', { ...MP12_LANDSCAPE, angle: 270 }],
  ['12 MP, turned 45°, darker towards one corner', { ...MP12, angle: 45, light: { from: 1, to: 0.45, angle: 45 } }],
  ['12 MP, turned -100°, tilted, gradient, shadow, noise', { ...MP12, angle: -100, keystone: 0.8,
    light: { from: 0.9, to: 0.35, angle: 20 }, shadow: { depth: 0.45, angle: 200, offset: 0.55, softness: 120 }, noise: 12, quality: 80 }],
  ['3 MP, skewed 7°, camera tilted towards the top (keystone 0.75)', { ...MP3, angle: 7, keystone: 0.75 }],
  ['3 MP, tilted to one side (0.8) and turned 10°', { ...MP3, sideKeystone: 0.8, angle: 10 }],
  ['3 MP, light falling to 35% across the page', { ...MP3, light: { from: 1, to: 0.35, angle: 60 } }],
  ['3 MP, a hard-edged shadow across codes', { ...MP3, shadow: { depth: 0.35, angle: 30, offset: 0.42, softness: 6 } }],
  ['3 MP, noisy, JPEG quality 60', { ...MP3, noise: 16, quality: 60 }],
  ['3 MP, turned 135°', { ...MP3, angle: 135, seed: 136 }],
  ['3 MP, turned 225°, light falling to 40% (was 5/6)', { ...MP3, angle: 225, seed: 2, light: { from: 1, to: 0.4, angle: 60 } }],
  ['3 MP, turned 45° under a shadow (was 4/6)', { ...MP3, angle: 45, seed: 46, shadow: { depth: 0.4, angle: 15, offset: 0.45, softness: 40 } }],
  ['3 MP, turned 315°, tilted, gradient, shadow, noise (was 4/6)', { ...MP3, angle: 315, seed: 316, keystone: 0.85,
    light: { from: 1, to: 0.5, angle: 120 }, shadow: { depth: 0.5, angle: -40, offset: 0.5, softness: 80 }, noise: 10, quality: 80 }],
  ['1600 px, upside down and skewed 2°, noisy, JPEG quality 70', { ...MESSAGING, angle: 182, noise: 12, quality: 70 }],
  ['1600 px, turned 90°', { ...MESSAGING, angle: 90, seed: 91 }],
  ['1600 px, turned 30°, camera tilted (keystone 0.8) (was 5/6)', { ...MESSAGING, angle: 30, keystone: 0.8, seed: 5 }],
  ['1600 px, turned 135°, light falling to 40% (was 5/6)', { ...MESSAGING, angle: 135, seed: 3, light: { from: 1, to: 0.4, angle: 60 } }],
  ['1600 px, turned 225° under a shadow (was 2/6)', { ...MESSAGING, angle: 225, seed: 7, shadow: { depth: 0.4, angle: 15, offset: 0.45, softness: 40 } }],
  ['1600 px, turned 45°, tilted, gradient, shadow, noise (was 3/6)', { ...MESSAGING, angle: 45, seed: 46, keystone: 0.85,
    light: { from: 1, to: 0.5, angle: 120 }, shadow: { depth: 0.5, angle: -40, offset: 0.5, softness: 80 }, noise: 10, quality: 80 }],
];

describe('phone photos of a page of a printed binder\'s codes', () => {
  let dir: string;
  let store: string;
  let page: RasterPage;
  let expected: string[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'phone-photo-'));
    store = join(dir, 'clinic.sqlite');
    const writer = createStore(store);
    writeMeta(writer, { clinic_name: 'Springfield Family Practice', timezone: 'America/Chicago' });
    // A history long enough for one full page of codes (9 of its 11, since issue 26 nine a page): the record in one
    // photo, its two other codes rebuilt from parity.
    writeRecords(writer, [handmadePatient(1), withLongHistory(handmadePatient(9), 500)]);
    writer.close();
    const db = openStore(store);
    try {
      await drawBinder({ db, storePath: store, outPath: join(dir, 'binder.pdf'), template: loadTemplate('default'),
        printedAt: '2026-11-25T15:00:00Z' });
    } finally {
      db.close();
    }
    const pdf = new Uint8Array(readFileSync(join(dir, 'binder.pdf')));
    const pages = (await extractPageTexts(pdf)).flatMap((t, i) => (t.includes('Machine-readable copy of Smith, Jane') && t.includes('codes 1–9 of 11') ? [i + 1] : []));
    expect(pages).toHaveLength(1);
    for await (const p of rasterisePdf(pdf, { dpi: 200, pages })) page = p;
    expected = (await readCodes(page)).map((c) => c.text).sort();
  });

  it('starts from a page whose nine codes a 200-dpi scan reads', () => {
    expect(expected).toHaveLength(9);
    expect(expected.every((t) => t.startsWith('PC1:R:'))).toBe(true);
  });

  /**
   * Known regressions, kept visible, with the codes each photo still reads of nine. Since nine codes a page at 0.46 mm
   * instead of six at 0.5 mm (issue 26: what a full page of codes carries, 18.7 → 28.1 KB), a 1600 px photo of a whole
   * page holds 8% fewer pixels a module (2.6 instead of 2.9 upright); with read-codes.ts's second look at codes finer
   * than 3.2 px (2.6 before) these two still miss codes. Restore rebuilds up to two lost codes of nine from parity, and
   * a photo of half a page holds 1.4× the pixels. A case that reads all nine again fails here and returns to PHOTOS'.
   * (The hard-edged shadow case, which read 5 of 6 since issue 25's gutter, reads 9 of 9.)
   */
  const KNOWN_TO_MISS = new Map([
    ['1600 px, turned 135°, light falling to 40% (was 5/6)', 8],
    ['1600 px, turned 225° under a shadow (was 2/6)', 4],
  ]);

  it.each(PHOTOS.filter(([name]) => KNOWN_TO_MISS.has(name)))('misses codes, a known regression: %s', async (name, options) => {
    const texts = (await readCodes(photograph(page, options).jpeg)).map((c) => c.text).sort();
    expect(texts).toHaveLength(KNOWN_TO_MISS.get(name)!);
    expect(texts.every((t) => expected.includes(t))).toBe(true);
  });

  it.each(PHOTOS.filter(([name]) => !KNOWN_TO_MISS.has(name)))('reads every code from a photo: %s', async (_name, options) => {
    const photo = photograph(page, options);
    expect([...photo.jpeg.subarray(0, 2)]).toEqual([0xff, 0xd8]); // a JPEG, as a phone saves it
    const texts = (await readCodes(photo.jpeg)).map((c) => c.text).sort();
    expect(texts).toEqual(expected);
  });

  it('restores the patient from a folder holding one photo, exactly as export prints it', async () => {
    const photos = join(dir, 'photos');
    mkdirSync(photos);
    const [, options] = PHOTOS.find(([name]) => name.startsWith('1600 px, turned 45°'))!;
    writeFileSync(join(photos, 'IMG_0412.jpg'), photograph(page, options).jpeg);
    const restored = join(dir, 'restored.sqlite');
    const r = await runCli('restore', '--db', restored, '--trust-unsigned', photos);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/1 restored/);
    const original = await runCli('export', '--db', store, '--patient', 'H0009');
    const again = await runCli('export', '--db', restored, '--patient', 'H0009');
    expect(again.code).toBe(0);
    expect(again.out).toBe(original.out);
  });
});
