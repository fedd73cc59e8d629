// FORMAT §9.4: which version of a patient is restored when the codes hold several, whatever order they were read in.
// Two documents of one patient in one run, printed at the same second with different contents: the greater canonical
// text (by code point) is the one restore and the binder's decoder both give back.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../_run-cli.js';
import { encodeRecord } from '../../src/codec/record-codec.js';
import { canonicalJson } from '../../src/record/canonical-json.js';
import { compareCodePoints } from '../../src/record/id-order.js';
import { handmadePatient } from '../fixtures/handmade-clinic.js';
import { testPublicKey, testSigningKey } from '../codec/_test-key.js';
import type { PatientRecord } from '../../src/record/record.js';

const dir = mkdtempSync(join(tmpdir(), 'version-choice-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const DECODER = fileURLToPath(new URL('../../templates/decoder/decode.py', import.meta.url));
const hasPython = spawnSync('python3', ['--version']).status === 0;
const hasOpenssl = spawnSync('openssl', ['version']).status === 0;
const pubPath = join(dir, 'test.pub');
writeFileSync(pubPath, testPublicKey().export({ type: 'spki', format: 'pem' }));
const RUN = 'R20261125', AT = '2026-11-25T16:00:00Z';
let n = 0;

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

/**
 * Versions of one patient that differ in one note. The first pair found whose greater text has the greater digest:
 * the codes' groups are taken in digest order, so a restore that kept the first group of a tie would keep the lesser.
 */
function twoVersions(): { lesser: PatientRecord; greater: PatientRecord } {
  for (let k = 0; ; k++) {
    const a = handmadePatient(1), b = handmadePatient(1);
    a.encounters[0]!.note = `Seen at the front desk (${k}).`;
    b.encounters[0]!.note = `Seen at the front desk (${k}), called back.`;
    const [lesser, greater] = compareCodePoints(canonicalJson(a), canonicalJson(b)) < 0 ? [a, b] : [b, a];
    if (sha(canonicalJson(greater)) > sha(canonicalJson(lesser))) return { lesser, greater };
  }
}

function codesFile(texts: string[]): string {
  const path = join(dir, `codes-${++n}.txt`);
  writeFileSync(path, `${texts.join('\n')}\n`);
  return path;
}

describe('two versions of one patient in one run, printed at the same time (FORMAT §9.4 rule 3)', () => {
  const { lesser, greater } = twoVersions();
  const key = testSigningKey();
  const lesserCodes = encodeRecord(lesser, { runId: RUN, printedAt: AT, signingKey: key });
  const greaterCodes = encodeRecord(greater, { runId: RUN, printedAt: AT, signingKey: key });
  const orders = { 'lesser first': [...lesserCodes, ...greaterCodes], 'greater first': [...greaterCodes, ...lesserCodes] };

  for (const [name, texts] of Object.entries(orders)) {
    it(`restore keeps the greater canonical text, read ${name}`, async () => {
      const db = join(dir, `store-${++n}.sqlite`);
      const r = await runCli('restore', '--db', db, '--pubkey', pubPath, codesFile(texts));
      expect(r.code, r.err).toBe(0);
      const out = JSON.parse((await runCli('export', '--db', db)).out) as { patients: PatientRecord[] };
      expect(out.patients.map(canonicalJson)).toEqual([canonicalJson(greater)]);
    });

    it.skipIf(!hasPython)(`the binder's decoder keeps the greater canonical text, read ${name}`, () => {
      const r = spawnSync('python3', [DECODER, codesFile(texts), ...(hasOpenssl ? ['--pubkey', pubPath] : [])], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout) as { patients: PatientRecord[] };
      expect(out.patients.map(canonicalJson)).toEqual([canonicalJson(greater)]);
    });
  }
});
