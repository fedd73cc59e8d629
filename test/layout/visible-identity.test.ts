import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { handmadePatient } from '../fixtures/handmade-clinic.js';
import { createStore } from '../../src/store/open-store.js';
import { writeMeta, writeRecords } from '../../src/store/write-records.js';
import { visibleIdentity } from '../../src/layout/visible-identity.js';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { extractPageTexts } from '../_pdf-text.js';
import { runCli } from '../_run-cli.js';

describe('visibleIdentity', () => {
  it('returns an ordinary name as the same string', () => {
    for (const name of ['Reyes, Jesús', 'Nguyễn, Thị Ánh', 'O’Brien', 'عبد الله, محمد', 'כהן, דוד', '髙橋, 美咲', '김, 민준', 'Müller-Łukasz']) {
      expect(visibleIdentity(name)).toBe(name);
    }
  });

  it('marks bidi controls, zero-width characters and other invisibles by their code point', () => {
    expect(visibleIdentity('\u202Eseyer')).toBe('‹U+202E›seyer');
    expect(visibleIdentity('Reyes\u200B')).toBe('Reyes‹U+200B›');
    expect(visibleIdentity('Rey\u2066es\u2069')).toBe('Rey‹U+2066›es‹U+2069›');
    const hidden = [0x0000, 0x0009, 0x000A, 0x007F, 0x0085, 0x009F, 0x00AD, 0x034F, 0x061C, 0x115F, 0x1160, 0x17B4, 0x180E,
      0x200B, 0x200E, 0x200F, 0x2028, 0x2029, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2060, 0x2061, 0x2064,
      0x2066, 0x2067, 0x2068, 0x2069, 0x3164, 0xFEFF, 0xFFA0, 0xE0001, 0xE0041, 0xE007F];
    for (const cp of hidden) {
      const hex = cp.toString(16).toUpperCase().padStart(4, '0');
      expect(visibleIdentity(`Re${String.fromCodePoint(cp)}yes`), hex).toBe(`Re‹U+${hex}›yes`);
    }
  });

  it('marks every default-ignorable, bidi-control, format and control code point between Latin letters', () => {
    const hidden = /[\p{Default_Ignorable_Code_Point}\p{Bidi_Control}\p{Cf}\p{Cc}]/u;
    const unmarked: string[] = [];
    for (let cp = 0; cp <= 0x10FFFF; cp++) {
      if (cp >= 0xD800 && cp <= 0xDFFF) continue;
      const ch = String.fromCodePoint(cp);
      if (!hidden.test(ch)) continue;
      const hex = cp.toString(16).toUpperCase().padStart(4, '0');
      if (visibleIdentity(`a${ch}b`) !== `a‹U+${hex}›b`) unmarked.push(hex);
    }
    expect(unmarked).toEqual([]);
  });

  it('marks spaces at either end of a field and spaces narrower than a space, never a space between words', () => {
    expect(visibleIdentity('Jesús ')).toBe('Jesús‹U+0020›');
    expect(visibleIdentity(' \u00A0Reyes')).toBe('‹U+0020›‹U+00A0›Reyes');
    expect(visibleIdentity('Jesús  ')).toBe('Jesús‹U+0020›‹U+0020›');
    expect(visibleIdentity('Rey\u200Aes')).toBe('Rey‹U+200A›es');
    expect(visibleIdentity('Rey\u2009es')).toBe('Rey‹U+2009›es');
    expect(visibleIdentity('Jesús María')).toBe('Jesús María');
    expect(visibleIdentity('山田\u3000花子')).toBe('山田\u3000花子');
  });

  it('marks the other default-ignorable code points, assigned or not', () => {
    for (const cp of [0x180B, 0x180F, 0x2065, 0xFFF0, 0xE0000, 0xE0080, 0xE01F0, 0xE0FFF, 0x1BCA0, 0x1D173]) {
      const hex = cp.toString(16).toUpperCase().padStart(4, '0');
      expect(visibleIdentity(`Re${String.fromCodePoint(cp)}yes`), hex).toBe(`Re‹U+${hex}›yes`);
    }
    expect(visibleIdentity('ᠠ\u180Bᠡ')).toBe('ᠠ\u180Bᠡ');
  });

  it('keeps ZWNJ where it breaks an Arabic join or a conjunct, and shows it where it changes nothing', () => {
    expect(visibleIdentity('حسن\u200Cزاده')).toBe('حسن\u200Cزاده');
    expect(visibleIdentity('क्\u200Cष')).toBe('क्\u200Cष');
    expect(visibleIdentity('Re\u200Cyes')).toBe('Re‹U+200C›yes');
    // ر never joins the letter after it: a ZWNJ there is invisible.
    expect(visibleIdentity('دار\u200Cزاده')).toBe('دار‹U+200C›زاده');
    expect(visibleIdentity('حسن\u200C')).toBe('حسن‹U+200C›');
    expect(visibleIdentity('حسن\u200C\u200Cزاده')).toBe('حسن‹U+200C›‹U+200C›زاده');
  });

  it('keeps ZWJ only after a virama, and variation selectors only after an ideograph', () => {
    expect(visibleIdentity('क्\u200Dष')).toBe('क्\u200Dष');
    expect(visibleIdentity('Re\u200Dyes')).toBe('Re‹U+200D›yes');
    expect(visibleIdentity('ح\u200Dسن')).toBe('ح‹U+200D›سن');
    expect(visibleIdentity('葛\u{E0100}城')).toBe('葛\u{E0100}城');
    expect(visibleIdentity('Reye\uFE0Fs')).toBe('Reye‹U+FE0F›s');
  });
});

/** The real patient and three whose stored names and record number print exactly as hers without the marks. */
const REAL = { family_name: 'Reyes', given_names: 'Jesús', mrn: '9000001' };
const FORGED = [
  // A right-to-left override: the rest of the line is drawn reversed.
  { family_name: '\u202EsúseJ ,seyeR', given_names: '', mrn: '\u202E1000009', mark: '‹U+202E›' },
  { family_name: 'Reyes\u200B', given_names: 'Jesús', mrn: '9000001\u200B', mark: '‹U+200B›' },
  { family_name: 'Rey\u2066es', given_names: 'Jesús', mrn: '900\u20660001', mark: '‹U+2066›' },
  { family_name: 'Reyes', given_names: 'Jesús ', mrn: '9000001 ', mark: '‹U+0020›' },
];
/** What the eye sees of extracted text: hidden characters take no room on paper. */
const seen = (text: string): string => text.replace(/[\p{Cc}\p{Cf}]/gu, '');

describe('a printed binder with names forged from hidden characters', () => {
  let dir: string;
  let store: string;
  let pdf: string;
  let pages: string[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'visible-identity-'));
    store = join(dir, 'clinic.sqlite');
    pdf = join(dir, 'binder.pdf');
    const birth_date = '1962-03-14';
    const db = createStore(store);
    writeMeta(db, { clinic_name: 'Springfield Family Practice', timezone: 'UTC' });
    writeRecords(db, [
      handmadePatient(0, { ...REAL, birth_date }),
      ...FORGED.map(({ mark: _, ...names }, i) => handmadePatient(i + 1, { ...names, birth_date })),
      handmadePatient(5, { family_name: 'حسن\u200Cزاده', given_names: 'مریم', mrn: '9000005' }),
    ]);
    db.close();
    const printed = await runCli('print', '--db', store, '--out', pdf, '--as-of', '2026-11-25T16:00Z');
    expect(printed.code, printed.err).toBe(0);
    pages = await extractPageTexts(pdf);
  });

  const indexLines = (): string[] => pages.filter((t) => t.includes('Patient index')).flatMap((t) => t.split('\n'))
    .filter((line) => line.includes('1962-03-14'));

  it('lists one patient as "Reyes, Jesús" in the index, and each forgery with its mark in its name and record number', () => {
    const lines = indexLines();
    expect(lines).toHaveLength(1 + FORGED.length);
    expect(lines.filter((line) => seen(line).startsWith('Reyes, Jesús 1962-03-14 9000001 '))).toHaveLength(1);
    for (const forged of FORGED) {
      const line = lines.find((l) => l.includes(forged.mark));
      expect(line, forged.mark).toBeDefined();
      expect(line!.split(' 1962-03-14 ')[1], 'record number').toContain(forged.mark);
    }
  });

  it('heads each forged patient\'s pages with the marked name, never as the real patient', () => {
    // The name sits on the page's outer edge (ring binder): after "Page x of y" on a right-hand page, before it on a left-hand one.
    const heads = pages.map((t) => t.split('\n')[0]!);
    const pageOf = /^Page \d+ of \d+ | Page \d+ of \d+$/;
    const real = heads.filter((h) => pageOf.test(seen(h)) && seen(h).replace(pageOf, '') === 'Reyes, Jesús');
    const realPages = pages.filter((t) => t.includes('MRN 9000001') && !t.includes('‹U+'));
    expect(real.length).toBeGreaterThan(0);
    expect(real).toHaveLength(realPages.length);
    for (const forged of FORGED) {
      const own = heads.filter((h) => h.includes(forged.mark) && (/ Page 1 of \d+$/.test(h) || /^Page 1 of \d+ /.test(h)));
      expect(own, forged.mark).toHaveLength(1);
    }
    const overridden = pages.find((t) => /^Page 1 of \d+ ‹U\+202E›súseJ ,seyeR\n/.test(t));
    expect(overridden).toContain('DOB 1962-03-14 MRN ‹U+202E›1000009');
  });

  it('prints a Persian name\'s ZWNJ as the letters it separates, with no mark', () => {
    expect(pages.join('\n')).not.toContain('U+200C');
  });

  it('bookmarks each forged patient by the marked name and record number', async () => {
    const doc = await getDocument({ data: new Uint8Array(readFileSync(pdf)), verbosity: 0 }).promise;
    const titles = ((await doc.getOutline()) ?? []).map((o) => o.title);
    await doc.destroy();
    expect(titles).toContain('Reyes, Jesús — MRN 9000001');
    expect(titles).toContain('‹U+202E›súseJ ,seyeR — MRN ‹U+202E›1000009');
    expect(titles).toContain('Reyes‹U+200B›, Jesús — MRN 9000001‹U+200B›');
    expect(titles.filter((t) => seen(t) === 'Reyes, Jesús — MRN 9000001')).toHaveLength(1);
  });

  it('restores the names exactly as stored: only the paper shows the marks', async () => {
    const restored = join(dir, 'restored.sqlite');
    const r = await runCli('restore', '--db', restored, '--trust-unsigned', pdf);
    expect(r.code, r.err).toBe(0);
    const exported = (await runCli('export', '--db', restored)).out;
    expect(exported).toBe((await runCli('export', '--db', store)).out);
    expect(exported).toContain(JSON.stringify('\u202EsúseJ ,seyeR').slice(1, -1));
  }, 120_000);
});
