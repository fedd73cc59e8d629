// The binder's own decoder (templates/decoder/decode.py) given a full binder's codes and its supplement's (FORMAT
// §11.4): each patient from the newest run that holds them, a patient the supplement lists as removed left out,
// byte for byte the export of `restore` of the same two binders, and so of the store as it is now.
import { describe, it, expect, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { runCli } from '../_run-cli.js';
import { changePatients, NEW_PATIENT } from './_day-of-changes.js';
import { readArchive } from '../../src/archive/archive-file.js';

const DECODER = fileURLToPath(new URL('../../templates/decoder/decode.py', import.meta.url));
const hasPython = spawnSync('python3', ['--version']).status === 0;
if (!hasPython) console.warn('python3 not found: skipping the binder decoder\'s supplement test (install python3 to run it)');

let dir: string;
let store: string;
let deleted: string;
let edited: string;
const added = NEW_PATIENT.id;
const PASSPHRASE = 'a passphrase for the test only';

async function exportOf(db: string): Promise<string> {
  const r = await runCli('export', '--db', db);
  expect(r.code, r.err).toBe(0);
  return r.out;
}

/** The code texts a print wrote, every one of them (records, parity, manifest), from its archive. */
const codesOf = (archive: string): string[] => readArchive(archive, { passphrase: PASSPHRASE }).texts;

function decodePy(texts: string[]): { status: number | null; out: string; err: string } {
  const file = join(dir, `codes-${texts.length}.txt`);
  writeFileSync(file, `${texts.join('\n')}\n`);
  const r = spawnSync('python3', [DECODER, file], { encoding: 'utf8', maxBuffer: 1 << 26 });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'supplement-decoder-'));
  store = join(dir, 'clinic.sqlite');
  writeFileSync(join(dir, 'pass.txt'), `${PASSPHRASE}\n`);
  expect((await runCli('sample', '--db', store, '--patients', '8', '--seed', '5', '--as-of', '2026-11-25')).code).toBe(0);
  const p = await runCli('print', '--db', store, '--out', join(dir, 'binder.pdf'), '--as-of', '2026-12-01T14:00Z', '--jobs', '1',
    '--archive', join(dir, 'binder.pca'), '--passphrase-file', join(dir, 'pass.txt'));
  expect(p.code, p.err).toBe(0);
  // After the print: one patient edited, one deleted, one new.
  const db = new Database(store);
  const ids = db.prepare('SELECT id FROM patients ORDER BY id').pluck().all() as string[];
  edited = ids[1]!;
  deleted = ids[3]!;
  db.close();
  await changePatients(store, { edited: [edited], deleted, copyOf: ids[4]!, at: '2026-12-01T18:00:00Z' });
  const s = await runCli('print', '--db', store, '--out', join(dir, 'supplement.pdf'), '--since', 'last', '--as-of', '2026-12-02T14:00Z', '--jobs', '1',
    '--archive', join(dir, 'supplement.pca'), '--passphrase-file', join(dir, 'pass.txt'));
  expect(s.code, s.err).toBe(0);
  expect(s.out).toMatch(/^printed 2 patients/);
}, 300_000);

describe.skipIf(!hasPython)('the binder\'s decoder with a supplement', () => {
  it('gives the export restore gives of the binder and its supplement: the edit, the new patient, and not the deleted one', async () => {
    const restored = join(dir, 'restored.sqlite');
    const r = await runCli('restore', '--db', restored, '--trust-unsigned', join(dir, 'binder.pdf'), join(dir, 'supplement.pdf'));
    expect(r.code, r.err).toBe(0);
    const restoredExport = await exportOf(restored);
    expect(restoredExport).toBe(await exportOf(store));

    // In either order: the supplement's codes first, as a person might scan the newer pages first.
    for (const texts of [[...codesOf(join(dir, 'binder.pca')), ...codesOf(join(dir, 'supplement.pca'))],
      [...codesOf(join(dir, 'supplement.pca')), ...codesOf(join(dir, 'binder.pca'))]]) {
      const py = decodePy(texts);
      expect(py.status, py.err).toBe(0);
      expect(py.out).toBe(restoredExport);
      expect(py.out).not.toContain(`"id":"${deleted}"`);
      expect(py.out).toContain(`"id":"${added}"`);
      expect(py.out.split('\n').find((l) => l.includes(`"id":"${edited}"`))).toContain('555-0100');
      expect(py.err).toMatch(/^restored 8 patients/m);
      expect(py.err).toContain(`removed from the records before a supplement was printed: patient ${deleted}`);
    }
  }, 300_000);

  it('without the supplement gives the binder as printed, the deleted patient included', async () => {
    const py = decodePy(codesOf(join(dir, 'binder.pca')));
    expect(py.status, py.err).toBe(0);
    expect(py.out).toContain(`"id":"${deleted}"`);
    expect(py.out).not.toContain(`"id":"${added}"`);
  });
});
