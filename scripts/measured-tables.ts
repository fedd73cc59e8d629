// Writes templates/fonts/latin-*.measured.json: each Latin face's shapes of the printable ASCII characters and the
// kerning of each pair, as fontkit shapes them (text/word-shapes.ts measureTables), so that a print need not measure them.
// Run after changing a Latin font file: npx tsx scripts/measured-tables.ts
// test/text/measured-tables.test.ts fails while the files differ from the fonts.
import { writeFileSync } from 'node:fs';
import { loadFontSet } from '../src/text/font-files.js';
import { measuredTablesPath, measureTables, type MeasuredFile } from '../src/text/word-shapes.js';

for (const face of loadFontSet().faces.filter((f) => f.name.startsWith('latin-'))) {
  const file: MeasuredFile = { latn: measureTables(face, 'latn'), zzzz: measureTables(face, 'zzzz') };
  // One character's shape or one first character's pairs a line: diffs stay readable when a font changes.
  const lines = (t: MeasuredFile['latn']): string => [
    '"characters": [', t.characters.map((c) => `  ${JSON.stringify(c)}`).join(',\n'), '],',
    '"pairs": [', Array.from({ length: 95 }, (_, a) => `  ${t.pairs.slice(a * 95, a * 95 + 95).join(',')}`).join(',\n'), ']',
  ].join('\n');
  writeFileSync(measuredTablesPath(face), `{\n"latn": {\n${lines(file.latn)}\n},\n"zzzz": {\n${lines(file.zzzz)}\n}\n}\n`);
  console.log(measuredTablesPath(face));
}
