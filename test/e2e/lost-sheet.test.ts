// Issue 26, "a lost page must not lose a patient": a sample binder rasterised by pdftoppm at 200 dpi, each page's codes
// read once with paperchart's reader; then, for every sheet, the codes of all pages but that sheet's two restore every
// patient exactly (FORMAT §17). Without the parity codes the same test loses patients, which it shows too.
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { writeSampleClinic } from '../../src/sample/sample-clinic.js';
import { openStore, type Db } from '../../src/store/open-store.js';
import { drawBinder } from '../../src/print/print-binder.js';
import { loadTemplate } from '../../src/layout/template.js';
import { collectTexts } from '../../src/restore/collect-texts.js';
import { decodeTexts } from '../../src/restore/decode-texts.js';
import { planFromPaper } from '../../src/restore/plan-restore.js';
import { restoreRecords } from '../../src/restore/restore-records.js';
import { exportRecords } from '../../src/store/export-store.js';

const has = (tool: string, arg: string): boolean => spawnSync(tool, [arg]).status === 0;
const tools = has('pdftoppm', '-v') && has('python3', '--version');
if (!tools) console.warn('pdftoppm or python3 missing: skipping the lost-sheet test (install poppler-utils and python3)');
const DECODE_PY = fileURLToPath(new URL('../../templates/decoder/decode.py', import.meta.url));

async function exported(db: Db): Promise<string> {
  let out = '';
  await exportRecords(db, new Writable({ write(chunk, _enc, done) { out += chunk.toString(); done(); } }));
  return out;
}

describe.skipIf(!tools)('a sample binder with any one sheet lost', () => {
  let dir: string;
  let store: string;
  let publicKey: KeyObject;
  /** Code texts of each page, page 1 first. */
  let pages: string[][];
  let ids: string[];
  let canonical: Map<string, string>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lost-sheet-'));
    store = join(dir, 'clinic.sqlite');
    await writeSampleClinic(store, { patients: 36, seed: 7, asOf: '2026-11-25T12:00:00Z' });
    const { privateKey } = generateKeyPairSync('ed25519');
    publicKey = createPublicKey(privateKey);
    const db = openStore(store);
    await drawBinder({ db, storePath: store, outPath: join(dir, 'binder.pdf'), template: loadTemplate('default'), printedAt: '2026-11-25T15:00:00Z', signingKey: privateKey });
    const records = await exported(db);
    db.close();
    const lines = records.split('\n').filter((l) => l.startsWith('{"alerts"'));
    canonical = new Map(lines.map((l) => { const text = l.replace(/,$/, ''); return [(JSON.parse(text) as { patient: { id: string } }).patient.id, text]; }));
    ids = [...canonical.keys()];
    expect(spawnSync('pdftoppm', ['-r', '200', '-gray', '-png', join(dir, 'binder.pdf'), join(dir, 'page')]).status).toBe(0);
    const files = readdirSync(dir).filter((f) => /^page-\d+\.png$/.test(f)).sort((a, b) => Number(/\d+/.exec(a)![0]) - Number(/\d+/.exec(b)![0]));
    pages = [];
    for (const f of files) pages.push((await collectTexts([join(dir, f)])).map((t) => t.text));
  }, 600_000);

  /** The patients not restored exactly from every page but sheet `s`'s two (pages 2s+1, 2s+2). */
  async function lostWithout(s: number, keep: (text: string) => boolean): Promise<string[]> {
    const texts = pages.filter((_p, i) => Math.floor(i / 2) !== s).flat().filter(keep);
    const plan = planFromPaper(await decodeTexts(texts, { publicKey }));
    const got = new Map(plan.records.map((r) => [r.patientId, r]));
    return ids.filter((id) => got.get(id)?.canonical !== canonical.get(id));
  }

  it('restores every patient exactly whichever one sheet is lost, and loses patients without the parity codes', async () => {
    const sheets = Math.ceil(pages.length / 2);
    const lostBefore: number[] = [];
    for (let s = 0; s < sheets; s++) {
      expect(await lostWithout(s, () => true), `sheet ${s + 1} (pages ${2 * s + 1}–${2 * s + 2}) lost`).toEqual([]);
      if ((await lostWithout(s, (t) => !t.startsWith('PC1:X:'))).length) lostBefore.push(s);
    }
    const patientSheets = pages.reduce((n, p, i) => n + (i % 2 === 0 && (p.some((t) => t.startsWith('PC1:R:')) || (pages[i + 1] ?? []).some((t) => t.startsWith('PC1:R:'))) ? 1 : 0), 0);
    console.log(`lost-sheet: ${sheets} sheets, ${patientSheets} with record codes; without the parity codes ${lostBefore.length} of them lose a patient, with them 0`);
    // The check can fail: without the X codes, a lost sheet of codes loses its patient.
    expect(lostBefore.length).toBeGreaterThan(ids.length / 2);
  }, 900_000);

  it('restores a store whose export equals the original, the lost sheet\'s patient rebuilt from parity, and decode.py does too', async () => {
    // The first sheet whose loss loses a patient without the parity codes.
    let s = 0;
    while ((await lostWithout(s, (t) => !t.startsWith('PC1:X:'))).length === 0) s++;
    const texts = pages.filter((_p, i) => Math.floor(i / 2) !== s).flat();
    const into = join(dir, `restored-${s}.sqlite`);
    const report = await restoreRecords({ storePath: into, texts, publicKey, onConflict: 'fail', dryRun: false });
    const rebuilt = report.patients.filter((p) => p.rebuiltFromParity).map((p) => p.patientId);
    expect(rebuilt).toHaveLength(1);
    expect(report.patients.find((p) => p.rebuiltFromParity)!.detail).toMatch(/rebuilt from the parity codes/);
    expect(report.counts.restored).toBe(ids.length);
    const original = openStore(store), restored = openStore(into);
    try { expect(await exported(restored)).toBe(await exported(original)); } finally { original.close(); restored.close(); }

    writeFileSync(join(dir, 'codes.txt'), `${texts.join('\n')}\n`);
    const py = spawnSync('python3', [DECODE_PY, join(dir, 'codes.txt')], { encoding: 'utf8', maxBuffer: 1 << 28 });
    expect(py.status, py.stderr).toBe(0);
    const original2 = openStore(store);
    try { expect(py.stdout).toBe(await exported(original2)); } finally { original2.close(); }
    expect(py.stderr).toContain(`rebuilt from parity: patient ${rebuilt[0]}`);
  }, 600_000);
});
