// A restore with --on-conflict keep while another program goes on writing the store: no change that
// program committed before the restore's write is ever overwritten by the older paper.
import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { generateKeyPairSync } from 'node:crypto';
import Database from 'better-sqlite3';
import { runCli } from '../_run-cli.js';
import { handmadePatient } from '../fixtures/handmade-clinic.js';
import { encodeRecord } from '../../src/codec/record-codec.js';
import { createStore } from '../../src/store/open-store.js';
import { writeRecords } from '../../src/store/write-records.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PATIENTS = 600;

/**
 * The other program: sets a patient's phone and updated_at to now, one patient at a time in a shuffled
 * cycle, each update its own transaction, and prints "id value" after each commit. SIGTERM stops it
 * between two updates, so every committed update is printed.
 */
const WRITER = `
const Database = require('better-sqlite3');
const [path, idsJson] = process.argv.slice(1);
const ids = JSON.parse(idsJson);
const db = new Database(path, { timeout: 60000 });
const update = db.prepare('UPDATE patients SET phone = ?, updated_at = ? WHERE id = ?');
let stop = false, k = 0;
process.on('SIGTERM', () => { stop = true; });
process.stdout.write('ready\\n');
(function step() {
  if (stop) { db.close(); process.exit(0); }
  const id = ids[k % ids.length];
  const value = 'clinic-' + k++;
  update.run(value, new Date().toISOString().slice(0, 19) + 'Z', id);
  process.stdout.write(id + ' ' + value + '\\n');
  setTimeout(step, 8);
})();
`;

describe('restore --on-conflict keep with another program writing', () => {
  it('loses no change committed before the restore writes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'concurrent-'));
    const store = join(dir, 'clinic.sqlite');
    const records = Array.from({ length: PATIENTS }, (_, i) => handmadePatient(i));
    const db = createStore(store);
    writeRecords(db, records);
    // The store was written before the paper was printed (its change log says so, as last week's export would).
    db.prepare("UPDATE patient_changes SET changed_at = '2026-11-20T10:00:00Z'").run();
    db.close();
    // The paper: every patient changed a day after the store's rows, signed.
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const pub = join(dir, 'clinic.pub');
    writeFileSync(pub, publicKey.export({ format: 'pem', type: 'spki' }).toString());
    const texts = records.flatMap((r) => encodeRecord(
      { ...r, patient: { ...r.patient, phone: 'paper', updated_at: '2026-11-21T10:00:00Z' } },
      { runId: 'PAPER1', printedAt: '2026-11-21T12:00:00Z', signingKey: privateKey }));
    const codes = join(dir, 'codes.txt');
    writeFileSync(codes, texts.join('\n'));

    let seed = 11;
    const ids = records.map((r) => r.patient.id);
    for (let i = ids.length - 1; i > 0; i--) { seed = (seed * 1103515245 + 12345) % 2 ** 31; const j = seed % (i + 1); [ids[i], ids[j]] = [ids[j]!, ids[i]!]; }
    const writer = spawn(process.execPath, ['-e', WRITER, store, JSON.stringify(ids)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let log = '';
    writer.stdout.on('data', (c: Buffer) => { log += c.toString(); });
    while (!log.includes('ready\n')) await once(writer.stdout, 'data');
    while (log.split('\n').length < 20) await once(writer.stdout, 'data'); // the writer is well under way

    const r = await runCli('restore', '--db', store, '--pubkey', pub, '--on-conflict', 'keep', codes);
    const updatesDuringRestore = log.split('\n').length;
    await new Promise((res) => setTimeout(res, 200));
    writer.kill('SIGTERM');
    await once(writer, 'exit');

    expect(r.err).not.toMatch(/\n\s+at /);
    expect(r.code).toBe(0);
    const lastWritten = new Map<string, string>();
    for (const line of log.split('\n')) {
      const [id, value] = line.split(' ');
      if (value !== undefined) lastWritten.set(id!, value);
    }
    expect(lastWritten.size).toBeGreaterThan(20);
    expect(log.split('\n').length).toBeGreaterThan(updatesDuringRestore); // it went on writing after the restore
    const check = new Database(store, { readonly: true });
    const phones = new Map((check.prepare('SELECT id, phone FROM patients').all() as { id: string; phone: string }[]).map((p) => [p.id, p.phone]));
    check.close();
    const lost = [...lastWritten].filter(([id, value]) => phones.get(id) !== value).map(([id]) => id);
    expect(lost, `${lost.length} of ${lastWritten.size} changed patients lost their change`).toEqual([]);
    // Both decisions were made: the paper replaced patients the writer had not yet changed, and kept its changes.
    const [, restored, kept] = /restore: (\d+) restored, 0 already current, (\d+) kept newer/.exec(r.out)!;
    expect(Number(restored)).toBeGreaterThan(0);
    expect(Number(kept)).toBeGreaterThan(0);
    expect(Number(restored) + Number(kept)).toBe(PATIENTS);
  }, 120_000);
});
