// The binder's file: written under a temporary name, renamed when complete (_atomic-output.ts).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AtomicOutput } from '../../src/render/_atomic-output.js';

const dir = mkdtempSync(join(tmpdir(), 'paperchart-output-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('AtomicOutput', () => {
  it('lets go of what it was given once settled: the writer may then fill the same bytes again', async () => {
    const out = await AtomicOutput.open(join(dir, 'reused.bin'));
    const block = Buffer.alloc(70_000);
    const expected: Buffer[] = [];
    for (let i = 0; i < 5; i++) {
      block.fill(0x41 + i);
      expected.push(Buffer.from(block));
      out.write(block);
      await out.settled();
    }
    const small = Buffer.from('end');
    out.write(small);
    await out.settled();
    small.fill(0);
    out.end();
    await out.commit();
    expect(readFileSync(join(dir, 'reused.bin')).equals(Buffer.concat([...expected, Buffer.from('end')]))).toBe(true);
    expect(readdirSync(dir)).toEqual(['reused.bin']);
  });
});
