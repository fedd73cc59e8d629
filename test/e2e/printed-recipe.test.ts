// The binder restores itself: the recipe's commands, taken out of the printed PDF's text and run as printed in an
// empty folder with only pdftoppm, zbarimg and python3, give back the clinic byte for byte as `export` does.
import { describe, it, expect, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { writeSampleClinic } from '../../src/sample/sample-clinic.js';
import { openStore } from '../../src/store/open-store.js';
import { drawBinder } from '../../src/print/print-binder.js';
import { loadTemplate } from '../../src/layout/template.js';
import { readCodes } from '../../src/scan/read-codes.js';
import { runCli } from '../_run-cli.js';

const DECODER = fileURLToPath(new URL('../../templates/decoder/decode.py', import.meta.url));
const where = (tool: string): string | null => {
  const r = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
};
const tools = { pdftoppm: where('pdftoppm'), zbarimg: where('zbarimg'), pdftotext: where('pdftotext'), python3: where('python3') };
const ready = Object.values(tools).every((t) => t !== null);
if (!ready) console.warn('pdftoppm, pdftotext, zbarimg or python3 missing: skipping the printed-recipe test (.ci/run installs them)');

/** The command lines of a page's text: a tool's name then an option or a program, with the lines a trailing backslash continues. */
function commandsOf(text: string): string[] {
  const lines = text.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^(pdftoppm|zbarimg|python3) (-|\w+\.py )/.test(lines[i]!)) continue;
    let command = lines[i]!;
    while (command.endsWith('\\') && i + 1 < lines.length) command += `\n${lines[++i]!}`;
    out.push(command);
  }
  return out;
}

/**
 * The program as a typist or an OCR reads the listing (FORMAT §15): a row is "N CHECK TEXT", N right-aligned; a row
 * with '+' in the check value's place goes on with the line above, joined with nothing between. Every other line
 * of the pages (heading, text, running header and footer) is skipped.
 */
function programFromListing(text: string): { lines: string[]; checks: string[]; continued: number } {
  const lines: string[] = [], checks: string[] = [];
  let continued = 0;
  for (const row of text.split('\n')) {
    const line = /^ *(\d+) ([0-9A-F]{4})(?: (.*))?$/.exec(row);
    if (line && Number(line[1]) === lines.length + 1) {
      lines.push(line[3] ?? '');
      checks.push(`${line[1]} ${line[2]}`);
      continue;
    }
    const more = /^ *\+ {4}(.*)$/.exec(row);
    if (more && lines.length) { lines[lines.length - 1] = lines[lines.length - 1]! + more[1]!; continued++; }
  }
  return { lines, checks, continued };
}

function pdfText(pdf: string, first: number, last: number): string {
  return spawnSync('pdftotext', ['-f', String(first), '-l', String(last), pdf, '-'], { encoding: 'utf8', maxBuffer: 64 << 20 }).stdout;
}

/** Paints the first code of every patient on the page images white, as a stain or a tear would: one code per patient lost. */
async function blankFirstCodes(dir: string): Promise<number> {
  let blanked = 0;
  for (const name of readdirSync(dir).filter((f) => /^page-\d+\.png$/.test(f)).sort()) {
    const bytes = readFileSync(join(dir, name));
    const firsts = (await readCodes(new Uint8Array(bytes))).filter((c) => /^PC1:R:[^:]*:[^:]*:[^:]*:1\//.test(c.text));
    if (!firsts.length) continue;
    const image = await loadImage(bytes);
    const canvas = createCanvas(image.width, image.height);
    const ctx = canvas.getContext('2d');
    ctx.drawImage(image, 0, 0);
    ctx.fillStyle = 'white';
    // A code is 58.5 mm, 461 pixels at 200 dpi: a 500-pixel square over its centre covers it and none of its neighbours.
    for (const c of firsts) ctx.fillRect(c.position.x - 250, c.position.y - 250, 500, 500);
    writeFileSync(join(dir, name), canvas.encodeSync('png'));
    blanked += firsts.length;
  }
  return blanked;
}

describe.skipIf(!ready)('the printed recipe, run as printed', () => {
  let pdf: string;
  let expected: string;
  let pages: number;
  let python: string;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'printed-recipe-'));
    const store = join(dir, 'clinic.sqlite');
    await writeSampleClinic(store, { patients: 10, seed: 27, asOf: '2026-11-25T16:00:00Z' });
    expected = (await runCli('export', '--db', store)).out;
    pdf = join(dir, 'binder.pdf');
    const db = openStore(store);
    try {
      await drawBinder({ db, storePath: store, outPath: pdf, template: loadTemplate('default'), printedAt: '2026-11-25T15:00:00Z',
        signingKey: generateKeyPairSync('ed25519').privateKey });
    } finally { db.close(); }
    pages = Number(/Pages:\s+(\d+)/.exec(spawnSync('pdfinfo', [pdf], { encoding: 'utf8' }).stdout)?.[1] ?? 0);
    python = spawnSync(tools.python3!, ['-c', 'import os,sys;print(os.path.realpath(sys.executable))'], { encoding: 'utf8' }).stdout.trim();
  }, 300_000);

  it('restores a signed binder with one code per patient lost, byte for byte as export, with the decoder taken from its codes', async () => {
    const commands = commandsOf(pdfText(pdf, 2, 2));
    expect(commands.map((c) => c.split(' ')[0])).toEqual(['pdftoppm', 'zbarimg', 'python3', 'python3']);
    const work = mkdtempSync(join(tmpdir(), 'printed-recipe-run-'));
    const bin = join(work, '.bin');
    mkdirSync(bin);
    symlinkSync(tools.pdftoppm!, join(bin, 'pdftoppm'));
    symlinkSync(tools.zbarimg!, join(bin, 'zbarimg'));
    symlinkSync(python, join(bin, 'python3'));
    copyFileSync(pdf, join(work, 'binder.pdf'));
    const run = (command: string): { status: number | null; stdout: string; stderr: string } =>
      spawnSync('/bin/bash', ['-c', command], { cwd: work, encoding: 'utf8', env: { HOME: work, PATH: bin }, maxBuffer: 64 << 20 });

    expect(run(commands[0]!).status).toBe(0);
    expect(readdirSync(work).filter((f) => f.endsWith('.png'))).toHaveLength(pages);
    expect(await blankFirstCodes(work)).toBe(10);
    run(commands[1]!);
    const decoder = run(commands[2]!);
    const program = readFileSync(DECODER);
    expect(decoder.stdout).toMatch(/^7 codes, SHA-256 [0-9a-f]{64}\n$/);
    expect(readFileSync(join(work, 'decode.py')).equals(program)).toBe(true);
    // The SHA-256 it prints is the one the recipe and the decoder page print.
    expect(pdfText(pdf, 2, 3)).toContain(decoder.stdout.trim().split(' ').pop()!);

    const restored = run(commands[3]!);
    expect(restored.stderr).toMatch(/restored 10 patients \(signature: unchecked 10\)/);
    expect(restored.stderr).toMatch(/signatures NOT checked \(openssl not found\)/);
    expect(restored.status, restored.stderr).toBe(0);
    expect(readFileSync(join(work, 'clinic.json'), 'utf8')).toBe(expected);

    // With openssl on the path too, the same command checks every signature against the key it carries.
    const openssl = where('openssl');
    if (openssl) {
      symlinkSync(openssl, join(bin, 'openssl'));
      const checked = run(commands[3]!);
      expect(checked.stderr).toMatch(/restored 10 patients \(signature: valid 10\)/);
      expect(readFileSync(join(work, 'clinic.json'), 'utf8')).toBe(expected);
    } else console.warn('openssl not found: the recipe\'s signature check is not tested');
  }, 600_000);

  it('the listing, read back with pdftotext in columns, is the program byte for byte; its check values match and catch mistyped lines', () => {
    const program = readFileSync(DECODER, 'utf8');
    // -fixed 4.5: one column every 4.5 pt, Courier's advance at the listing's 7.5 pt (0.6 em), so each column is a character.
    const listing = programFromListing(spawnSync('pdftotext', ['-fixed', '4.5', '-f', String(pages - 6), '-l', String(pages), pdf, '-'],
      { encoding: 'utf8', maxBuffer: 64 << 20 }).stdout);
    expect(listing.continued).toBeGreaterThan(0); // long lines went on after a '+', and joined back
    expect(`${listing.lines.join('\n')}\n`).toBe(program);
    const check = commandsOf(pdfText(pdf, pages - 6, pages)).find((c) => c.includes('zlib.crc32'))!;
    const work = mkdtempSync(join(tmpdir(), 'listing-'));
    const checks = (source: string): string[] => {
      writeFileSync(join(work, 'decode.py'), source);
      return spawnSync('/bin/bash', ['-c', check], { cwd: work, encoding: 'utf8', env: { PATH: join(python, '..') } }).stdout.trim().split('\n');
    };
    expect(checks(program)).toEqual(listing.checks);
    const lines = program.split('\n');
    const differing = (edit: (ls: string[]) => void): number[] => {
      const typed = [...lines];
      edit(typed);
      return checks(typed.join('\n')).flatMap((c, i) => (c === listing.checks[i] ? [] : [i + 1]));
    };
    expect(differing((ls) => { ls[59] = ls[59]!.replace('i', 'l'); })).toEqual([60]); // a letter mistyped
    const indented = lines.findIndex((l) => l.startsWith('        '));
    expect(differing((ls) => { ls[indented] = ls[indented]!.slice(1); })).toEqual([indented + 1]); // one space of indentation lost
    expect(differing((ls) => { [ls[100], ls[101]] = [ls[101]!, ls[100]!]; })).toEqual([101, 102]); // two lines swapped
  });
});
