// One timed print in its own process, so peak resident memory is this print's alone.
// Usage: node bench/_print.mjs STORE OUT [JOBS]; JOBS defaults to the number of cores, as print's does.
// Prints one JSON line of figures.
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { openStore } from '../dist/store/open-store.js';
import { renderBinder } from '../dist/render/render-binder.js';
import { loadTemplate } from '../dist/render/template.js';

const [store, out, jobs] = process.argv.slice(2);
const db = openStore(store);
const start = performance.now();
const s = await renderBinder({
  db, storePath: store, outPath: out, template: loadTemplate('default'), printedAt: '2026-11-25T15:00:00Z',
  jobs: jobs ? Number(jobs) : availableParallelism(),
});
const seconds = (performance.now() - start) / 1000;
db.close();
console.log(JSON.stringify({
  jobs: jobs ? Number(jobs) : availableParallelism(), patients: s.patients, pages: s.pages, seconds, peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
  pdf_bytes_per_page: Math.round(statSync(out).size / s.pages),
}));
