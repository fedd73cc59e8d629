// Restore speed: the demo clinic's binder scanned at 200 dpi, read back by `paperchart restore --dry-run`.
// Three inputs: a folder of 200-dpi PNG page scans (what a scanner writes as images), the binder PDF
// itself (rasterised at 200 dpi in-process, as `verify` does), and an office scanner's 300-dpi JPEG PDF. Usage: node bench/_restore.mjs CACHE_DIR [ROW ...]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createCanvas } from '@napi-rs/canvas';
import { rasterisePdf } from '../dist/scan/rasterise-pdf.js';

const cache = process.argv[2];
const cli = fileURLToPath(new URL('../bin/paperchart.js', import.meta.url));
const demo = fileURLToPath(new URL('../samples/demo-clinic.sqlite', import.meta.url));
const binder = `${cache}/demo-binder.pdf`;
const scans = `${cache}/demo-scans-200dpi`;
// The child's CPU time (all its threads: page threads, sharp's and zxing's) and peak RSS, written to stderr at exit:
// on a shared machine CPU time a page says more than wall time.
const usage = 'data:text/javascript,' + encodeURIComponent(
  "process.on('exit', () => { const c = process.cpuUsage(); process.stderr.write('\\nUSAGE ' + JSON.stringify({ cpu_seconds: (c.user + c.system) / 1e6, peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024) }) + '\\n'); });");
const usageOf = (stderr) => JSON.parse(/USAGE (.*)/.exec(stderr.toString())?.[1] ?? '{}');
const run = (args) => execFileSync(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28 }).toString();
// restore exits 3 when a patient is left out; the report still says how far it got.
const runWithUsage = (args) => {
  const r = spawnSync(process.execPath, ['--import', usage, cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28 });
  if (r.status !== 0 && r.status !== 3) throw new Error(`restore exited ${r.status}: ${r.stderr}`);
  return { out: r.stdout.toString(), usage: usageOf(r.stderr) };
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
// Rows named after the cache folder run alone (node bench/_restore.mjs CACHE binder_pdf_2_threads): on a shared machine, one at a time.
const only = new Set(process.argv.slice(3));
// The binder PDF and the scanner PDF on one thread and on two (issue 30's targets are on two cores).
for (const [name, input, jobs] of [['scanned_pngs', scans, '2'], ['binder_pdf', binder, '1'], ['binder_pdf_2_threads', binder, '2'],
  ['scanner_pdf_300dpi_jpeg', scanner, '1'], ['scanner_pdf_300dpi_jpeg_2_threads', scanner, '2']]) {
  if (only.size > 0 && !only.has(name)) continue;
  const db = `${cache}/restored.sqlite`;
  rmSync(db, { force: true });
  const start = performance.now();
  const { out, usage: u } = runWithUsage(['restore', '--db', db, '--dry-run', '--trust-unsigned', '--json', '--jobs', jobs, input]);
  const seconds = (performance.now() - start) / 1000;
  const report = JSON.parse(out);
  figures[name] = { pages, seconds, pages_per_second: pages / seconds, cpu_ms_per_page: Math.round((u.cpu_seconds * 1000) / pages),
    peak_rss_mb: u.peak_rss_mb, restored: report.counts.restored, jobs: Number(jobs) };
}
console.log(JSON.stringify(figures));
