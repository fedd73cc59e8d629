// Restore speed: the demo clinic's binder scanned at 200 dpi, read back by `paperchart restore --dry-run`.
// Three inputs: a folder of 200-dpi PNG page scans (what a scanner writes as images), the binder PDF
// itself (rasterised at 200 dpi in-process, as `verify` does), and an office scanner's 300-dpi JPEG PDF. Usage: node bench/_restore.mjs CACHE_DIR
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createCanvas } from '@napi-rs/canvas';
import { rasterisePdf } from '../dist/scan/rasterise-pdf.js';

const cache = process.argv[2];
const cli = fileURLToPath(new URL('../bin/paperchart.js', import.meta.url));
const demo = fileURLToPath(new URL('../samples/demo-clinic.sqlite', import.meta.url));
const binder = `${cache}/demo-binder.pdf`;
const scans = `${cache}/demo-scans-200dpi`;
// restore exits 3 when a patient is left out; the report still says how far it got.
const run = (args) => {
  try { return execFileSync(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28 }).toString(); } catch (e) {
    if (e.status === 3) return e.stdout.toString();
    throw e;
  }
};

if (!existsSync(binder)) run(['print', '--db', demo, '--out', binder, '--as-of', '2026-11-25T16:00Z']);
if (!existsSync(`${scans}/done`)) {
  rmSync(scans, { recursive: true, force: true });
  mkdirSync(scans, { recursive: true });
  for await (const p of rasterisePdf(new Uint8Array(readFileSync(binder)), { dpi: 200 })) {
    const canvas = createCanvas(p.width, p.height);
    const ctx = canvas.getContext('2d');
    const image = ctx.createImageData(p.width, p.height);
    image.data.set(p.rgba);
    ctx.putImageData(image, 0, 0);
    writeFileSync(`${scans}/page-${String(p.page).padStart(4, '0')}.png`, canvas.encodeSync('png'));
  }
  writeFileSync(`${scans}/done`, '');
}
// Issue 30: an office scanner's PDF, one 300-dpi JPEG a page (bench/_scanner-pdf.mjs), made once.
const scanner = `${cache}/demo-scanner-300dpi-jpeg.pdf`;
if (!existsSync(scanner)) execFileSync(process.execPath, [fileURLToPath(new URL('./_scanner-pdf.mjs', import.meta.url)), binder, scanner, '300'], { stdio: 'inherit' });
const pages = readdirSync(scans).filter((f) => f.endsWith('.png')).length;
const figures = {};
// The binder PDF and the scanner PDF on one thread and on two (issue 30's targets are on two cores).
for (const [name, input, jobs] of [['scanned_pngs', scans, '2'], ['binder_pdf', binder, '1'], ['binder_pdf_2_threads', binder, '2'],
  ['scanner_pdf_300dpi_jpeg', scanner, '1'], ['scanner_pdf_300dpi_jpeg_2_threads', scanner, '2']]) {
  const db = `${cache}/restored.sqlite`;
  rmSync(db, { force: true });
  const start = performance.now();
  const out = run(['restore', '--db', db, '--dry-run', '--trust-unsigned', '--json', '--jobs', jobs, input]);
  const seconds = (performance.now() - start) / 1000;
  const report = JSON.parse(out);
  figures[name] = { pages, seconds, pages_per_second: pages / seconds, restored: report.counts.restored, jobs: Number(jobs) };
}
console.log(JSON.stringify(figures));
