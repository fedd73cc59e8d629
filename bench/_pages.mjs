// Pages and sheets per patient, read back from a printed binder's outline: each patient's bookmark points at
// the first page of their summary, the next bookmark (the next patient's, or the manifest's) at the page after
// their last, so the count is exact and includes the blank back a patient may leave (every patient starts on
// the front of a sheet). With the store it was printed from, also the density of the codes (issue 26): canonical
// record bytes per code times the codes a full Letter page holds, the record codes made as the bench's print makes
// them (unsigned, its print time): over the record codes alone, and over all codes, the binder's cross parity (X)
// codes included (issue 26's target), those counted by their captions (the default template's wording).
// Usage: node bench/_pages.mjs BINDER.pdf [STORE]; prints one JSON line.
import { readFileSync } from 'node:fs';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { openStore } from '../dist/store/open-store.js';
import { RecordReader, readPatientSummaries } from '../dist/store/read-records.js';
import { codeDensity } from '../dist/print/patient-pages.js';
import { bodyBox, pageFrame } from '../dist/pdf/draw-page.js';
import { PAPER, loadTemplate } from '../dist/layout/template.js';

const [binder, store] = process.argv.slice(2);
let density = {};
let d;
if (store) {
  const db = openStore(store);
  const reader = new RecordReader(db);
  const records = (function* () { for (const p of readPatientSummaries(db)) yield reader.read(p.id); })();
  d = codeDensity(records, { runId: '20261125150000', printedAt: '2026-11-25T15:00:00Z' }, bodyBox(pageFrame(...PAPER.LETTER)));
  db.close();
  density = { codes_per_patient: d.codes / d.patients, record_kb_per_code: d.recordBytes / d.codes / 1000,
    codes_per_full_page: d.codesPerFullPage, record_kb_per_code_page: d.bytesPerCodePage / 1000 };
}
/** One parity code's caption, as the default template words it: "Parity p. 39–53 · code 1 of 9". */
const parityCaption = new RegExp(`^${loadTemplate('default').labels.parity_caption.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{\w+\}/g, '\\d+')}$`);
const doc = await getDocument({ data: new Uint8Array(readFileSync(binder)), verbosity: 0 }).promise;
const outline = (await doc.getOutline()) ?? [];
// The front matter's bookmarks (schedule, index, decoder program) come first; patients' carry "MRN"; then the
// manifest's and the decoder listing's. A patient's pages end where the next bookmark starts.
const patientAt = outline.map((item) => / — MRN /.test(item.title)).reduce((at, yes, i) => (yes ? [...at, i] : at), []);
const firsts = [];
for (const i of [...patientAt, patientAt.at(-1) + 1]) firsts.push(await doc.getPageIndex(outline[i].dest[0]));
let parityCodes = 0;
if (store) {
  for (let n = 1; n <= doc.numPages; n++) {
    const page = await doc.getPage(n);
    parityCodes += (await page.getTextContent()).items.filter((item) => parityCaption.test(item.str)).length;
    page.cleanup();
  }
  density = { ...density, parity_codes: parityCodes, parity_share_of_codes: parityCodes / (d.codes + parityCodes),
    record_kb_per_code_page_all_codes: d.recordBytes / (d.codes + parityCodes) * d.codesPerFullPage / 1000 };
}
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
  ...density,
}));
