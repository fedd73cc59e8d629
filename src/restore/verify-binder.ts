// Proves, right after printing, that a binder restores to exactly what the store holds.
import type { KeyObject } from 'node:crypto';
import { decodeRecords } from '../codec/record-codec.js';
import { parseManifest } from '../codec/manifest.js';
import { canonicalJson } from '../record/canonical-json.js';
import type { Db } from '../store/open-store.js';
import { readInSnapshot, readPatientSummaries, RecordReader } from '../store/read-records.js';
import { collectTexts } from './collect-texts.js';
import { KeyCheck } from './key-check.js';

export interface VerifyOptions {
  binderPath: string;
  /** A binder in several volumes (issue 26): every volume's PDF, read as one binder; default [binderPath]. */
  binderPaths?: readonly string[];
  db: Db;
  /** Check signatures with this key; without it unsigned codes are accepted (the store comparison still holds). */
  publicKey?: KeyObject;
  decryptKey?: Uint8Array;
  /** The key files' names, for a key problem's message. */
  publicKeyFile?: string;
  decryptKeyFile?: string;
  onProgress?: (page: number) => void;
}

export interface VerifyProblem { patientId: string | null; problem: string }

export interface VerifyReport {
  binder: string;
  pages: number;
  codes: number;
  /** Patients in the store. */
  patients: number;
  /** Patients whose record read back from the pages equals the store's, byte for byte. */
  verified: number;
  problems: VerifyProblem[];
}

/** A simulated office scan: every page at 200 dpi, as restore would read it. */
const SCAN_DPI = 200;

/**
 * Rasterises the binder at 200 dpi, decodes every code, and checks that every
 * patient of the store restores to exactly the record the store holds, that
 * the binder holds no one else, and that its manifest lists them all.
 * Keys that do not fit the binder are a KeyProblemError from its first pages,
 * never a report of a binder to print again.
 * @throws UnknownInputError, UnreadablePdfError, KeyProblemError
 */
export async function verifyBinder(o: VerifyOptions): Promise<VerifyReport> {
  let pages = 0;
  // Without a public key verify accepts unsigned codes: the comparison with the store still holds.
  const keys = new KeyCheck({ ...(o.publicKey ? { publicKey: o.publicKey } : { trustUnsigned: true }),
    ...(o.publicKeyFile !== undefined ? { publicKeyFile: o.publicKeyFile } : {}),
    ...(o.decryptKey ? { decryptKey: o.decryptKey } : {}), ...(o.decryptKeyFile !== undefined ? { decryptKeyFile: o.decryptKeyFile } : {}) });
  const texts = (await collectTexts([...(o.binderPaths ?? [o.binderPath])], {
    onTexts: (read) => keys.add(read.map((t) => t.text)),
    dpi: SCAN_DPI,
    // Even a page that is one image is drawn at 200 dpi: this is a simulated scan, not an extraction.
    takeScannedImages: false,
    onProgress: (_source, page) => {
      pages = page ?? pages;
      if (page !== undefined) o.onProgress?.(page);
    },
  })).map((c) => c.text);
  keys.finish();
  const decoded = decodeRecords(texts, {
    ...(o.publicKey ? { publicKey: o.publicKey } : { trustUnsigned: true }), ...(o.decryptKey ? { decryptKey: o.decryptKey } : {}),
  });
  const problems: VerifyProblem[] = [];
  const fromPaper = new Map(decoded.records.map((r) => [r.patientId, r]));
  const failed = new Map(decoded.failures.filter((f) => f.patientId !== null).map((f) => [f.patientId!, f]));
  // One snapshot, so a clinic writing meanwhile cannot make the comparison half old, half new.
  // A partial binder (FORMAT §11.3) is checked against the patients its manifest lists, not the whole store.
  const partial = decoded.manifests.length === 1 ? manifestOrNull(decoded.manifests[0]!) : null;
  // A supplement (FORMAT §11.4) likewise: the patients it printed.
  const only = partial?.selection || partial?.supplement ? new Set(partial.patients.map((p) => p.id)) : null;
  const { inStore, verified } = await readInSnapshot(o.db, () => {
    const reader = new RecordReader(o.db);
    const ids = readPatientSummaries(o.db).map((s) => s.id).filter((id) => !only || only.has(id));
    let same = 0;
    for (const id of ids) {
      const paper = fromPaper.get(id);
      if (paper) {
        if (paper.canonical === canonicalJson(reader.read(id))) same++;
        else problems.push({ patientId: id, problem: 'the record read from the binder differs from the store' });
      } else {
        problems.push({ patientId: id, problem: failed.get(id)?.error.message ?? 'not in the binder: no code of this patient was read' });
      }
    }
    return { inStore: ids, verified: same };
  });
  const stored = new Set(inStore);
  for (const id of fromPaper.keys()) if (!stored.has(id)) problems.push({ patientId: id, problem: 'in the binder but not in the store' });
  for (const f of decoded.failures) if (f.kind === 'M') problems.push({ patientId: null, problem: `manifest: ${f.error.message}` });
  // FORMAT §17: every parity document reads, adds up, and covers every patient, so that any one sheet may be lost.
  for (const f of decoded.failures) if (f.kind === 'X') problems.push({ patientId: null, problem: `parity codes ${f.digestPrefix}: ${f.error.message}` });
  for (const x of decoded.unbalanced) problems.push({ patientId: null, problem: `parity codes ${x.digestPrefix} do not add up to their records: they would not rebuild a lost sheet` });
  const covered = new Set(decoded.parities.flatMap((x) => x.members.map((m) => m.patientId)));
  for (const r of decoded.records) {
    if (r.rebuiltFrom !== undefined) problems.push({ patientId: r.patientId, problem: 'its codes were not read: rebuilt from the parity codes only' });
    if (!covered.has(r.patientId)) problems.push({ patientId: r.patientId, problem: 'no parity codes cover this patient: a lost sheet would lose the record' });
  }
  const manifests = decoded.manifests.map(parseManifest);
  if (manifests.length !== 1) {
    problems.push({ patientId: null, problem: `${manifests.length} run manifests read, expected exactly 1` });
  } else {
    const listed = new Set(manifests[0]!.patients.map((p) => p.id));
    if (listed.size !== stored.size || inStore.some((id) => !listed.has(id))) {
      problems.push({ patientId: null, problem: `the manifest does not list exactly the patients of the store${only ? ' it chose' : ''}` });
    }
  }
  return { binder: (o.binderPaths ?? [o.binderPath]).join(', '), pages, codes: texts.length, patients: inStore.length, verified, problems };
}

function manifestOrNull(doc: Parameters<typeof parseManifest>[0]): ReturnType<typeof parseManifest> | null {
  try { return parseManifest(doc); } catch { return null; }
}
