// Peak memory and time of `paperchart restore` on hostile and huge inputs (issue 23, "Bounded on every
// input"). Each input is made in a temporary folder, then restored by the built CLI in a child process
// whose peak RSS (VmHWM) is polled from /proc. Prints a table; asserts nothing.
//   node bench/hostile-inputs.mjs [--only NAME,NAME] [--bin path/to/paperchart.js] [--timeout SECONDS] [--json] [--keep]
// Build first (npx tsc -p tsconfig.json): the inputs are made with dist/. --bin runs another build's CLI
// against the same inputs (how the "before" figures were taken). Needs Linux (/proc) and about 3 GB of
// free disk for the 1 GB text files.
import { execFileSync, spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync, createDeflate } from 'node:zlib';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { encodeFrame } from '../dist/codec/frame.js';
import { encodeRecord } from '../dist/codec/record-codec.js';
import { generateSampleClinic } from '../dist/sample/sample-clinic.js';

const argv = process.argv.slice(2);
const option = (name) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
const only = option('--only')?.split(',');
const bin = option('--bin') ?? fileURLToPath(new URL('../bin/paperchart.js', import.meta.url));
const timeoutSeconds = Number(option('--timeout') ?? 120);
const dir = mkdtempSync(join(tmpdir(), 'paperchart-hostile-'));
const ENCODE = { runId: 'BENCH', printedAt: '2026-11-25T15:00:00Z' };

// ------------------------------------------------------------------ inputs

/** Code lines that pass their check value, each declaring 65,535 codes and carrying 20 bytes. */
function declaredCodes(n) {
  let k = 1;
  for (let t = 65535; t > 0; t--) if (t + Math.ceil(t / 128) * 2 === 65535) { k = t; break; }
  const lines = [];
  for (let i = 0; i < n; i++) {
    lines.push(encodeFrame({ kind: 'R', runId: 'FORGED', patientId: `P${i}`, digestPrefix: '0123456789ABCDEF', index: 1, total: 65535, dataCount: k, shard: new Uint8Array(20) }));
  }
  const file = join(dir, `declared-${n}.txt`);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

/** A sample record under another patient id (its rows' ids kept: a dry run writes nothing). */
function renamed(record, id) {
  const out = { ...record, patient: { ...record.patient, id } };
  for (const [table, rows] of Object.entries(record)) {
    if (Array.isArray(rows)) out[table] = rows.map((r) => ({ ...r, patient_id: id }));
  }
  return out;
}

/** The genuine unsigned codes of `patients` patients, from 20 sample records under new ids: about 6 codes each. */
async function clinicCodes(patients) {
  const donors = [...generateSampleClinic({ patients: 20, seed: 3, asOf: '2026-11-25T15:00:00Z' })];
  const file = join(dir, `clinic-${patients}.txt`);
  const out = createWriteStream(file);
  let lines = 0;
  for (let i = 0; i < patients; i++) {
    const texts = encodeRecord(renamed(donors[i % donors.length], `B${String(i).padStart(6, '0')}`), ENCODE);
    lines += texts.length;
    if (!out.write(texts.join('\n') + '\n')) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return { file, note: `${lines} lines` };
}

/** `bytes` of text written in 1 MiB blocks of `block(i)`. */
async function bigText(name, bytes, block) {
  const file = join(dir, name);
  const out = createWriteStream(file);
  for (let i = 0; i * 2 ** 20 < bytes; i++) if (!out.write(block(i))) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
  return file;
}

function crc32(b) {
  let c = ~0;
  for (const x of b) { c ^= x; for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1)); }
  return ~c >>> 0;
}
function pngChunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** A grey PNG declaring 30000×30000 pixels, its data all white rows deflated (about 0.9 MB). */
async function hugePng() {
  const w = 30000, h = 30000;
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4); ihdr[8] = 8; ihdr[9] = 0;
  const deflate = createDeflate({ level: 9 });
  const parts = [];
  deflate.on('data', (c) => parts.push(c));
  const row = Buffer.alloc(w + 1, 255); row[0] = 0;
  const rows = Buffer.concat(Array.from({ length: 1000 }, () => row));
  for (let y = 0; y < h; y += 1000) if (!deflate.write(rows)) await once(deflate, 'drain');
  deflate.end();
  await once(deflate, 'end');
  const file = join(dir, 'huge.png');
  writeFileSync(file, Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', ihdr),
    pngChunk('IDAT', Buffer.concat(parts)), pngChunk('IEND', Buffer.alloc(0))]));
  return file;
}

/** A small real JPEG whose frame header is rewritten to claim 30000×30000 pixels. */
async function hugeJpeg() {
  const { createCanvas } = await import('@napi-rs/canvas');
  const canvas = createCanvas(64, 64);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, 64, 64);
  const jpeg = Buffer.from(canvas.encodeSync('jpeg', 80));
  for (let o = 2; o < jpeg.length;) {
    const marker = jpeg[o + 1];
    if (marker >= 0xc0 && marker <= 0xc2) { jpeg.writeUInt16BE(30000, o + 5); jpeg.writeUInt16BE(30000, o + 7); break; }
    o += 2 + jpeg.readUInt16BE(o + 2);
  }
  const file = join(dir, 'huge.jpg');
  writeFileSync(file, jpeg);
  return file;
}

/** A little-endian TIFF of one image directory with the given entries [tag, type, count, value] and trailing data. */
function tiff(entries, data = Buffer.alloc(0)) {
  const ifd = Buffer.alloc(2 + entries.length * 12 + 4);
  ifd.writeUInt16LE(entries.length, 0);
  entries.forEach(([tag, type, count, value], i) => {
    ifd.writeUInt16LE(tag, 2 + i * 12); ifd.writeUInt16LE(type, 4 + i * 12);
    ifd.writeUInt32LE(count, 6 + i * 12); ifd.writeUInt32LE(value, 10 + i * 12);
  });
  const head = Buffer.from([0x49, 0x49, 42, 0, 8, 0, 0, 0]);
  return Buffer.concat([head, ifd, data]);
}

/** 178 bytes: a TIFF whose StripByteCounts tag claims 10⁹ values. */
function tagBombTiff() {
  const file = join(dir, 'tag-bomb.tif');
  const t = tiff([[256, 3, 1, 8], [257, 3, 1, 8], [258, 3, 1, 1], [259, 3, 1, 1], [262, 3, 1, 0], [273, 4, 1, 170],
    [277, 3, 1, 1], [278, 3, 1, 8], [279, 4, 1_000_000_000, 170], [284, 3, 1, 1], [296, 3, 1, 1]], Buffer.alloc(8));
  writeFileSync(file, t);
  return { file, note: `${t.length} bytes` };
}

/** A bilevel 20000×20000 TIFF, PackBits rows of white (about 0.8 MB). */
function hugeTiff() {
  const w = 20000, h = 20000, rowBytes = w / 8;
  const row = [];
  for (let left = rowBytes; left > 0; left -= Math.min(128, left)) row.push(257 - Math.min(128, left), 0);
  const rowBuf = Buffer.from(row);
  const strip = Buffer.concat(Array.from({ length: h }, () => rowBuf));
  const entries = [[256, 4, 1, w], [257, 4, 1, h], [258, 3, 1, 1], [259, 3, 1, 32773], [262, 3, 1, 0],
    [273, 4, 1, 0], [277, 3, 1, 1], [278, 4, 1, h], [279, 4, 1, strip.length]];
  const dataAt = 8 + 2 + entries.length * 12 + 4;
  entries[5][3] = dataAt;
  const file = join(dir, 'huge.tif');
  writeFileSync(file, tiff(entries, strip));
  return file;
}

/** A PDF of the given page dictionaries' extra entries and content streams (`[dict, streamBytes?]`). */
function pdf(pages) {
  const objects = [];
  const add = (body) => { objects.push(body); return objects.length; };
  const catalog = add(null), tree = add(null);
  const kids = [];
  for (const [extra, content] of pages) {
    const c = content ? add(Buffer.concat([Buffer.from(`<< /Length ${content.length} /Filter /FlateDecode >>\nstream\n`), content, Buffer.from('\nendstream')])) : 0;
    kids.push(add(`<< /Type /Page /Parent ${tree} 0 R ${extra}${c ? ` /Contents ${c} 0 R` : ''} >>`));
  }
  objects[catalog - 1] = `<< /Type /Catalog /Pages ${tree} 0 R >>`;
  objects[tree - 1] = `<< /Type /Pages /Count ${kids.length} /Kids [${kids.map((k) => `${k} 0 R`).join(' ')}] >>`;
  const parts = [Buffer.from('%PDF-1.7\n')];
  let at = parts[0].length;
  const offsets = [];
  objects.forEach((body, i) => {
    offsets.push(at);
    const b = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`), Buffer.isBuffer(body) ? body : Buffer.from(body), Buffer.from('\nendobj\n')]);
    parts.push(b); at += b.length;
  });
  const xref = `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}` +
    `trailer\n<< /Size ${objects.length + 1} /Root ${catalog} 0 R >>\nstartxref\n${at}\n%%EOF\n`;
  parts.push(Buffer.from(xref));
  return Buffer.concat(parts);
}

/** A one-page PDF whose content stream inflates to 1 GiB of spaces (about 1 MB). */
async function streamBombPdf() {
  const deflate = createDeflate({ level: 9 });
  const parts = [];
  deflate.on('data', (c) => parts.push(c));
  const spaces = Buffer.alloc(2 ** 24, 0x20);
  for (let i = 0; i < 64; i++) if (!deflate.write(spaces)) await once(deflate, 'drain');
  deflate.end();
  await once(deflate, 'end');
  const file = join(dir, 'stream-bomb.pdf');
  writeFileSync(file, pdf([['/MediaBox [0 0 612 792]', Buffer.concat(parts)]]));
  return file;
}

function widePdf() {
  const file = join(dir, 'wide.pdf');
  writeFileSync(file, pdf([['/MediaBox [0 0 14400 792]', deflateSync('0 0 m 100 100 l S')]]));
  return file;
}

function blankPagesPdf(n) {
  const file = join(dir, `blank-${n}.pdf`);
  writeFileSync(file, pdf(Array.from({ length: n }, () => ['/MediaBox [0 0 612 792]'])));
  return file;
}

/** A patient whose notes are about `bytes` of canonical JSON, encoded unsigned with room for all its codes. */
function largeRecord(bytes, random = false) {
  const clinic = generateSampleClinic({ patients: 1_000_000, seed: 4, asOf: '2026-11-25T15:00:00Z' });
  const base = clinic.next().value;
  const id = base.patient.id;
  const encounters = [];
  let size = 0;
  const day = Date.UTC(2026, 10, 1);
  for (const donor of clinic) {
    for (const e of donor.encounters) {
      if (e.note === null) continue;
      const k = encounters.length;
      // 24 visits a day, one an hour, so 200,000 visits go back 23 years, not 550.
      const date = new Date(day - Math.floor(k / 24) * 86_400_000).toISOString().slice(0, 10);
      const hour = String(k % 24).padStart(2, '0');
      encounters.push({ ...e, ...(random ? { note: randomBytes(Math.ceil(e.note.length * 3 / 4)).toString('base64') } : {}), id: `${id}-EN${String(k).padStart(6, '0')}`, patient_id: id,
        occurred_at: `${date}T${hour}:00`, updated_at: `${date}T${hour}:30:00Z` });
      size += Buffer.byteLength(e.note, 'utf8') + 300;
    }
    if (size >= bytes) break;
  }
  const texts = encodeRecord({ ...base, encounters }, { ...ENCODE, maxCodes: 1_000_000 });
  const file = join(dir, `record-${bytes >> 20}MiB${random ? '-random' : ''}.txt`);
  writeFileSync(file, texts.join('\n') + '\n');
  return { file, note: `${texts.length} codes` };
}

// ------------------------------------------------------------------ cases

const db = join(dir, 'restored.sqlite');
const restore = (input, extra = []) => ['restore', '--dry-run', '--trust-unsigned', '--db', db, ...extra, input];
const GiB = 2 ** 30;
const cases = [
  ['declared-100', async () => ({ args: restore(declaredCodes(100)) })],
  ['declared-2500', async () => ({ args: restore(declaredCodes(2500)) })],
  ['clinic-25000-codes', async () => { const c = await clinicCodes(25000); return { args: restore(c.file), note: c.note }; }],
  ['text-1GiB-one-code-repeated', async () => {
    const code = encodeRecord(renamed([...generateSampleClinic({ patients: 1, seed: 3, asOf: '2026-11-25T15:00:00Z' })][0], 'R1'), ENCODE)[0] + '\n';
    const block = Buffer.from(code.repeat(Math.ceil(2 ** 20 / code.length))).subarray(0, 2 ** 20);
    return { args: restore(await bigText('repeated.txt', GiB, () => block)) };
  }],
  ['text-1GiB-junk-lines', async () => {
    const block = Buffer.from('this is not a code, only words on a line\n'.repeat(26000)).subarray(0, 2 ** 20);
    return { args: restore(await bigText('junk.txt', GiB, () => block)) };
  }],
  ['text-1GiB-one-line', async () => {
    const block = Buffer.alloc(2 ** 20, 0x41);
    return { args: restore(await bigText('one-line.txt', GiB, () => block)) };
  }],
  ['dev-zero', async () => ({ args: restore('/dev/zero') })],
  ['fifo-no-writer', async () => { const f = join(dir, 'pipe'); execFileSync('mkfifo', [f]); return { args: restore(f) }; }],
  ['codes.payloads', async () => {
    const file = join(dir, 'codes.payloads');
    writeFileSync(file, encodeRecord(renamed([...generateSampleClinic({ patients: 1, seed: 3, asOf: '2026-11-25T15:00:00Z' })][0], 'R1'), ENCODE).join('\n'));
    return { args: restore(file) };
  }],
  ['png-30000x30000', async () => ({ args: restore(await hugePng()) })],
  ['jpeg-header-30000x30000', async () => ({ args: restore(await hugeJpeg()) })],
  ['tiff-tag-1e9-values', async () => { const t = tagBombTiff(); return { args: restore(t.file), note: t.note }; }],
  ['tiff-20000x20000', async () => ({ args: restore(hugeTiff()) })],
  ['pdf-stream-1GiB', async () => ({ args: restore(await streamBombPdf()) })],
  ['pdf-page-14400pt-wide', async () => ({ args: restore(widePdf()) })],
  ['pdf-100000-blank-pages', async () => ({ args: restore(blankPagesPdf(100000)), note: `stopped after ${timeoutSeconds} s` })],
  ['record-60MiB', async () => { const r = largeRecord(60 * 2 ** 20); return { args: restore(r.file), note: r.note }; }],
  // Notes of random letters barely compress: the most codes, and the most text, a 60 MiB record can have.
  ['record-60MiB-random-notes', async () => { const r = largeRecord(60 * 2 ** 20, true); return { args: restore(r.file), note: r.note }; }],
];

/** Runs the CLI on `args`, polling its peak RSS; stops it after the timeout (SIGTERM, then SIGKILL). */
async function measure(args) {
  const start = performance.now();
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c) => { if (stderr.length < 1e5) stderr += c; });
  let peak = 0, timedOut = false;
  const poll = setInterval(() => {
    try { peak = Math.max(peak, Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0)); } catch { /* exited */ }
  }, 50);
  const limit = setTimeout(() => { timedOut = true; child.kill('SIGTERM'); setTimeout(() => child.kill('SIGKILL'), 5000).unref(); }, timeoutSeconds * 1000);
  const [code, signal] = await once(child, 'exit');
  clearInterval(poll); clearTimeout(limit);
  const firstLine = stderr.split('\n').find((l) => l.trim() !== '' && !/^restore read: /.test(l)) ?? '';
  return { exit: timedOut ? 'timeout' : code ?? signal, stderr: firstLine.slice(0, 150), peak_rss_mb: Math.round(peak / 1024), seconds: +((performance.now() - start) / 1000).toFixed(1) };
}

const rows = [];
for (const [name, make] of cases) {
  if (only && !only.includes(name)) continue;
  const input = await make();
  const m = await measure(input.args);
  rows.push({ input: name, ...m, ...(input.note ? { note: input.note } : {}) });
  console.error(`${name}: exit ${m.exit}, ${m.peak_rss_mb} MB, ${m.seconds} s: ${m.stderr}`);
  if (!argv.includes('--keep') && input.args.at(-1).startsWith(dir)) rmSync(input.args.at(-1), { force: true }); // never /dev/zero
}
if (argv.includes('--keep')) console.error(`inputs kept in ${dir}`); else rmSync(dir, { recursive: true, force: true });
if (argv.includes('--json')) console.log(JSON.stringify(rows));
else {
  console.log(`${'input'.padEnd(30)} ${'exit'.padEnd(7)} ${'peak MB'.padStart(7)} ${'seconds'.padStart(7)}  first line of stderr`);
  for (const r of rows) console.log(`${r.input.padEnd(30)} ${String(r.exit).padEnd(7)} ${String(r.peak_rss_mb).padStart(7)} ${String(r.seconds).padStart(7)}  ${r.stderr}${r.note ? `  [${r.note}]` : ''}`);
}
