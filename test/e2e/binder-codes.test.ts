import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { writeHandmadeClinic } from '../fixtures/handmade-clinic.js';
import { openStore } from '../../src/store/open-store.js';
import { RecordReader } from '../../src/store/read-records.js';
import { drawBinder } from '../../src/print/print-binder.js';
import { loadTemplate } from '../../src/layout/template.js';
import { canonicalJson } from '../../src/record/canonical-json.js';
import { decodeRecords } from '../../src/codec/record-codec.js';
import { parseManifest } from '../../src/codec/manifest.js';
import { rasterisePdf, type RasterPage } from '../../src/scan/rasterise-pdf.js';
import { tearCode } from './_tear.js';
import { readCodes, type DecodedCode } from '../../src/scan/read-codes.js';


interface ScannedPage { page: RasterPage; codes: DecodedCode[] }


const REFERENCE_DECODER = fileURLToPath(new URL('../../docs/reference-decoder.py', import.meta.url));
const has = (tool: string, arg = '--version'): boolean => spawnSync(tool, [arg]).status === 0;
// Independent tools: .ci/run installs them (Debian's python3, poppler-utils, zbar-tools).
const independent = has('python3') && has('pdftoppm', '-v') && has('zbarimg');
if (!independent) console.warn('python3, pdftoppm or zbarimg missing: skipping the independent-decoder check of the binder');

describe('the printed binder read back through a simulated 200-dpi scan', () => {
  let expected: Map<string, string>;
  let scanned: ScannedPage[];
  let publicKey: KeyObject;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'binder-codes-'));
    const store = join(dir, 'clinic.sqlite');
    writeHandmadeClinic(store);
    const { privateKey } = generateKeyPairSync('ed25519');
    publicKey = createPublicKey(privateKey);
    const db = openStore(store);
    const reader = new RecordReader(db);
    expected = new Map((db.prepare('SELECT id FROM patients').all() as { id: string }[]).map(({ id }) => [id, canonicalJson(reader.read(id))]));
    await drawBinder({ db, storePath: store, outPath: join(dir, 'binder.pdf'), template: loadTemplate('default'),
      printedAt: '2026-11-25T15:00:00Z', signingKey: privateKey });
    db.close();
    scanned = [];
    for await (const page of rasterisePdf(new Uint8Array(readFileSync(join(dir, 'binder.pdf'))), { dpi: 200 })) {
      const codes = await readCodes(page);
      // Keep only pages with codes: the rest of the raster is not needed again.
      if (codes.length) scanned.push({ page, codes });
    }
  });

  it('restores every patient byte for byte, signature verified', () => {
    const { records, failures, rejected, manifests } = decodeRecords(scanned.flatMap((s) => s.codes.map((c) => c.text)), { publicKey });
    expect(failures).toEqual([]);
    expect(rejected).toEqual([]);
    expect(records).toHaveLength(expected.size);
    for (const r of records) {
      expect(r.signature).toBe('valid');
      expect(canonicalJson(r.record)).toBe(expected.get(r.patientId));
    }
    expect(manifests).toHaveLength(1);
    const manifest = parseManifest(manifests[0]!);
    expect(manifest.patients.map((p) => p.id).sort()).toEqual([...expected.keys()].sort());
  });

  it('names in the manifest the binder pages where each patient\'s codes were read', () => {
    const manifest = parseManifest(decodeRecords(scanned.flatMap((s) => s.codes.map((c) => c.text)), { publicKey }).manifests[0]!);
    for (const entry of manifest.patients) {
      const hex = Buffer.from(entry.id, 'utf8').toString('hex').toUpperCase();
      const pages = scanned.filter((s) => s.codes.some((c) => c.text.includes(`:${hex}:`))).map((s) => s.page.page);
      expect(pages).toEqual(entry.pages);
    }
  });

  it('restores every patient exactly with one code of each torn off the page', async () => {
    const texts: string[] = [];
    const erased = new Set<string>();
    for (const s of scanned) {
      const victim = s.codes.find((c) => c.text.startsWith('PC1:R:') && !erased.has(c.text.split(':')[3]!));
      if (victim) {
        erased.add(victim.text.split(':')[3]!);
        tearCode(s.page, victim.position);
      }
      const again = await readCodes(s.page);
      if (victim) expect(again.map((c) => c.text)).not.toContain(victim.text);
      texts.push(...again.map((c) => c.text));
    }
    expect(erased.size).toBe(expected.size);
    const { records, failures } = decodeRecords(texts, { publicKey });
    expect(failures).toEqual([]);
    expect(records).toHaveLength(expected.size);
    for (const r of records) {
      expect(r.recovered.length).toBe(1);
      expect(canonicalJson(r.record)).toBe(expected.get(r.patientId));
    }
  });

  it.skipIf(!independent)('is read by zbarimg, and the Python reference decoder gives back what export prints', () => {
    const pdftoppm = spawnSync('pdftoppm', ['-r', '200', '-gray', '-png', join(dir, 'binder.pdf'), join(dir, 'scan')]);
    expect(pdftoppm.status).toBe(0);
    const pngs = readdirSync(dir).filter((f) => f.startsWith('scan') && f.endsWith('.png')).map((f) => join(dir, f));
    const zbar = spawnSync('zbarimg', ['--raw', '-q', ...pngs], { encoding: 'utf8', maxBuffer: 64 << 20 });
    const texts = zbar.stdout.split('\n').filter((l) => l.startsWith('PC1:'));
    // The binder's decoder program is in codes of its own (PCDEC, FORMAT §15), which are not PC1 frames.
    expect(texts.length).toBe(scanned.reduce((n, s) => n + s.codes.filter((c) => c.text.startsWith('PC1:')).length, 0));
    const python = spawnSync('python3', [REFERENCE_DECODER], { input: texts.join('\n'), encoding: 'utf8', maxBuffer: 64 << 20 });
    expect(python.stderr).toBe('');
    const lines = python.stdout.trim().split('\n').filter((l) => !l.includes('"format":"PC1-manifest"'));
    expect(lines.sort()).toEqual([...expected.values()].sort());
  });
});
