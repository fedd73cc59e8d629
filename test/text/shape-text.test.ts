import * as fontkit from 'fontkit';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PDFDocument from 'pdfkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFeatures, loadFontSet, registerFonts, type Face } from '../../src/text/font-files.js';
import type { GlyphData } from '../../src/text/glyph-data.js';
import { TextShaper, type ShapedLine } from '../../src/text/shape-text.js';
import { extractPageTexts } from '../_pdf-text.js';
import { renderPdf } from '../_render-pdf.js';
import { drawShapedLine } from '../../src/pdf/glyph-run.js';

const NAMES = [
  'Nguyễn Thị Ánh',
  'Adébáyọ̀ Ọlátúndé',
  'Παπαδοπούλου Ελένη',
  'Иванова Мария',
  'محمد عبد الله',
  'דוד כהן',
  '张伟',
  '髙橋 美咲',
  '김민준',
  'François Müller-Łukasz',
  'Øystein Ærø',
].map((n) => n.normalize('NFC'));

const fonts = loadFontSet();
const shaper = new TextShaper(fonts);
let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'paperchart-shape-'));
});
// Set KEEP_TEST_PDFS=1 to keep the rendered PDFs for a look (the path is printed).
afterAll(() => {
  if (process.env.KEEP_TEST_PDFS) console.log(`test PDFs kept in ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
});

function faceNamed(name: string): Face {
  const face = fonts.faces.find((f) => f.name === name);
  if (!face) throw new Error(`no face ${name}`);
  return face;
}

const render = (file: string, draw: (doc: PDFKit.PDFDocument) => void): Promise<Uint8Array> => renderPdf(join(dir, file), fonts, draw);

function drawLines(doc: PDFKit.PDFDocument, lines: ShapedLine[], x = 50, top = 70, leading = 28): void {
  lines.forEach((line, i) => drawShapedLine(doc, shaper, line, x, top + i * leading));
}

describe('names round-trip through a real PDF', () => {
  it('extracts every name exactly (NFC), from NFC and NFD input', async () => {
    const inputs = [...NAMES, NAMES[1]!.normalize('NFD')];
    expect(inputs.at(-1)).not.toBe(NAMES[1]);
    const pdf = await render('names.pdf', (doc) => drawLines(doc, inputs.map((n) => shaper.shape(n, 16, 'regular'))));
    const pages = await extractPageTexts(pdf);
    expect(pages).toHaveLength(1);
    expect(pages[0]!.split('\n')).toEqual([...NAMES, NAMES[1]]);
  });

  it('bold names round-trip too', async () => {
    const pdf = await render('names-bold.pdf', (doc) => drawLines(doc, NAMES.map((n) => shaper.shape(n, 16, 'bold'))));
    const [page] = await extractPageTexts(pdf);
    expect(page!.split('\n')).toEqual(NAMES);
  });

  it('pdfkit measures every drawn run exactly as the shaper does', () => {
    const doc = new PDFDocument();
    registerFonts(doc);
    for (const name of [...NAMES, 'Nguyễn 张伟 محمد (MRN 42) 김민준']) {
      const line = shaper.shape(name, 13, 'regular');
      for (const run of line.runs) {
        const features = Array.isArray(run.features) ? [...run.features] : { ...run.features };
        const pdfkitWidth = doc.font(run.font).fontSize(13).widthOfString(run.text, { features } as PDFKit.Mixins.TextOptions);
        expect(Math.abs(pdfkitWidth - run.width)).toBeLessThan(0.01);
      }
    }
  });
});

/** Arabic names covering what other faces read back wrong: letters sharing a dotless skeleton, hamza forms (Noto Sans Arabic), lam-alef and الله (one-glyph ligatures). */
const ARABIC_NAMES = [
  'محمد عبد الله',
  'نبيل',
  'يحيى',
  'زينب',
  'فاطمة الزهراء',
  'عبد الرحمن',
  'ثابت بن قيس',
  'ليلى',
  'صلاح',
  'علاء الدين',
  'بلال',
  'عائشة بنت أبي بكر',
  'إبراهيم',
  'آمنة',
  'مؤمن',
  'لؤي',
  'هيئة',
  'خديجة',
  'شيماء',
  'غادة',
  'ظافر',
  'ضياء',
  'ذكرى',
  'عبدالله',
].map((n) => n.normalize('NFC'));

describe('Arabic comes back exactly', () => {
  it('one page of Arabic names (regular and bold) with Latin, Hebrew and CJK lines', async () => {
    const others = ['Nguyễn Thị Ánh', 'François Müller-Łukasz', 'דוד כהן', 'שרה לוי', '张伟', '髙橋 美咲', '김민준'].map((n) => n.normalize('NFC'));
    const lines = [
      ...ARABIC_NAMES.map((n) => shaper.shape(n, 10, 'regular')),
      ...others.map((n) => shaper.shape(n, 10, 'regular')),
      ...ARABIC_NAMES.map((n) => shaper.shape(n, 10, 'bold')),
    ];
    // Right-aligned like an RTL cell, at the binder's leading (1.3).
    const pdf = await render('arabic-names.pdf', (doc) =>
      lines.forEach((line, i) => drawShapedLine(doc, shaper, line, 300 - line.width, 60 + i * 13)),
    );
    const pages = await extractPageTexts(pdf);
    expect(pages).toHaveLength(1);
    expect(pages[0]!.split('\n')).toEqual([...ARABIC_NAMES, ...others, ...ARABIC_NAMES]);
  });

  it('every Arabic glyph stands for exactly one character, the same one wherever it is used', () => {
    for (const name of ['arabic-regular', 'arabic-bold']) {
      const face = faceNamed(name);
      const data = readFileSync(face.path);
      const charOf = new Map<number, string>();
      for (const text of ARABIC_NAMES) {
        // A fresh font each time: fontkit keeps the first code points it saw for a glyph id.
        const font = fontkit.create(data) as fontkit.Font;
        const run = font.layout(text, copyFeatures(face.features));
        expect(run.direction).toBe('rtl');
        const logical = [...run.glyphs].reverse();
        for (const g of logical) {
          expect(g.codePoints, `${name} ${text}: glyph ${g.name}`).toHaveLength(1);
          const ch = String.fromCodePoint(g.codePoints[0]!);
          expect(charOf.get(g.id) ?? ch, `${name}: glyph ${g.name} used for two characters`).toBe(ch);
          charOf.set(g.id, ch);
        }
        expect(logical.map((g) => String.fromCodePoint(...g.codePoints)).join('')).toBe(text);
      }
    }
  });

  it('draws letters in their joining forms and lam-alef as two glyphs', () => {
    const { font, features } = faceNamed('arabic-regular');
    const names = (s: string) => font.layout(s, copyFeatures(features)).glyphs.map((g) => g.name).reverse();
    // ب ت ث ن ي keep distinct glyphs in every position (no shared dotless skeleton).
    const medial = ['ب', 'ت', 'ث', 'ن', 'ي'].map((ch) => names(`ـ${ch}ـ`)[1]);
    expect(new Set(medial).size).toBe(5);
    // Joined: نبيل is initial, medial, medial, final.
    expect(names('نبيل')).toEqual(['uniFEE7', 'uniFE92', 'uniFEF4', 'uniFEDE']);
    // Lam-alef: two glyphs, each its own letter.
    expect(font.layout('صلاح', copyFeatures(features)).glyphs.map((g) => g.codePoints.length)).toEqual([1, 1, 1, 1]);
  });

  it('reads back vowel marks on shadda in order', async () => {
    // Noto Naskh draws shadda + vowel as one glyph; see forExtraction in layout-memo.ts.
    // (Not a mark on a line's last letter: pdfjs moves a mark that begins a text
    // operation onto the previous line, whatever the font.)
    const texts = ['مُحَمَّد', 'حَسَّان', 'سَعِيد', 'مُحَمَّد عَبْد اللّٰه'].map((n) => n.normalize('NFC'));
    const pdf = await render('arabic-marks.pdf', (doc) => drawLines(doc, texts.map((n) => shaper.shape(n, 16, 'regular'))));
    const [page] = await extractPageTexts(pdf);
    expect(page!.split('\n')).toEqual(texts);
  });

});

describe('glyph coverage', () => {
  it('every code point of every name has a glyph in the face chosen for it', () => {
    const all = [...NAMES, NAMES[1]!.normalize('NFD'), 'محمد عبد الله (MRN 12345)', 'Nguyễn 张伟 محمد (MRN 42) 김민준'];
    for (const weight of ['regular', 'bold'] as const) {
      for (const name of all) {
        for (const run of shaper.shape(name, 12, weight).runs) {
          const { font } = faceNamed(run.font);
          for (const ch of run.text) {
            const cp = ch.codePointAt(0)!;
            expect(font.hasGlyphForCodePoint(cp), `${name}: U+${cp.toString(16)} in ${run.font}`).toBe(true);
            expect(font.glyphForCodePoint(cp).id).not.toBe(0);
          }
        }
      }
    }
  });

  it('picks the expected face per script', () => {
    const fontsOf = (s: string) => shaper.shape(s, 12, 'regular').runs.map((r) => r.font);
    expect(fontsOf('Παπαδοπούλου Ελένη')).toEqual(['latin-regular']);
    expect(fontsOf('דוד כהן')).toEqual(['hebrew-regular']);
    expect(fontsOf('髙橋 美咲')).toEqual(['sc-regular']);
    expect(fontsOf('김민준')).toEqual(['kr-regular']);
    // CJK bold: the regular face, stroked (issue 25): its own face name, drawn as sc-regular.
    expect(shaper.shape('张伟', 12, 'bold').runs.map((r) => r.font)).toEqual(['sc-bold']);
    expect(shaper.shape('Øystein', 12, 'bold').runs.map((r) => r.font)).toEqual(['latin-bold']);
  });
});

describe('bidi', () => {
  it('orders runs visually for an RTL name with an LTR MRN, brackets mirrored', () => {
    const line = shaper.shape('محمد عبد الله (MRN 12345)', 12, 'regular');
    expect(line.runs.map((r) => [r.font, r.level, r.text])).toEqual([
      ['latin-regular', 1, '('],
      ['latin-regular', 2, 'MRN 12345'],
      // Noto Naskh Arabic has no brackets: the mirrored ")" comes from the Latin face.
      ['latin-regular', 1, ')'],
      ['arabic-regular', 1, 'محمد عبد الله '],
    ]);
    expect(line.text).toBe('محمد عبد الله (MRN 12345)');
    expect(line.direction).toBe('rtl');
    expect(shaper.shape('Nguyễn (محمد)', 12, 'regular').direction).toBe('ltr');
    expect(line.width).toBeCloseTo(line.runs.reduce((s, r) => s + r.width, 0), 9);
  });

  it('keeps LTR lines in logical order and puts embedded RTL where it belongs', () => {
    const line = shaper.shape('Patient דוד כהן, MRN 42', 12, 'regular');
    // The comma and space after Hebrew stay in the Hebrew face (it has them) at level 0.
    expect(line.runs.map((r) => [r.font, r.level, r.text])).toEqual([
      ['latin-regular', 0, 'Patient '],
      ['hebrew-regular', 1, 'דוד כהן'],
      ['hebrew-regular', 0, ', '],
      ['latin-regular', 0, 'MRN 42'],
    ]);
  });

  it('reverses neutral-only RTL runs itself (fontkit reverses only RTL-script runs)', () => {
    // "☆・" has no glyphs in the Latin, Arabic or Hebrew faces: an SC run at level 1 with no RTL letter.
    const line = shaper.shape('דוד ☆・ כהן', 12, 'regular');
    expect(line.runs.map((r) => [r.font, r.level, r.text])).toEqual([
      ['hebrew-regular', 1, 'כהן'],
      ['sc-regular', 1, ' ・☆'],
      ['hebrew-regular', 1, 'דוד '],
    ]);
  });
});

const ENGLISH =
  'Patient presented with a three day history of productive cough, low grade fever and ' +
  'pleuritic chest pain on the right side. No recent travel. Known asthmatic, uses a salbutamol ' +
  'inhaler as needed, last hospital admission in 2019. On examination: temperature 38.4 °C, ' +
  'respiratory rate 22, saturation 94% on room air, crackles at the right base. Chest X-ray ' +
  'shows right lower lobe consolidation. Started on amoxicillin 500 mg three times daily for ' +
  'seven days; safety-netting advice given; review in 48 hours or sooner if worse.';

describe('wrap', () => {
  it('wraps an English paragraph within maxWidth without losing a word', async () => {
    const maxWidth = 220;
    const lines = shaper.wrap(ENGLISH, 10, 'regular', maxWidth);
    expect(lines.length).toBeGreaterThan(5);
    for (const line of lines) expect(line.width).toBeLessThanOrEqual(maxWidth);
    expect(lines.map((l) => l.text).join(' ').split(/\s+/)).toEqual(ENGLISH.split(/\s+/));
    // Greedy: the next line's first word would not have fitted.
    for (let i = 0; i + 1 < lines.length; i++) {
      const next = lines[i + 1]!.text.split(' ')[0]!;
      expect(shaper.width(`${lines[i]!.text} ${next}`, 10, 'regular')).toBeGreaterThan(maxWidth);
    }
    const pdf = await render('wrapped.pdf', (doc) => drawLines(doc, lines, 50, 70, 13));
    const [page] = await extractPageTexts(pdf);
    expect(page!.split('\n')).toEqual(lines.map((l) => l.text));
  });

  it('measures each wrapped line of plain text exactly as the line shaped alone', () => {
    const readings = 'BP 118/75 120/80 131/84 2025-06-27 2025-07-01 555-0171 (call) 38.4 °C 22/min 94%';
    for (const [text, size, weight, maxWidth] of [
      [ENGLISH, 10, 'regular', 220], [ENGLISH, 9, 'bold', 140], [`   ${ENGLISH}`, 10, 'regular', 180],
      [readings, 10, 'regular', 60], [readings, 11, 'bold', 120], ['2025-06-27 118/75 555-0171 12:30', 10, 'regular', 70],
    ] as const) {
      const lines = shaper.wrap(text, size, weight, maxWidth);
      expect(lines.length).toBeGreaterThan(1);
      for (const line of lines) {
        expect(line).toEqual(shaper.shape(line.text, size, weight));
        expect(line.width).toBeLessThanOrEqual(maxWidth);
      }
      expect(lines.map((l) => l.text).join(' ').trim().split(/ +/)).toEqual(text.trim().split(/ +/));
    }
  });

  it('breaks CJK text between characters, never before closing punctuation', () => {
    const text = '患者张伟于三月五日因发热咳嗽就诊，体温三十八点五度，建议休息并多饮水。复诊时间为一周后。';
    const lines = shaper.wrap(text, 12, 'regular', 100);
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) {
      expect(line.width).toBeLessThanOrEqual(100);
      expect(line.text).not.toMatch(/^[，。]/);
    }
    expect(lines.map((l) => l.text).join('')).toBe(text);
  });

  it('breaks Korean at spaces or between syllables', () => {
    const text = '김민준 환자는 어제 저녁부터 두통과 어지러움을 호소하였습니다';
    const lines = shaper.wrap(text, 12, 'regular', 90);
    for (const line of lines) expect(line.width).toBeLessThanOrEqual(90);
    expect(lines.map((l) => l.text).join('').replace(/ /g, '')).toBe(text.replace(/ /g, ''));
  });

  it('breaks a single overlong token by characters and loses nothing', () => {
    const token = 'Pneumonoultramicroscopicsilicovolcanoconiosis-0123456789-Nguyễn';
    const lines = shaper.wrap(`See ${token} now`, 11, 'regular', 70);
    for (const line of lines) expect(line.width).toBeLessThanOrEqual(70);
    expect(lines.map((l) => l.text).join('').replace(/ /g, '')).toBe(`See${token}now`);
    expect(lines[0]!.text).toBe('See');
  });

  it('keeps paragraphs and empty lines; empty input gives one empty line', () => {
    expect(shaper.wrap('', 10, 'regular', 100).map((l) => l.text)).toEqual(['']);
    expect(shaper.wrap('a\n\nb\r\nc', 10, 'regular', 100).map((l) => l.text)).toEqual(['a', '', 'b', 'c']);
    expect(shaper.shape('one\ntwo', 10, 'regular').text).toBe('one two');
    const [empty] = shaper.wrap('', 10, 'regular', 100);
    expect(empty).toMatchObject({ runs: [], width: 0, size: 10, text: '', direction: 'ltr' });
  });

  it('wraps an RTL paragraph with the paragraph direction on every line', () => {
    const text = 'محمد عبد الله محمد عبد الله (MRN 12345) محمد عبد الله';
    const lines = shaper.wrap(text, 12, 'regular', 120);
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) {
      expect(line.width).toBeLessThanOrEqual(120);
      expect(line.direction).toBe('rtl');
    }
    expect(lines.map((l) => l.text).join(' ')).toBe(text);
  });
});

describe('widths and sizes', () => {
  it('matches pdfkit widthOfString for a Latin string (same font, size, features)', () => {
    const doc = new PDFDocument();
    registerFonts(doc);
    const s = 'Patient: Nguyễn Thị Ánh, Ọlátúndé — AVA Tokyo 1/2 ffi';
    for (const [weight, font] of [['regular', 'latin-regular'], ['bold', 'latin-bold']] as const) {
      const expected = doc.font(font).fontSize(11).widthOfString(s, { features: { ccmp: false } } as unknown as PDFKit.Mixins.TextOptions);
      expect(Math.abs(shaper.width(s, 11, weight) - expected)).toBeLessThan(0.01);
      expect(shaper.shape(s, 11, weight).width).toBe(shaper.width(s, 11, weight));
    }
  });

  it('fit shrinks to the largest fitting size down to 60%, else keeps the size', () => {
    const name = 'Adébáyọ̀ Ọlátúndé-Papadopoulou';
    const full = shaper.width(name, 14, 'bold');
    expect(shaper.fit(name, 14, 'bold', full + 1)).toBe(14);
    const size = shaper.fit(name, 14, 'bold', full * 0.8);
    expect(size).toBeLessThan(14);
    expect(size).toBeGreaterThan(14 * 0.79);
    expect(shaper.width(name, size, 'bold')).toBeLessThanOrEqual(full * 0.8);
    expect(shaper.fit(name, 14, 'bold', full * 0.5)).toBe(14);
  });
});

describe('draw and embedding', () => {
  it('embeds only the faces that are used', async () => {
    const latin = await render('latin-only.pdf', (doc) => {
      registerFonts(doc);
      drawLines(doc, ['Nguyễn Thị Ánh', 'Øystein Ærø'].map((n) => shaper.shape(n, 12, 'regular')));
    });
    const text = Buffer.from(latin).toString('latin1');
    expect(text).toMatch(/\/BaseFont \/[A-Z]{6}\+NotoSans-Regular/);
    expect(text).not.toMatch(/NotoSansSC|NotoSansKR|NotoNaskhArabic|NotoSansHebrew|NotoSans-Bold/);
    expect(latin.byteLength).toBeLessThan(20_000);
  });

  it('a document does not spoil the text of later ones (ç embeds c as a glyph component)', async () => {
    await render('cedilla.pdf', (doc) => drawShapedLine(doc, shaper, shaper.shape('François Ọla', 12, 'regular'), 50, 100));
    const pdf = await render('after-cedilla.pdf', (doc) => drawShapedLine(doc, shaper, shaper.shape('cough On', 12, 'regular'), 50, 100));
    expect(await extractPageTexts(pdf)).toEqual(['cough On']);
  });

  it('draws a mixed-font line on one baseline and leaves doc.x/doc.y alone', async () => {
    const pdf = await render('mixed.pdf', (doc) => {
      doc.x = 11;
      doc.y = 22;
      drawShapedLine(doc, shaper, shaper.shape('Nguyễn 张伟 김민준 Øystein', 14, 'regular'), 50, 100);
      expect([doc.x, doc.y]).toEqual([11, 22]);
    });
    const [page] = await extractPageTexts(pdf);
    expect(page).toBe('Nguyễn 张伟 김민준 Øystein');
  });
});

describe('glyph data', () => {
  const bytes = (g: GlyphData): number => g.advances.byteLength + g.positions.byteLength + g.codePoints.byteLength + g.ids.byteLength + g.counts.byteLength;

  it('is carved from shared blocks for lines drawn once, and copied out for the lines the shaper keeps (running headers)', () => {
    const shaper = new TextShaper();
    const once = shaper.withGlyphs(shaper.shape('Take 1 tablet by mouth once daily.', 9, 'regular'));
    const kept = shaper.shapeForDrawing('Cedar Hill Family Health — CONFIDENTIAL', 8, 'regular');
    // A kept line in a shared block would keep the whole block, and every line carved from it, alive.
    for (const run of kept.runs) expect(shaper.glyphsToDraw(run).ids.buffer.byteLength).toBe(bytes(shaper.glyphsToDraw(run)));
    expect(shaper.glyphsToDraw(once.runs[0]!).ids.buffer.byteLength).toBeGreaterThan(bytes(shaper.glyphsToDraw(once.runs[0]!)));
    // The copy holds the same glyphs as the line shaped afresh.
    const fresh = shaper.withGlyphs(shaper.shape('Cedar Hill Family Health — CONFIDENTIAL', 8, 'regular'));
    kept.runs.forEach((run, i) => expect([...shaper.glyphsToDraw(run).ids]).toEqual([...shaper.glyphsToDraw(fresh.runs[i]!).ids]));
  });
});
