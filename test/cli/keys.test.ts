import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, existsSync, readFileSync, writeFileSync, statSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../_run-cli.js';
import { writeHandmadeClinic } from '../fixtures/handmade-clinic.js';
import { extractPageTexts } from '../_pdf-text.js';

let dir: string;
let store: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'keys-'));
  store = join(dir, 'clinic.sqlite');
  writeHandmadeClinic(store, 3, false);
});

describe('keygen and signed printing', () => {
  it('writes a key pair and a record key, private ones readable by the owner only, and never overwrites', async () => {
    const r = await runCli('keygen', '--out', join(dir, 'keys'));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/fingerprint: ([0-9A-F]{4} ){15}[0-9A-F]{4}/);
    expect(r.out).toMatch(/Keep copies of all three files off this server/);
    expect(statSync(join(dir, 'keys', 'paperchart-signing.key')).mode & 0o077).toBe(0);
    expect(readFileSync(join(dir, 'keys', 'paperchart-record.key'), 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
    const again = await runCli('keygen', '--out', join(dir, 'keys'));
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/paperchart never overwrites a key/);
  });

  it('prints a key backup sheet with --sheet: the three key files as text, to type back', async () => {
    const keys = join(dir, 'keys-sheet');
    const sheet = join(dir, 'key-sheet.pdf');
    const r = await runCli('keygen', '--out', keys, '--sheet', sheet);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/key backup sheet: .*key-sheet\.pdf/);
    const [page, ...more] = await extractPageTexts(sheet);
    expect(more).toEqual([]);
    for (const file of ['paperchart-record.key', 'paperchart-signing.key', 'paperchart-signing.pub']) {
      for (const line of readFileSync(join(keys, file), 'utf8').trim().split('\n')) expect(page).toContain(line);
    }
  });

  it('prints the signing key fingerprint on the cover and the recipe page', async () => {
    const keys = join(dir, 'keys2');
    const fingerprint = /fingerprint: (.*)/.exec((await runCli('keygen', '--out', keys)).out)![1]!;
    const out = join(dir, 'signed.pdf');
    const r = await runCli('print', '--db', store, '--out', out, '--as-of', '2026-11-25',
      '--key', join(keys, 'paperchart-signing.key'), '--encrypt-key', join(keys, 'paperchart-record.key'));
    expect(r.code).toBe(0);
    const pages = await extractPageTexts(out);
    expect(pages[0]).toContain(fingerprint);
    expect(pages[0]).toContain('Records in the codes are encrypted');
    // The public key itself (FORMAT §6.3: the .pub file's middle line), on the cover and in the recipe's decoder command.
    const publicKey = readFileSync(join(keys, 'paperchart-signing.pub'), 'utf8').split('\n')[1]!;
    expect(pages[0]).toContain(publicKey);
    expect(pages[1]).toContain(`--pubkey ${publicKey} --record-key paperchart-record.key`);
    expect(pages[1]).toContain(fingerprint);
  });

  it('says an unsigned binder is unsigned', async () => {
    const out = join(dir, 'unsigned.pdf');
    expect((await runCli('print', '--db', store, '--out', out, '--as-of', '2026-11-25')).code).toBe(0);
    expect((await extractPageTexts(out))[0]).toContain('NOT SIGNED');
  });
});

describe('bad keys are refused with no output', () => {
  const refused = async (args: string[], problem: RegExp): Promise<void> => {
    const out = join(dir, 'refused.pdf');
    const r = await runCli('print', '--db', store, '--out', out, '--as-of', '2026-11-25', ...args);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')[0]).toMatch(problem);
    expect(existsSync(out)).toBe(false);
  };

  it('names a signing key file that does not exist', async () => {
    await refused(['--key', join(dir, 'missing.key')], /cannot read the signing key .*missing\.key \(no such file\)/);
  });

  it('names a key path that is a folder in words, not an errno code', async () => {
    await refused(['--key', dir], /cannot read the signing key .* \(it is a folder, expected a file\)/);
    await refused(['--encrypt-key', dir], /cannot read the encryption key .* \(it is a folder, expected a file\)/);
  });

  it('names a signing key file that is not a key', async () => {
    writeFileSync(join(dir, 'junk.key'), 'not a key\n');
    await refused(['--key', join(dir, 'junk.key')], /junk\.key: cannot read the signing key/);
  });

  it('refuses a signing key that does not match the public key beside it', async () => {
    await runCli('keygen', '--out', join(dir, 'a'));
    await runCli('keygen', '--out', join(dir, 'b'));
    copyFileSync(join(dir, 'b', 'paperchart-signing.pub'), join(dir, 'a', 'paperchart-signing.pub'));
    await refused(['--key', join(dir, 'a', 'paperchart-signing.key')], /paperchart-signing\.key does not match its public key .*paperchart-signing\.pub \(fingerprint/);
  });

  it('names an encryption key of the wrong length', async () => {
    writeFileSync(join(dir, 'short.key'), 'ab'.repeat(16));
    await refused(['--encrypt-key', join(dir, 'short.key')], /short\.key: encryption key has 16 bytes, expected 32/);
  });
});
