import { createPublicKey, type KeyObject } from 'node:crypto';
import { rmSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { Db } from '../store/open-store.js';
import { assertHasPatients } from '../store/open-store.js';
import {
  readInSnapshot, readLatestChange, readMeta, RecordReader,
} from '../store/read-records.js';
import { readScheduleVisits, type ScheduleVisit } from '../store/read-front-matter.js';
import { warmStoreCache } from '../store/warm-store-cache.js';
import { encodeManifest, type ManifestEntry } from '../codec/manifest.js';
import { fingerprintPublicKey } from '../codec/keys.js';
import type { EncodeOptions } from '../codec/record-codec.js';
import { layoutCodePages } from '../layout/code-pages.js';
import type { PatientLayoutContext } from '../layout/patient-layout.js';
import { PatientPool } from './threads/patient-pool.js';
import type { PatientPages } from './patient-pages.js';
import { layoutCover, type CoverFacts, type CoverRun, type FrontMatterContext } from '../layout/front-matter.js';
import { layoutRecipe } from '../layout/recipe-page.js';
import { layoutDecoderCodes, layoutDecoderListing } from '../layout/decoder-pages.js';
import { indexLetter, layoutIndex } from '../layout/index-pages.js';
import { indexEntries } from './index-entries.js';
import { layoutSchedule } from '../layout/schedule-pages.js';
import { bodyBox, pageFrame, type Chrome, type PageFrame } from '../pdf/draw-page.js';
import type { PageBody } from '../layout/flow.js';
import { TextShaper } from '../text/shape-text.js';
import { label, PAPER, type Template } from '../layout/template.js';
import { addDays, clinicNow, rezoneWallTime, zonedMinute } from '../layout/format.js';
import { PatientOrder } from './patient-order.js';
import { AtomicOutput } from '../pdf/atomic-output.js';
import { BinderDocument, type DocumentInfo } from '../pdf/binder-document.js';
import { ManifestEntries } from './manifest-entries.js';
import { assertRoomFor, DiskProjection, minimumBinderBytes } from './disk-space.js';
import { applyPrintV8Settings } from './threads/v8-settings.js';
import { ArchiveWriter, type ArchiveTarget } from '../archive/archive-file.js';
import { resolveSelection, type PatientSelection, type ResolvedSelection } from './patient-selection.js';
import { runIdFor } from '../codec/run-id.js';
import { coverSupplement, manifestSupplement, replaceSheet, supplementDataAsOf, type SupplementPlan } from './supplement.js';
import { countVolumeFront, removeEarlierVolumes, Volumes, type VolumeSummary } from './volumes.js';
import type { CoverVolume } from '../layout/front-matter.js';
import { withoutTags } from '../text/han-language.js';
import { ParityGroups } from './parity-groups.js';

export interface BinderOptions {
  /** The open store (read-only is enough) and its path, for messages. */
  db: Db;
  storePath: string;
  outPath: string;
  template: Template;
  /** The print time, UTC `YYYY-MM-DDTHH:MM:SSZ`; pinning it makes the PDF reproducible. */
  printedAt: string;
  /** The clinic's Ed25519 private key; without it the codes are unsigned. */
  signingKey?: KeyObject;
  /** 32-byte AES-256 key: the records inside the codes are encrypted (FORMAT §8). */
  encryptKey?: Uint8Array;
  /** Codes one record may take; a larger record is refused, naming the patient, never cut. */
  maxCodes?: number;
  /**
   * Threads in all: with N ≥ 2, N - 1 workers validate, encode and lay out patients while this one draws. The PDF is the same for any number.
   * 'auto': one a core, but no more workers than one for each PATIENTS_A_WORKER patients.
   */
  jobs?: number | 'auto';
  /** Replace an existing file at `outPath` that is not a binder of ours; never the store or a key (_output-guard.ts). */
  force?: boolean;
  /**
   * The IANA time zone every time on the binder is printed in, named ("2026-12-06 07:00 PST"); default: the store's
   * meta.timezone (the clinic's), else UTC. The schedule's appointments are moved into it from the store's zone.
   */
  timeZone?: string;
  /** Where the binder is written until complete; default: a fresh name beside `outPath` (printBinder picks it so its thread can remove it). */
  temporaryPath?: string;
  onProgress?: (progress: BinderProgress) => void;
  /** What the run register adds to the cover (issue 28): the full print this binder replaces. */
  cover?: CoverRun;
  /** A partial binder's patients (issue 28); default every patient of the store. */
  selection?: PatientSelection;
  /** Also write the run's code texts, encrypted, to this off-site archive (FORMAT §16). */
  archive?: ArchiveTarget;
  /** A supplement (issue 28): the changed patients only, its replace-and-shred sheet after the cover. */
  supplement?: SupplementPlan;
  /**
   * Sheets a volume may hold (issue 26, print/volumes.ts): a binder that needs more is written as one PDF a volume,
   * binder-vol1.pdf, binder-vol2.pdf …, with binder-labels.pdf; default: one PDF, however long.
   */
  volumeSheets?: number;
  /** Told each temporary file a later volume is written to, before it is made, so that an interrupt on another thread removes it. */
  onTemporaryFile?: (path: string) => void;
}

export interface BinderProgress { phase: 'render'; done: number; total: number }

export interface BinderSummary {
  patients: number; pages: number; bytes: number; outPath: string;
  /** Codes printed: every patient's and the manifest's. */
  codes: number;
  /** What the user should know about the binder printed (an --as-of earlier than the data's latest change). */
  warnings: string[];
  /** The latest change in the store when printed (the cover's "data as of"). */
  dataAsOf?: string | null;
  /** A partial binder's patients, by id (for the run register). */
  selectedIds?: string[];
  /** Each patient's pages, in binder order, for the run register (a later supplement's replace-and-shred sheet). */
  placed?: { patient_id: string; first_page: number; last_page: number; name: string; mrn: string; volume?: number }[];
  /** A binder in several volumes: each volume's file, pages and patients, in order (outPath is then the first volume's). */
  volumes?: VolumeSummary[];
  /** The page of spine and cover labels of a binder in several volumes. */
  labelsPath?: string;
}

/** One part of the front matter: the title its running header and bookmark carry, and its layout, page by page. */
export interface FrontSection { title: string; bookmark: boolean; layout: (onPage: (page: PageBody) => void) => void }

/** The front matter's length, laid out with placeholder page numbers before any patient is drawn. */
export interface FrontLengths { sections: number[]; pages: number; bookmarks: number }

/** A page's running header; the footer is the same on every page (BinderPages). */
export type Header = Omit<Chrome, 'footerLeft' | 'footerRight' | 'recto'>;

/** What one print reads once, before drawing, and every step after uses. */
export interface PrintRun {
  options: BinderOptions;
  meta: Record<string, string>;
  dataAsOf: string | null;
  today: string;
  frame: PageFrame;
  shaper: TextShaper;
  ctx: PatientLayoutContext & FrontMatterContext;
  reader: RecordReader;
  patients: PatientOrder;
  visits: ScheduleVisit[];
  /** The zone every time is printed in (BinderOptions.timeZone, else the store's meta.timezone, else UTC). */
  timeZone: string;
  keys: { signingKey?: KeyObject; encryptKey?: Uint8Array };
  codeOptions: EncodeOptions;
  clinicName: string;
  fingerprint: string | null;
  /** FORMAT §6.3: the signing public key as printed, base64 of its SPKI DER. */
  publicKey: string | null;
  /** A partial binder's or a supplement's patients, and how a partial binder's were chosen. */
  selection?: Omit<ResolvedSelection, 'manifest'> & { manifest?: ResolvedSelection['manifest'] };
}

/** What the patients' pages leave for the manifest and the front matter. */
interface PatientsPrinted { firstPages: Int32Array; lastPages: Int32Array; entries: ManifestEntries; codes: number }

/** Where each patient's chart is, for the front matter: its first page, and its volume when there are several. */
export interface ChartPlaces { page: (patient: number) => number; volume?: (patient: number) => number; last?: (patient: number) => number }

/**
 * Stands in for page numbers while the front matter is laid out to count its
 * pages. Digits are equally wide in these fonts, so a number this long is at
 * least as wide as any real one and the real layout is never longer.
 */
const PAGE_PLACEHOLDER = 9_999_999;
/** The same in several volumes: "Vol 999 · p. 99999" (a volume of 10,000 sheets is 20,000 pages and a 100,000-patient index 2,500). */
const VOLUME_PLACEHOLDER = 999;
const VOLUME_PAGE_PLACEHOLDER = 99_999;
/** How often (in patients) print checks that what is left of the binder still fits the disk. */
const DISK_CHECK_EVERY = 25;

// A worker's cold start (modules, fonts, JIT) costs about 0.7 s of CPU: on two quiet cores a 100-patient supplement took 2.4 s
// on one thread and 3.1 s on two, 496 patients 5.3–6.5 s either way; so `--jobs auto` adds a worker only for each 500 patients.
const PATIENTS_A_WORKER = 500;

/**
 * Draws the binder on this thread (print/threads/drawing-thread.ts printBinder
 * runs it on a thread of its own): cover, restore recipe, index, schedule,
 * then each patient starting on a right-hand page, summary first and pages of
 * codes after, and last the run's manifest codes. Reads one snapshot of the
 * store and lays every patient out once: the front matter's length is known
 * from the patient list alone, so each patient is drawn and streamed out as
 * soon as it is laid out, and memory holds a few patients at a time. The
 * front matter, which prints their page numbers, is drawn last and moved to
 * the front (binder-document.ts, "front matter last"). Patients are
 * validated, encoded and laid out on worker threads (patient-pool.ts);
 * drawing stays on this one, in binder order. The PDF appears under `outPath`
 * only when complete.
 * @throws EmptyStoreError, InvalidRecordError, RecordTooLargeError, NotEnoughDiskError, OutputNotWritableError,
 * OutputIsStoreError, OutputIsKeyError, OutputExistsError
 */
export async function drawBinder(options: BinderOptions): Promise<BinderSummary> {
  const { db } = options;
  applyPrintV8Settings();
  const output = await AtomicOutput.open(options.outPath, options);
  let volumes: Volumes | undefined;
  let pool: PatientPool | undefined;
  let archive: ArchiveWriter | undefined;
  let archived = false;
  try {
    if (options.archive) archive = ArchiveWriter.open({ ...options.archive, storePath: options.storePath, ...(options.force ? { force: true } : {}) });
    const summary = await readInSnapshot(db, () => drawInSnapshot(options, output));
    // The archive first: a binder never stands complete beside an archive that failed.
    archive?.commit();
    archived = archive !== undefined;
    if (volumes && volumes.count > 1) {
      const placed = await volumes.commit();
      return { ...summary, ...placed, warnings: [...summary.warnings, ...placed.warnings] };
    }
    await output.commit();
    // An earlier print of this name in volumes: its volumes and labels go, so that none is taken for part of this binder.
    const removed = removeEarlierVolumes(options.outPath);
    return { ...summary, bytes: statSync(options.outPath).size, ...(removed.length ? { warnings: [...summary.warnings, ...removed] } : {}) };
  } catch (e) {
    output.discard();
    volumes?.discard();
    archive?.discard();
    if (archived) rmSync(options.archive!.path, { force: true });
    throw e;
  } finally {
    await pool?.close();
  }

  /** The binder, from one snapshot of the store: patients first, then the manifest, then the front matter. */
  async function drawInSnapshot(o: BinderOptions, out: AtomicOutput): Promise<Omit<BinderSummary, 'bytes'>> {
    const run = prepareRun(db, o);
    const { template, today } = run.ctx;
    // Started, and given their first patients, before the front matter is counted: the workers' start (a thread, its modules, fonts) overlaps it.
    const threads = o.jobs === 'auto' ? Math.min(availableParallelism(), 1 + Math.floor(run.patients.length / PATIENTS_A_WORKER)) : o.jobs ?? 1;
    const workers = pool = new PatientPool({ template, box: run.ctx.box, today, dataAsOf: run.dataAsOf, codeOptions: run.codeOptions }, run.shaper, threads);
    const preparing = workers.prepare(run.patients.ids, (id) => run.reader.read(id));
    const front = countFrontMatter(run);
    assertRoomFor(o.outPath, minimumBinderBytes(run.patients.length));
    const pages = new BinderPages(run, new BinderDocument(out, run.frame, documentInfo(run), run.shaper, front.bookmarks), front.pages);
    const split = volumes = new Volumes(run, { pages, output: out }, o.volumeSheets);
    const printed = await printPatients(run, split, preparing, out, archive);
    // The workers' heaps are not needed for the rest: freed before the manifest and front matter are drawn.
    await workers.close();
    const manifest = manifestTexts(run, printed.entries.inIdOrder(split.count > 1), archive);
    // Each patient's pages, for the register and a later supplement's replace-and-shred sheet; in volumes, with its volume (pages restart in each).
    const placed = run.patients.ids.map((id, i) => ({ patient_id: id, first_page: printed.firstPages[i]!, last_page: printed.lastPages[i]!, name: run.patients.name(i), mrn: run.patients.mrn(i),
      ...(split.count > 1 ? { volume: split.volumeOfPatient(i) } : {}) }));
    const done = { patients: run.patients.length, codes: printed.codes + manifest.length, outPath: o.outPath, warnings: asOfWarnings(run),
      dataAsOf: run.dataAsOf, ...(run.selection ? { selectedIds: [...run.selection.ids] } : {}), placed };
    if (split.count > 1) return { ...done, ...await split.finish(manifest, front, printed.firstPages) };
    await printManifest(run, pages, manifest);
    printDecoderListing(run, pages);
    printFrontMatter(run, pages, front, { page: (i) => printed.firstPages[i]!, last: (i) => printed.lastPages[i]! });
    await pages.doc.end();
    return { ...done, pages: pages.current };
  }
}

/** Reads what the whole print needs from the store (inside its snapshot) and sets up the paper and the shaper. */
function prepareRun(db: Db, options: BinderOptions): PrintRun {
  const { template, printedAt } = options;
  // Every row is read below, scattered: the file is read through in order first (warm-store-cache.ts); not for a supplement, which reads a few.
  if (!options.supplement) warmStoreCache(options.storePath);
  assertHasPatients(db, options.storePath);
  const meta = readMeta(db);
  const storeZone = meta.timezone ?? 'UTC';
  const timeZone = options.timeZone ?? storeZone;
  const today = clinicNow(printedAt, timeZone).date;
  const until = addDays(today, template.schedule_days - 1);
  const [width, height] = PAPER[template.paper];
  const frame = pageFrame(width, height);
  const shaper = new TextShaper();
  const selection = options.supplement ? { ids: new Set(options.supplement.changed) } : options.selection ? resolveSelection(db, options.selection, today) : undefined;
  const keys = { ...(options.signingKey ? { signingKey: options.signingKey } : {}), ...(options.encryptKey ? { encryptKey: options.encryptKey } : {}) };
  return {
    options, meta, dataAsOf: options.supplement ? supplementDataAsOf(db, options.supplement) : readLatestChange(db), today, frame, shaper,
    ctx: { shaper, template, box: bodyBox(frame), today },
    reader: new RecordReader(db),
    patients: PatientOrder.read(db, template.locale, selection?.ids),
    // A day either side: zones differ by up to 26 hours; moved into the printed zone, then kept to the schedule's days.
    visits: readScheduleVisits(db, addDays(today, -1), addDays(until, 1))
      .map((v) => ({ ...v, starts_at: rezoneWallTime(v.starts_at, storeZone, timeZone) }))
      .filter((v) => v.starts_at >= today && v.starts_at < `${until}T99` && (!selection || selection.ids.has(v.patient_id)))
      .sort((a, b) => (a.starts_at < b.starts_at ? -1 : a.starts_at > b.starts_at ? 1 : 0)),
    timeZone,
    keys,
    codeOptions: { runId: runIdFor(printedAt), printedAt, ...(options.maxCodes ? { maxCodes: options.maxCodes } : {}), ...keys },
    clinicName: template.clinic.name ?? meta.clinic_name ?? 'Clinic',
    fingerprint: options.signingKey ? fingerprintPublicKey(options.signingKey) : null,
    publicKey: options.signingKey ? createPublicKey(options.signingKey).export({ type: 'spki', format: 'der' }).toString('base64') : null,
    ...(selection ? { selection } : {}),
  };
}

/** A print time earlier than the data's own latest change makes "data as of" read later than "printed": said, not refused (a pinned --as-of for identical PDFs is legitimate). */
function asOfWarnings(run: PrintRun): string[] {
  const { printedAt, template } = run.options;
  if (!run.dataAsOf || printedAt >= run.dataAsOf) return [];
  const at = (t: string): string => zonedMinute(t, run.timeZone, template.locale);
  return [`--as-of ${at(printedAt)} is earlier than the data's latest change, ${at(run.dataAsOf)}: the binder says it was printed before its data was written`];
}

export function documentInfo({ options, meta }: PrintRun): DocumentInfo {
  const { template } = options;
  return { title: `${label(template, 'binder_title')} — ${meta.clinic_name ?? ''}`.trim(), createdAt: new Date(options.printedAt), lang: template.locale };
}

/**
 * The front matter, for the binder's page count and each patient's first page: the cover, the recipe on its back,
 * then the schedule, which the front desk opens first on an outage morning, then the index. `starts` are the
 * schedule's and the index's first pages, for the cover.
 */
function frontMatter(run: PrintRun, totalPages: number, at: ChartPlaces, starts: SectionStarts, volume?: CoverVolume): FrontSection[] {
  const { options: o, patients, ctx } = run;
  const { template } = o;
  const firstPage = at.page;
  const volumeOf = at.volume;
  const pageText = (i: number): number | string => (volumeOf ? label(template, 'volume_page', { volume: volumeOf(i), page: firstPage(i) }) : firstPage(i));
  const all = (pages: PageBody[]) => (onPage: (page: PageBody) => void): void => pages.forEach((p) => onPage(p));
  return [
    { title: label(template, 'binder_title'), bookmark: false, layout: all(layoutCover({ ...coverFacts(run, totalPages, starts), ...(volume ? { volume } : {}) }, ctx)) },
    recipeSection(run),
    ...(o.supplement ? [replaceSheet(run, o.supplement, firstPage, at.last ?? firstPage)] : []),
    { title: label(template, 'schedule'), bookmark: true, layout: (onPage) => {
      const order = new Map(patients.ids.map((id, i) => [id, i]));
      layoutSchedule(run.visits.map((v) => {
        const i = order.get(v.patient_id)!;
        return {
          startsAt: v.starts_at, name: patients.findableName(i), mrn: patients.mrn(i), birthDate: patients.birthDate(i), phone: patients.phone(i),
          provider: v.provider, reason: v.reason, cancelled: v.status === 'cancelled', page: firstPage(i),
          ...(volumeOf ? { volume: label(template, 'volume_short', { volume: volumeOf(i) }) } : {}),
        };
      }), run.today, template.schedule_days, run.timeZone, ctx, onPage);
    } },
    { title: label(template, 'index'), bookmark: true, layout: (onPage) => layoutIndex(indexEntries(patients, template.locale, pageText), ctx, onPage, volumeOf !== undefined) },
    // After the index, so that the schedule stays the first page after the cover sheet (issue 25).
    { title: label(template, 'decoder_codes'), bookmark: true, layout: all(layoutDecoderCodes(ctx)) },
  ];
}

/** The cover's facts: the clinic, the run, and where the schedule and the index start. */
export function coverFacts(run: PrintRun, totalPages: number, starts: { schedule: number; index: number; sheet?: number }): CoverFacts {
  const { options: o, meta, patients } = run;
  const { template } = o;
  return {
    clinicName: run.clinicName, clinicAddress: template.clinic.address ?? meta.clinic_address ?? null,
    clinicPhone: template.clinic.phone ?? meta.clinic_phone ?? null,
    printedAt: o.printedAt, dataAsOf: run.dataAsOf, patients: patients.length, pages: totalPages,
    fingerprint: run.fingerprint, encrypted: o.encryptKey !== undefined,
    timeZone: run.timeZone, schedulePage: starts.schedule, indexPage: starts.index,
    publicKey: run.publicKey, keysKeptAt: template.clinic.keys_kept_at ?? null,
    runId: run.codeOptions.runId, ...(o.cover?.supersedes !== undefined ? { supersedes: o.cover.supersedes } : {}),
    ...(run.selection?.manifest ? { partial: run.selection.manifest } : {}),
    ...(o.supplement && starts.sheet !== undefined ? { supplement: coverSupplement(o.supplement, starts.sheet) } : {}),
  };
}

/** The restore recipe, on the back of the cover. */
export function recipeSection(run: PrintRun): FrontSection {
  const { options: o, ctx } = run;
  const pages = layoutRecipe(ctx, { fingerprint: run.fingerprint, encrypted: o.encryptKey !== undefined, publicKey: run.publicKey });
  return { title: label(o.template, 'restore_recipe'), bookmark: false, layout: (onPage) => pages.forEach((p) => onPage(p)) };
}

/** The first page of the schedule and of the index (the third and fourth sections; a supplement's sheet comes before them), from the sections' lengths. */
const SCHEDULE_SECTION = 2;
interface SectionStarts { schedule: number; index: number; sheet: number }
function sectionStarts(sections: readonly number[], supplement: boolean): SectionStarts {
  const start = (n: number): number => 1 + sections.slice(0, n).reduce((a, b) => a + b, 0);
  const at = SCHEDULE_SECTION + (supplement ? 1 : 0);
  return { schedule: start(at), index: start(at + 1), sheet: start(SCHEDULE_SECTION) };
}

/**
 * Lays the front matter out with placeholder page numbers, only to count its pages. With `volumeSheets` the
 * binder may turn out to need volumes, which only the patients' pages tell: each section is counted as one
 * volume and as the first of several, and the longer is kept (printFrontMatter pads the other with blank pages).
 * The index's name column is as wide in both, so in practice both count alike and a binder of one volume is as before.
 */
function countFrontMatter(run: PrintRun): FrontLengths {
  const starts = { schedule: PAGE_PLACEHOLDER, index: PAGE_PLACEHOLDER, sheet: PAGE_PLACEHOLDER };
  const counted = frontMatter(run, PAGE_PLACEHOLDER, { page: () => PAGE_PLACEHOLDER }, starts);
  const sections = countSections(counted);
  if (run.options.volumeSheets !== undefined) {
    const v = VOLUME_PLACEHOLDER;
    const asVolume = countVolumeFront(run, (volume) => frontMatter(run, VOLUME_PAGE_PLACEHOLDER, { page: () => VOLUME_PAGE_PLACEHOLDER, volume: () => v }, starts, volume));
    asVolume.forEach((n, i) => { sections[i] = Math.max(sections[i]!, n); });
  }
  return { sections, pages: sections.reduce((a, b) => a + b, 0), bookmarks: counted.filter((section) => section.bookmark).length };
}

/** Each section's page count, laid out. */
export function countSections(counted: readonly FrontSection[]): number[] {
  return counted.map((section) => {
    let pages = 0;
    section.layout(() => { pages++; });
    return pages;
  });
}

/** The binder's pages as they are drawn: numbered, with the running header given and the footer every page has. */
export class BinderPages {
  /** The number of the last page drawn after the front matter, which comes first but is drawn last. */
  current: number;
  private readonly footerLeft: string;
  private readonly asOfText: string;
  private readonly pageLabel: string;

  /** `volume`: the number every footer carries, in a volume after the first (the first's pages are drawn before the binder is known to need more). */
  constructor(private readonly run: PrintRun, readonly doc: BinderDocument, frontPages: number, private readonly volume?: number) {
    const { template } = run.options;
    this.current = frontPages;
    this.footerLeft = `${run.clinicName} — ${label(template, 'confidential')}`;
    // A supplement's pages are filed among the binder's: their foot says whose they are (issue 28).
    this.pageLabel = run.options.supplement ? label(template, 'supplement_page', { printed: zonedMinute(run.options.printedAt, run.timeZone, template.locale) }) : label(template, 'binder_page');
    this.asOfText = `${label(template, 'data_as_of')} ${run.dataAsOf ? zonedMinute(run.dataAsOf, run.timeZone, template.locale) : '—'}`;
  }

  /** Draws `body` as page number `page`. */
  draw(page: number, body: PageBody, header: Header): void {
    const pageText = `${this.pageLabel} ${page}`;
    this.doc.page(body, { ...header, footerLeft: this.footerLeft, footerRight: this.volume ? `${label(this.run.options.template, 'volume_short', { volume: this.volume })} · ${pageText}` : pageText, recto: page % 2 === 1 });
  }

  /** Draws `body` as the page after the last one. */
  next(body: PageBody, header: Header): void {
    this.draw(++this.current, body, header);
  }

  /** A blank page first if the next one would be a left-hand (even) one. */
  startOnRightHandPage(): void {
    if (this.current % 2 === 1) this.next(blankPage(this.run.shaper, this.run.frame, label(this.run.options.template, 'blank_page')), this.frontHeader('', 0, 1));
  }

  /** A patient's header: name and birth date left, page of the patient's pages and the data's age right. */
  patientHeader(patient: number, i: number, n: number): Header {
    const { patients, options: { template } } = this.run;
    const detail = `${label(template, 'dob')} ${patients.birthDate(patient)}   ${label(template, 'mrn')} ${patients.mrn(patient)}`;
    return { title: patients.findableName(patient), thumb: indexLetter(patients.latinName(patient)), detail, titleRight: label(template, 'page_of', { x: i + 1, y: n }), detailRight: this.asOfText };
  }

  /** The header of the front matter's and the manifest's pages: the clinic left, the section right. */
  frontHeader(title: string, i: number, n: number): Header {
    const { template } = this.run.options;
    return { title: this.run.clinicName, titleRight: title, detail: this.asOfText, detailRight: n > 1 ? label(template, 'page_of', { x: i + 1, y: n }) : '' };
  }
}

/** Draws the patients in binder order as the workers prepare them (PatientPool.prepare), each from a right-hand page, streamed to the file. */
async function printPatients(run: PrintRun, volumes: Volumes, preparing: AsyncIterable<PatientPages>, out: AtomicOutput, archive?: ArchiveWriter): Promise<PatientsPrinted> {
  const { patients, options: o } = run;
  const { template } = o;
  const firstPages = new Int32Array(patients.length);
  const lastPages = new Int32Array(patients.length);
  // FORMAT §11: names and record numbers as printed, for a restore's report.
  const entries = new ManifestEntries(patients.ids, patients);
  const disk = new DiskProjection(o.outPath, patients.length);
  let codes = 0;
  let done = 0;
  // FORMAT §17: each group of patients' parity codes after it, so that a lost sheet loses no patient.
  const parity = new ParityGroups(run, archive ? (texts) => { for (const text of texts) archive.add(text); } : undefined);
  for await (const prepared of preparing) {
    const id = patients.ids[done]!;
    if (prepared.id !== id) throw new Error(`patient ${id}: prepared ${prepared.id} in its place`);
    // A volume ends before a patient who would not fit it: never a patient split between two.
    const pages = await volumes.pagesFor(done, parity.pagesFor(prepared));
    await parity.before(pages);
    pages.startOnRightHandPage();
    firstPages[done] = pages.current + 1;
    prepared.pages.forEach((body, i) => {
      // The thumb tab on the summary's pages only: a black block beside the codes would be one more thing for a phone's reader to skip.
      const header = pages.patientHeader(done, i, prepared.pages.length);
      pages.next(body, i < prepared.pages.length - prepared.codePages ? header : { ...header, thumb: '' });
      if (i === 0) pages.doc.bookmark(`${withoutTags(patients.findableName(done))} — ${label(template, 'mrn')} ${patients.mrn(done)}`);
      if (archive) for (const op of body.ops) if (op.kind === 'qr') archive.add(op.text);
    });
    // The codes on each page as drawn: the first of them may share its page with the summary (issue 26).
    const perPage = prepared.pages.slice(prepared.pages.length - prepared.codePages).map((body) => body.ops.filter((op) => op.kind === 'qr').length);
    entries.add(prepared.digest, prepared.codes, pages.current - prepared.codePages + 1, prepared.codePages, perPage, volumes.count);
    lastPages[done] = pages.current;
    await parity.after(pages, prepared, firstPages[done]!, pages.current, done === patients.length - 1);
    codes += prepared.codes;
    done++;
    o.onProgress?.({ phase: 'render', done, total: patients.length });
    if (done % DISK_CHECK_EVERY === 0) disk.check(done, out.bytesOut + volumes.bytesOut);
    await pages.doc.drained();
  }
  return { firstPages, lastPages, entries, codes: codes + parity.codes };
}

/** The run's manifest codes (FORMAT §11), from its entries in id order; also into the archive. */
export function manifestTexts(run: PrintRun, entries: Iterable<ManifestEntry>, archive?: ArchiveWriter): string[] {
  const manifest = encodeManifest({ runId: run.codeOptions.runId, printedAt: run.options.printedAt, clinic: run.meta, ...(run.selection?.manifest ? { selection: run.selection.manifest } : {}),
    ...(run.options.supplement ? { supplement: manifestSupplement(run.options.supplement) } : {}) }, entries, run.keys).texts;
  for (const text of manifest) archive?.add(text);
  return manifest;
}

/** The manifest's pages of codes. */
export function layoutManifest(run: PrintRun, manifest: readonly string[]): PageBody[] {
  const { template } = run.options;
  return layoutCodePages(manifest, {
    heading: (first, last, total, page, n) => label(template, 'manifest_heading', { first, last, total, page, pages: n }),
    caption: (i) => label(template, 'manifest_caption', { i, total: manifest.length }),
  }, run.shaper, run.ctx.box);
}

/** Draws the run's manifest codes, which list every patient's code pages, so they follow them. */
export async function printManifest(run: PrintRun, pages: BinderPages, manifest: readonly string[]): Promise<void> {
  const { template } = run.options;
  pages.startOnRightHandPage();
  const manifestPages = layoutManifest(run, manifest);
  for (const [i, body] of manifestPages.entries()) {
    pages.next(body, pages.frontHeader(label(template, 'manifest'), i, manifestPages.length));
    if (i === 0) pages.doc.bookmark(label(template, 'manifest'));
    // A 100,000-patient manifest is 520 pages of codes, 12 MB: written as it goes, not held until the end.
    await pages.doc.drained();
  }
}

/** The appendix after the manifest: the decoder's listing, to type if its codes cannot be read. */
export function printDecoderListing(run: PrintRun, pages: BinderPages): void {
  const title = label(run.options.template, 'decoder_listing');
  pages.startOnRightHandPage();
  const listing = layoutDecoderListing(run.ctx);
  listing.forEach((body, i) => {
    pages.next(body, pages.frontHeader(title, i, listing.length));
    if (i === 0) pages.doc.bookmark(title);
  });
}

/** Now that every page number is known, the front matter: drawn last, read first. */
export function printFrontMatter(run: PrintRun, pages: BinderPages, front: FrontLengths, at: ChartPlaces, volume?: CoverVolume): void {
  drawFrontSections(run, pages, front.sections, frontMatter(run, pages.current, at, sectionStarts(front.sections, run.options.supplement !== undefined), volume));
}

/** Draws front matter sections counted before (`counted`), each padded with blank pages to its count. */
export function drawFrontSections(run: PrintRun, pages: BinderPages, counted: readonly number[], sections: readonly FrontSection[]): void {
  pages.doc.frontMatterLast(() => {
    let page = 0;
    sections.forEach((section, n) => {
      let i = 0;
      const draw = (body: PageBody): void => {
        pages.draw(++page, body, { ...pages.frontHeader(section.title, i, counted[n]!), ...(body.thumb ? { thumb: body.thumb } : {}) });
        if (i === 0 && section.bookmark) pages.doc.bookmark(section.title);
        i++;
      };
      section.layout(draw);
      if (i > counted[n]!) throw new Error(`front matter section ${n}: ${i} pages with page numbers, ${counted[n]} counted`);
      // Counted for the longer of one volume and several (countFrontMatter): rarely, a page to spare.
      while (i < counted[n]!) draw(blankPage(run.shaper, run.frame, label(run.options.template, 'blank_page')));
    });
  });
}

export function blankPage(shaper: TextShaper, frame: PageFrame, text: string): PageBody {
  const line = shaper.shape(text, 10, 'regular');
  return { ops: [{ kind: 'text', line, x: (frame.width - line.width) / 2, baseline: frame.height / 2, color: '#555555' }] };
}
