// Restore answers every input in memory bounded by what it reads, never by what a header declares.
import { describe, it, expect, beforeAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { truncateSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectRefusal, runCli } from '../_run-cli.js';
import { encodeFrame } from '../../src/codec/frame.js';
import { InsufficientFramesError } from '../../src/errors.js';
import { decodeFrame } from '../../src/codec/frame.js';
import { encodeRecord, groupFrames, reassembleDocument } from '../../src/codec/record-codec.js';
import { handmadePatient, withLongHistory } from '../fixtures/handmade-clinic.js';

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'bounded-')); });

/** The data count that makes `total` follow the parity rule (FORMAT §7.3). */
function dataCountFor(total: number): number {
  for (let k = total; k > 0; k--) if (k + Math.ceil(k / 128) * (k + 1 >= 8 ? 2 : 1) === total) return k;
  throw new RangeError(`no data count for ${total}`);
}

/** A well-formed code (its check value holds) that declares 65,535 codes and carries 20 bytes. */
function declaringCode(patient: string): string {
  return encodeFrame({ kind: 'R', runId: 'FORGED', patientId: patient, digestPrefix: '0123456789ABCDEF',
    index: 1, total: 65535, dataCount: dataCountFor(65535), shard: new Uint8Array(20) });
}

/** stderr without the plain progress lines a restore writes when it is not on a terminal. */
const withoutProgress = (err: string): string => err.split('\n').filter((l) => !/^restore \w+: \d+\/\d+ /.test(l)).join('\n');

describe('codes that only declare a count', () => {
  it('name the missing codes as ranges and list at most 1,000 of them', () => {
    const { groups } = groupFrames([declaringCode('P1')]);
    let err: unknown;
    try { reassembleDocument(groups[0]!, { trustUnsigned: true }); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(InsufficientFramesError);
    const e = err as InsufficientFramesError;
    expect(e.missingText).toBe('2–65535');
    expect(e.missingCount).toBe(65534);
    expect(e.missing.length).toBe(1000);
    expect(e.missing[0]).toBe(2);
    expect(e.message.length).toBeLessThan(200);
  });

  it('give a report of one short line a patient (200 lines declaring 1/65535)', async () => {
    const file = join(dir, 'declared.txt');
    writeFileSync(file, Array.from({ length: 200 }, (_, i) => declaringCode(`P${i}`)).join('\n') + '\n');
    const r = await runCli('restore', '--dry-run', '--trust-unsigned', '--db', join(dir, 'x.sqlite'), file);
    expect(r.code).toBe(3);
    const lines = r.out.trim().split('\n');
    expect(lines.filter((l) => /^incomplete +P\d+ +codes 2–65535 not read/.test(l))).toHaveLength(200);
    // Today's report listed 65,534 numbers a patient: 45 MB for 100 lines.
    expect(r.out.length).toBeLessThan(50_000);
  }, 60_000);
});

const ENCODE = { runId: 'R1', printedAt: '2026-11-25T15:00:00Z' };

const restore = (input: string, ...extra: string[]) => runCli('restore', '--dry-run', '--trust-unsigned', '--db', join(dir, 'x.sqlite'), ...extra, input);

describe('text inputs', () => {
  it('recognises a text file of codes by its content, whatever its name (codes.payloads)', async () => {
    const file = join(dir, 'codes.payloads');
    writeFileSync(file, encodeRecord(handmadePatient(1), ENCODE).join('\n'));
    const r = await restore(file);
    expect(withoutProgress(r.err)).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/1 restored/);
  });

  it('refuses /dev/zero and a named pipe with no writer at once, in one line', async () => {
    expectRefusal(await restore('/dev/zero'), /\/dev\/zero \(a character device, not a file/);
    const fifo = join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    expectRefusal(await restore(fifo), /pipe \(a named pipe, not a file/);
  });

  it('skips junk lines and a line longer than any code, counting them, and restores the codes among them', async () => {
    const file = join(dir, 'mixed.txt');
    const codes = encodeRecord(handmadePatient(2), ENCODE);
    writeFileSync(file, ['\uFEFFhello', 'A'.repeat(1_000_000), ...codes, 'PC1:R:BROKEN', ''].join('\r\n'));
    const r = await restore(file);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/note: 3 scanned texts were not readable paperchart codes/);
    expect(r.out).toMatch(/1 restored/);
  });

  it('restores one file of 130,000 code lines (an array spread into one call overflowed the stack past about 125,000)', async () => {
    // One long record cut into short codes, printed by many runs: genuine codes, made in a second or two.
    const frames = encodeRecord(withLongHistory(handmadePatient(3), 400), { ...ENCODE, capacity: 120, maxCodes: 100_000 }).map(decodeFrame);
    const lines: string[] = [];
    for (let run = 0; lines.length < 130_000; run++) {
      for (const f of frames) lines.push(encodeFrame({ ...f, runId: `R${run}` }));
    }
    const file = join(dir, 'many.txt');
    writeFileSync(file, lines.join('\n'));
    const r = await restore(file);
    expect(withoutProgress(r.err)).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/1 restored/);
  }, 120_000);
});

/** A PNG signature and IHDR chunk claiming `w`×`h` grey pixels, then nothing: the decoder would allocate for all of them. */
function pngHeader(w: number, h: number): Buffer {
  const ihdr = Buffer.alloc(25);
  ihdr.writeUInt32BE(13, 0); ihdr.write('IHDR', 4, 'latin1');
  ihdr.writeUInt32BE(w, 8); ihdr.writeUInt32BE(h, 12); ihdr[16] = 8;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), ihdr]);
}

/** A one-page PDF with the given MediaBox and content stream bytes (already deflated). */
function onePagePdf(mediaBox: string, content: Buffer): Buffer {
  const objs = [
    '<< /Type /Catalog /Pages 2 0 R >>', `<< /Type /Pages /Count 1 /Kids [3 0 R] >>`,
    `<< /Type /Page /Parent 2 0 R /MediaBox [${mediaBox}] /Contents 4 0 R >>`,
  ].map((b) => Buffer.from(b));
  objs.push(Buffer.concat([Buffer.from(`<< /Length ${content.length} /Filter /FlateDecode >>\nstream\n`), content, Buffer.from('\nendstream')]));
  const parts = [Buffer.from('%PDF-1.7\n')];
  const offsets: number[] = [];
  let at = parts[0]!.length;
  objs.forEach((o, i) => {
    const b = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`), o, Buffer.from('\nendobj\n')]);
    offsets.push(at); parts.push(b); at += b.length;
  });
  parts.push(Buffer.from(`xref\n0 5\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}` +
    `trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n${at}\n%%EOF\n`));
  return Buffer.concat(parts);
}

describe('images and PDFs are sized before they are decoded', () => {
  it('refuses a scan file larger than it reads whole, before reading it (a sparse 300 MiB PDF)', async () => {
    const file = join(dir, 'enormous.pdf');
    writeFileSync(file, '%PDF-1.7\n');
    truncateSync(file, 300 * 2 ** 20);
    expectRefusal(await restore(file), /enormous\.pdf \(300 MiB, more than the 256 MiB read from one scan file/);
  });

  it('refuses a PNG claiming 30000×30000 pixels in one line', async () => {
    const file = join(dir, 'huge.png');
    writeFileSync(file, pngHeader(30000, 30000));
    expectRefusal(await restore(file), /huge\.png is 30000×30000 pixels, more than the 36 million a page may have/);
  });

  it('refuses a JPEG whose frame header claims 30000×30000 pixels', async () => {
    const sof = Buffer.from([0xff, 0xc0, 0, 11, 8, 0x75, 0x30, 0x75, 0x30, 1, 1, 0x11, 0]);
    const file = join(dir, 'huge.jpg');
    writeFileSync(file, Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 4, 0, 0]), sof, Buffer.from([0xff, 0xd9])]));
    expectRefusal(await restore(file), /huge\.jpg is 30000×30000 pixels/);
  });

  it('refuses a TIFF whose tag claims 10⁹ values before utif2 allocates them', async () => {
    const entries = [[256, 3, 1, 8], [257, 3, 1, 8], [258, 3, 1, 1], [259, 3, 1, 1], [262, 3, 1, 0], [273, 4, 1, 150],
      [277, 3, 1, 1], [278, 3, 1, 8], [279, 4, 1_000_000_000, 150]];
    const ifd = Buffer.alloc(2 + entries.length * 12 + 4);
    ifd.writeUInt16LE(entries.length, 0);
    entries.forEach(([tag, type, count, value], i) => {
      ifd.writeUInt16LE(tag!, 2 + i * 12); ifd.writeUInt16LE(type!, 4 + i * 12); ifd.writeUInt32LE(count!, 6 + i * 12); ifd.writeUInt32LE(value!, 10 + i * 12);
    });
    const file = join(dir, 'tag.tif');
    writeFileSync(file, Buffer.concat([Buffer.from([0x49, 0x49, 42, 0, 8, 0, 0, 0]), ifd, Buffer.alloc(8)]));
    expectRefusal(await restore(file), /tag\.tif is not a readable TIFF \(tag 279 declares 1000000000 values/);
  });

  it('refuses a page 14,400 pt wide instead of crashing the rasteriser', async () => {
    const file = join(dir, 'wide.pdf');
    writeFileSync(file, onePagePdf('0 0 14400 792', deflateSync('0 0 m 100 100 l S')));
    expectRefusal(await restore(file), /wide\.pdf page 1 is 40000×2200 pixels/);
  });

  it('refuses a PDF whose stream inflates past any page (150 MB of spaces)', async () => {
    const file = join(dir, 'bomb.pdf');
    writeFileSync(file, onePagePdf('0 0 612 792', deflateSync(Buffer.alloc(150 * 2 ** 20, 0x20), { level: 9 })));
    expectRefusal(await restore(file), /bomb\.pdf is not a readable PDF \(the stream at byte \d+ inflates to more than 137 MiB/);
  });

  it('names a too-large image in the report and still reads the others', async () => {
    const folder = join(dir, 'folder');
    execFileSync('mkdir', ['-p', folder]);
    writeFileSync(join(folder, 'a.png'), pngHeader(30000, 30000));
    writeFileSync(join(folder, 'b.txt'), encodeRecord(handmadePatient(4), ENCODE).join('\n'));
    const r = await restore(folder);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^note: .*a\.png is 30000×30000 pixels/m);
    expect(r.out).toMatch(/1 restored/);
  });
});
