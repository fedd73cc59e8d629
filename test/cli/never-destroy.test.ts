// Never destroy what is there: an output is never the store, a key or a file of the user's (_output-guard.ts).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import {
  closeSync, linkSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, symlinkSync, truncateSync, utimesSync, writeFileSync,
  writeSync, existsSync, readdirSync,
} from 'node:fs';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectRefusal, runCli, type CliResult } from '../_run-cli.js';
import { writeHandmadeClinic } from '../fixtures/handmade-clinic.js';

// The built binary, as `npx paperchart` runs it (npm test builds dist/ first).
const BIN = fileURLToPath(new URL('../../bin/paperchart.js', import.meta.url));
const DEMO = fileURLToPath(new URL('../../samples/demo-clinic.sqlite', import.meta.url));

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
  expectRefusal(r, problem);
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

  it('refuses another SQLite database and its journal files even with --force', async () => {
    const other = join(dir, 'other-clinic.db');
    writeHandmadeClinic(other, 1, false);
    const before = readFileSync(other);
    expectRefused(await print(other, '--force'), /other-clinic\.db is a SQLite database/);
    expect(readFileSync(other).equals(before)).toBe(true);
    for (const suffix of ['-wal', '-shm', '-journal']) {
      expectRefused(await print(other + suffix, '--force'), /other-clinic\.db-\w+ is part of the SQLite database/);
    }
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

/** A process id that was just in use and is not any more. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  return child.pid!;
}

/** Writes a partial file `name` in `folder`, last changed `ageMs` ago. */
function partial(folder: string, name: string, ageMs = 0): string {
  const path = join(folder, name);
  writeFileSync(path, '%PDF-1.3 cut short');
  const at = (Date.now() - ageMs) / 1000;
  utimesSync(path, at, at);
  return path;
}
const TWO_HOURS = 2 * 60 * 60 * 1000;

describe('temporary names never collide, and those of dead runs go', () => {
  it('prints past partial files of killed runs: those of a dead process or unchanged for an hour are removed', async () => {
    const folder = join(dir, 'stale');
    mkdirSync(folder);
    const dead = deadPid();
    // As an older version named it, with this process's id: it made every later print fail with EEXIST.
    const samePid = partial(folder, `.binder.pdf.${process.pid}.partial`);
    const gone = [
      partial(folder, `.binder.pdf.${dead}.partial`),
      partial(folder, `.binder.pdf.${dead}-0123456789ab.partial`),
      partial(folder, `.binder.pdf.${process.pid}-0123456789ab.partial`, TWO_HOURS),
    ];
    const other = partial(folder, `.other.pdf.${dead}.partial`);
    const r = await print(join(folder, 'binder.pdf'));
    expect(r.err).not.toMatch(/EEXIST/);
    expect(r.code).toBe(0);
    for (const path of gone) expect(existsSync(path)).toBe(false);
    // A live process id that wrote within the hour may be another print still running: left alone.
    expect(existsSync(samePid)).toBe(true);
    expect(existsSync(other)).toBe(true);
    expect(readdirSync(folder).sort()).toEqual(['.binder.pdf.' + process.pid + '.partial', '.other.pdf.' + dead + '.partial', 'binder.pdf'].sort());
  });

  it('prints as pid 1 in a container past the partial file a killed pid 1 left', async () => {
    const unshare = spawnSync('unshare', ['--pid', '--fork', process.execPath, '-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    if (unshare.stdout !== '1') {
      console.warn(`skipped: cannot run node as pid 1 here (unshare --pid: ${unshare.stderr.trim() || unshare.error?.message})`);
      return;
    }
    const folder = join(dir, 'container');
    mkdirSync(folder);
    const fresh = partial(folder, '.binder.pdf.1.partial');
    const old = partial(folder, '.binder.pdf.1-0123456789ab.partial', TWO_HOURS);
    const r = spawnSync('unshare', ['--pid', '--fork', process.execPath, BIN, 'print', '--db', store, '--out', join(folder, 'binder.pdf'),
      '--as-of', '2026-11-25', '--jobs', '1'], { encoding: 'utf8' });
    expect(r.stderr).not.toMatch(/EEXIST/);
    expect(r.status).toBe(0);
    expect(existsSync(join(folder, 'binder.pdf'))).toBe(true);
    expect(existsSync(old)).toBe(false);
    expect(existsSync(fresh)).toBe(true);
  });
});

describe('a hang-up during print', () => {
  it('leaves neither the binder nor a partial file behind, and exits 129', async () => {
    const folder = join(dir, 'hangup');
    mkdirSync(folder);
    const child = spawn(process.execPath, [BIN, 'print', '--db', DEMO, '--out', join(folder, 'binder.pdf')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let hungUp = false;
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      // Once rendering has started writing the PDF, as a closed terminal or ssh session would.
      if (!hungUp && stderr.includes('print render')) {
        hungUp = true;
        child.kill('SIGHUP');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(129);
    expect(stderr).toContain('interrupted; no output was written');
    expect(stderr).not.toContain('print render: 60/60');
    expect(readdirSync(folder)).toEqual([]);
  });
});

describe('keygen writes its three key files or none', () => {
  let disk: string;
  let mounted = false;
  beforeAll(() => {
    disk = join(dir, 'small-disk');
    mkdirSync(disk);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', disk], { stdio: 'pipe' });
      mounted = true;
    } catch (e) {
      console.warn(`skipped the full-disk keygen test: cannot mount a 64 KB tmpfs here (${(e as Error).message.split('\n')[0]})`);
    }
  });
  afterAll(() => { if (mounted) execFileSync('umount', [disk]); });

  /** Fills the disk, then frees `pages` pages of 4 KB. */
  function fillLeaving(pages: number): string {
    const filler = join(disk, 'filler');
    const fd = openSync(filler, 'w');
    try {
      for (;;) writeSync(fd, Buffer.alloc(4096));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
    } finally {
      closeSync(fd);
    }
    truncateSync(filler, Math.max(0, statSync(filler).size - pages * 4096));
    return filler;
  }

  it('on a disk that fills part way leaves no key file, not even an empty one, and says the disk is full', async () => {
    if (!mounted) return;
    const keys = join(disk, 'keys');
    let failures = 0;
    let written = false;
    // Each key file takes one 4 KB page: with 0, 1 and 2 pages free the disk fills after 0, 1 and 2 of them.
    for (let pages = 0; pages <= 3 && !written; pages++) {
      const filler = fillLeaving(pages);
      const r = await runCli('keygen', '--out', keys);
      const left = existsSync(keys) ? readdirSync(keys) : [];
      if (r.code === 0) {
        written = true;
        expect(left.sort()).toEqual(['paperchart-record.key', 'paperchart-signing.key', 'paperchart-signing.pub']);
        for (const name of left) expect(statSync(join(keys, name)).size).toBeGreaterThan(0);
      } else {
        failures++;
        expect(r.code).toBe(2);
        expect(r.err).toMatch(/^paperchart: cannot write the key files in .*keys \(ENOSPC: the disk is full\); no key file was left there\n→ free space/);
        expect(left).toEqual([]);
      }
      rmSync(filler);
    }
    expect(failures).toBeGreaterThan(0);
    if (!written) expect((await runCli('keygen', '--out', keys)).code).toBe(0);
  });
});

describe('keygen after a killed keygen', () => {
  it('removes the temporary key files of the dead run', async () => {
    const keys = join(dir, 'killed-keygen');
    mkdirSync(keys);
    const stale = partial(keys, `.paperchart-signing.key.${deadPid()}-0123456789ab.partial`);
    expect((await runCli('keygen', '--out', keys)).code).toBe(0);
    expect(existsSync(stale)).toBe(false);
    expect(readdirSync(keys).sort()).toEqual(['paperchart-record.key', 'paperchart-signing.key', 'paperchart-signing.pub']);
  });
});

describe('a key file an older version left empty or cut short', () => {
  it('is named, with what is wrong with it, when read and when keygen would replace it', async () => {
    const keys = join(dir, 'broken-keys');
    mkdirSync(keys);
    writeFileSync(join(keys, 'paperchart-signing.key'), '');
    const again = await runCli('keygen', '--out', keys);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/paperchart-signing\.key already exists: it is empty/);
    const empty = await print(join(dir, 'signed.pdf'), '--key', join(keys, 'paperchart-signing.key'));
    expect(empty.code).toBe(2);
    expect(empty.err).toMatch(/^paperchart: .*paperchart-signing\.key: cannot read the signing key \(the file is empty/);
    expect(empty.err).not.toMatch(/DECODER|error:/);
    const cut = join(keys, 'cut.key');
    writeFileSync(cut, readFileSync(join(dir, 'keys', 'paperchart-signing.key'), 'utf8').slice(0, 60));
    const r = await print(join(dir, 'signed.pdf'), '--key', cut);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^paperchart: .*cut\.key: cannot read the signing key \(the file is cut short/);
    const pub = join(keys, 'empty.pub');
    writeFileSync(pub, '\n');
    const verify = await runCli('verify', join(dir, 'binder.pdf'), '--db', store, '--pubkey', pub);
    expect(verify.code).toBe(2);
    expect(verify.err).toMatch(/^paperchart: .*empty\.pub: cannot read the public key \(the file is empty/);
  });
});
