// Never destroy what is there: an output is never the store, a key or a file of the user's (_output-guard.ts).
import { describe, it, expect, beforeAll } from 'vitest';
import { linkSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, type CliResult } from '../_run-cli.js';
import { writeHandmadeClinic } from '../fixtures/handmade-clinic.js';

let dir: string;
let store: string;
let storeBytes: Buffer;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'never-destroy-'));
  store = join(dir, 'clinic.sqlite');
  writeHandmadeClinic(store, 2, false);
  storeBytes = readFileSync(store);
});

const print = (out: string, ...more: string[]): Promise<CliResult> =>
  runCli('print', '--db', store, '--out', out, '--as-of', '2026-11-25', '--jobs', '1', ...more);

/** Refused with exit 2, one line naming the problem and one saying what to do; nothing half-written is left. */
function expectRefused(r: CliResult, problem: RegExp): void {
  expect(r.code).toBe(2);
  const lines = r.err.trim().split('\n');
  expect(lines).toHaveLength(2);
  expect(lines[0]).toMatch(/^paperchart: /);
  expect(lines[0]).toMatch(problem);
  expect(lines[1]).toMatch(/^→ /);
  expect(readdirSync(dir).filter((f) => f.includes('.partial'))).toEqual([]);
}

describe('print never writes over what is there', () => {
  it('refuses the records store as its output, with or without --force, and leaves it byte for byte', async () => {
    for (const force of [[], ['--force']]) {
      expectRefused(await print(store, ...force), /clinic\.sqlite is the records store .*never writes over a records store/);
      expect(readFileSync(store).equals(storeBytes)).toBe(true);
    }
  });

  it('knows the store through a symbolic link and through a hard link', async () => {
    const symlink = join(dir, 'link-to-store.pdf');
    const hardLink = join(dir, 'hard-link-to-store.pdf');
    symlinkSync(store, symlink);
    linkSync(store, hardLink);
    for (const out of [symlink, hardLink]) {
      expectRefused(await print(out, '--force'), /is the records store/);
      expect(readFileSync(store).equals(storeBytes)).toBe(true);
    }
  });

  it('refuses a key file keygen wrote, with or without --force', async () => {
    expect((await runCli('keygen', '--out', join(dir, 'keys'))).code).toBe(0);
    for (const name of ['paperchart-signing.key', 'paperchart-signing.pub', 'paperchart-record.key']) {
      const key = join(dir, 'keys', name);
      const before = readFileSync(key);
      expectRefused(await print(key, '--force'), /never writes over a key/);
      expect(readFileSync(key).equals(before)).toBe(true);
    }
  });

  it('knows a key by its content under any name', async () => {
    const renamed = join(dir, 'backup-of-key.txt');
    writeFileSync(renamed, readFileSync(join(dir, 'keys', 'paperchart-signing.key')));
    expectRefused(await print(renamed, '--force'), /backup-of-key\.txt is a private key/);
    const recordKey = join(dir, 'record-key.txt');
    writeFileSync(recordKey, readFileSync(join(dir, 'keys', 'paperchart-record.key')));
    expectRefused(await print(recordKey, '--force'), /record-key\.txt is a record encryption key/);
  });

  it('refuses an unrelated existing file unless --force, and warns when the name does not end in .pdf', async () => {
    const notes = join(dir, 'notes.txt');
    writeFileSync(notes, 'the on-call rota\n');
    const refused = await print(notes);
    expectRefused(refused, /notes\.txt already exists: it is not a binder paperchart printed/);
    expect(refused.err).toMatch(/add --force/);
    expect(readFileSync(notes, 'utf8')).toBe('the on-call rota\n');
    const forced = await print(notes, '--force');
    expect(forced.code).toBe(0);
    expect(forced.err).toMatch(/^paperchart: warning: .*notes\.txt does not end in \.pdf/m);
    expect(readFileSync(notes).subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('refuses another SQLite database even with --force', async () => {
    const other = join(dir, 'other-clinic.db');
    writeHandmadeClinic(other, 1, false);
    const before = readFileSync(other);
    expectRefused(await print(other, '--force'), /other-clinic\.db is a SQLite database/);
    expect(readFileSync(other).equals(before)).toBe(true);
  });

  it('refuses a folder', async () => {
    expectRefused(await print(join(dir, 'keys'), '--force'), /keys already exists: it is a folder/);
  });

  it('prints over an earlier binder of its own without --force, and over a PDF of someone else only with it', async () => {
    const binder = join(dir, 'binder.pdf');
    expect((await print(binder)).code).toBe(0);
    const first = readFileSync(binder);
    const again = await runCli('print', '--db', store, '--out', binder, '--as-of', '2026-11-26', '--jobs', '1');
    expect(again.code).toBe(0);
    expect(again.err).not.toMatch(/warning/);
    expect(readFileSync(binder).equals(first)).toBe(false);
    const foreign = join(dir, 'scan.pdf');
    writeFileSync(foreign, first.toString('latin1').replaceAll('(paperchart)', '(scanner 1.0)'), 'latin1');
    expectRefused(await print(foreign), /scan\.pdf already exists: it is not a binder paperchart printed/);
    expect((await print(foreign, '--force')).code).toBe(0);
    expect(existsSync(foreign)).toBe(true);
  });
});
