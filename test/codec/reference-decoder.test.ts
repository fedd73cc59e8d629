// docs/reference-decoder.py must restore what we print. It runs the binder's own decoder, templates/decoder/decode.py
// (the one printed in every binder as codes and as a listing), in its one-document-a-line mode: this tests that program.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { canonicalJson } from '../../src/record/canonical-json.js';
import { encodeRecord } from '../../src/codec/record-codec.js';
import { generateSampleClinic } from '../../src/sample/sample-clinic.js';
import { testSigningKey } from './_test-key.js';

const script = fileURLToPath(new URL('../../docs/reference-decoder.py', import.meta.url));
const hasPython = spawnSync('python3', ['--version']).status === 0;
if (!hasPython) console.warn('python3 not found: skipping the reference decoder tests (install python3 to run them)');

const hasOpenssl = spawnSync('openssl', ['version']).status === 0;
const hasCryptography = hasPython && spawnSync('python3', ['-c', 'import cryptography']).status === 0;

function runPython(lines: string[], args: string[] = []): { status: number | null; out: string[]; err: string } {
  const r = spawnSync('python3', [script, ...args], { input: `${lines.join('\n')}\n`, encoding: 'utf8' });
  return { status: r.status, out: r.stdout.split('\n').filter((l) => l !== ''), err: r.stderr };
}

describe.skipIf(!hasPython)('Python reference decoder', () => {
  it('is a file that runs templates/decoder/decode.py, the program the binder prints', () => {
    expect(readFileSync(script, 'utf8')).toMatch(/runpy\.run_path\(.*"templates", "decoder", "decode\.py"\)/);
  });

  // Every PC1 vector, as §12 says and §15's policy for decode.py: unsigned paper is output, not refused.
  const dir = new URL('../../docs/vectors/', import.meta.url);
  for (const file of readdirSync(dir).filter((f) => /^pc1-.*\.json$/.test(f)).sort()) {
    const v = JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as { texts: string[]; canonical: string | null; test_only_key: { public_pem: string; encrypt_key_hex: string };
      kind?: string; members?: { canonical: string; record: { patient: { id: string } } }[];
      options: { signed: boolean; encrypted: boolean };
      expect: { reassemble: boolean; error?: string; missing?: number[]; verify_with_public_pem?: string; decrypt_with_key_hex?: string } };
    const needs = (v.options.encrypted && !hasCryptography) || (v.expect.error === 'E_BAD_SIGNATURE' && !hasOpenssl);
    const outcome = v.expect.reassemble || v.expect.error === 'E_UNSIGNED' ? 'gives its canonical JSON' : `is refused with ${v.expect.error}`;
    if (v.kind === 'X') {
      // FORMAT §17.3: the record whose codes are all lost comes back from the parity codes (a decoder that does not
      // know kind X drops those codes as damaged and restores every other record: the file before issue 26's X did).
      it(`${file}: gives every member, the lost one rebuilt from the parity`, () => {
        const r = runPython(v.texts);
        expect([...r.out].sort()).toEqual(v.members!.map((m) => m.canonical).sort());
        const lost = (v as unknown as { expect: { rebuilt: string[] } }).expect.rebuilt;
        expect(r.err).toBe(lost.map((id) => `rebuilt from parity: patient ${id} of run R20261125\n`).join(''));
      });
      continue;
    }
    it.skipIf(needs)(`${file}: ${outcome}`, () => {
      const keys = mkdtempSync(join(tmpdir(), 'reference-vector-'));
      writeFileSync(join(keys, 'key.pub'), v.expect.verify_with_public_pem ?? v.test_only_key.public_pem);
      writeFileSync(join(keys, 'record.key'), `${v.expect.decrypt_with_key_hex ?? v.test_only_key.encrypt_key_hex}\n`);
      const r = runPython(v.texts, [...(hasOpenssl ? ['--pubkey', join(keys, 'key.pub')] : []), ...(v.options.encrypted ? ['--record-key', join(keys, 'record.key')] : [])]);
      if (v.expect.reassemble || v.expect.error === 'E_UNSIGNED') {
        expect(r.err).toBe('');
        expect(r.out).toEqual([v.canonical]);
      } else {
        expect(r.status).toBe(1);
        expect(r.out).toEqual([]);
        expect(r.err).toContain(`: ${v.expect.error}`);
        if (v.expect.missing) expect(r.err).toContain(`codes ${v.expect.missing.join(', ')} missing`);
      }
    });
  }

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
