// The floor: the library work a print cannot avoid, timed alone for the same content.
//  - QR: qrcode's create() for every patient code text, with the binder's settings (FORMAT §10);
//  - text: fontkit layout() once per distinct (font, text, features) run the binder draws,
//    on freshly loaded fonts with no cache.
// The run texts are collected by printing the binder once more (untimed) with TextShaper.draw
// observed; the code texts are re-encoded from the store exactly as the print encodes them.
// Usage: node bench/_floor.mjs STORE; prints one JSON line.
import * as fontkit from 'fontkit';
import QRCode from 'qrcode';
import { rmSync } from 'node:fs';
import { openStore } from '../dist/store/open-store.js';
import { readPatientSummaries, RecordReader } from '../dist/store/read-records.js';
import { canonicalJson } from '../dist/record/canonical-json.js';
import { encodeDocument } from '../dist/codec/record-codec.js';
import { drawBinder } from '../dist/print/print-binder.js';
import { runIdFor } from '../dist/codec/run-id.js';
import { loadTemplate } from '../dist/layout/template.js';
import { TextShaper } from '../dist/text/shape-text.js';
import { loadFontSet } from '../dist/text/font-files.js';
import { QR_EC_LEVEL, QR_MASK, QR_VERSION } from '../dist/qr/qr-symbol.js';

const PRINTED_AT = '2026-11-25T15:00:00Z';
const [store] = process.argv.slice(2);
const faces = new Map(loadFontSet().faces.map((f) => [f.name, f]));
const fresh = new Map([...faces].map(([name, f]) => [name, fontkit.openSync(f.path)]));

// Text: every distinct run drawn, laid out once.
const seen = new Set();
const runs = [];
const draw = TextShaper.prototype.draw;
TextShaper.prototype.draw = function (doc, line, x, y) {
  for (const r of line.runs) {
    const key = `${r.font}\u0000${JSON.stringify(r.features)}\u0000${r.text}`;
    if (!seen.has(key)) { seen.add(key); runs.push([r.font, r.text, r.features]); }
  }
  return draw.call(this, doc, line, x, y);
};
const db = openStore(store);
const out = `${store}.floor.pdf`;
await drawBinder({ db, storePath: store, outPath: out, template: loadTemplate('default'), printedAt: PRINTED_AT });
rmSync(out, { force: true });
TextShaper.prototype.draw = draw;
seen.clear();
let t = performance.now();
for (const [font, text, features] of runs) {
  fresh.get(font).layout(text, Array.isArray(features) ? [...features] : { ...features });
}
const textSeconds = (performance.now() - t) / 1000;

// QR: the same code texts, encoded with the same settings.
const reader = new RecordReader(db);
const options = { runId: runIdFor(PRINTED_AT), printedAt: PRINTED_AT };
let codes = 0;
let qrSeconds = 0;
for (const s of readPatientSummaries(db)) {
  const { texts } = encodeDocument('R', s.id, canonicalJson(reader.read(s.id)), options);
  t = performance.now();
  for (const data of texts) {
    QRCode.create([{ data, mode: 'alphanumeric' }], { version: QR_VERSION, errorCorrectionLevel: QR_EC_LEVEL, maskPattern: QR_MASK });
  }
  qrSeconds += (performance.now() - t) / 1000;
  codes += texts.length;
}
db.close();
console.log(JSON.stringify({ seconds: textSeconds + qrSeconds, text_seconds: textSeconds, distinct_runs: runs.length, qr_seconds: qrSeconds, codes }));
