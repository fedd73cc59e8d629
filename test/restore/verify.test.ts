import { describe, it, expect, beforeAll } from 'vitest';
import { copyFileSync, existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { runCli } from '../_run-cli.js';
import { writeHandmadeClinic, handmadePatient } from '../fixtures/handmade-clinic.js';
import { writeRecords } from '../../src/store/write-records.js';
import { main } from '../../src/cli/main.js';

let dir: string;
let store: string;
let keys: string;
const binder = (): string => join(dir, 'binder.pdf');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'verify-'));
  store = join(dir, 'clinic.sqlite');
  writeHandmadeClinic(store, 3, false);
  keys = join(dir, 'keys');
  expect((await runCli('keygen', '--out', keys)).code).toBe(0);
});

describe('print --verify', () => {
  it('scans the new binder and reports that every patient restores exactly', async () => {
    const r = await runCli('print', '--db', store, '--out', binder(), '--as-of', '2026-11-25',
      '--key', join(keys, 'paperchart-signing.key'), '--encrypt-key', join(keys, 'paperchart-record.key'), '--verify');
    expect(r.err).not.toMatch(/→/);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/verify: 3 of 3 patients restore exactly from \d+ codes on \d+ pages of .*binder\.pdf\n$/);
    expect(existsSync(binder())).toBe(true);
  });
});

describe('print --verify on a store that changes while printing', () => {
  it('finds the binder no longer restores the store, removes it, and exits 3', async () => {
    const changing = join(dir, 'changing.sqlite');
    copyFileSync(store, changing);
    const folder = mkdtempSync(join(dir, 'out-'));
    const out = join(folder, 'binder.pdf');
    let err = '', stdout = '';
    // The clinic's system writes a new dose once every patient has been drawn, before the scan: a real race,
    // which verify is there to catch.
    const clinic = new Database(changing);
    let changed = false;
    const code = await main(['print', '--db', changing, '--out', out, '--as-of', '2026-11-25', '--verify'], {
      out: (t) => { stdout += `${t}\n`; },
      err: (t) => {
        err += `${t}\n`;
        if (!changed && t.includes('print render: 3/3')) {
          clinic.prepare("UPDATE medications SET dose = '20 mg', updated_at = '2026-11-25T00:30:00Z' WHERE patient_id = 'H0002'").run();
          changed = true;
        }
      },
      stdout: new PassThrough(), isTTY: false,
    });
    clinic.close();
    expect(changed).toBe(true);
    expect(stdout).toContain('problem  H0002  the record read from the binder differs from the store');
    expect(stdout).toMatch(/verify: 2 of 3 patients restore exactly/);
    expect(err).toMatch(/paperchart: .*binder\.pdf would not restore the store exactly \(1 problem\)\n→ do not rely on this binder/);
    expect(code).toBe(3);
    expect(readdirSync(folder)).toEqual([]);
  });
});

describe('verify', () => {
  it('passes the binder against the store it was printed from, signatures checked', async () => {
    const r = await runCli('verify', binder(), '--db', store, '--pubkey', join(keys, 'paperchart-signing.pub'),
      '--decrypt-key', join(keys, 'paperchart-record.key'));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/verify: 3 of 3 patients restore exactly/);
  });

  it('names the patient whose record changed after printing, and the patient the binder lacks', async () => {
    const changed = join(dir, 'changed.sqlite');
    copyFileSync(store, changed);
    const db = new Database(changed);
    db.prepare("UPDATE medications SET dose = '20 mg' WHERE patient_id = 'H0001'").run();
    db.close();
    const grown = new Database(changed);
    writeRecords(grown, [handmadePatient(7)]);
    grown.close();
    const r = await runCli('verify', binder(), '--db', changed, '--decrypt-key', join(keys, 'paperchart-record.key'));
    expect(r.code).toBe(3);
    expect(r.out).toContain('problem  H0001  the record read from the binder differs from the store');
    expect(r.out).toContain('problem  H0007  not in the binder: no code of this patient was read');
    expect(r.out).toContain('the manifest does not list exactly the patients of the store');
    expect(r.out).toMatch(/verify: 2 of 4 patients restore exactly/);
    expect(r.err).toMatch(/binder\.pdf would not restore the store exactly \(3 problems\)/);
  });

  it('refuses codes signed with another key', async () => {
    const other = join(dir, 'other-keys');
    await runCli('keygen', '--out', other);
    const r = await runCli('verify', binder(), '--db', store, '--pubkey', join(other, 'paperchart-signing.pub'),
      '--decrypt-key', join(keys, 'paperchart-record.key'));
    // The binder is fine: a key problem (exit 2), never "print it again".
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^paperchart: these codes are signed by another key than .*other-keys\/paperchart-signing\.pub \(fingerprint [0-9A-F ]+\); nothing was written\n→ /);
    expect(r.err).not.toMatch(/print it again/);
  });

  it('cannot read an encrypted binder without its key, and says which option to add', async () => {
    const r = await runCli('verify', binder(), '--db', store);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^paperchart: this binder is encrypted and no --decrypt-key was given; nothing was written\n→ add --decrypt-key FILE/);
    expect(r.err).not.toMatch(/print it again/);
  });
});
