// `npm run bench` (after `npm install`, which builds dist/): prints the figures of issue 6 (and issue 26's
// pages and sheets per patient, with how many patients take each number of pages), one per line,
// and writes them to bench/results.json. Sample clinics are cached in bench/.cache between runs.
//   --patients N   measure print for N patients only (e.g. 100000), instead of 1,000 and 10,000; past
//                  10,000, between two 10,000-patient prints that its ratio is taken against
//   --jobs N       threads for print (default: auto, as print's default: one a core, fewer for a small print)
//   --skip-floor, --skip-restore, --skip-supplement
//   --supplement-only  only the supplement's figure (issue 28), on the largest of the sizes up to 10,000
//   --hostile      also restore each hostile input of bench/hostile-inputs.mjs (issue 23): exit, peak RSS, seconds
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { writeSampleClinic } from '../dist/sample/sample-clinic.js';
import { SCHEMA_VERSION } from '../dist/store/schema.js';

const argv = process.argv.slice(2);
const option = (name) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
const sizes = option('--patients') ? [Number(option('--patients'))] : [1000, 10000];
const jobs = option('--jobs');
const cache = fileURLToPath(new URL('./.cache/', import.meta.url));
mkdirSync(cache, { recursive: true });
const child = (script, args) => JSON.parse(execFileSync(process.execPath, [fileURLToPath(new URL(script, import.meta.url)), ...args],
  { stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 26 }).toString().trim().split('\n').pop());
const results = [];
const resultsFile = new URL('./results.json', import.meta.url);
// Issue 6 asks 100,000 patients in at most ten times the 10,000 time. A 100k run (--patients 100000)
// is compared with 10,000-patient prints timed just before and just after it, by their mean: this
// machine's speed drifts by up to a fifth over minutes, and against a 10k time from another part of the
// day the same code gave ratios from 8.3 to 10.7 in one afternoon (measured). Without bracketing (a run
// of 10,000 patients itself) the 10k time of this run or, failing that, of the last one recorded is used.
const earlier = existsSync(resultsFile) ? JSON.parse(readFileSync(resultsFile, 'utf8')) : { results: [] };
let tenThousand = earlier.results.find((r) => r.command === 'print' && r.patients === 10000);
const bracket = sizes.some((p) => p > 10000) && !sizes.includes(10000);
const report = (command, patients, figures) => {
  for (const [k, v] of Object.entries(figures)) console.log(`${command} ${patients ?? ''}: ${k} ${typeof v === 'number' ? +v.toFixed(2) : v}`.replace(' :', ':'));
  results.push({ command, ...(patients ? { patients } : {}), ...figures });
};

/** The schema version a cached store was built at (0 when it cannot be read). */
const cachedVersion = (store) => {
  try {
    const db = new Database(store, { readonly: true });
    try { return db.pragma('user_version', { simple: true }); } finally { db.close(); }
  } catch { return 0; }
};
/** The sample clinic of `patients`, built the first time, and again when paperchart's schema has moved on since. */
const sampleClinic = async (patients) => {
  const store = `${cache}clinic-${patients}.sqlite`;
  if (existsSync(store) && cachedVersion(store) !== SCHEMA_VERSION) {
    for (const f of [store, `${store}-wal`, `${store}-shm`, `${cache}clinic-${patients}.runs.sqlite`]) rmSync(f, { force: true });
  }
  if (!existsSync(store)) {
    const t = performance.now();
    await writeSampleClinic(store, { patients, seed: 1, asOf: '2026-11-25T15:00:00Z' });
    console.log(`sample ${patients}: built in ${((performance.now() - t) / 1000).toFixed(1)} s (cached for later runs)`);
  }
  return store;
};
/** One timed print of the sample clinic of `patients`, in its own process. */
const timedPrint = async (patients) => {
  const out = `${cache}binder-${patients}.pdf`;
  rmSync(out, { force: true });
  return child('./_print.mjs', [await sampleClinic(patients), out, ...(jobs ? [jobs] : [])]);
};

for (const patients of argv.includes('--supplement-only') ? [] : sizes) {
  const store = await sampleClinic(patients);
  const before = bracket && patients > 10000 ? await timedPrint(10000) : undefined;
  const p = await timedPrint(patients);
  if (before) {
    const after = await timedPrint(10000);
    tenThousand = {
      seconds: (before.seconds + after.seconds) / 2, seconds_just_before: before.seconds, seconds_just_after: after.seconds,
      peak_rss_mb: Math.max(before.peak_rss_mb, after.peak_rss_mb),
    };
    report('print', 10000, tenThousand);
  }
  const print = {
    seconds: p.seconds, patients_per_second: p.patients / p.seconds, pages: p.pages, pages_per_second: p.pages / p.seconds,
    peak_rss_mb: p.peak_rss_mb, pdf_bytes_per_page: p.pdf_bytes_per_page, jobs: p.jobs,
    // Paper (issue 26): pages and duplex sheets per patient, from the binder's outline (_pages.mjs).
    // and record KB per full page of codes, from the store (_pages.mjs).
    ...child('./_pages.mjs', [`${cache}binder-${patients}.pdf`, store]),
  };
  if (!argv.includes('--skip-floor')) {
    const f = child('./_floor.mjs', [store]);
    Object.assign(print, { floor_seconds: f.seconds, floor_text_seconds: f.text_seconds, floor_qr_seconds: f.qr_seconds,
      floor_distinct_runs: f.distinct_runs, floor_codes: f.codes, ratio_to_floor: p.seconds / f.seconds });
  }
  if (patients === 10000) tenThousand = print;
  else if (patients > 10000 && tenThousand) {
    Object.assign(print, { seconds_over_10000: p.seconds / tenThousand.seconds, per_patient_over_10000: (p.seconds / patients) / (tenThousand.seconds / 10000) });
  }
  report('print', patients, print);
}
// Issue 28: a supplement of 1% changed patients costs at most 5% of a full print of the same clinic (_supplement.mjs).
const supplementSize = Math.max(...sizes.filter((p) => p <= 10000));
if (!argv.includes('--skip-supplement') && Number.isFinite(supplementSize)) {
  const s = child('./_supplement.mjs', [await sampleClinic(supplementSize), ...(jobs ? [jobs] : [])]);
  report('supplement 1%', supplementSize, s);
}
if (!argv.includes('--skip-restore') && !argv.includes('--supplement-only')) {
  const r = child('./_restore.mjs', [cache]);
  for (const [input, f] of Object.entries(r)) report(`restore ${input}`, undefined, f);
}
if (argv.includes('--hostile')) {
  const rows = JSON.parse(execFileSync(process.execPath, [fileURLToPath(new URL('./hostile-inputs.mjs', import.meta.url)), '--json'],
    { stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 26 }).toString().trim().split('\n').pop());
  for (const { input, ...figures } of rows) report(`restore hostile ${input}`, undefined, figures);
}
// The last 10k figure is kept when this run had none, for the next 100k run to compare with.
if (tenThousand && !results.some((r) => r.patients === 10000)) results.push({ ...tenThousand, at: tenThousand.at ?? earlier.at });
writeFileSync(resultsFile, JSON.stringify({ at: new Date().toISOString(), results }, null, 2) + '\n');
