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
  /** The codes on each code page, all patients' in a row; patient i's start at pageCodesAt[i] (-1: not given). */
  private readonly pageCodes: number[] = [];
  private readonly pageCodesAt: Int32Array;
  /** The volume holding each patient, of a binder in several (issue 26). */
  private readonly volumes: Int16Array;
  private count = 0;

  /**
   * `ids`: the patients, in the order they will be added; `identity`, their names and record numbers as
   * printed, read when the manifest is made (FORMAT §11).
   */
  constructor(private readonly ids: readonly string[], private readonly identity?: { name(i: number): string; mrn(i: number): string }) {
    this.digests = Buffer.alloc(32 * ids.length);
    this.codes = new Int32Array(ids.length);
    this.firstCodePage = new Int32Array(ids.length);
    this.codePages = new Int32Array(ids.length);
    this.pageCodesAt = new Int32Array(ids.length);
    this.volumes = new Int16Array(ids.length);
  }

  /**
   * The next patient's entry: its record's hex SHA-256, its codes, the binder pages they are on (consecutive), and
   * how many codes each of those pages holds, as drawn (the first may share its page with the summary).
   */
  add(digest: string, codes: number, firstCodePage: number, codePages: number, perPage?: readonly number[], volume = 1): void {
    const i = this.count;
    this.volumes[i] = volume;
    if (i >= this.ids.length) throw new Error(`more manifest entries than the ${this.ids.length} patients`);
    if (this.digests.write(digest, 32 * i, 32, 'hex') !== 32) throw new Error(`patient ${this.ids[i]}: digest ${digest} is not 64 hex digits`);
    this.codes[i] = codes;
    this.firstCodePage[i] = firstCodePage;
    this.codePages[i] = codePages;
    const exact = perPage !== undefined && perPage.length === codePages && perPage.every((n) => n > 0) && perPage.reduce((a, b) => a + b, 0) === codes;
    this.pageCodesAt[i] = exact ? this.pageCodes.length : -1;
    if (exact) this.pageCodes.push(...perPage);
    this.count++;
  }

  private pageCodesOf(i: number): { page_codes?: number[] } {
    const at = this.pageCodesAt[i]!;
    return at < 0 ? {} : { page_codes: this.pageCodes.slice(at, at + this.codePages[i]!) };
  }

  /**
   * The entries as the manifest takes them, sorted by patient id in code point order (FORMAT §5.4, §11),
   * made one at a time as they are read. `withVolumes`: each says its volume (FORMAT §11), pages counting from its first.
   */
  *inIdOrder(withVolumes = false): Generator<ManifestEntry> {
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
        ...(withVolumes ? { volume: this.volumes[i]! } : {}),
      };
    }
  }
}
