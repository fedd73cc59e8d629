// A binder in several volumes (issue 26): one PDF a volume, binder-vol1.pdf, binder-vol2.pdf …, each a binder of its
// own (cover, recipe, its patients from a front page, numbered from 1), volume breaks only between patients.
//
// One PDF a volume rather than one PDF with breaks: a volume is what an office printer or a print shop takes as one
// job (one stack, one binder, its page numbers those of the viewer), what a scan of one binder gives back, and what
// restore and verify are handed as several inputs. Every volume is drawn to a temporary file and all are put in
// place only once all are complete (commit), so a failed run leaves no volume that looks complete.
import { createHash } from 'node:crypto';
import { rmSync, statSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { AtomicOutput } from '../pdf/atomic-output.js';
import { BinderDocument } from '../pdf/binder-document.js';
import { isPaperchartBinder } from '../_output-guard.js';
import { temporaryPathBeside } from '../_temporary-file.js';
import { layoutCover, type CoverVolume } from '../layout/front-matter.js';
import { layoutDecoderListing } from '../layout/decoder-pages.js';
import { indexLetter } from '../layout/index-pages.js';
import { layoutShortIndex, SHORT_INDEX_ROWS, type ShortIndexRow } from '../layout/short-index.js';
import { label } from '../layout/template.js';
import { zonedMinute } from '../layout/format.js';
import { layoutVolumeLabels } from '../layout/volume-labels.js';
import { comparePatientIds, type ManifestEntry } from '../codec/manifest.js';
import {
  BinderPages, countSections, coverFacts, documentInfo, drawFrontSections, layoutManifest, manifestTexts, printDecoderListing,
  printFrontMatter, printManifest, recipeSection, type FrontLengths, type FrontSection, type PrintRun,
} from './print-binder.js';

export { DEFAULT_VOLUME_SHEETS } from './volume-sheets.js';

/**
 * After a binder of one PDF is put in place at `outPath`: removes the volumes (`-vol1`, `-vol2` … while there are) and
 * the labels of an earlier print in volumes of the same name, which a person would take for current. Only files
 * paperchart printed (their PDF producer, _output-guard.ts isPaperchartBinder), the same proof that lets a print
 * replace an earlier binder; anything else stays. Returns a warning a file removed.
 */
export function removeEarlierVolumes(outPath: string): string[] {
  const stale: string[] = [];
  for (let k = 1; isPaperchartBinder(volumePath(outPath, k)); k++) stale.push(volumePath(outPath, k));
  if (isPaperchartBinder(labelsPath(outPath))) stale.push(labelsPath(outPath));
  for (const path of stale) rmSync(path, { force: true });
  return stale.map((path) => `removed ${path}, part of an earlier binder of this name in volumes, so that it is not taken for part of this one`);
}

/** What the summary says of each volume. */
export interface VolumeSummary { path: string; pages: number; bytes: number; patients: number; first: string; last: string }

/** "binder.pdf" → "binder-vol2.pdf". */
export function volumePath(outPath: string, volume: number): string {
  const ext = extname(outPath);
  return join(dirname(outPath), `${basename(outPath, ext)}-vol${volume}${ext}`);
}

/** "binder.pdf" → "binder-labels.pdf", the page of spine and cover labels. */
export function labelsPath(outPath: string): string {
  const ext = extname(outPath);
  return join(dirname(outPath), `${basename(outPath, ext)}-labels${ext}`);
}

interface Volume { pages: BinderPages; output: AtomicOutput; first: number; last: number; front: number[]; lastPage: number }

/** A placeholder as long as a volume's numbers can be, for counting pages before they are known. */
const PLACEHOLDER = 999;

/** The first volume's front matter as the first of several, counted with placeholders (print-binder.ts countFrontMatter). */
export function countVolumeFront(run: PrintRun, make: (volume: CoverVolume) => FrontSection[]): number[] {
  const long = 'W'.repeat(80);
  return countSections(make({ number: PLACEHOLDER, of: PLACEHOLDER, first: long, last: long, patients: 9_999_999,
    note: label(run.options.template, 'volume_first_note', { volumes: PLACEHOLDER }) }));
}

/**
 * The volumes of one print, drawn at once: patients go into the last volume until the next would not fit its sheets,
 * then a new volume is opened. Every volume stays open until the last patient is drawn, because its cover says
 * "Volume 2 of 3" and the first volume's index gives every patient's volume and page.
 */
export class Volumes {
  private readonly list: Volume[];
  /** Each patient's volume, from 1. */
  private readonly volumeOf: Int16Array;
  private reserved?: number;
  /** The page of spine and cover labels (finish), put in place with the volumes. */
  private labels?: AtomicOutput;

  constructor(private readonly run: PrintRun, first: { pages: BinderPages; output: AtomicOutput }, private readonly sheets?: number) {
    this.list = [{ ...first, first: 0, last: -1, front: [], lastPage: 0 }];
    this.volumeOf = new Int16Array(run.patients.length);
  }

  get count(): number { return this.list.length; }

  /** The volume patient `patient` is drawn in, from 1. */
  volumeOfPatient(patient: number): number { return this.volumeOf[patient]!; }

  /** Bytes written to the volumes after the first (the first's are its output's). */
  get bytesOut(): number { return this.list.slice(1).reduce((n, v) => n + v.output.bytesOut, 0); }

  /**
   * The pages patient `patient` (the next in binder order) is drawn on: those of the last volume, or of a new one
   * when its `pageCount` pages would not fit beside what the volume holds and the manifest it keeps room for.
   */
  async pagesFor(patient: number, pageCount: number): Promise<BinderPages> {
    let v = this.list[this.list.length - 1]!;
    if (this.sheets !== undefined && v.last >= v.first) {
      const projected = Math.ceil(v.pages.current / 2) + Math.ceil(pageCount / 2);
      if (projected + this.reserve(projected) > this.sheets) v = await this.open(patient);
    }
    v.last = patient;
    this.volumeOf[patient] = this.list.length;
    return v.pages;
  }

  /**
   * Sheets kept free in every volume for the manifest's codes (the first and the last volume carry them, and which
   * volume is the last is known only at the end) and the decoder's listing. Measured only when it matters: a bound of
   * a sheet for 50 patients (the manifest takes about one for 400) first.
   */
  private reserve(projected: number): number {
    const cheap = Math.ceil(this.run.patients.length / 50) + 12;
    if (this.reserved === undefined && projected + cheap <= this.sheets!) return 0;
    return this.reserved ??= this.measureReserve();
  }

  private measureReserve(): number {
    const { patients } = this.run;
    // Every entry longer than it will be (three code pages, five-digit pages, a three-digit volume), its numbers as
    // scattered as real ones: round numbers deflate better, and made a reserve a sheet short on the 1,000-patient sample.
    const entries: ManifestEntry[] = patients.ids.map((id, i) => {
      const h = createHash('sha256').update(id).digest();
      const page = 10_000 + (h.readUInt32BE(0) % 89_000);
      const pageCodes = [10 + (h[4]! % 90), 10 + (h[5]! % 90), 10 + (h[6]! % 90)];
      return { id, digest: h.toString('hex'), codes: pageCodes.reduce((a, b) => a + b, 0), pages: [page, page + 1, page + 2],
        name: patients.name(i), mrn: patients.mrn(i), page_codes: pageCodes, volume: PLACEHOLDER };
    });
    entries.sort((a, b) => comparePatientIds(a.id, b.id));
    // A blank page may come before each: both start on a front page.
    const manifestPages = layoutManifest(this.run, manifestTexts(this.run, entries)).length + 1;
    const listingPages = layoutDecoderListing(this.run.ctx).length + 1;
    return Math.ceil(manifestPages / 2) + Math.ceil(listingPages / 2);
  }

  /** Opens the next volume, its first patient `patient`: its file, and its front matter counted. */
  private async open(patient: number): Promise<Volume> {
    const { options: o } = this.run;
    const number = this.list.length + 1;
    const path = volumePath(o.outPath, number);
    const output = await this.openOutput(path);
    try {
      const long = 'W'.repeat(80);
      const placeholder = Array.from({ length: SHORT_INDEX_ROWS }, () => ({ letter: 'W', first: long, last: long, firstPage: 99_999, lastPage: 99_999 }));
      const front = countSections(this.sections({ number: PLACEHOLDER, of: PLACEHOLDER, first: long, last: long, patients: 9_999_999 }, 99_999, [4, 4, 4], placeholder));
      const doc = new BinderDocument(output, this.run.frame, documentInfo(this.run), this.run.shaper, 1);
      const v: Volume = { pages: new BinderPages(this.run, doc, front.reduce((a, b) => a + b, 0), number), output, first: patient, last: patient - 1, front, lastPage: 0 };
      this.list.push(v);
      return v;
    } catch (e) {
      output.discard();
      throw e;
    }
  }

  /** A file of this print beside the binder's name, its temporary name told first (an interrupt on another thread removes it). */
  private async openOutput(path: string): Promise<AtomicOutput> {
    const { options: o } = this.run;
    const temporaryPath = temporaryPathBeside(path);
    o.onTemporaryFile?.(temporaryPath);
    return AtomicOutput.open(path, { ...(o.storePath ? { storePath: o.storePath } : {}), ...(o.force ? { force: true } : {}), temporaryPath });
  }

  /**
   * The page of spine and cover labels, a PDF of its own: labels go on card or label stock, another job than the
   * binder's paper, and are wanted when the binders are filled, not during an outage.
   */
  private async drawLabels(volumes: readonly VolumeSummary[]): Promise<string> {
    const { run } = this;
    const { template, printedAt, outPath } = run.options;
    const at = (t: string | null): string => (t ? zonedMinute(t, run.timeZone, template.locale) : '—');
    const output = this.labels = await this.openOutput(labelsPath(outPath));
    const doc = new BinderDocument(output, run.frame, documentInfo(run), run.shaper, 0);
    const bodies = layoutVolumeLabels({ clinicName: run.clinicName, dataAsOf: at(run.dataAsOf), printed: at(printedAt), runId: run.codeOptions.runId, volumes }, run.ctx);
    for (const body of bodies) {
      doc.page(body, { title: run.clinicName, titleRight: label(template, 'volume_labels'), detail: `${label(template, 'data_as_of')} ${at(run.dataAsOf)}`, detailRight: '',
        footerLeft: `${run.clinicName} — ${label(template, 'confidential')}`, footerRight: '', recto: true });
    }
    await doc.end();
    return labelsPath(outPath);
  }

  /** A later volume's front matter: its cover, the recipe on its back, its short index. */
  private sections(volume: CoverVolume, pages: number, counted: readonly number[], rows: readonly ShortIndexRow[]): FrontSection[] {
    const { template } = this.run.options;
    const indexPage = 1 + counted[0]! + counted[1]!;
    const all = (bodies: ReturnType<typeof layoutCover>) => (onPage: (page: (typeof bodies)[number]) => void): void => bodies.forEach((b) => onPage(b));
    return [
      { title: label(template, 'binder_title'), bookmark: false, layout: all(layoutCover({
        ...coverFacts(this.run, pages, { schedule: indexPage, index: indexPage }),
        volume: { ...volume, sections: label(template, 'volume_sections', { page: indexPage }), note: label(template, 'volume_note') },
      }, this.run.ctx)) },
      recipeSection(this.run),
      { title: label(template, 'short_index', { volume: volume.number, volumes: volume.of }), bookmark: true,
        layout: (onPage) => layoutShortIndex(volume, rows, this.run.ctx, onPage) },
    ];
  }

  /**
   * Every volume's end, once every patient is drawn: the manifest's codes (first and last volume), the decoder's
   * listing (first), and the front matter, now that the volumes are counted and every page is known.
   */
  async finish(manifest: readonly string[], front: FrontLengths, firstPages: Int32Array): Promise<{ pages: number; volumes: VolumeSummary[]; labelsPath: string }> {
    const { run } = this;
    const { patients, options: { template } } = run;
    const at = { page: (i: number) => firstPages[i]!, volume: (i: number) => this.volumeOf[i]! };
    const summaries: VolumeSummary[] = [];
    const n = this.list.length;
    for (const [k, v] of this.list.entries()) {
      v.lastPage = v.pages.current;
      if (k === 0 || k === n - 1) await printManifest(run, v.pages, manifest);
      if (k === 0) printDecoderListing(run, v.pages);
      const volume: CoverVolume = { number: k + 1, of: n, first: patients.latinName(v.first), last: patients.latinName(v.last), patients: v.last - v.first + 1 };
      if (k === 0) printFrontMatter(run, v.pages, front, at, { ...volume, note: label(template, 'volume_first_note', { volumes: n }) });
      else drawFrontSections(run, v.pages, v.front, this.sections(volume, v.pages.current, v.front, this.shortIndexRows(v, firstPages)));
      await v.pages.doc.end();
      summaries.push({ path: volumePath(run.options.outPath, k + 1), pages: v.pages.current, bytes: 0, patients: volume.patients, first: volume.first, last: volume.last });
    }
    const labels = await this.drawLabels(summaries);
    return { pages: summaries.reduce((a, s) => a + s.pages, 0), volumes: summaries, labelsPath: labels };
  }

  /** A volume's patients in at most SHORT_INDEX_ROWS groups, never across a letter, each with its pages. */
  private shortIndexRows(v: Volume, firstPages: Int32Array): ShortIndexRow[] {
    const { patients } = this.run;
    const letters: number[][] = [];
    for (let i = v.first; i <= v.last; i++) {
      const group = letters[letters.length - 1];
      if (group && indexLetter(patients.latinName(group[0]!)) === indexLetter(patients.latinName(i))) group.push(i);
      else letters.push([i]);
    }
    // At most one row a letter more than the patients need, so at most SHORT_INDEX_ROWS rows in all.
    const size = Math.max(1, Math.ceil((v.last - v.first + 1) / Math.max(1, SHORT_INDEX_ROWS - letters.length)));
    const rows: ShortIndexRow[] = [];
    for (const group of letters) {
      for (let g = 0; g < group.length; g += size) {
        const first = group[g]!;
        const last = group[Math.min(group.length, g + size) - 1]!;
        rows.push({ letter: indexLetter(patients.latinName(first)), first: patients.latinName(first), last: patients.latinName(last),
          firstPage: firstPages[first]!, lastPage: last === v.last ? v.lastPage : firstPages[last + 1]! - 1 });
      }
    }
    return rows;
  }

  /**
   * Puts every volume in place, now that all are complete: the first renamed to binder-vol1.pdf; then an earlier binder
   * of ours under the one-volume name, or a volume beyond the last, is removed, so that no stale volume is printed with these.
   * @throws as AtomicOutput.commit; the volumes already put in place are removed again
   */
  async commit(): Promise<{ outPath: string; bytes: number; volumes: VolumeSummary[]; warnings: string[] }> {
    const { outPath } = this.run.options;
    this.list[0]!.output.retarget(volumePath(outPath, 1));
    const placed: string[] = [];
    try {
      for (const output of [...this.list.map((v) => v.output), ...(this.labels ? [this.labels] : [])]) { await output.commit(); placed.push(output.path); }
    } catch (e) {
      for (const path of placed) rmSync(path, { force: true });
      throw e;
    }
    const warnings: string[] = [];
    const stale = [outPath];
    for (let k = this.list.length + 1; isPaperchartBinder(volumePath(outPath, k)); k++) stale.push(volumePath(outPath, k));
    for (const path of stale.filter(isPaperchartBinder)) {
      rmSync(path, { force: true });
      warnings.push(`removed ${path}, an earlier binder of this name, so that it is not taken for part of this one`);
    }
    const volumes = this.list.map((v) => ({ path: v.output.path, bytes: statSync(v.output.path).size, pages: v.pages.current,
      patients: v.last - v.first + 1, first: this.run.patients.latinName(v.first), last: this.run.patients.latinName(v.last) }));
    return { outPath: volumes[0]!.path, bytes: volumes.reduce((a, s) => a + s.bytes, 0), volumes, warnings };
  }

  /** Removes the temporary files of the volumes after the first (the first is drawBinder's own output). */
  discard(): void {
    for (const v of this.list.slice(1)) v.output.discard();
    this.labels?.discard();
  }
}
