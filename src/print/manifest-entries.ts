import { comparePatientIds, type ManifestEntry } from '../codec/manifest.js';

/**
 * What the run's manifest says of each patient, gathered while the binder
 * prints and kept in flat arrays until the manifest is made after the last
 * patient: about 40 bytes a patient, where ManifestEntry objects (digest as
 * a string, code pages as an array) take about 250, which a 100,000-patient
 * print would hold for its whole length.
 */
export class ManifestEntries {
  private readonly digests: Buffer;
  private readonly codes: Int32Array;
  private readonly firstCodePage: Int32Array;
  private readonly codePages: Int32Array;
  private count = 0;

  /**
   * `ids`: the patients, in the order they will be added; `identity`, their names and record numbers as
   * printed, read when the manifest is made (FORMAT §11); `codesPerPage`, how many codes a full code page holds.
   */
  constructor(private readonly ids: readonly string[], private readonly identity?: { name(i: number): string; mrn(i: number): string },
    private readonly codesPerPage?: number) {
    this.digests = Buffer.alloc(32 * ids.length);
    this.codes = new Int32Array(ids.length);
    this.firstCodePage = new Int32Array(ids.length);
    this.codePages = new Int32Array(ids.length);
  }

  /** The next patient's entry: its record's hex SHA-256, its codes, and the binder pages they are on (consecutive). */
  add(digest: string, codes: number, firstCodePage: number, codePages: number): void {
    const i = this.count;
    if (i >= this.ids.length) throw new Error(`more manifest entries than the ${this.ids.length} patients`);
    if (this.digests.write(digest, 32 * i, 32, 'hex') !== 32) throw new Error(`patient ${this.ids[i]}: digest ${digest} is not 64 hex digits`);
    this.codes[i] = codes;
    this.firstCodePage[i] = firstCodePage;
    this.codePages[i] = codePages;
    this.count++;
  }

  private pageCodesOf(i: number): { page_codes?: number[] } {
    const counts = this.codesPerPage ? pageCodes(this.codes[i]!, this.codePages[i]!, this.codesPerPage) : undefined;
    return counts ? { page_codes: counts } : {};
  }

  /**
   * The entries as the manifest takes them, sorted by patient id (FORMAT §11.1),
   * made one at a time as they are read.
   */
  *inIdOrder(): Generator<ManifestEntry> {
    const ids = this.ids;
    const order = Array.from({ length: this.count }, (_, i) => i).sort((a, b) => comparePatientIds(ids[a]!, ids[b]!));
    for (const i of order) {
      yield {
        id: ids[i]!,
        digest: this.digests.toString('hex', 32 * i, 32 * (i + 1)),
        codes: this.codes[i]!,
        pages: Array.from({ length: this.codePages[i]! }, (_, k) => this.firstCodePage[i]! + k),
        ...(this.identity ? { name: this.identity.name(i), mrn: this.identity.mrn(i) } : {}),
        ...this.pageCodesOf(i),
      };
    }
  }
}

/** Codes on each of `pages` pages filled in order, `perPage` to a page (layout/code-pages.ts), or undefined when they do not add up. */
function pageCodes(codes: number, pages: number, perPage: number): number[] | undefined {
  const counts = Array.from({ length: pages }, (_, k) => Math.max(0, Math.min(perPage, codes - k * perPage)));
  return counts.reduce((a, b) => a + b, 0) === codes && counts.every((n) => n > 0) ? counts : undefined;
}
