import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSampleClinic } from '../../src/sample/sample-clinic.js';
import { warmStoreCache } from '../../src/store/warm-store-cache.js';

describe('warmStoreCache', () => {
  let dir: string;
  let store: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'warm-store-'));
    store = join(dir, 'clinic.sqlite');
    // Larger than one read (4 MB), so the loop over reads is exercised.
    await writeSampleClinic(store, { patients: 400, seed: 3, asOf: '2026-11-25T15:00:00Z' });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a real store through, every byte of it', () => {
    const size = statSync(store).size;
    expect(size).toBeGreaterThan(4 << 20);
    expect(warmStoreCache(store)).toBe(size);
  });

  it('skips a store larger than the memory it may fill', () => {
    const size = statSync(store).size;
    expect(warmStoreCache(store, size - 1)).toBe(0);
    expect(warmStoreCache(store, size)).toBe(size);
  });

  it('leaves a missing file or a folder to the store\'s own checks', () => {
    expect(warmStoreCache(join(dir, 'missing.sqlite'))).toBe(0);
    expect(warmStoreCache(dir)).toBe(0);
  });
});
