// One timed print in its own process, so peak resident memory is this print's alone. It runs the
// print command as bin/paperchart.js does (the same threads, the command line included).
// Usage: node bench/_print.mjs STORE OUT [JOBS]; JOBS defaults to the number of cores, as print's does.
// Prints one JSON line of figures.
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { main } from '../dist/cli/main.js';

const [store, out, jobs = String(availableParallelism())] = process.argv.slice(2);
const said = [];
const start = performance.now();
const code = await main(['print', '--db', store, '--out', out, '--as-of', '2026-11-25T15:00Z', '--jobs', jobs],
  { out: (t) => said.push(t), err: (t) => said.push(t), stdout: process.stdout, isTTY: false });
const seconds = (performance.now() - start) / 1000;
const summary = /^printed (\d+) patients?, (\d+) pages/m.exec(said.join('\n'));
if (code !== 0 || !summary) throw new Error(`print failed (exit code ${code}): ${said.join('\n')}`);
const pages = Number(summary[2]);
console.log(JSON.stringify({
  jobs: Number(jobs), patients: Number(summary[1]), pages, seconds, peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
  pdf_bytes_per_page: Math.round(statSync(out).size / pages),
}));
