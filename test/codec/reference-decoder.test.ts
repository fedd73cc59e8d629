// docs/reference-decoder.py (Python standard library only) must restore what we print.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { canonicalJson } from '../../src/record/canonical-json.js';
import { encodeRecord } from '../../src/codec/record-codec.js';
import { generateSampleClinic } from '../../src/sample/sample-clinic.js';
import { testSigningKey } from './_test-key.js';

const script = fileURLToPath(new URL('../../docs/reference-decoder.py', import.meta.url));
const hasPython = spawnSync('python3', ['--version']).status === 0;
if (!hasPython) console.warn('python3 not found: skipping the reference decoder tests (install python3 to run them)');

function runPython(lines: string[]): { status: number | null; out: string[]; err: string } {
  const r = spawnSync('python3', [script], { input: `${lines.join('\n')}\n`, encoding: 'utf8' });
  return { status: r.status, out: r.stdout.split('\n').filter((l) => l !== ''), err: r.stderr };
}

describe.skipIf(!hasPython)('Python reference decoder', () => {
  it('restores the valid vectors to their canonical JSON', () => {
    for (const name of ['pc1-small-signed', 'pc1-nine-codes-signed']) {
      const v = JSON.parse(readFileSync(new URL(`../../docs/vectors/${name}.json`, import.meta.url), 'utf8')) as { texts: string[]; record: unknown };
      const r = runPython([...v.texts].reverse());
      expect(r.err).toBe('');
      expect(r.out).toEqual([canonicalJson(v.record)]);
    }
  });

  it('restores shuffled sample-clinic codes with one code per patient lost', () => {
    const recs = [...generateSampleClinic({ patients: 6, seed: 99, asOf: '2026-11-25T16:00:00Z' })];
    const texts = recs.flatMap((rec, i) => encodeRecord(rec, { runId: 'R1', printedAt: '2026-11-25T16:00:00Z', signingKey: testSigningKey() })
      .filter((_, j) => j !== i % 2));
    const r = runPython(texts.reverse());
    expect(r.status).toBe(0);
    const expected = recs.map((rec) => canonicalJson(rec));
    expect([...r.out].sort()).toEqual([...expected].sort());
  });

  it('fails on the invalid vector, naming the missing codes', () => {
    const v = JSON.parse(readFileSync(new URL('../../docs/vectors/pc1-invalid-lost-beyond-parity.json', import.meta.url), 'utf8')) as { texts: string[] };
    const r = runPython(v.texts);
    expect(r.status).toBe(1);
    expect(r.err).toMatch(/codes 1, 4, 9 missing/);
  });
});
