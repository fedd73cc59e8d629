// Japanese text in Japanese glyph forms, Chinese in Chinese; CJK bold as a stroked (synthetic) bold. Real PDFs, read back.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drawShapedLine } from '../../src/pdf/glyph-run.js';
import { loadFontSet } from '../../src/text/font-files.js';
import { inJapanese, isJapaneseName } from '../../src/text/han-language.js';
import { TextShaper } from '../../src/text/shape-text.js';
import { extractPageTexts } from '../_pdf-text.js';
import { renderPdf } from '../_render-pdf.js';
import { pageTextRuns } from '../_pdf-runs.js';

const fonts = loadFontSet();
const shaper = new TextShaper(fonts);
let dir = '';
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'paperchart-jp-')); });
afterAll(() => { if (!process.env.KEEP_TEST_PDFS) rmSync(dir, { recursive: true, force: true }); else console.log(`test PDFs kept in ${dir}`); });

const render = (file: string, draw: (doc: PDFKit.PDFDocument) => void): Promise<Uint8Array> => renderPdf(join(dir, file), fonts, draw, { size: 'A5', margin: 30 });

/** The glyph id each face gives a character: 直 骨 海 are drawn differently in Chinese and Japanese. */
function glyphOf(face: string, ch: string): number {
  return fonts.faces.find((f) => f.name === face)!.font.glyphForCodePoint(ch.codePointAt(0)!).id;
}

describe('Han glyph forms by language', () => {
  it('the JP face is another drawing of 直 骨 海 than the SC face (why both are shipped)', () => {
    const sc = fonts.faces.find((f) => f.name === 'sc-regular')!.font;
    const jp = fonts.faces.find((f) => f.name === 'jp-regular')!.font;
    for (const ch of '直骨海') {
      const [a, b] = [sc.glyphForCodePoint(ch.codePointAt(0)!).path.toSVG(), jp.glyphForCodePoint(ch.codePointAt(0)!).path.toSVG()];
      expect(a).not.toBe(b);
    }
  });

  it('a tagged Japanese name is drawn with Noto Sans JP, a Chinese one with SC, a kana name with JP untagged', async () => {
    const japanese = '岡田, 直美';
    const chinese = '陈, 海涛';
    const kana = '田中, ゆい';
    const pdf = await render('faces.pdf', (doc) => {
      drawShapedLine(doc, shaper, shaper.shape(`Okada, Naomi · ${inJapanese(japanese)}`, 14, 'regular'), 30, 60);
      drawShapedLine(doc, shaper, shaper.shape(`Chen, Haitao · ${chinese}`, 14, 'regular'), 30, 90);
      drawShapedLine(doc, shaper, shaper.shape(kana, 14, 'regular'), 30, 120);
    });
    const [runs] = await pageTextRuns(pdf);
    const fontOf = (text: string): string[] => runs!.filter((r) => r.text.includes(text)).map((r) => r.font);
    expect(fontOf('岡田')).toEqual(['NotoSansJP-Regular']);
    expect(fontOf('陈')).toEqual(['NotoSansSC-Regular']);
    expect(fontOf('田中')).toEqual(['NotoSansJP-Regular']);
    expect(runs!.find((r) => r.text.startsWith('Okada'))!.font).toBe('NotoSans-Regular');
    // The tag draws nothing and extracts as nothing: the names come back exactly.
    expect(await extractPageTexts(pdf)).toEqual([`Okada, Naomi · ${japanese}\nChen, Haitao · ${chinese}\n${kana}`]);
    const poppler = execFileSync('pdftotext', ['-layout', join(dir, 'faces.pdf'), '-'], { encoding: 'utf8' });
    for (const name of [japanese, chinese, kana]) expect(poppler).toContain(name);
    expect(poppler).not.toMatch(/[\u{E0000}-\u{E007F}]/u);
  });

  it('measures a tagged text as the same text untagged where the faces agree (tags are zero-width)', () => {
    expect(shaper.width(inJapanese('Okada'), 12, 'regular')).toBeCloseTo(shaper.width('Okada', 12, 'regular'), 6);
    expect(shaper.shape(`x ${inJapanese('岡田')}`, 12, 'regular').text).toBe('x 岡田');
  });

  it('a wrapped Japanese name keeps the JP face on its continuation lines', () => {
    const lines = shaper.wrap(inJapanese('佐々木 直美 佐々木 直美 佐々木 直美'), 14, 'regular', 60);
    expect(lines.length).toBeGreaterThan(2);
    for (const line of lines) for (const run of line.runs) if (/\p{Script=Han}/u.test(run.text)) expect(run.font).toBe('jp-regular');
  });

  it('finds the sample clinic\'s Japanese patients by language, kana or a Latin alias that is not pinyin', () => {
    expect(isJapaneseName({ language: 'ja', family: '山本', given: '蓮' })).toBe(true);
    expect(isJapaneseName({ language: 'en', family: '田中', given: 'ゆい' })).toBe(true);
    expect(isJapaneseName({ language: 'en', family: '岡田', given: '美咲', latinFamily: 'Okada', latinGiven: 'Misaki' })).toBe(true);
    expect(isJapaneseName({ language: 'en', family: '孙', given: '佳怡', latinFamily: 'Sun', latinGiven: 'Jiayi' })).toBe(false);
    expect(isJapaneseName({ language: 'en', family: '欧阳', given: '海涛', latinFamily: 'Ouyang', latinGiven: 'Haitao' })).toBe(false);
    expect(isJapaneseName({ language: 'yue', family: '罗', given: '国华', latinFamily: 'Law', latinGiven: 'Kwok Wah' })).toBe(false);
    expect(isJapaneseName({ language: 'en', family: '岡田', given: '美咲' })).toBe(false);
    expect(isJapaneseName({ language: 'ko', family: '김', given: '민준', latinFamily: 'Kim', latinGiven: 'Minjun' })).toBe(false);
    expect(isJapaneseName({ language: null, family: 'Okada', given: 'Misaki' })).toBe(false);
  });
});

describe('CJK bold', () => {
  it('bold Chinese, Japanese and Korean are their regular faces filled and stroked; Latin bold is the bold face', async () => {
    const pdf = await render('bold.pdf', (doc) => {
      drawShapedLine(doc, shaper, shaper.shape(`Okada, Naomi · ${inJapanese('岡田, 直美')}`, 18, 'bold'), 30, 60);
      drawShapedLine(doc, shaper, shaper.shape('陈, 海涛 · 장, 성민', 18, 'bold'), 30, 100);
      drawShapedLine(doc, shaper, shaper.shape('陈, 海涛 · 장, 성민', 18, 'regular'), 30, 140);
    });
    const [runs] = await pageTextRuns(pdf);
    const bold = runs!.slice(0, 4);
    expect(bold.map((r) => [r.font, r.mode])).toEqual([
      ['NotoSans-Bold', 0], ['NotoSansJP-Regular', 2], ['NotoSansSC-Regular', 2], ['NotoSansKR-Regular', 2]]);
    expect(runs!.slice(4).every((r) => r.mode === 0)).toBe(true);
    // A bold line is as wide as the regular one: the stroke does not move the glyphs.
    expect(shaper.width('陈, 海涛', 18, 'bold')).toBeCloseTo(shaper.width('陈, 海涛', 18, 'regular'), 6);
    expect(await extractPageTexts(pdf)).toEqual(['Okada, Naomi · 岡田, 直美\n陈, 海涛 · 장, 성민\n陈, 海涛 · 장, 성민']);
    // One embedded font each (the bold is the regular's subset, stroked).
    const listed = execFileSync('pdffonts', [join(dir, 'bold.pdf')], { encoding: 'utf8' });
    expect(listed.match(/NotoSansSC-Regular/g)).toHaveLength(1);
    expect(listed).not.toMatch(/SC-Bold|JP-Bold|KR-Bold/);
  });

  it('the stroke darkens a bold name about as much as a bold face would (ink measured on the rendered page)', async () => {
    const pdf = await render('ink.pdf', (doc) => {
      drawShapedLine(doc, shaper, shaper.shape('海涛', 40, 'regular'), 30, 80);
      drawShapedLine(doc, shaper, shaper.shape('海涛', 40, 'bold'), 30, 160);
    });
    writeFileSync(join(dir, 'ink.pdf'), pdf);
    execFileSync('pdftoppm', ['-r', '72', '-gray', '-f', '1', '-l', '1', join(dir, 'ink.pdf'), join(dir, 'ink')]);
    const pgm = execFileSync('sh', ['-c', `cat ${join(dir, 'ink')}-1.pgm`]);
    const ink = inkByBand(pgm, [[40, 90], [120, 170]]);
    // Noto Sans SC Bold has 1.6 times Regular's stem width (0.131 / 0.082 em): the stroke is to add a similar share of ink.
    expect(ink[1]! / ink[0]!).toBeGreaterThan(1.3);
    expect(ink[1]! / ink[0]!).toBeLessThan(2.0);
  });
});

/** Sum of darkness (255 - grey) of the rows in each band of a binary PGM (P5). */
function inkByBand(pgm: Buffer, bands: [number, number][]): number[] {
  const header = pgm.toString('latin1', 0, 64).match(/^P5\s+(\d+)\s+(\d+)\s+255\s/);
  if (!header) throw new Error('not a PGM');
  const [width, offset] = [Number(header[1]), header[0].length];
  return bands.map(([top, bottom]) => {
    let sum = 0;
    for (let y = top; y < bottom; y++) for (let x = 0; x < width; x++) sum += 255 - pgm[offset + y * width + x]!;
    return sum;
  });
}
