// More than one thread needs the compiled patient worker: from the sources the pool refuses instead of quietly using one.
import { describe, expect, it } from 'vitest';
import { PatientPool, type PoolSetup } from '../../src/print/threads/patient-pool.js';
import type { TextShaper } from '../../src/text/shape-text.js';

describe('PatientPool', () => {
  it('refuses more than one thread when the compiled worker is missing, naming it and what to do', () => {
    expect(() => new PatientPool({} as PoolSetup, {} as TextShaper, 2))
      .toThrow(/2 threads need the compiled patient worker .*patient-worker\.js, which is missing: build dist\/ \(npm run build\), or prepare patients on this thread \(jobs 1\)/);
  });

  it('prepares on this thread with one, without a worker', () => {
    expect(() => new PatientPool({} as PoolSetup, {} as TextShaper, 1)).not.toThrow();
  });
});
