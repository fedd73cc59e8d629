// Writes templates/fonts/latin-*.measured.json: what words are composed from in each Latin face, for each script
// fontkit shapes them under, as fontkit shapes them (text/word-shapes.ts measureTables): so that a print need not
// call fontkit on the Latin faces at all. Run after changing a Latin font file (a few minutes):
// npx tsx scripts/measured-tables.ts
// test/text/measured-tables.test.ts fails while the files differ from the fonts.
import { writeFileSync } from 'node:fs';
import { loadFontSet } from '../src/text/font-files.js';
import { measuredTablesPath, measureTables, SHAPE_SCRIPTS, type MeasuredFile, type MeasuredTables } from '../src/text/word-shapes.js';

// One character's shape, one ligature or one class's kerning a line: diffs stay readable when a font changes.
const lines = (t: MeasuredTables): string => [
  `"codes": ${JSON.stringify(t.codes)},`,
  '"characters": [', t.characters.map((c) => `  ${JSON.stringify(c)}`).join(',\n'), '],',
  '"ligatures": [', t.ligatures.map((l) => `  ${JSON.stringify(l)}`).join(',\n'), '],',
  `"left": ${JSON.stringify(t.left)},`,
  `"right": ${JSON.stringify(t.right)},`,
  `"rightClasses": ${t.rightClasses},`,
  '"kern": [', Array.from({ length: t.kern.length / t.rightClasses }, (_, l) => `  ${t.kern.slice(l * t.rightClasses, (l + 1) * t.rightClasses).join(',')}`).join(',\n'), ']',
].join('\n');

for (const face of loadFontSet().faces.filter((f) => f.name.startsWith('latin-'))) {
  const file: Partial<MeasuredFile> = {};
  const parts: string[] = [];
  for (const script of SHAPE_SCRIPTS) {
    const started = performance.now();
    const tables = measureTables(face, script);
    // A script whose tables are an earlier one's names it (Noto Sans kerns Greek and Cyrillic as Latin).
    const same = SHAPE_SCRIPTS.find((s) => typeof file[s] === 'object' && JSON.stringify(file[s]) === JSON.stringify(tables));
    file[script] = same ?? tables;
    parts.push(same ? `"${script}": ${JSON.stringify(same)}` : `"${script}": {\n${lines(tables)}\n}`);
    console.log(`${face.name} ${script}: ${tables.codes.length} characters, ${tables.ligatures.length} ligatures, ${tables.left.length ? Math.max(...tables.left) + 1 : 0} x ${tables.rightClasses} kerning classes${same ? `, as ${same}` : ''} (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  }
  writeFileSync(measuredTablesPath(face), `{\n${parts.join(',\n')}\n}\n`);
  console.log(measuredTablesPath(face));
}
