import { describe, it, expect, beforeAll } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, expectRefusal } from '../_run-cli.js';
import { writeHandmadeClinic } from '../fixtures/handmade-clinic.js';

let dir: string;
let store: string;
let keys: string;
let passphrase: string;
let archive: string;
let n = 0;
const newStore = (): string => join(dir, `restored-${++n}.sqlite`);
const exported = async (db: string): Promise<string> => (await runCli('export', '--db', db)).out;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'archive-'));
  store = join(dir, 'clinic.sqlite');
  writeHandmadeClinic(store, 4, false);
  keys = join(dir, 'keys');
  expect((await runCli('keygen', '--out', keys)).code).toBe(0);
  passphrase = join(dir, 'passphrase.txt');
  writeFileSync(passphrase, 'correct horse battery staple\n');
  archive = join(dir, 'offsite.pcarchive');
  const p = await runCli('print', '--db', store, '--out', join(dir, 'binder.pdf'), '--as-of', '2026-11-25T15:00Z',
    '--key', join(keys, 'paperchart-signing.key'), '--archive', archive, '--passphrase-file', passphrase);
  expect(p.code, p.err).toBe(0);
}, 120_000);

describe('the off-site archive', () => {
  it('is one encrypted file that restores the store exactly, read as restore reads paper', async () => {
    const bytes = readFileSync(archive);
    expect(bytes.subarray(0, 12).toString('latin1')).toBe('PC1-ARCHIVE\n');
    // Encrypted: no code text, name or id shows through.
    expect(bytes.includes('PC1:')).toBe(false);
    expect(bytes.includes('H0001')).toBe(false);
    const restored = newStore();
    const r = await runCli('restore', '--db', restored, '--pubkey', join(keys, 'paperchart-signing.pub'), '--passphrase-file', passphrase, archive);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/restore: 4 restored, .* 0 missing/);
    expect(await exported(restored)).toBe(await exported(store));
    const runs = JSON.parse((await runCli('runs', '--db', store, '--json')).out) as { runs: { detail: string | null }[] };
    expect(runs.runs[0]!.detail).toBe(`archive ${archive}`);
  });

  it('refuses a wrong passphrase in one line, writing nothing', async () => {
    const wrong = join(dir, 'wrong.txt');
    writeFileSync(wrong, 'correct horse battery stable\n');
    const restored = newStore();
    const r = await runCli('restore', '--db', restored, '--trust-unsigned', '--passphrase-file', wrong, archive);
    expectRefusal(r, /offsite\.pcarchive cannot be read: the passphrase is wrong, or the file was altered or truncated/);
    expect(existsSync(restored)).toBe(false);
  });

  it('refuses an altered archive and a truncated one, writing nothing', async () => {
    const bytes = readFileSync(archive);
    const altered = join(dir, 'altered.pcarchive');
    const flipped = Buffer.from(bytes);
    flipped[Math.floor(flipped.length / 2)]! ^= 0x01;
    writeFileSync(altered, flipped);
    const cut = join(dir, 'cut.pcarchive');
    writeFileSync(cut, bytes.subarray(0, bytes.length - 100));
    const header = join(dir, 'header.pcarchive');
    // The header is authenticated too: a cheaper scrypt cost written into it is caught.
    writeFileSync(header, Buffer.from(bytes.toString('latin1').replace('"N":131072', '"N":131073'), 'latin1'));
    for (const [file, why] of [[altered, /passphrase is wrong, or the file was altered/], [cut, /passphrase is wrong, or the file was altered or truncated/],
      [header, /header is damaged/]] as const) {
      const restored = newStore();
      const r = await runCli('restore', '--db', restored, '--trust-unsigned', '--passphrase-file', passphrase, file);
      expectRefusal(r, why);
      expect(existsSync(restored)).toBe(false);
    }
    const stub = join(dir, 'stub.pcarchive');
    writeFileSync(stub, bytes.subarray(0, 20));
    const r = await runCli('restore', '--db', newStore(), '--trust-unsigned', '--passphrase-file', passphrase, stub);
    expectRefusal(r, /stub\.pcarchive cannot be read: it is truncated/);
  });

  it('asks for the passphrase it needs, and can be written under the clinic\'s record key instead', async () => {
    const r = await runCli('restore', '--db', newStore(), '--trust-unsigned', archive);
    expectRefusal(r, /encrypted with a passphrase/);
    expect(r.err).toMatch(/→ add --passphrase-file FILE/);
    const keyed = join(dir, 'keyed.pcarchive');
    const recordKey = join(keys, 'paperchart-record.key');
    const p = await runCli('print', '--db', store, '--out', join(dir, 'keyed.pdf'), '--as-of', '2026-11-26T15:00Z', '--encrypt-key', recordKey, '--archive', keyed);
    expect(p.code, p.err).toBe(0);
    const restored = newStore();
    const ok = await runCli('restore', '--db', restored, '--trust-unsigned', '--decrypt-key', recordKey, keyed);
    expect(ok.code, ok.err).toBe(0);
    expect(await exported(restored)).toBe(await exported(store));
  });

  it('refuses a short passphrase and an archive with no key before printing', async () => {
    const short = join(dir, 'short.txt');
    writeFileSync(short, 'letmein\n');
    const out = join(dir, 'never.pdf');
    expectRefusal(await runCli('print', '--db', store, '--out', out, '--archive', join(dir, 'never.pcarchive'), '--passphrase-file', short), /fewer than 12/);
    const none = await runCli('print', '--db', store, '--out', out, '--archive', join(dir, 'never.pcarchive'));
    expect(none.code).toBe(1);
    expect(none.err).toMatch(/--archive needs a key/);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(join(dir, 'never.pcarchive'))).toBe(false);
  });
});
