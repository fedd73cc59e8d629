// A run stopped by a signal is recorded as interrupted, not left "running" (issue 28), through the built binary.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../_run-cli.js';
import type { RunRow } from '../../src/runs/run-register.js';

const BIN = fileURLToPath(new URL('../../bin/paperchart.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'interrupted-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a print stopped by a signal', () => {
  it.each([['SIGTERM', 143], ['SIGINT', 130]] as const)('is recorded as interrupted by %s, and no binder is left', async (signal, exit) => {
    const store = join(dir, `clinic-${signal}.sqlite`);
    expect((await runCli('sample', '--db', store, '--patients', '300', '--seed', '5')).code).toBe(0);
    const out = join(dir, `binder-${signal}.pdf`);
    const child = spawn(process.execPath, [BIN, 'print', '--db', store, '--out', out, '--jobs', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    // Stopped once the binder's temporary file is being written: the run's row is begun by then.
    const started = Date.now();
    while (!readdirSync(dir).some((f) => f.startsWith(`.binder-${signal}`) && f.endsWith('.partial')) && Date.now() - started < 60_000) await new Promise((r) => setTimeout(r, 20));
    child.kill(signal);
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code, stderr).toBe(exit);
    expect(readdirSync(dir).filter((f) => f.includes(`binder-${signal}`))).toEqual([]);
    const db = new Database(join(dir, `clinic-${signal}.runs.sqlite`), { readonly: true });
    const rows = db.prepare('SELECT * FROM runs').all() as RunRow[];
    db.close();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ kind: 'print', outcome: 'interrupted', detail: `interrupted by ${signal}; no output was written` });
    expect(rows[0]!.ended_at).not.toBeNull();
  });
});

describe('a register made before runs could be interrupted', () => {
  it('is upgraded in place, its rows kept, and takes the new outcome', async () => {
    const store = join(dir, 'old.sqlite');
    expect((await runCli('sample', '--db', store, '--patients', '3', '--seed', '5')).code).toBe(0);
    const old = new Database(join(dir, 'old.runs.sqlite'));
    old.exec(`CREATE TABLE runs (seq INTEGER PRIMARY KEY, run_id TEXT NOT NULL, kind TEXT NOT NULL CHECK (kind IN ('print', 'verify', 'restore')),
      started_at TEXT NOT NULL, ended_at TEXT, data_as_of TEXT, os_user TEXT NOT NULL, store_path TEXT NOT NULL, schema_version INTEGER,
      patients INTEGER, pages INTEGER, pdf_path TEXT, pdf_sha256 TEXT, key_fingerprint TEXT, selection TEXT, supersedes TEXT,
      outcome TEXT NOT NULL CHECK (outcome IN ('running', 'complete', 'failed')), detail TEXT);
      INSERT INTO runs (run_id, kind, started_at, os_user, store_path, outcome) VALUES ('20261101120000', 'print', '2026-11-01T12:00:00Z', 'old', '/x', 'running');`);
    old.close();
    expect((await runCli('print', '--db', store, '--out', join(dir, 'old.pdf'), '--as-of', '2026-11-25T15:00Z')).code).toBe(0);
    const r = await runCli('runs', '--db', store, '--json');
    const runs = (JSON.parse(r.out) as { runs: RunRow[] }).runs;
    expect(runs.map((x) => [x.run_id, x.outcome])).toEqual([['20261101120000', 'running'], ['20261125150000', 'complete']]);
    const db = new Database(join(dir, 'old.runs.sqlite'));
    expect(() => db.prepare("UPDATE runs SET outcome = 'interrupted' WHERE seq = 1").run()).not.toThrow();
    db.close();
  });
});
