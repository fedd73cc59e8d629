// A run with spaces is shaped word by word and composed (layout-memo.ts and word-shapes.ts, for speed, issue 6).
// This checks it, and the widths and glyphs that are measured and drawn, are exactly what fontkit gives for the whole run: every line of every text
// in the bundled sample clinic, wrapped at two widths, glyph for glyph and position for position.
import * as fontkit from 'fontkit';
import { describe, expect, it } from 'vitest';
import { copyFeatures, loadFontSet } from '../../src/text/font-files.js';
import { composedWord } from '../../src/text/word-shapes.js';
import { fontkitRun, packedShape } from './_fontkit-shape.js';
import { TextShaper } from '../../src/text/shape-text.js';
import { openStore } from '../../src/store/open-store.js';
import { readPatientSummaries, RecordReader } from '../../src/store/read-records.js';

function stringsOf(value: unknown, out: string[]): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => stringsOf(v, out));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => stringsOf(v, out));
  return out;
}

describe('composed runs', () => {
  it('equal whole-run shaping on every line of the sample clinic', () => {
    const fonts = loadFontSet();
    const shaper = new TextShaper(fonts);
    const unmemoised = new Map(fonts.faces.map((f) => [f.name, fontkit.openSync(f.path) as fontkit.Font]));
    const faceOf = new Map(fonts.faces.map((f) => [f.name, f]));
    const db = openStore(new URL('../../samples/demo-clinic.sqlite', import.meta.url).pathname);
    const reader = new RecordReader(db);
    const texts = readPatientSummaries(db).flatMap((s) => stringsOf(reader.read(s.id), []));
    db.close();
    texts.push('Nguyễn Thị Ánh  —  2026-11-25 10:30', 'Иванова Мария (Ivanova)', 'Παπαδοπούλου Ελένη', '张伟 髙橋 美咲', '김민준 이서연', 'AV  To  Wa  "T" (V)');

    let composed = 0;
    let drawn = 0;
    const seen = new Set<string>();
    for (const text of texts) {
      for (const width of [180, 480]) {
        for (const weight of ['regular', 'bold'] as const) {
          for (const line of shaper.wrap(text, 9, weight, width).map((l) => shaper.withGlyphs(l))) {
            for (const run of line.runs) {
              const key = `${run.font}\u0000${run.text}`;
              if (seen.has(key)) continue;
              seen.add(key);
              const face = faceOf.get(run.font)!;
              const want = unmemoised.get(run.font)!.layout(run.text, copyFeatures(face.features));
              // What is measured and drawn (plain Latin text is joined from its words' shapes, simple-text.ts wordsEm, wordsGlyphs).
              expect(run.width, run.text).toBe((want.advanceWidth / face.font.unitsPerEm) * 9);
              const glyphs = shaper.glyphsToDraw(run);
              expect(Array.from(glyphs.ids), run.text).toEqual(want.glyphs.map((g) => g.id));
              expect(Array.from(glyphs.advances), run.text).toEqual(want.glyphs.map((g) => g.advanceWidth));
              expect(Array.from(glyphs.positions), run.text).toEqual(want.positions.flatMap((p) => [p.xAdvance, p.yAdvance, p.xOffset, p.yOffset]));
              if (!/[\p{Script=Arabic}\p{Script=Hebrew}]/u.test(run.text)) {
                expect(Array.from(glyphs.codePoints), run.text).toEqual(want.glyphs.flatMap((g) => g.codePoints));
              }
              drawn++;
              if (!run.text.includes(' ')) continue;
              const got = face.font.layout(run.text, copyFeatures(face.features));
              expect(got.glyphs.map((g) => g.id), run.text).toEqual(want.glyphs.map((g) => g.id));
              expect(got.positions.map((p) => [p.xAdvance, p.yAdvance, p.xOffset, p.yOffset]), run.text)
                .toEqual(want.positions.map((p) => [p.xAdvance, p.yAdvance, p.xOffset, p.yOffset]));
              composed++;
            }
          }
        }
      }
    }
    expect(composed).toBeGreaterThan(5000);
    expect(drawn).toBeGreaterThan(composed);
  }, 120_000);

  it('equal whole-run shaping for numbers, dates and codes drawn character by character', () => {
    const fonts = loadFontSet();
    const shaper = new TextShaper(fonts);
    const unmemoised = new Map(fonts.faces.map((f) => [f.name, fontkit.openSync(f.path) as fontkit.Font]));
    const faceOf = new Map(fonts.faces.map((f) => [f.name, f]));
    const chars = '0123456789.,:;/()+%<>=#*-';
    let seed = 7;
    const random = (n: number): number => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return Math.floor((seed / 0x80000000) * n); };
    let checked = 0;
    for (let i = 0; i < 3000; i++) {
      const token = Array.from({ length: 2 + random(11) }, () => chars[random(chars.length)]).join('');
      // Alone (shaped as Unknown script), after a Latin word (as Latin), and beside another token.
      for (const text of [token, `Wt ${token}`, `${token} ${token.slice(1)}x`]) {
        for (const weight of ['regular', 'bold'] as const) {
          const line = shaper.withGlyphs(shaper.shape(text, 9, weight));
          for (const run of line.runs) {
            const face = faceOf.get(run.font)!;
            const want = unmemoised.get(run.font)!.layout(run.text, copyFeatures(face.features));
            expect(run.width, run.text).toBe((want.advanceWidth / face.font.unitsPerEm) * 9);
            expect(Array.from(shaper.glyphsToDraw(run).ids), run.text).toEqual(want.glyphs.map((g) => g.id));
            expect(Array.from(shaper.glyphsToDraw(run).positions), run.text).toEqual(want.positions.flatMap((p) => [p.xAdvance, p.yAdvance, p.xOffset, p.yOffset]));
            expect(Array.from(shaper.glyphsToDraw(run).codePoints), run.text).toEqual(want.glyphs.flatMap((g) => g.codePoints));
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThanOrEqual(18_000);
  }, 120_000);

  it('equal fontkit for words composed from their characters and ligatures and the kerning of each pair', () => {
    const fonts = loadFontSet();
    // Letters that kern (AV, To, Ly), the f ligatures, Latin-1 and Extended-A/B letters, digits and punctuation, the dashes,
    // quotes, bullet and ellipsis past them, Greek and Cyrillic letters (kerning ones: Τ, Γ, А, Г), Vietnamese.
    const alphabet = 'AVTWYLPFovaeyrfilfilffk0123456789.,;:!?@-_()[]/\'"&%#+ÀÉÖüçñßøŁőžƒǅĳŉ·×–—‘’“”•…ΑΤΓΛΥάίόώαεοςυВАГТУЯаеоуяёЖДПẠầễịỗữỹĐđ';
    // Words the sample clinic's supplement shaped with fontkit before they were composed.
    const words = ['office', 'first', 'fluffiest', 'affluent', 'fingerprint:', 'Γεωργίου,', 'Παναγιώτα', 'Васильев,', 'Евгений', 'Trần,', 'Đỗ,', 'Mỹ', '7–', '–12', 'Çe', 'Öz', '·', '•'];
    let seed = 11;
    const random = (n: number): number => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return Math.floor((seed / 0x80000000) * n); };
    let composed = 0;
    let kerned = 0;
    let ligated = 0;
    let tried = 0;
    for (const face of fonts.faces.filter((f) => f.name.startsWith('latin-'))) {
      const unmemoised = fontkit.openSync(face.path) as fontkit.Font;
      const alphabetWords = Array.from({ length: 5000 }, () => Array.from({ length: 2 + random(12) }, () => alphabet[random(alphabet.length)]).join(''));
      for (const word of [...words, ...alphabetWords]) {
        for (const script of ['latn', 'grek', 'cyrl', 'zzzz'] as const) {
          tried++;
          const got = composedWord(face, word, script);
          if (!got) continue;
          composed++;
          const run = fontkitRun(unmemoised, face, word, script);
          expect(Array.from(got), `${face.name} ${script} ${word}`).toEqual(packedShape(run));
          if (run.positions.some((p, k) => p.xAdvance !== run.glyphs[k]!.advanceWidth)) kerned++;
          if (run.glyphs.some((g) => g.codePoints.length > 1)) ligated++;
        }
      }
      // The words above are all composed under Latin, as in a line that starts with a Latin letter.
      for (const word of words) expect(composedWord(face, word, 'latn'), word).toBeDefined();
      expect(composedWord(face, 'AVATAR', 'latn')).toBeDefined();
      expect(composedWord(face, '123–125', 'latn')).toBeDefined();
      expect(composedWord(face, 'O’Brien', 'latn')).toBeDefined();
    }
    expect(tried).toBe(2 * 4 * (5000 + words.length));
    expect(composed).toBeGreaterThan(0.9 * tried);
    // The comparison above sees kerning and ligatures.
    expect(kerned).toBeGreaterThan(0.2 * composed);
    expect(ligated).toBeGreaterThan(300);
  }, 240_000);
});
