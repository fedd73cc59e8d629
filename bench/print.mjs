// Prints figures for the binder print: `npm run bench` (after `npm install`, which builds dist/).
// Sample clinics are cached in bench/.cache between runs. Options: --patients N (default 1000).
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { writeSampleClinic } from '../dist/store/sample-clinic.js';
import { openStore } from '../dist/store/open-store.js';
import { renderBinder } from '../dist/render/render-binder.js';
import { loadTemplate } from '../dist/render/template.js';

const AS_OF = '2026-11-25T15:00:00Z';
const arg = process.argv.indexOf('--patients');
const sizes = arg > 0 ? [Number(process.argv[arg + 1])] : [1000];
const cache = fileURLToPath(new URL('./.cache/', import.meta.url));
mkdirSync(cache, { recursive: true });
const results = [];

for (const patients of sizes) {
  const store = `${cache}clinic-${patients}.sqlite`;
  if (!existsSync(store)) {
    const t = performance.now();
    writeSampleClinic(store, { patients, seed: 1, asOf: AS_OF });
    console.log(`sample ${patients}: built in ${((performance.now() - t) / 1000).toFixed(1)} s (cached for later runs)`);
  }
  const out = `${cache}binder-${patients}.pdf`;
  rmSync(out, { force: true });
  const db = openStore(store);
  const start = performance.now();
  const s = await renderBinder({ db, storePath: store, outPath: out, template: loadTemplate('default'), printedAt: AS_OF });
  const seconds = (performance.now() - start) / 1000;
  db.close();
  const figures = {
    patients, seconds: +seconds.toFixed(2), pages: s.pages,
    patients_per_second: +(patients / seconds).toFixed(1), pages_per_second: +(s.pages / seconds).toFixed(1),
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024), pdf_bytes_per_page: Math.round(statSync(out).size / s.pages),
  };
  for (const [k, v] of Object.entries(figures)) console.log(`print ${patients}: ${k} ${v}`);
  results.push({ command: 'print', ...figures });
}
writeFileSync(new URL('./results.json', import.meta.url), JSON.stringify({ at: new Date().toISOString(), results }, null, 2) + '\n');
