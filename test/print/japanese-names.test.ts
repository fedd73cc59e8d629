// A binder of the sample clinic, read back as a receptionist's eyes and a reader's copy would (issue 25): a Japanese
// patient's name in Japanese glyph forms (Noto Sans JP), a Chinese patient's in Chinese ones (Noto Sans SC), a CJK name
// where the Latin text is bold in a bold (stroked) face, and every name given back exactly by pdftotext.
import { describe, it, expect, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { writeSampleClinic } from '../../src/sample/sample-clinic.js';
import { openStore } from '../../src/store/open-store.js';
import { drawBinder } from '../../src/print/print-binder.js';
import { loadTemplate } from '../../src/layout/template.js';
import { pageTextRuns, type TextRunOp } from '../_pdf-runs.js';

const hasPoppler = spawnSync('pdftotext', ['-v']).status === 0 && spawnSync('pdffonts', ['-v']).status === 0;
if (!hasPoppler) console.warn('pdftotext/pdffonts (poppler-utils) missing: skipping the Japanese and Chinese names read back from a binder');

/** The sample's name groups (samples/vocab/names.json): which family names are Japanese and which Chinese. */
function familyNames(group: string): Set<string> {
  const names = JSON.parse(readFileSync('samples/vocab/names.json', 'utf8')) as { groups: { id: string; family: (string | [string, string])[] }[] };
  return new Set(names.groups.find((g) => g.id === group)!.family.map((f) => (typeof f === 'string' ? f : f[0])));
}

interface Row { family_name: string; given_names: string; language: string | null }

describe.skipIf(!hasPoppler)('Japanese and Chinese names in a binder', () => {
  let dir: string;
  let pdf: string;
  let japanese: Row[];
  let chinese: Row[];
  /** Each page's text as pdftotext gives it. */
  let texts: string[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'japanese-names-'));
    const store = join(dir, 'clinic.sqlite');
    await writeSampleClinic(store, { patients: 200, seed: 3, asOf: '2026-12-06T12:00:00Z' });
    const db = openStore(store);
    try {
      pdf = join(dir, 'binder.pdf');
      await drawBinder({ db, storePath: store, outPath: pdf, template: loadTemplate('default'), printedAt: '2026-12-06T15:00:00Z' });
    } finally {
      db.close();
    }
    const raw = new Database(store, { readonly: true });
    const rows = raw.prepare('SELECT family_name, given_names, language FROM patients').all() as Row[];
    raw.close();
    const [jp, zh] = [familyNames('japanese'), familyNames('chinese')];
    japanese = rows.filter((r) => jp.has(r.family_name));
    chinese = rows.filter((r) => zh.has(r.family_name));
    const run = spawnSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8', maxBuffer: 1 << 30 });
    texts = run.stdout.split('\f');
  });

  it('has Japanese patients who speak Japanese and some who speak English, and Chinese patients', () => {
    expect(japanese.some((r) => r.language === 'ja')).toBe(true);
    expect(japanese.some((r) => r.language === 'en')).toBe(true);
    expect(chinese.length).toBeGreaterThan(2);
  });

  it('embeds Noto Sans JP beside SC, and no bold CJK file (the bold is stroked)', () => {
    const listed = spawnSync('pdffonts', [pdf], { encoding: 'utf8' }).stdout;
    expect(listed).toMatch(/\+NotoSansJP-Regular +CID TrueType +Identity-H +yes yes yes/);
    expect(listed).toMatch(/\+NotoSansSC-Regular /);
    expect(listed).not.toMatch(/(SC|JP|KR)-Bold/);
  });

  it('draws every Japanese name in JP glyph forms and every Chinese one in SC, on every page that shows it, bold where the Latin is', async () => {
    const written = (r: Row): string => `${r.family_name}, ${r.given_names}`;
    for (const [rows, face] of [[japanese, 'NotoSansJP-Regular'], [chinese, 'NotoSansSC-Regular']] as const) {
      for (const r of rows) {
        const pages = texts.flatMap((t, i) => (t.includes(written(r)) ? [i + 1] : []));
        // The index, the running head of each of the patient's pages and the page's heading: every one found by pdftotext.
        expect(pages.length, written(r)).toBeGreaterThan(1);
        const runs: TextRunOp[] = (await pageTextRuns(pdf, pages)).flat().filter((op) => op.text.includes(r.family_name));
        expect(runs.length, written(r)).toBeGreaterThanOrEqual(pages.length);
        expect(new Set(runs.map((op) => op.font)), written(r)).toEqual(new Set([face]));
        // The running head's and the heading's name are bold: the regular face filled and stroked (mode 2).
        expect(runs.filter((op) => op.mode === 2).length, written(r)).toBeGreaterThanOrEqual(pages.length - 1);
        expect(runs.some((op) => op.mode === 2 && op.size === 18), `${written(r)}: the patient heading`).toBe(true);
      }
    }
  });

  it('gives every CJK name back exactly in pdftotext, without the tag that chose the face', () => {
    const all = texts.join('\n');
    for (const r of [...japanese, ...chinese]) expect(all).toContain(`${r.family_name}, ${r.given_names}`);
    expect(all).not.toMatch(/[\u{E0000}-\u{E007F}]/u);
  });
});
