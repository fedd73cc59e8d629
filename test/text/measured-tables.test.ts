// The Latin faces ship their ASCII characters' shapes and pairs' kerning measured (text/word-shapes.ts adoptMeasured):
// they must be exactly what fontkit gives for the font files beside them.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadFontSet } from '../../src/text/font-files.js';
import { composedWord, measuredTablesPath, measureTables, type MeasuredFile } from '../../src/text/word-shapes.js';

describe('the measured tables beside the Latin fonts', () => {
  const latin = loadFontSet().faces.filter((f) => f.name.startsWith('latin-'));

  it('equal fontkit measured afresh, for both faces and both scripts (else: npx tsx scripts/measured-tables.ts)', () => {
    expect(latin.map((f) => f.name)).toEqual(['latin-regular', 'latin-bold']);
    for (const face of latin) {
      const shipped = JSON.parse(readFileSync(measuredTablesPath(face), 'utf8')) as MeasuredFile;
      for (const script of ['latn', 'zzzz'] as const) {
        const measured = measureTables(face, script);
        expect(shipped[script].characters, `${face.name} ${script}`).toEqual(measured.characters);
        expect(shipped[script].pairs, `${face.name} ${script}`).toEqual(measured.pairs);
      }
    }
  }, 60_000);

  it('are what words are composed from: kerned pairs kern, ligatures are shaped whole', () => {
    const regular = latin[0]!;
    const tables = measureTables(regular, 'latn');
    const at = (a: string, b: string): number => tables.pairs[(a.charCodeAt(0) - 0x20) * 95 + b.charCodeAt(0) - 0x20]!;
    // "AV" kerns in Noto Sans; "fi" is a ligature (PAIR_APART), so "office" is never composed.
    expect(at('A', 'V')).toBeLessThan(0);
    expect(composedWord(regular, 'AV', 'latn')![0]).toBe(tables.characters[0x41 - 0x20]![0]! + tables.characters[0x56 - 0x20]![0]! + at('A', 'V'));
    expect(composedWord(regular, 'office', 'latn')).toBeUndefined();
  });
});
