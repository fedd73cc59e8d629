// Restore from what pdftoppm writes by default (PPM, and PGM and PBM with -gray and -mono), from WebP,
// and from a PDF read on two threads: the same store as from the binder PDF itself.
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { writeHandmadeClinic } from '../fixtures/handmade-clinic.js';
import { openStore } from '../../src/store/open-store.js';
import { drawBinder } from '../../src/print/print-binder.js';
import { loadTemplate } from '../../src/layout/template.js';
import { collectTexts } from '../../src/restore/collect-texts.js';
import { restore } from '../../src/restore/restore.js';
import { decodePnm } from '../../src/scan/decode-pnm.js';
import { UnknownInputError } from '../../src/errors.js';

const hasPdftoppm = spawnSync('pdftoppm', ['-v']).status === 0;
if (!hasPdftoppm) console.warn('pdftoppm missing (Debian poppler-utils): skipping the PNM restore tests');

let dir: string;
let pdf: string;
let fromPdf: string[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'image-inputs-'));
  const store = join(dir, 'clinic.sqlite');
  writeHandmadeClinic(store);
  pdf = join(dir, 'binder.pdf');
  const db = openStore(store);
  await drawBinder({ db, storePath: store, outPath: pdf, template: loadTemplate('default'), printedAt: '2026-11-25T15:00:00Z' });
  db.close();
  fromPdf = (await collectTexts([pdf], { jobs: 1 })).map((c) => c.text).sort();
}, 600_000);

/** The binder's pages as pdftoppm writes them into a new folder, with `flags` (none: PPM). */
function pdftoppm(name: string, flags: string[]): string {
  const out = join(dir, name);
  mkdirSync(out);
  const r = spawnSync('pdftoppm', ['-r', '200', ...flags, pdf, join(out, 'page')]);
  expect(r.status, r.stderr.toString()).toBe(0);
  return out;
}

describe('restore from images', () => {
  it.skipIf(!hasPdftoppm)('reads a folder of pdftoppm PPM, PGM and PBM pages: every code of the binder', async () => {
    for (const [name, flags, ext] of [['ppm', [], '.ppm'], ['pgm', ['-gray'], '.pgm'], ['pbm', ['-mono'], '.pbm']] as const) {
      const folder = pdftoppm(name, [...flags]);
      expect(readdirSync(folder).every((f) => f.endsWith(ext))).toBe(true);
      const texts = (await collectTexts([folder])).map((c) => c.text).sort();
      expect([...new Set(texts)], name).toEqual([...new Set(fromPdf)]);
    }
  }, 600_000);

  it.skipIf(!hasPdftoppm)('restores the store from the PGM folder, naming every patient restored', async () => {
    const folder = join(dir, 'pgm');
    const r = await restore({ storePath: join(dir, 'from-pgm.sqlite'), inputs: [folder], onConflict: 'keep', dryRun: false, trustUnsigned: true });
    expect(r.failure).toBeUndefined();
    expect(r.report.counts.restored).toBeGreaterThan(0);
  }, 600_000);

  it('decodes plain (ASCII) PNM as the binary form does', () => {
    const plain = Buffer.from('P2\n# a comment\n3 2\n255\n0 128 255\n255 128 0\n');
    const binary = Buffer.concat([Buffer.from('P5 3 2 255\n'), Buffer.from([0, 128, 255, 255, 128, 0])]);
    expect(decodePnm(plain, 'a.pgm')).toEqual(decodePnm(binary, 'b.pgm'));
    const bits = decodePnm(Buffer.from('P1 3 1 101'), 'c.pbm');
    expect([...bits.rgba.subarray(0, 12)]).toEqual([0, 0, 0, 255, 255, 255, 255, 255, 0, 0, 0, 255]);
    expect(() => decodePnm(Buffer.from('P5 3 2 255\n\u0000'), 'd.pgm')).toThrow(/cut short/);
  });

  it('reads WebP pages, and names a file that is no image it reads', async () => {
    const folder = join(dir, 'webp');
    mkdirSync(folder);
    const png = join(dir, 'pbm');
    if (hasPdftoppm) {
      // The binder's last three pages of codes (the manifest's, a patient's), from pdftoppm's PBM, as lossless WebP;
      // the decoder's listing, which holds no code, follows them (issue 27).
      const pageTexts = spawnSync('pdftotext', [pdf, '-']).stdout.toString().split('\f');
      const codePages = new Set(pageTexts.flatMap((t, i) => (/Machine-readable copy|Manifest of this print run/.test(t) ? [i + 1] : [])).slice(-3));
      const pages = readdirSync(png).sort().filter((f) => codePages.has(Number(/(\d+)\.pbm$/.exec(f)![1])));
      expect(pages).toHaveLength(3);
      for (const f of pages) {
        const img = decodePnm(readFileSync(join(png, f)), f);
        writeFileSync(join(folder, f.replace('.pbm', '.webp')),
          await sharp(Buffer.from(img.rgba.buffer), { raw: { width: img.width, height: img.height, channels: 4 } }).webp({ lossless: true }).toBuffer());
      }
      const texts = (await collectTexts([folder])).map((c) => c.text);
      expect(texts.length).toBeGreaterThan(0);
      for (const t of texts) expect(fromPdf).toContain(t);
    }
    const bad = join(dir, 'bad.webp');
    writeFileSync(bad, Buffer.concat([Buffer.from('RIFF\u0010\u0000\u0000\u0000WEBPVP8 '), Buffer.alloc(64, 7)]));
    await expect(collectTexts([bad])).rejects.toThrow(UnknownInputError);
  }, 600_000);

  it('reads a PDF on two threads exactly as on one, pages in order', async () => {
    const one = await collectTexts([pdf], { jobs: 1 });
    const two = await collectTexts([pdf], { jobs: 2 });
    expect(two).toEqual(one);
  }, 600_000);
});
