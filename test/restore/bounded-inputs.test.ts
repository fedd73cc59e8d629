// Restore answers every input in memory bounded by what it reads, never by what a header declares.
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../_run-cli.js';
import { encodeFrame } from '../../src/codec/frame.js';
import { InsufficientFramesError } from '../../src/codec/codec-errors.js';
import { groupFrames, reassembleDocument } from '../../src/codec/record-codec.js';

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
