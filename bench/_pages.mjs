// Pages and sheets per patient, read back from a printed binder's outline: each patient's bookmark points at
// the first page of their summary, the next bookmark (the next patient's, or the manifest's) at the page after
// their last, so the count is exact and includes the blank back a patient may leave (every patient starts on
// the front of a sheet). Usage: node bench/_pages.mjs BINDER.pdf; prints one JSON line.
import { readFileSync } from 'node:fs';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

const [binder] = process.argv.slice(2);
const doc = await getDocument({ data: new Uint8Array(readFileSync(binder)), verbosity: 0 }).promise;
const outline = (await doc.getOutline()) ?? [];
// The front matter's bookmarks (index, schedule) come first; patients' carry "MRN"; the manifest's is last.
const firsts = [];
for (const item of outline.slice(2)) firsts.push(await doc.getPageIndex(item.dest[0]));
await doc.destroy();
const pages = firsts.slice(1).map((p, i) => p - firsts[i]);
const sorted = [...pages].sort((a, b) => a - b);
const histogram = {};
for (const n of sorted) histogram[n] = (histogram[n] ?? 0) + 1;
const sheets = pages.map((n) => Math.ceil(n / 2));
console.log(JSON.stringify({
  pages_per_patient: pages.reduce((a, b) => a + b, 0) / pages.length,
  median_pages_per_patient: sorted[Math.floor((sorted.length - 1) / 2)],
  sheets_per_patient: sheets.reduce((a, b) => a + b, 0) / sheets.length,
  most_pages_per_patient: sorted.at(-1),
  patients_by_pages: Object.entries(histogram).map(([n, k]) => `${n}:${k}`).join(' '),
}));
