// The binder as a receptionist uses it during an outage (issue 25), read back with positions by poppler's
// pdftotext -bbox, an independent reader: every patient of the 1,000-patient sample found from the A–Z index by a
// Latin form, every preferred name cross-referenced, nothing under the rings of a duplex ring binder, and one
// time zone on the cover and the schedule.
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

const hasPdftotext = spawnSync('pdftotext', ['-v']).status === 0;
if (!hasPdftotext) console.warn('pdftotext (poppler-utils) missing: skipping the ring-binder and index checks read back with positions');

const PRINTED_AT = '2026-12-06T15:00:00Z';
/** Letter's binding gutter (draw-page.ts): no glyph may start inside it. */
const GUTTER = 65;

interface Word { x0: number; y0: number; x1: number; y1: number; text: string }
interface Page { width: number; words: Word[]; lines: string[] }

/** Every page's words with their boxes (points, y down), and its lines: words sharing a baseline, left to right. */
function readPages(pdf: string): Page[] {
  const run = spawnSync('pdftotext', ['-bbox', pdf, '-'], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (run.status !== 0) throw new Error(`pdftotext failed: ${run.stderr}`);
  const entity = (s: string): string => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;|&apos;/g, "'").replace(/&amp;/g, '&');
  return run.stdout.split('<page ').slice(1).map((chunk) => {
    const width = Number(/width="([\d.]+)"/.exec(chunk)![1]);
    const words = [...chunk.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g)]
      .map((m) => ({ x0: Number(m[1]), y0: Number(m[2]), x1: Number(m[3]), y1: Number(m[4]), text: entity(m[5]!) }));
    const rows: Word[][] = [];
    // By the top of the line: poppler gives every font of a line the same top, but not the same bottom (Arabic's descent is deeper).
    for (const w of [...words].sort((a, b) => a.y0 - b.y0 || a.x0 - b.x0)) {
      const row = rows.find((r) => Math.abs(r[0]!.y0 - w.y0) < 2.5);
      if (row) row.push(w);
      else rows.push([w]);
    }
    const lines = rows.sort((a, b) => a[0]!.y0 - b[0]!.y0).map((r) => r.sort((a, b) => a.x0 - b.x0).map((w) => w.text).join(' '));
    return { width, words, lines };
  });
}

interface Row { id: string; mrn: string; family_name: string; given_names: string; preferred_name: string | null; birth_date: string }

const NON_LATIN = /(?!\p{Script=Latin})\p{L}/u;
/** Scripts whose text pdftotext gives back in logical order (right-to-left names come back reordered). */
const LTR_SCRIPTS = /^[\p{Script=Latin}\p{Script=Cyrillic}\p{Script=Greek}\p{Script=Han}\p{Script=Hangul}\p{Script=Hiragana}\p{Script=Katakana}\p{M}\p{P}\p{Zs}\p{Lm}]*$/u;
/** An index line: "<name> <YYYY-MM-DD> <MRN> <page>". */
const INDEX_LINE = /^(.*) (\d{4}-\d{2}-\d{2}) (\d{7}) (\d+)$/;

describe.skipIf(!hasPdftotext)('the receptionist\'s binder of a 1,000-patient clinic', () => {
  let pages: Page[];
  let patients: Row[];
  let indexLines: { name: string; birth: string; mrn: string; page: number; band: string }[];
  let bands: string[];
  let store: string;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'receptionist-'));
    store = join(dir, 'clinic.sqlite');
    await writeSampleClinic(store, { patients: 1000, seed: 7, asOf: '2026-12-06T12:00:00Z' });
    const db = openStore(store);
    try {
      await drawBinder({ db, storePath: store, outPath: join(dir, 'binder.pdf'), template: loadTemplate('default'), printedAt: PRINTED_AT });
    } finally {
      db.close();
    }
    const raw = new Database(store, { readonly: true });
    patients = raw.prepare('SELECT id, mrn, family_name, given_names, preferred_name, birth_date FROM patients').all() as Row[];
    raw.close();
    pages = readPages(join(dir, 'binder.pdf'));
    expect(readFileSync(join(dir, 'binder.pdf')).subarray(0, 5).toString()).toBe('%PDF-');
    indexLines = [];
    bands = [];
    for (const page of pages.filter((p) => p.lines[0]?.includes('Patient index'))) {
      let continues = false;
      for (const line of page.lines) {
        if (/^[A-Z#]$/.test(line)) bands.push(line);
        const m = INDEX_LINE.exec(line);
        if (m) indexLines.push({ name: m[1]!, birth: m[2]!, mrn: m[3]!, page: Number(m[4]), band: bands.at(-1) ?? '' });
        // A long name wraps in its cell: the rest is on the next line, alone.
        else if (continues && !/^[A-Z#]$/.test(line) && !line.includes('Binder page')) indexLines.at(-1)!.name += ` ${line}`;
        continues = m !== null;
      }
    }
  }, 600_000);

  const firstPageOf = (p: Row): number => {
    const own = indexLines.find((l) => l.mrn === p.mrn && !l.name.includes('→'));
    expect(own, `index line of ${p.id}`).toBeDefined();
    return own!.page;
  };

  /** A patient's pages, from the first ("Page 1 of N" in its running head) to the Nth. */
  const pagesOf = (p: Row): Page[] => {
    const first = firstPageOf(p);
    const n = Number(/Page 1 of (\d+)/.exec(pages[first - 1]!.lines.join('\n'))![1]);
    return pages.slice(first - 1, first - 1 + n);
  };
  /** Rows of one table of the store, by patient id. */
  const byPatient = <T extends { patient_id: string }>(sql: string): Map<string, T[]> => {
    const db = new Database(store, { readonly: true });
    const map = new Map<string, T[]>();
    try {
      for (const row of db.prepare(sql).all() as T[]) map.set(row.patient_id, [...(map.get(row.patient_id) ?? []), row]);
    } finally {
      db.close();
    }
    return map;
  };

  it('repeats allergies and code status as a banner atop every page of a patient after the first, code pages too', () => {
    const allergies = byPatient<{ patient_id: string; substance: string; status: string }>('SELECT patient_id, substance, status FROM allergies');
    const db = new Database(store, { readonly: true });
    const status = new Map((db.prepare('SELECT id, code_status, allergy_status FROM patients').all() as { id: string; code_status: string | null; allergy_status: string }[]).map((r) => [r.id, r]));
    db.close();
    let banners = 0;
    let more = 0;
    for (const p of patients) {
      const own = pagesOf(p);
      const active = (allergies.get(p.id) ?? []).filter((a) => a.status === 'active').map((a) => a.substance);
      const { code_status: code, allergy_status: listed } = status.get(p.id)!;
      own.slice(1).forEach((page, i) => {
        // Between the running head's rule (66 pt) and the body (78 pt); pdftotext's boxes reach the font's ascent and descent.
        const text = page.words.filter((w) => w.y0 > 61 && w.y1 < 80).sort((a, b) => a.x0 - b.x0).map((w) => w.text).join(' ');
        const where = `${p.id}, page ${i + 2} of ${own.length}: "${text}"`;
        banners++;
        expect(text, where).toContain(code ?? 'code status not recorded');
        if (active.length) {
          expect(text, where).toMatch(/^ALLERGIES: /);
          const named = active.filter((a) => text.includes(a)).length;
          const counted = Number(/\+(\d+) more, see p\. 1/.exec(text)?.[1] ?? 0);
          if (counted) more++;
          expect(named + counted, where).toBe(active.length);
        } else if ((allergies.get(p.id) ?? []).length) expect(text, where).toMatch(/^no active allergies/);
        else expect(text, where).toMatch(listed === 'none' ? /^NKA \(no known allergies\)/ : /^ALLERGIES NOT RECORDED/);
      });
    }
    expect(banners).toBeGreaterThan(1000);
    expect(more).toBeGreaterThan(0);
  });

  it('breaks no word inside a table cell: a cell\'s line that ends a word part and the line under it never join into one word of the record', () => {
    // Every word of what the patients' tables print, from the store: a word broken in a cell reads back as two
    // words, one above the other at the cell's left edge, that join into one of these ("intranas" + "al").
    const db = new Database(store, { readonly: true });
    const words = new Set<string>();
    const sql = ['SELECT name, dose, route, frequency, prescriber, last_filled, instructions FROM medications',
      'SELECT name, value, unit, reference_range, effective_at FROM observations', 'SELECT vaccine, lot, given_on FROM immunizations'];
    for (const q of sql) for (const row of db.prepare(q).raw().all() as (string | null)[][]) for (const v of row) for (const w of (v ?? '').split(/\s+/)) if (w.length > 2) words.add(w);
    db.close();
    const broken: string[] = [];
    pages.forEach((page, n) => {
      for (const a of page.words) {
        for (const b of page.words) {
          const below = b.y0 - a.y0;
          if (below > 5 && below < 16 && Math.abs(a.x0 - b.x0) < 0.6 && words.has(a.text + b.text)) broken.push(`page ${n + 1}: ${a.text}|${b.text}`);
        }
      }
    });
    expect(broken.slice(0, 10)).toEqual([]);
    // The routes too wide for their column at 10 pt are printed in the documented short forms (route-abbreviations.ts).
    expect(pages.some((p) => p.words.some((w) => w.text === 'NAS'))).toBe(true);
  });

  it('titles a table continued on the next page "(continued)" above its column heads, and ends no page with a heading', () => {
    const template = loadTemplate('default');
    const headings = ['medications', 'problems', 'recent_encounters', 'vitals_by_visit', 'immunizations_latest', 'labs_latest'].map((k) => template.labels[k]!);
    let continued = 0;
    for (const p of patients) {
      for (const page of pagesOf(p)) {
        page.lines.forEach((line, i) => {
          if (!line.endsWith('(continued)')) return;
          continued++;
          expect(headings, line).toContain(line.slice(0, -' (continued)'.length));
          expect(page.lines[i + 1], `column heads under "${line}"`).toMatch(/^(Medication Dose Route|Date )/);
        });
        // The last line above the footer's.
        const last = page.lines.filter((l) => !l.includes('Binder page')).at(-1) ?? '';
        expect(headings, `${p.id}: a page ends with its heading "${last}"`).not.toContain(last);
      }
    }
    expect(continued).toBeGreaterThan(10);
  });

  it('keeps a contact line in reading order when its name is right to left: name, relationship, phone, [emergency]', () => {
    const RTL = /[\p{Script=Arabic}\p{Script=Hebrew}]/u;
    const contacts = byPatient<{ patient_id: string; name: string; relationship: string | null; phone: string | null; is_emergency: number }>('SELECT patient_id, name, relationship, phone, is_emergency FROM contacts');
    let checked = 0;
    for (const p of patients) {
      const own = pagesOf(p);
      for (const c of (contacts.get(p.id) ?? []).filter((c) => RTL.test(c.name) && c.relationship && c.phone)) {
        const relation = `(${c.relationship})`.split(' ');
        // The line with this relationship and this phone (two daughters may be listed).
        const lines = own.flatMap((pg) => pg.words.filter((w) => w.text === relation[0]).map((rel) => {
          const line = pg.words.filter((w) => Math.abs(w.y0 - rel.y0) < 2.5 && w.x0 > 150).sort((a, b) => a.x0 - b.x0);
          return { line, at: line.indexOf(rel) };
        }));
        const found = lines.find((l) => l.line.map((w) => w.text).join(' ').includes(c.phone!));
        expect(found, `contact line of ${p.id}`).toBeDefined();
        const { line, at } = found!;
        // The name's words, in its own right-to-left order, all before the relationship; nothing right to left after it.
        expect(line.slice(0, at).every((w) => RTL.test(w.text)), `${p.id}: ${line.map((w) => w.text).join(' ')}`).toBe(true);
        expect(line.slice(at).some((w) => RTL.test(w.text))).toBe(false);
        expect(line.slice(at).map((w) => w.text).join(' ')).toBe(`${relation.join(' ')} ${c.phone}${c.is_emergency ? ' [emergency]' : ''}`);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('prints the thumb tab of its first letter on every index page, on the outer edge', () => {
    const TAB_LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ#';
    const index = pages.map((p, i) => ({ p, n: i + 1 })).filter(({ p }) => p.lines[0]?.includes('Patient index'));
    expect(index.length).toBeGreaterThan(10);
    let band = '';
    for (const { p, n } of index) {
      // The letter of the page's first entry: the band it opens with, or the one carried over from the page before.
      const first = p.lines.find((l) => /^[A-Z#]$/.test(l) || INDEX_LINE.test(l));
      const letter = first && /^[A-Z#]$/.test(first) ? first : band;
      band = [...p.lines].reverse().find((l) => /^[A-Z#]$/.test(l)) ?? band;
      // The tab is drawn, not text: read its slot's darkness from the page rasterised at 18 dpi (4 pt a pixel).
      const run = spawnSync('pdftoppm', ['-r', '18', '-gray', '-f', String(n), '-l', String(n), join(dir, 'binder.pdf')], { maxBuffer: 1 << 24 });
      const header = /^P5\s+(\d+)\s+(\d+)\s+255\s/.exec(run.stdout.subarray(0, 32).toString('latin1'))!;
      const [w, h] = [Number(header[1]), Number(header[2])];
      const pixels = run.stdout.subarray(header[0].length);
      const k = 18 / 72;
      const outer = n % 2 === 1 ? w - 3 : 1;
      const dark = [...TAB_LETTERS].map((_, slot) => {
        const y = Math.round((78 + (slot + 0.5) * (666 / 27)) * k);
        return pixels[y * w + outer]! < 128 && y < h;
      });
      expect(dark.map((d, slot) => (d ? TAB_LETTERS[slot] : '')).join(''), `index page ${n}`).toBe(letter);
    }
  });

  it('puts each dangerous fact a patient has on page 1', () => {
    const HIGH_ALERT = /\b(warfarin|heparin|enoxaparin|apixaban|rivaroxaban|dabigatran|insulin|morphine|oxycodone|hydrocodone|hydromorphone|fentanyl|methadone|tramadol|methotrexate|digoxin)\b/i;
    const db = new Database(store, { readonly: true });
    const rows = new Map((db.prepare('SELECT id, phone, language, code_status FROM patients').all() as { id: string; phone: string | null; language: string | null; code_status: string | null }[]).map((r) => [r.id, r]));
    db.close();
    const allergies = byPatient<{ patient_id: string; substance: string; status: string }>("SELECT patient_id, substance, status FROM allergies WHERE status = 'active'");
    const meds = byPatient<{ patient_id: string; name: string }>("SELECT patient_id, name FROM medications WHERE status = 'active'");
    const weights = byPatient<{ patient_id: string; effective_at: string }>("SELECT patient_id, effective_at FROM observations WHERE code = '29463-7' ORDER BY effective_at DESC");
    const visits = byPatient<{ patient_id: string; occurred_at: string; kind: string; reason: string | null }>("SELECT patient_id, occurred_at, kind, reason FROM encounters WHERE substr(occurred_at, 1, 10) <= '2026-12-06' ORDER BY occurred_at DESC");
    const alerts = byPatient<{ patient_id: string; text: string }>('SELECT patient_id, text FROM alerts');
    const missing: string[] = [];
    let highAlert = 0;
    for (const p of patients) {
      const r = rows.get(p.id)!;
      const text = pagesOf(p)[0]!.lines.join('\n');
      const flat = text.replace(/\s+/g, ' ');
      const want = (fact: string, ok: boolean): void => { if (!ok) missing.push(`${p.id}: ${fact}`); };
      for (const a of allergies.get(p.id) ?? []) want(`allergy ${a.substance}`, flat.includes(a.substance));
      want('code status', /CODE STATUS/.test(text) && flat.includes(r.code_status ?? 'not recorded'));
      const weight = weights.get(p.id)?.[0];
      if (weight) want('weight in kg with its date', new RegExp(`Weight [\\d.]+ kg \\([\\d.]+ lb\\), ${weight.effective_at.slice(0, 10)}`).test(flat));
      for (const m of (meds.get(p.id) ?? []).filter((m) => HIGH_ALERT.test(m.name))) {
        highAlert++;
        want(`high-alert ${m.name}`, flat.includes(m.name) && flat.includes('HIGH-ALERT medicine'));
      }
      const visit = visits.get(p.id)?.[0];
      if (visit) want('last visit', flat.includes(`Last visit ${visit.occurred_at.slice(0, 10)} — ${visit.kind}`) && (!visit.reason || flat.includes(visit.reason)));
      if (r.language) want('language by name', flat.includes(`Language ${new Intl.DisplayNames(['en'], { type: 'language' }).of(r.language)}`));
      want('phone', flat.includes(`Phone ${r.phone ?? 'no phone recorded'}`));
      for (const a of alerts.get(p.id) ?? []) want(`precaution ${a.text}`, flat.includes(a.text));
    }
    expect(highAlert).toBeGreaterThan(20);
    expect(missing.slice(0, 10)).toEqual([]);
  });

  it('files every patient A–Z under a Latin form pointing to their first page, the name as written beside it', () => {
    let romanised = 0;
    for (const p of patients) {
      const first = firstPageOf(p);
      const line = indexLines.find((l) => l.mrn === p.mrn && !l.name.includes('→'))!;
      const [latin, written] = line.name.split(' · ');
      expect(NON_LATIN.test(latin!), `Latin form of ${p.id}: ${line.name}`).toBe(false);
      const name = `${p.family_name}, ${p.given_names}`;
      if (NON_LATIN.test(name)) {
        romanised++;
        expect(written, `name as written beside ${p.id}`).toBeDefined();
        if (LTR_SCRIPTS.test(name)) expect(line.name).toContain(name);
      }
      const page = pages[first - 1]!;
      expect(page.lines.join('\n'), `first page of ${p.id}`).toMatch(/Page 1 of \d+/);
      expect(page.lines.join('\n')).toContain(`MRN ${p.mrn}`);
    }
    // The sample's share of names in Cyrillic, Greek, Arabic, Hebrew, Chinese, Japanese and Korean (issue 25: 193).
    expect(romanised).toBe(193);
  });

  it('bands the index by base letter, A to Z, with no band of another script', () => {
    expect(bands.length).toBeGreaterThan(15);
    expect(bands.every((b) => /^[A-Z#]$/.test(b))).toBe(true);
    expect([...bands]).toEqual([...new Set(bands)].sort());
    const base = (s: string): string => s.normalize('NFD').replace(/\p{M}/gu, '').replace(/^[^\p{L}]+/u, '').charAt(0)
      .replace('Đ', 'D').replace('Ł', 'L').replace('Ø', 'O').toUpperCase();
    for (const l of indexLines) expect(base(l.name), l.name).toBe(l.band);
  });

  it('cross-references every preferred name to the patient\'s first page', () => {
    const preferred = patients.filter((p) => p.preferred_name);
    expect(preferred.length).toBeGreaterThan(50);
    for (const p of preferred) {
      const refs = indexLines.filter((l) => l.mrn === p.mrn && l.name.includes(' → '));
      expect(refs, `cross-reference of ${p.id} (${p.preferred_name})`).toHaveLength(1);
      const [from] = refs[0]!.name.split(' → ');
      expect(NON_LATIN.test(from!.split(' · ')[0]!)).toBe(false);
      if (!NON_LATIN.test(p.preferred_name!)) expect(from).toBe(p.preferred_name);
      else if (LTR_SCRIPTS.test(p.preferred_name!)) expect(from).toContain(p.preferred_name);
      expect(refs[0]!.page).toBe(firstPageOf(p));
    }
  });

  it('keeps every glyph out of the binding gutter: left on right-hand pages, right on left-hand ones', () => {
    const intruders: string[] = [];
    pages.forEach((page, i) => {
      const recto = (i + 1) % 2 === 1;
      for (const w of page.words) {
        if (recto ? w.x0 < GUTTER - 0.5 : w.x1 > page.width - GUTTER + 0.5) intruders.push(`page ${i + 1}: "${w.text}" at ${w.x0.toFixed(1)}–${w.x1.toFixed(1)}`);
      }
    });
    expect(intruders.slice(0, 10)).toEqual([]);
    // And the patient's name and the binder page sit on the outer edge: right on a right-hand page.
    const p = patients[0]!;
    const first = pages[firstPageOf(p) - 1]!;
    const pageNumber = first.words.find((w) => w.text === String(firstPageOf(p)) && w.y0 > 700)!;
    expect(pageNumber.x1).toBeGreaterThan(first.width - 60);
  });

  it('prints every time on the cover and the schedule in the clinic\'s zone, naming it, and says where both start', () => {
    const cover = pages[0]!.lines.join('\n');
    const starts = /Schedule: page (\d+) · Index: page (\d+)/.exec(cover);
    expect(starts, 'section pages on the cover').not.toBeNull();
    expect(pages[Number(starts![1]) - 1]!.lines.join('\n')).toMatch(/^Schedule\b/m);
    expect(pages[Number(starts![2]) - 1]!.lines[0]).toContain('Patient index');
    const schedule = pages.filter((p) => p.lines[0]?.includes('Schedule')).map((p) => p.lines.join('\n'));
    expect(schedule.length).toBeGreaterThan(0);
    // The zone is named on the cover and atop the schedule; every page's running head gives its short name.
    expect(cover).toContain('Times in America/Los_Angeles');
    expect(schedule[0]).toContain('Times in America/Los_Angeles');
    for (const text of [cover, ...schedule]) {
      expect(text).not.toMatch(/UTC/);
      const zones = [...text.matchAll(/\d{2}:\d{2} ([A-Z]{2,5}\b|GMT[+-]\d+)/g)].map((m) => m[1]);
      expect(zones.length).toBeGreaterThan(0);
      expect(new Set(zones)).toEqual(new Set(['PST']));
    }
    expect(cover).toMatch(/Printed 2026-12-06 07:00 PST/);
  });

  it('gives each appointment the patient\'s phone and binder page, and marks cancellations', () => {
    const text = pages.filter((p) => p.lines[0]?.includes('Schedule')).map((p) => p.lines.join('\n')).join('\n');
    expect(text).toMatch(/\(\d{3}\) \d{3}-\d{4}/);
    expect(text).toContain('CANCELLED');
    expect(text).toMatch(/DOB \d{4}-\d{2}-\d{2} MRN \d{7}/);
  });
});
