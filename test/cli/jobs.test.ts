// --jobs spreads patients over worker threads; the binder must not depend on it (issue 6).
// Runs the built binary, whose worker exists (npm test builds dist/ first).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/paperchart.js', import.meta.url));
const WORKER = fileURLToPath(new URL('../../dist/print/threads/patient-worker.js', import.meta.url));
const DEMO = fileURLToPath(new URL('../../samples/demo-clinic.sqlite', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'paperchart-jobs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const print = (jobs: number | 'auto', extra: string[] = []): Buffer => {
  const out = join(dir, `binder-${jobs}-${extra.length}.pdf`);
  // A register of its own (issue 28): the cover names the previous full print, which other tests' prints of DEMO would change.
  execFileSync(process.execPath, [BIN, 'print', '--db', DEMO, '--out', out, '--as-of', '2026-11-25T16:00Z', '--jobs', String(jobs), '--register', join(dir, 'runs.sqlite'), ...extra],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  return readFileSync(out);
};

describe('print --jobs', () => {
  it('gives the same PDF, byte for byte, on one thread and on worker threads', () => {
    expect(existsSync(WORKER), 'the compiled worker, or --jobs would quietly run on one thread').toBe(true);
    const one = print(1);
    expect(print(2).equals(one)).toBe(true);
    expect(print(3).equals(one)).toBe(true);
    // The default: a 60-patient print is drawn with no worker (fewer than 500 patients), still the same PDF.
    expect(print('auto').equals(one)).toBe(true);
  }, 120_000);

  it('refuses a record too large for --max-codes from a worker with the same error as on one thread', () => {
    for (const jobs of ['1', '2']) {
      const r = spawnSync(process.execPath, [BIN, 'print', '--db', DEMO, '--out', join(dir, `big-${jobs}.pdf`), '--max-codes', '4', '--jobs', jobs], { encoding: 'utf8' });
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/^paperchart: patient P\d+: record needs \d+ codes, the cap is 4\n→ /);
      expect(existsSync(join(dir, `big-${jobs}.pdf`))).toBe(false);
    }
  }, 60_000);

  it('refuses --jobs 0', () => {
    const r = spawnSync(process.execPath, [BIN, 'print', '--db', DEMO, '--out', join(dir, 'x.pdf'), '--jobs', '0'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/--jobs=0/);
  });
});
