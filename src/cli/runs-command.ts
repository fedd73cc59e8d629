import type { CommandModule } from 'yargs';
import { listRuns } from '../runs/recorded-runs.js';
import type { RunRow } from '../runs/run-register.js';
import { REGISTER_OPTION } from './commands.js';
import type { Io } from './io.js';

/** One run as a line for a person: when, what, who, how it ended, and what it covered. */
export function formatRun(r: RunRow): string {
  const what = [r.patients === null ? null : `${r.patients} patients`, r.pages === null ? null : `${r.pages} pages`,
    r.pdf_sha256 ? `sha256 ${r.pdf_sha256.slice(0, 16)}…` : null, r.supersedes ? `supersedes ${r.supersedes}` : null, supplementOf(r)].filter(Boolean).join(', ');
  return `${r.started_at}  ${r.kind.padEnd(7)} ${r.run_id.padEnd(24)} ${r.outcome.padEnd(8)} ${r.os_user}  ${what}${r.detail ? `  (${r.detail})` : ''}`;
}

/** A supplement's line says what it follows (issue 28). */
function supplementOf(r: RunRow): string | null {
  try {
    const s = r.selection ? JSON.parse(r.selection) as { kind?: string; of?: string } : {};
    return s.kind === 'supplement' ? `supplement of ${s.of}` : null;
  } catch { return null; }
}

interface RunsArgs { db: string; register?: string; json: boolean }
export const runsCommand = (io: Io): CommandModule<object, RunsArgs> => ({
  command: 'runs',
  describe: 'List the run register: every print, verify and restore of a store, who ran it and how it ended',
  builder: (y) => y
    .option('db', { type: 'string', demandOption: true, describe: 'the records store whose register to list' })
    .option('register', REGISTER_OPTION)
    .option('json', { type: 'boolean', default: false, describe: 'every field of every run, and each file a print wrote (path, volume, SHA-256), as JSON' })
    .example('$0 runs --db clinic.sqlite', '') as never,
  handler: (a) => {
    const { register, runs } = listRuns(a.db, a.register);
    if (a.json) { io.out(JSON.stringify({ register, runs }, null, 2)); return; }
    for (const r of runs) io.out(formatRun(r));
    io.out(`${runs.length} run${runs.length === 1 ? '' : 's'} in ${register}`);
  },
});
