// A supplement against a full print (issue 28): on a copy of the sample clinic, a registered full print, then 1% of
// the patients changed, then `print --since last`, each timed, in this process one after the other; then the same supplement
// in a process of its own, as a user runs it, three times before and three times after a second full print (the median of
// the six against the mean of the two prints).
// Usage: node bench/_supplement.mjs STORE [JOBS] [PERCENT]. Prints one JSON line of figures.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { main } from '../dist/cli/main.js';

const [source, jobs = 'auto', percent = '1'] = process.argv.slice(2);
const dir = mkdtempSync(join(tmpdir(), 'bench-supplement-'));
const store = join(dir, 'clinic.sqlite');
copyFileSync(source, store);
const said = [];
const io = { out: (t) => said.push(t), err: (t) => said.push(t), stdout: process.stdout, isTTY: false };
const runsJson = () => execFileSync(process.execPath, [fileURLToPath(new URL('../bin/paperchart.js', import.meta.url)), 'runs', '--db', store, '--json']).toString();
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2; };
const timed = async (args) => {
  const start = performance.now();
  const cpu = process.cpuUsage();
  const code = await main(['print', '--db', store, '--jobs', jobs, ...args], io);
  if (code !== 0) throw new Error(`print ${args.join(' ')} failed (exit code ${code}): ${said.join('\n')}`);
  const { user, system } = process.cpuUsage(cpu);
  // CPU time of this process and its threads: on a shared machine it moves less than the wall clock.
  return { seconds: (performance.now() - start) / 1000, cpu_seconds: (user + system) / 1e6 };
};
try {
  const full = await timed(['--out', join(dir, 'binder.pdf'), '--as-of', '2026-11-25T15:00Z']);
  const db = new Database(store);
  const ids = db.prepare('SELECT id FROM patients ORDER BY id').pluck().all();
  // Every hundredth patient (1%): spread through the binder, as a day's changes are.
  const step = Math.round(100 / Number(percent));
  const changed = ids.filter((_, i) => i % step === 0);
  const update = db.prepare("UPDATE patients SET phone = '555-0100', updated_at = '2026-11-26T15:00:00Z' WHERE id = ?");
  db.transaction(() => { for (const id of changed) update.run(id); })();
  db.close();
  // The change log counts in whole seconds: changes in the second the supplement starts would count twice.
  await new Promise((r) => setTimeout(r, 1_100));
  const supplement = await timed(['--out', join(dir, 'supplement.pdf'), '--since', 'last', '--as-of', '2026-11-26T15:00Z']);
  const printed = /^printed (\d+) patients?, (\d+) pages/m.exec(said.filter((s) => s.startsWith('printed')).pop() ?? '');
  // The same supplement again as a user runs it, a process of its own: above, this process is already warm from the
  // full print (modules, the font files' shared memory), which a command typed the next day is not.
  const since = JSON.parse(runsJson()).runs.find((r) => JSON.parse(r.selection ?? '{}').kind === 'all').run_id;
  const ownProcess = (n) => {
    const started = performance.now();
    execFileSync(process.execPath, [fileURLToPath(new URL('../bin/paperchart.js', import.meta.url)), 'print', '--db', store, '--jobs', jobs,
      '--out', join(dir, `supplement-cli-${n}.pdf`), '--since', since, '--as-of', '2026-11-26T15:00Z'], { stdio: 'ignore' });
    return (performance.now() - started) / 1000;
  };
  // This machine's speed drifts by a fifth over minutes, so the supplement's own process is timed three times just before
  // a second full print and three times just after it (as the 100,000-patient figure is bracketed), and the median of the
  // six is set against the mean of the two full prints. The second goes to a register of its own: the supplements follow the first.
  const before = [1, 2, 3].map(ownProcess);
  const second = await timed(['--out', join(dir, 'binder-2.pdf'), '--as-of', '2026-11-25T15:00Z', '--register', join(dir, 'second.runs.sqlite')]);
  const after = [4, 5, 6].map(ownProcess);
  const runs = [...before, ...after];
  const supplementCli = median(runs);
  const fullMean = (full.seconds + second.seconds) / 2;
  console.log(JSON.stringify({ patients: ids.length, changed: changed.length, supplement_patients: Number(printed?.[1]), supplement_pages: Number(printed?.[2]),
    full_seconds: full.seconds, supplement_seconds: supplement.seconds, supplement_over_full: supplement.seconds / full.seconds,
    full_cpu_seconds: full.cpu_seconds, supplement_cpu_seconds: supplement.cpu_seconds,
    supplement_over_full_cpu: supplement.cpu_seconds / full.cpu_seconds,
    full_again_seconds: second.seconds, supplement_own_process_seconds: supplementCli, supplement_own_process_runs: runs.map((t) => +t.toFixed(3)),
    supplement_own_process_over_full: supplementCli / fullMean, jobs }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
