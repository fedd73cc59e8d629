// The Latin faces ship what words are composed from, measured (text/word-shapes.ts adoptMeasured): it must be exactly
// what fontkit gives for the font files beside them, checked here with fontkit itself on a fresh font object.
import * as fontkit from 'fontkit';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadFontSet, type Face } from '../../src/text/font-files.js';
import {
  composedWord, measuredTablesPath, PAIR_APART, SHAPE_SCRIPTS, slotOf, type MeasuredFile, type MeasuredTables, type ShapeScript,
} from '../../src/text/word-shapes.js';
import { fontkitRun, packedShape } from './_fontkit-shape.js';

/** fontkit's shape of `text` as word-shapes.ts packs it. */
const fontkitShape = (font: fontkit.Font, face: Face, text: string, script: ShapeScript): number[] => packedShape(fontkitRun(font, face, text, script));

/** How far fontkit moves the first of two one-glyph texts when the second follows; PAIR_APART when the pair is not their two glyphs so. */
function fontkitKern(font: fontkit.Font, face: Face, a: string, b: string, script: ShapeScript): number {
  const run = fontkitRun(font, face, a + b, script);
  const [x, y] = [fontkitRun(font, face, a, script), fontkitRun(font, face, b, script)];
  if (run.glyphs.length !== 2 || x.glyphs.length !== 1 || y.glyphs.length !== 1) return PAIR_APART;
  const same = (p: fontkit.GlyphPosition, q: fontkit.GlyphPosition, dx = 0) => p.xAdvance === q.xAdvance + dx && p.yAdvance === q.yAdvance && p.xOffset === q.xOffset && p.yOffset === q.yOffset;
  const kern = run.positions[0]!.xAdvance - x.positions[0]!.xAdvance;
  const apart = run.glyphs[0]!.id !== x.glyphs[0]!.id || run.glyphs[1]!.id !== y.glyphs[0]!.id
    || run.glyphs[0]!.codePoints.join() !== x.glyphs[0]!.codePoints.join() || run.glyphs[1]!.codePoints.join() !== y.glyphs[0]!.codePoints.join()
    || !same(run.positions[0]!, x.positions[0]!, kern) || !same(run.positions[1]!, y.positions[0]!);
  return apart ? PAIR_APART : kern;
}

const shippedOf = (face: Face): MeasuredFile => JSON.parse(readFileSync(measuredTablesPath(face), 'utf8')) as MeasuredFile;
const tablesOf = (file: MeasuredFile, script: ShapeScript): MeasuredTables => {
  const t = file[script];
  return typeof t === 'string' ? tablesOf(file, t) : t;
};

describe('the measured tables beside the Latin fonts (else: npx tsx scripts/measured-tables.ts)', () => {
  const latin = loadFontSet().faces.filter((f) => f.name.startsWith('latin-'));

  it('hold every character words are composed from that is one glyph, with its shape, and the ligatures, as fontkit shapes them', () => {
    expect(latin.map((f) => f.name)).toEqual(['latin-regular', 'latin-bold']);
    for (const face of latin) {
      const font = fontkit.openSync(face.path) as fontkit.Font;
      const file = shippedOf(face);
      for (const script of SHAPE_SCRIPTS) {
        const t = tablesOf(file, script);
        const expected: number[] = [];
        for (let code = 0; code < 0x2030; code++) {
          const ch = String.fromCharCode(code);
          if (slotOf(code) < 0 || /[\p{M}\p{C}]/u.test(ch) || !font.hasGlyphForCodePoint(code)) continue;
          if (script === 'zzzz' && /[^\p{Script=Common}\p{Script=Inherited}\p{Script=Unknown}]/u.test(ch)) continue;
          const shape = fontkitShape(font, face, ch, script);
          if (shape[1] === 1 && shape[2] === 1) expected.push(code);
        }
        expect(t.codes, `${face.name} ${script}`).toEqual(expected);
        t.codes.forEach((code, i) => expect(t.characters[i], `${face.name} ${script} U+${code.toString(16)}`).toEqual(fontkitShape(font, face, String.fromCharCode(code), script)));
        for (const l of t.ligatures) expect(l.shape, `${face.name} ${script} ${l.text}`).toEqual(fontkitShape(font, face, l.text, script));
      }
      // Noto Sans' f ligatures, under each script that has letters.
      expect(tablesOf(file, 'latn').ligatures.map((l) => l.text).sort()).toEqual(['ff', 'ffi', 'ffl', 'fi', 'fl']);
    }
  }, 120_000);

  it('kern as fontkit does: every pair of ASCII characters and ligatures, and 20,000 random pairs, in both faces and every script', () => {
    let seed = 5;
    const random = (n: number): number => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return Math.floor((seed / 0x80000000) * n); };
    let kerned = 0;
    let checked = 0;
    for (const face of latin) {
      const font = fontkit.openSync(face.path) as fontkit.Font;
      const file = shippedOf(face);
      for (const script of SHAPE_SCRIPTS) {
        const t = tablesOf(file, script);
        const units = [...t.codes.map((c) => String.fromCharCode(c)), ...t.ligatures.map((l) => l.text)];
        const shipped = (a: number, b: number): number => t.kern[t.left[a]! * t.rightClasses + t.right[b]!]!;
        const pairs: [number, number][] = [];
        const ascii = units.map((u, i) => [u, i] as const).filter(([u]) => u.length > 1 || u.charCodeAt(0) < 0x7f).map(([, i]) => i);
        for (const a of ascii) for (const b of ascii) pairs.push([a, b]);
        for (let k = 0; k < 2_500; k++) pairs.push([random(units.length), random(units.length)]);
        for (const [a, b] of pairs) {
          const want = fontkitKern(font, face, units[a]!, units[b]!, script);
          expect(shipped(a, b), `${face.name} ${script} ${units[a]}${units[b]}`).toBe(want);
          if (want !== 0 && want !== PAIR_APART) kerned++;
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(20_000);
    expect(kerned).toBeGreaterThan(1_000); // the comparison sees kerning
  }, 240_000);

  it('are what words are composed from: kerned pairs kern, ligatures are their own glyph', () => {
    const regular = latin[0]!;
    const font = fontkit.openSync(regular.path) as fontkit.Font;
    const t = tablesOf(shippedOf(regular), 'latn');
    const shape = (ch: string) => t.characters[t.codes.indexOf(ch.charCodeAt(0))]!;
    const i = (ch: string) => t.codes.indexOf(ch.charCodeAt(0));
    const kern = t.kern[t.left[i('A')]! * t.rightClasses + t.right[i('V')]!]!;
    // "AV" kerns in Noto Sans; "office" is o, the ffi ligature, c and e.
    expect(kern).toBeLessThan(0);
    expect(composedWord(regular, 'AV', 'latn')![0]).toBe(shape('A')[0]! + shape('V')[0]! + kern);
    expect(composedWord(regular, 'office', 'latn')).toEqual(fontkitShape(font, regular, 'office', 'latn'));
    expect(composedWord(regular, 'office', 'latn')![1]).toBe(4);
  });
});
