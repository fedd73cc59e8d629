import { describe, it, expect, beforeAll } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createPublicKey } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../_run-cli.js';
import { extractPageTexts } from '../_pdf-text.js';
import { handmadePatient } from '../fixtures/handmade-clinic.js';
import { withNotes } from './_large-record.js';
import { createStore, openStore } from '../../src/store/open-store.js';
import { drawBinder } from '../../src/print/print-binder.js';
import { loadTemplate } from '../../src/layout/template.js';
import { readSigningKeyFile, writeKeyFiles } from '../../src/keys/key-files.js';
import { RecordTooLargeError } from '../../src/errors.js';
import { writeMeta, writeRecords } from '../../src/store/write-records.js';
import { canonicalJson } from '../../src/record/canonical-json.js';
import { decodeRecords } from '../../src/codec/record-codec.js';
import { decodeFrame } from '../../src/codec/frame.js';
import { rasterisePdf } from '../../src/scan/rasterise-pdf.js';
import { readCodes } from '../../src/scan/read-codes.js';

/**
 * Issue 4's "megabytes of notes": 2.0 MB of sample-clinic SOAP notes (5,215
 * visits) on one patient, a 3.1 MB canonical record that deflates to 460 kB.
 * Measured: 508 codes (500 data, 8 parity) on 85 pages of a 727-page binder;
 * the file takes 30–50 s on a shared 2-core machine: print 11–30 s (the
 * summary lists every visit), finding the code pages 6 s, rasterising and
 * reading them 11–17 s.
 */
const NOTE_BYTES = 2_000_000;
const BIG = 'H0009'; // Smith, Jane
const PRINTED_AT = '2026-11-25T15:00:00Z';

describe('a patient with megabytes of notes', () => {
  let dir: string;
  let store: string;
  let pdf: Uint8Array;
  let codePages: number[];
  /** The "codes a–b of n, page p of q" heading of each code page. */
  let headings: string[];
  /** Code texts read from each code page. */
  let read: string[][];
  let texts: string[];
  let noteBytes: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'large-record-'));
    store = join(dir, 'clinic.sqlite');
    const big = withNotes(handmadePatient(9), NOTE_BYTES);
    noteBytes = big.encounters.reduce((n, e) => n + Buffer.byteLength(e.note ?? '', 'utf8'), 0);
    const writer = createStore(store);
    writeMeta(writer, { clinic_name: 'Springfield Family Practice', timezone: 'America/Chicago' });
    writeRecords(writer, [handmadePatient(1), big, handmadePatient(2)]);
    writer.close();
    writeKeyFiles(join(dir, 'keys'));
    const db = openStore(store);
    try {
      await drawBinder({ db, storePath: store, outPath: join(dir, 'binder.pdf'), template: loadTemplate('default'),
        printedAt: PRINTED_AT, signingKey: readSigningKeyFile(join(dir, 'keys', 'paperchart-signing.key')) });
    } finally {
      db.close();
    }
    pdf = new Uint8Array(readFileSync(join(dir, 'binder.pdf')));
    // Found by their printed heading, not the manifest, so a wrong manifest cannot hide a missing page.
    const pageTexts = await extractPageTexts(pdf);
    codePages = pageTexts.flatMap((t, i) => (t.includes('Machine-readable copy of Smith, Jane') ? [i + 1] : []));
    headings = codePages.map((n) => pageTexts[n - 1]!.split('\n').find((l) => l.startsWith('Machine-readable copy'))!);
    read = [];
    for await (const page of rasterisePdf(pdf, { dpi: 200, pages: codePages })) {
      read.push((await readCodes(page)).map((c) => c.text));
    }
    texts = read.flat();
  });

  it('prints every code of the record, on as many pages as it needs, and reads them all back at 200 dpi', () => {
    expect(noteBytes).toBeGreaterThanOrEqual(NOTE_BYTES);
    const hex = Buffer.from(BIG, 'utf8').toString('hex').toUpperCase();
    expect(texts.every((t) => t.startsWith('PC1:R:') && t.includes(`:${hex}:`))).toBe(true);
    const frames = texts.map(decodeFrame);
    const total = frames[0]!.total;
    expect(total).toBeGreaterThan(300);
    // Every code from 1 to the total its frames announce, each once: none missing, none cut.
    expect(frames.every((f) => f.total === total)).toBe(true);
    expect(frames.map((f) => f.index).sort((a, b) => a - b)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    // Each page holds exactly the codes its heading promises, and the pages follow on from each other.
    let next = 1;
    codePages.forEach((_, p) => {
      const m = /codes (\d+)–(\d+) of (\d+), page (\d+) of (\d+)/.exec(headings[p]!);
      expect(m, headings[p]).not.toBeNull();
      const [first, last, of, page, pages] = m!.slice(1).map(Number) as [number, number, number, number, number];
      expect([first, of, page, pages]).toEqual([next, total, p + 1, codePages.length]);
      expect(read[p]!.map((t) => decodeFrame(t).index).sort((a, b) => a - b)).toEqual(Array.from({ length: last - first + 1 }, (_, i) => first + i));
      next = last + 1;
    });
    expect(next).toBe(total + 1);
    expect(codePages.length).toBeGreaterThan(50);
    // Consecutive pages at the end of the patient's section.
    expect(codePages.at(-1)! - codePages[0]! + 1).toBe(codePages.length);
  });

  it('restores from those codes to exactly what export prints, signature checked, nothing recovered or cut', async () => {
    const publicKey = createPublicKey(readFileSync(join(dir, 'keys', 'paperchart-signing.pub')));
    const { records, failures, rejected } = decodeRecords(texts, { publicKey });
    expect(failures).toEqual([]);
    expect(rejected).toEqual([]);
    expect(records).toHaveLength(1);
    expect(records[0]!.signature).toBe('valid');
    expect(records[0]!.recovered).toEqual([]);

    // Through the restore command into a new store, then export from both.
    writeFileSync(join(dir, 'codes.txt'), texts.join('\n') + '\n');
    const restored = join(dir, 'restored.sqlite');
    const r = await runCli('restore', '--db', restored, '--pubkey', join(dir, 'keys', 'paperchart-signing.pub'), join(dir, 'codes.txt'));
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/1 restored/);
    const original = await runCli('export', '--db', store, '--patient', BIG);
    const again = await runCli('export', '--db', restored, '--patient', BIG);
    expect(original.code).toBe(0);
    expect(again.code).toBe(0);
    expect(Buffer.byteLength(original.out, 'utf8')).toBeGreaterThan(NOTE_BYTES);
    expect(again.out).toBe(original.out);
    expect(original.out).toContain(`\n${canonicalJson(records[0]!.record)}\n`);
  });

  it('is refused, naming the patient, when the cap on codes is one fewer than it needs, and no PDF is left', async () => {
    const out = join(dir, 'capped.pdf');
    const db = openStore(store);
    try {
      // What print --max-codes passes on (test/cli/bad-input.test.ts checks the command's exit value and message).
      const printing = drawBinder({ db, storePath: store, outPath: out, template: loadTemplate('default'), printedAt: PRINTED_AT,
        maxCodes: texts.length - 1 });
      await expect(printing).rejects.toThrow(RecordTooLargeError);
      await expect(printing).rejects.toThrow(`patient ${BIG}: record needs ${texts.length} codes, the cap is ${texts.length - 1}`);
    } finally {
      db.close();
    }
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('partial'))).toEqual([]);
  });
});
