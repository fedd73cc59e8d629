import { describe, it, expect } from 'vitest';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// The built package entry, as another program imports it (npm test builds dist/ first).
const ENTRY = new URL('../../dist/index.js', import.meta.url);
const ERRORS = new URL('../../dist/errors.js', import.meta.url);

describe('the package entry (dist/index.js)', () => {
  it('tells the whole library story: print, verify, scan, restore, store, sample, keys', async () => {
    expect(existsSync(fileURLToPath(ENTRY)), 'run `npx tsc -p tsconfig.json` first').toBe(true);
    const lib = await import(ENTRY.href) as Record<string, unknown>;
    const main = [
      'printAndVerifyBinder', 'printBinder', 'loadTemplate', 'verifyBinder', 'collectTexts', 'readCodes',
      'restore', 'restoreRecords', 'checkRestoreTarget', 'KeyCheck', 'openStore', 'openStoreForWriting', 'openStoreForMigration', 'createStore', 'migrate', 'exportRecords',
      'generateSampleClinic', 'writeSampleClinic', 'writeKeyFiles', 'readSigningKeyFile', 'readPublicKeyFile',
      'readEncryptKeyFile', 'encodeRecord', 'decodeRecords', 'canonicalJson', 'validateRecord',
    ];
    expect(main.filter((name) => typeof lib[name] !== 'function')).toEqual([]);
    expect(lib['EXIT']).toMatchObject({ ok: 0, usage: 1, badInput: 2, restoreIncomplete: 3 });
  });

  it('exports every error class of errors.ts', async () => {
    const lib = await import(ENTRY.href) as Record<string, unknown>;
    const errors = await import(ERRORS.href) as Record<string, unknown> & { PaperchartError: new (...a: never[]) => Error };
    const classes = Object.entries(errors)
      .filter(([, v]) => v === errors.PaperchartError || (typeof v === 'function' && v.prototype instanceof errors.PaperchartError))
      .map(([name]) => name);
    expect(classes.length).toBeGreaterThan(30);
    expect(classes.filter((name) => lib[name] !== errors[name])).toEqual([]);
  });
});
