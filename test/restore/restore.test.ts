import { describe, it, expect, beforeAll } from 'vitest';
import { copyFileSync, existsSync, mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import yargs from 'yargs';
import QRCode from 'qrcode';
import Database from 'better-sqlite3';
import { writeHandmadeClinic } from '../fixtures/handmade-clinic.js';
import { openStore } from '../../src/store/open-store.js';
import { drawBinder } from '../../src/print/print-binder.js';
import { loadTemplate } from '../../src/layout/template.js';
import { exportRecords } from '../../src/store/export-store.js';
import { decodeRecords, encodeRecord } from '../../src/codec/record-codec.js';
import { decodeFrame } from '../../src/codec/frame.js';
import { parseManifest, type Manifest } from '../../src/codec/manifest.js';
import { PaperchartError, UsageError } from '../../src/errors.js';
import { collectTexts, type CollectedText } from '../../src/restore/collect-texts.js';
import { restoreRecords, type RestoreReport } from '../../src/restore/restore-records.js';
import { RestoreConflictError, EmptyInputError, UnknownInputError } from '../../src/errors.js';
import { restoreCommand, formatReport } from '../../src/cli/restore-command.js';

let dir: string;
let original: string;
let pdf: string;
let collected: CollectedText[];
let texts: string[];
let privateKey: KeyObject;
let publicKey: KeyObject;
let pubPath: string;
let manifest: Manifest;
let n = 0;
const fresh = (): string => join(dir, `restored-${++n}.sqlite`);

/** The store's whole export, clinic `meta` included (the manifest carries it). */
async function exported(path: string): Promise<string> {
  const db = openStore(path);
  let s = '';
  const out = new PassThrough();
  out.on('data', (c: Buffer) => { s += c.toString('utf8'); });
  try { await exportRecords(db, out); } finally { db.close(); }
  return s;
}

/** Runs the restore command through yargs as main.ts would (exit codes from PaperchartError). */
async function runRestore(argv: string[], stdin?: string): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const io = { out: (t: string) => { out += t + '\n'; }, err: (t: string) => { err += t + '\n'; }, stdout: new PassThrough(), isTTY: false };
  const parser = yargs().command(restoreCommand(io, stdin === undefined ? undefined : async () => stdin))
    .strict().exitProcess(false).fail((m, e) => { if (e) throw e; throw new UsageError(m); });
  try {
    await parser.parseAsync(['restore', ...argv]);
    return { code: 0, out, err };
  } catch (e) {
    if (e instanceof UsageError) return { code: 1, out, err: err + e.message };
    if (e instanceof PaperchartError) return { code: e.exitCode, out, err: err + e.message };
    throw e;
  }
}

const byId = (r: RestoreReport, id: string) => r.patients.find((p) => p.patientId === id);
const pid = (t: string): string | null => decodeFrame(t).patientId;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'restore-'));
  original = join(dir, 'clinic.sqlite');
  writeHandmadeClinic(original);
  ({ privateKey } = generateKeyPairSync('ed25519'));
  publicKey = createPublicKey(privateKey);
  pubPath = join(dir, 'clinic.pub');
  writeFileSync(pubPath, publicKey.export({ format: 'pem', type: 'spki' }).toString());
  pdf = join(dir, 'binder.pdf');
  const db = openStore(original);
  await drawBinder({ db, storePath: original, outPath: pdf, template: loadTemplate('default'), printedAt: '2026-11-25T15:00:00Z', signingKey: privateKey });
  db.close();
  collected = await collectTexts([pdf]);
  texts = collected.map((c) => c.text);
  manifest = parseManifest(decodeRecords(texts, { publicKey }).manifests[0]!);
});

describe('paperchart restore', () => {
  it('reads codes from the PDF with their page numbers', () => {
    expect(collected.length).toBeGreaterThan(0);
    for (const c of collected) expect(c.page).toBeGreaterThan(0);
    for (const entry of manifest.patients) {
      const hex = Buffer.from(entry.id, 'utf8').toString('hex').toUpperCase();
      const pages = [...new Set(collected.filter((c) => c.text.includes(`:${hex}:`)).map((c) => c.page))];
      expect(pages).toEqual(entry.pages);
    }
  });

  it('restores the PDF into a new store whose export equals the original', async () => {
    const store = fresh();
    const r = await runRestore(['--db', store, '--pubkey', pubPath, pdf]);
    expect(r.err).not.toContain('paperchart:');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`restore: ${manifest.patients.length} restored, 0 already current`));
    expect(await exported(store)).toBe(await exported(original));
  });

  it('restores from a text file of shuffled code texts with duplicates, and from stdin', async () => {
    const lines = [...texts, ...texts.slice(0, 7), ''];
    let seed = 7;
    for (let i = lines.length - 1; i > 0; i--) { seed = (seed * 1103515245 + 12345) % 2 ** 31; const j = seed % (i + 1); [lines[i], lines[j]] = [lines[j]!, lines[i]!]; }
    const file = join(dir, 'codes.txt');
    writeFileSync(file, lines.join('\n'));
    const store = fresh();
    expect((await runRestore(['--db', store, '--pubkey', pubPath, file])).code).toBe(0);
    expect(await exported(store)).toBe(await exported(original));
    const store2 = fresh();
    expect((await runRestore(['--db', store2, '--pubkey', pubPath, '-'], lines.join('\r\n'))).code).toBe(0);
    expect(await exported(store2)).toBe(await exported(original));
  });

  it('refuses a forged record (a medication changed, re-signed with another key) and leaves the store untouched', async () => {
    const victim = manifest.patients[1]!.id;
    const real = decodeRecords(texts, { publicKey }).records.find((r) => r.patientId === victim)!;
    const forgedRecord = structuredClone(real.record);
    forgedRecord.medications[0]!.name = 'Oxycodone';
    const forged = encodeRecord(forgedRecord, { runId: real.runId, printedAt: real.printedAt, signingKey: generateKeyPairSync('ed25519').privateKey });
    // Without the cross-sheet parity codes (kind X), which would rebuild the real record (below).
    const mixed = [...texts.filter((t) => pid(t) !== victim && !t.startsWith('PC1:X:')), ...forged];
    // Into a new store: everyone else restored, the victim refused.
    const store = fresh();
    const report = await restoreRecords({ storePath: store, texts: mixed, publicKey, onConflict: 'replace', dryRun: false });
    expect(byId(report, victim)?.status).toBe('refused');
    expect(byId(report, victim)?.detail).toMatch(/signature/);
    expect(report.counts.restored).toBe(manifest.patients.length - 1);
    const db = openStore(store);
    expect(db.prepare('SELECT count(*) AS n FROM patients WHERE id = ?').get(victim)).toEqual({ n: 0 });
    db.close();
    // Into the original store, even with --on-conflict replace: not a byte changes.
    const copy = fresh();
    copyFileSync(original, copy);
    const before = readFileSync(copy);
    const r = await runRestore(['--db', copy, '--pubkey', pubPath, '--on-conflict', 'replace', '-'], mixed.join('\n'));
    expect(r.code).toBe(3);
    expect(r.out).toMatch(new RegExp(`refused +${victim}`));
    expect(readFileSync(copy).equals(before)).toBe(true);
    // With the parity codes the real record is rebuilt under its own signature; the forged one never gets in.
    const rebuiltStore = fresh();
    const withParity = await restoreRecords({ storePath: rebuiltStore, texts: [...mixed, ...texts.filter((t) => t.startsWith('PC1:X:'))], publicKey, onConflict: 'replace', dryRun: false });
    expect(byId(withParity, victim)).toMatchObject({ status: 'restored', rebuiltFromParity: true });
    expect(await exported(rebuiltStore)).toBe(await exported(original));
  });

  it('reports a patient with no codes as missing and one short of codes as incomplete, naming code numbers and pages', async () => {
    const gone = manifest.patients[0]!;
    const short = manifest.patients.find((p) => p.id !== gone.id && p.codes === 3) ?? manifest.patients.find((p) => p.id !== gone.id && p.codes >= 3)!;
    const dropped = new Set([1, 2]);
    const kept = texts.filter((t) => pid(t) !== gone.id && !(pid(t) === short.id && dropped.has(decodeFrame(t).index)));
    const report = await restoreRecords({ storePath: fresh(), texts: kept, publicKey, onConflict: 'keep', dryRun: false });
    expect(byId(report, gone.id)).toMatchObject({ status: 'missing', pages: gone.pages });
    const inc = byId(report, short.id)!;
    expect(short.codes).toBe(3);
    {
      // Only the pages that hold codes 1 and 2 (the manifest's page_codes): the patient's codes may run onto a second page.
      const holding = short.pages.filter((_, k) => short.page_codes!.slice(0, k).reduce((a, b) => a + b, 0) < 2);
      expect(holding).toEqual([short.pages[0]]);
      expect(inc).toMatchObject({ status: 'incomplete', missingCodes: [1, 2], pages: holding });
      // Issue 30: the codes not read with the page that holds them (the manifest's page_codes).
      expect(inc.detail).toMatch(new RegExp(`^codes 1–2 on binder page ${short.pages[0]} not read`));
    expect(formatReport(report).at(-1)).toMatch(/1 incomplete, 0 refused, 1 missing/);
    }
    expect(report.counts.restored).toBe(manifest.patients.length - (short.codes === 3 ? 2 : 1));
  });

  it('never imports a code whose text was altered: the frame is rejected and parity or the report covers it', async () => {
    const victim = manifest.patients[4]!;
    const frames = texts.filter((t) => pid(t) === victim.id);
    const t0 = frames[0]!;
    const at = t0.length - 10;
    const altered = t0.slice(0, at) + (t0[at] === 'A' ? 'B' : 'A') + t0.slice(at + 1);
    const oneAltered = texts.map((t) => (t === t0 ? altered : t));
    const healed = await restoreRecords({ storePath: fresh(), texts: oneAltered, publicKey, onConflict: 'keep', dryRun: true });
    expect(healed.rejectedTexts).toBe(1);
    expect(byId(healed, victim.id)?.status).toBe('restored');
    // Altered and too few codes left to rebuild: incomplete, never imported.
    const rest = new Set(frames.slice(1, victim.codes - 1));
    const store = fresh();
    // (Without the cross-sheet parity codes, which would rebuild it: restore.test's lost-sheet cases are in test/e2e/lost-sheet.test.ts.)
    const broken = await restoreRecords({ storePath: store, texts: oneAltered.filter((t) => !rest.has(t) && !t.startsWith('PC1:X:')), publicKey, onConflict: 'keep', dryRun: false });
    expect(byId(broken, victim.id)?.status).toBe('incomplete');
    const db = openStore(store);
    expect(db.prepare('SELECT count(*) AS n FROM patients WHERE id = ?').get(victim.id)).toEqual({ n: 0 });
    db.close();
  });

  it('reports already-current on a second run, and writes nothing', async () => {
    const store = fresh();
    await restoreRecords({ storePath: store, texts, publicKey, onConflict: 'keep', dryRun: false });
    const before = await exported(store);
    const again = await restoreRecords({ storePath: store, texts, publicKey, onConflict: 'fail', dryRun: false });
    expect(again.counts['already-current']).toBe(manifest.patients.length);
    expect(again.written).toBe(0);
    expect(await exported(store)).toBe(before);
  });

  it('refuses every record with the wrong public key, names the key problem and creates no store', async () => {
    const wrong = join(dir, 'wrong.pub');
    writeFileSync(wrong, createPublicKey(generateKeyPairSync('ed25519').privateKey).export({ format: 'pem', type: 'spki' }).toString());
    const store = fresh();
    const r = await runRestore(['--db', store, '--pubkey', wrong, '--json', '-'], texts.join('\n'));
    // A key problem, not pages to rescan: exit 2 with the one thing to do, and no report.
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^these codes are signed by another key than .*wrong\.pub \(fingerprint [0-9A-F ]+\); nothing was written$/);
    expect(r.out).toBe('');
    expect(existsSync(store)).toBe(false);
    // Unsigned trust is not a way round a bad signature.
    const trusted = await restoreRecords({ storePath: store, texts, publicKey: createPublicKey(generateKeyPairSync('ed25519').privateKey), trustUnsigned: true, onConflict: 'keep', dryRun: true });
    expect(trusted.counts.refused).toBe(manifest.patients.length);
  });

  it('keeps a newer store record, replaces it on request, and fails without writing', async () => {
    const id = manifest.patients[2]!.id;
    const store = fresh();
    copyFileSync(original, store);
    const db = new Database(store);
    db.prepare("UPDATE medications SET dose = '20 mg', updated_at = '2026-11-26T09:00:00Z' WHERE patient_id = ?").run(id);
    db.close();
    const changed = await exported(store);
    await expect(restoreRecords({ storePath: store, texts, publicKey, onConflict: 'fail', dryRun: false })).rejects.toThrow(RestoreConflictError);
    expect(await exported(store)).toBe(changed);
    const kept = await restoreRecords({ storePath: store, texts, publicKey, onConflict: 'keep', dryRun: false });
    expect(byId(kept, id)?.status).toBe('kept-newer');
    expect(await exported(store)).toBe(changed);
    const dry = await restoreRecords({ storePath: store, texts, publicKey, onConflict: 'replace', dryRun: true });
    expect(byId(dry, id)?.status).toBe('restored');
    expect(await exported(store)).toBe(changed);
    const replaced = await restoreRecords({ storePath: store, texts, publicKey, onConflict: 'replace', dryRun: false });
    expect(byId(replaced, id)?.status).toBe('restored');
    expect(await exported(store)).toBe(await exported(original));
  });

  it('restores from a folder of PNG images and a text file, read in name order', async () => {
    const folder = join(dir, 'scans');
    mkdirSync(folder);
    const [first, second] = [manifest.patients[0]!.id, manifest.patients[3]!.id];
    const asImages = texts.filter((t) => pid(t) === first || pid(t) === second || pid(t) === null);
    for (const [i, t] of asImages.entries()) {
      const png = await QRCode.toBuffer([{ data: t, mode: 'alphanumeric' }], { errorCorrectionLevel: 'M', margin: 4, scale: 4 });
      writeFileSync(join(folder, `code-${String(i).padStart(3, '0')}.png`), png);
    }
    writeFileSync(join(folder, 'rest.txt'), texts.filter((t) => !asImages.includes(t)).join('\n'));
    writeFileSync(join(folder, 'notes.docx'), 'ignored: not a kind restore reads');
    const got = await collectTexts([folder]);
    expect(got.filter((c) => c.source.endsWith('.png')).map((c) => c.text)).toEqual(asImages);
    const store = fresh();
    expect((await runRestore(['--db', store, '--pubkey', pubPath, folder])).code).toBe(0);
    expect(await exported(store)).toBe(await exported(original));
  });

  it('rejects bad inputs with typed errors', async () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    await expect(collectTexts([empty])).rejects.toBeInstanceOf(EmptyInputError);
    await expect(collectTexts([join(dir, 'clinic.sqlite')])).rejects.toBeInstanceOf(UnknownInputError);
    await expect(collectTexts([join(dir, 'nope.pdf')])).rejects.toBeInstanceOf(UnknownInputError);
    const r = await runRestore(['--db', fresh(), '--pubkey', pubPath, empty]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/empty/);
  });
});
