// The binder's file: written under a temporary name, renamed when complete (pdf/atomic-output.ts).
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AtomicOutput } from '../../src/pdf/atomic-output.js';
import { commitFile, removeOnInterrupt, removeTemporaryFiles, temporaryPathBeside } from '../../src/_temporary-file.js';

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

  it('writes under the temporary name it is given, which another thread can know, and under no other until committed', async () => {
    const path = join(dir, 'given.pdf');
    const temporaryPath = temporaryPathBeside(path);
    const out = await AtomicOutput.open(path, { temporaryPath });
    out.write(Buffer.from('%PDF-'));
    await out.settled();
    expect(readdirSync(dir).filter((f) => f.startsWith('.given'))).toEqual([basename(temporaryPath)]);
    out.end();
    await out.commit();
    expect(readdirSync(dir).filter((f) => f.includes('given'))).toEqual(['given.pdf']);
  });

  it('opens two outputs for one name in one process without a collision', async () => {
    const path = join(dir, 'twice.pdf');
    const first = await AtomicOutput.open(path);
    const second = await AtomicOutput.open(path);
    expect(readdirSync(dir).filter((f) => f.startsWith('.twice.pdf.'))).toHaveLength(2);
    first.discard();
    second.discard();
    expect(readdirSync(dir).filter((f) => f.includes('twice'))).toEqual([]);
  });
});

describe('an interrupt after a commit', () => {
  it('removes what is still temporary and reports what was already put in place complete', () => {
    const done = join(dir, 'done.txt');
    const doneTemp = temporaryPathBeside(done);
    writeFileSync(doneTemp, 'complete');
    removeOnInterrupt(doneTemp);
    commitFile(doneTemp, done, { replace: false });
    const unfinished = temporaryPathBeside(join(dir, 'unfinished.txt'));
    writeFileSync(unfinished, 'half');
    removeOnInterrupt(unfinished);

    const written = removeTemporaryFiles();
    expect(written).toContain(done);
    expect(readFileSync(done, 'utf8')).toBe('complete');
    expect(existsSync(unfinished)).toBe(false);
  });
});
