import PDFDocument from 'pdfkit';
import type { KeyObject } from 'node:crypto';
import { once } from 'node:events';
import { statSync } from 'node:fs';
import type { Db } from '../store/open-store.js';
import { assertHasPatients } from '../store/open-store.js';
import {
  readInSnapshot, readLatestChange, readMeta, readScheduledVisits, RecordReader,
} from '../store/read-records.js';
import { warmStoreCache } from '../store/warm-store-cache.js';
import { encodeManifest } from '../codec/manifest.js';
import { fingerprintPublicKey } from '../codec/keys.js';
import { layoutCodePages } from '../layout/code-pages.js';
import type { PatientLayoutContext } from '../layout/patient-layout.js';
import { PatientPool } from './threads/patient-pool.js';
import { layoutCover, layoutIndex, layoutRecipe, layoutSchedule, type FrontMatterContext, type IndexEntry } from '../layout/front-matter.js';
import { bodyBox, drawChrome, drawOps, pageFrame, type Chrome, type PageFrame } from '../pdf/draw-page.js';
import type { PageBody } from '../layout/flow.js';
import { TextShaper } from '../text/shape-text.js';
import { registerFonts } from '../text/font-set.js';
import { label, PAPER, type Template } from '../layout/template.js';
import { addDays, clinicNow, utcMinute } from '../layout/format.js';
import { PatientOrder } from './patient-order.js';
import { AtomicOutput } from '../pdf/atomic-output.js';
import { nextTurn } from './next-turn.js';
import { PageTree } from '../pdf/page-tree.js';
import { Outline } from '../pdf/outline.js';
import { ManifestEntries } from './manifest-entries.js';
import { PageContent } from '../pdf/content-stream.js';
import { assertRoomFor, DiskProjection, minimumBinderBytes } from './disk-space.js';
import { capHeapGrowth } from './threads/heap-growth.js';
import { endDocument, keepObjectOffsetsFlat } from '../pdf/object-offsets.js';

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
  /** Threads in all: with N ≥ 2, N - 1 workers validate, encode and lay out patients while this one draws. The PDF is the same for any number. */
  jobs?: number;
  /** Replace an existing file at `outPath` that is not a binder of ours; never the store or a key (_output-guard.ts). */
  force?: boolean;
  /** Where the binder is written until complete; default: a fresh name beside `outPath` (printBinder picks it so its thread can remove it). */
  temporaryPath?: string;
  onProgress?: (progress: BinderProgress) => void;
}

export interface BinderProgress { phase: 'render'; done: number; total: number }

export interface BinderSummary {
  patients: number; pages: number; bytes: number; outPath: string;
  /** Codes printed: every patient's and the manifest's. */
  codes: number;
}

/** One part of the front matter: the title its running header and bookmark carry, and its layout, page by page. */
interface FrontSection { title: string; bookmark: boolean; layout: (onPage: (page: PageBody) => void) => void }

/**
 * Stands in for page numbers while the front matter is laid out to count its
 * pages. Digits are equally wide in these fonts, so a number this long is at
 * least as wide as any real one and the real layout is never longer.
 */
const PAGE_PLACEHOLDER = 9_999_999;
/** How often (in patients) print checks that what is left of the binder still fits the disk. */
const DISK_CHECK_EVERY = 25;

/** FORMAT §4.2: the run id is the print time's digits, so the same print time gives the same codes. */
export function runIdFor(printedAt: string): string {
  return printedAt.replace(/[^0-9]/g, '');
}

/**
 * Prints the binder: cover, restore recipe, index, schedule, then each
 * patient starting on a right-hand page, summary first and pages of codes
 * after, and last the run's manifest codes. Reads one snapshot of the store
 * and lays every patient out once: the front matter's length is known from the
 * patient list alone, so each patient is drawn and streamed out as soon as it
 * is laid out, and memory holds a few patients at a time. The front matter,
 * which prints their page numbers, is drawn last and moved to the front of the
 * PDF (_page-tree.ts). Patients are validated, encoded and laid out on worker
 * threads (patient-pool.ts); drawing stays on this one, in binder order. The
 * PDF appears under `outPath` only when complete.
 * @throws EmptyStoreError, InvalidRecordError, RecordTooLargeError, NotEnoughDiskError, OutputNotWritableError,
 * OutputIsStoreError, OutputIsKeyError, OutputExistsError
 */
export async function renderBinder(options: BinderOptions): Promise<BinderSummary> {
  const { db, template, printedAt } = options;
  capHeapGrowth();
  const output = await AtomicOutput.open(options.outPath, options);
  let pool: PatientPool | undefined;
  try {
    const summary = await readInSnapshot(db, () => renderInSnapshot(options, output));
    await output.commit();
    return { ...summary, bytes: statSync(options.outPath).size };
  } catch (e) {
    output.discard();
    throw e;
  } finally {
    await pool?.close();
  }

  async function renderInSnapshot(o: BinderOptions, out: AtomicOutput): Promise<Omit<BinderSummary, 'bytes'>> {
    // Every row is read below, scattered: the file is read through in order first (warm-store-cache.ts).
    warmStoreCache(o.storePath);
    assertHasPatients(db, o.storePath);
    const meta = readMeta(db);
    const dataAsOf = readLatestChange(db);
    const today = clinicNow(printedAt, meta.timezone ?? 'UTC').date;
    const [width, height] = PAPER[template.paper];
    const frame = pageFrame(width, height);
    const shaper = new TextShaper();
    const ctx: PatientLayoutContext & FrontMatterContext = { shaper, template, box: bodyBox(frame), today };
    const reader = new RecordReader(db);

    const patients = PatientOrder.read(db, template.locale);
    const visits = readScheduledVisits(db, today, addDays(today, template.schedule_days - 1));
    const keys = { ...(o.signingKey ? { signingKey: o.signingKey } : {}), ...(o.encryptKey ? { encryptKey: o.encryptKey } : {}) };
    const codeOptions = { runId: runIdFor(printedAt), printedAt, ...(o.maxCodes ? { maxCodes: o.maxCodes } : {}), ...keys };
    const clinicName = template.clinic.name ?? meta.clinic_name ?? 'Clinic';
    const fingerprint = o.signingKey ? fingerprintPublicKey(o.signingKey) : null;

    /** The front matter, for the binder's page count and each patient's first page. */
    const frontMatter = (totalPages: number, firstPage: (patient: number) => number): FrontSection[] => {
      const all = (pages: PageBody[]) => (onPage: (page: PageBody) => void): void => pages.forEach((p) => onPage(p));
      return [
        { title: label(template, 'binder_title'), bookmark: false, layout: all(layoutCover({
          clinicName, clinicAddress: template.clinic.address ?? meta.clinic_address ?? null,
          clinicPhone: template.clinic.phone ?? meta.clinic_phone ?? null,
          printedAt, dataAsOf, patients: patients.length, pages: totalPages, fingerprint, encrypted: o.encryptKey !== undefined,
        }, ctx)) },
        { title: label(template, 'restore_recipe'), bookmark: false, layout: all(layoutRecipe(ctx, fingerprint)) },
        { title: label(template, 'index'), bookmark: true, layout: (onPage) => layoutIndex(indexEntries(patients, firstPage), ctx, onPage) },
        { title: label(template, 'schedule'), bookmark: true, layout: (onPage) => {
          const order = new Map(patients.ids.map((id, i) => [id, i]));
          layoutSchedule(visits.map((v) => {
            const i = order.get(v.patient_id)!;
            return { startsAt: v.starts_at, name: patients.name(i), mrn: patients.mrn(i), provider: v.provider, reason: v.reason, page: firstPage(i) };
          }), today, template.schedule_days, ctx, onPage);
        } },
      ];
    };
    const counted = frontMatter(PAGE_PLACEHOLDER, () => PAGE_PLACEHOLDER);
    const frontLengths = counted.map((section) => {
      let pages = 0;
      section.layout(() => { pages++; });
      return pages;
    });
    const frontPages = frontLengths.reduce((a, b) => a + b, 0);
    assertRoomFor(o.outPath, minimumBinderBytes(patients.length));

    const doc = new PDFDocument({
      size: [width, height], margin: 0, autoFirstPage: false, compress: true,
      info: {
        Title: `${label(template, 'binder_title')} — ${meta.clinic_name ?? ''}`.trim(),
        Producer: 'paperchart', Creator: 'paperchart',
        CreationDate: new Date(printedAt),
      },
      lang: template.locale,
    } as PDFKit.PDFDocumentOptions);
    keepObjectOffsetsFlat(doc);
    registerFonts(doc, shaper.fonts);
    // Not doc.pipe(): a pipe pauses pdfkit when the file falls behind, but pdfkit
    // keeps pushing into its own buffer, which then grew with the binder (14 MB
    // held at 1,000 patients, measured). Written straight through, the only
    // buffer is the file's, and drained() waits for it.
    doc.on('data', (chunk: Uint8Array) => out.write(chunk));
    doc.on('end', () => out.end());
    const failed = once(out.stream, 'error').then(([e]) => { throw e; });
    failed.catch(() => undefined); // observed by the race at the end; never an unhandled rejection
    const asOfText = `${label(template, 'data_as_of')} ${dataAsOf ? utcMinute(dataAsOf) : '—'}`;
    const content = new PageContent(doc);
    const tree = new PageTree();
    const outline = new Outline(doc, counted.filter((section) => section.bookmark).length);
    const emit = (page: number, body: PageBody, chrome: Omit<Chrome, 'footerLeft' | 'footerRight'>): void => {
      content.flush();
      doc.addPage({ size: [width, height], margin: 0 }); // writes the previous page
      tree.take(doc);
      drawChrome(content, shaper, frame, {
        ...chrome, footerLeft: `${clinicName} — ${label(template, 'confidential')}`, footerRight: `${label(template, 'binder_page')} ${page}`,
      });
      drawOps(content, shaper, body.ops);
    };
    const frontChrome = (title: string, i: number, n: number): Omit<Chrome, 'footerLeft' | 'footerRight'> => ({
      title: clinicName, titleRight: title, detail: asOfText, detailRight: n > 1 ? label(template, 'page_of', { x: i + 1, y: n }) : '',
    });
    const drained = async (): Promise<void> => {
      if (out.stream.writableNeedDrain || out.stream.errored) await out.drained();
      else await nextTurn();
    };

    // Patients, from the page after the front matter on: each starts on a right-hand (odd) page.
    let current = frontPages;
    const startOnRightHandPage = (): void => {
      if (current % 2 === 1) emit(++current, blankPage(shaper, frame, label(template, 'blank_page')), frontChrome('', 0, 1));
    };
    const firstPages = new Int32Array(patients.length);
    const entries = new ManifestEntries(patients.ids);
    const disk = new DiskProjection(o.outPath, patients.length);
    let codes = 0;
    let done = 0;
    const workers = pool = new PatientPool({ template, box: ctx.box, today, dataAsOf, codeOptions }, shaper, o.jobs ?? 1);
    for await (const prepared of workers.prepare(patients.ids, (id) => reader.read(id))) {
      const id = patients.ids[done]!;
      if (prepared.id !== id) throw new Error(`patient ${id}: prepared ${prepared.id} in its place`);
      startOnRightHandPage();
      firstPages[done] = current + 1;
      const name = patients.name(done);
      const mrn = patients.mrn(done);
      const detail = `${label(template, 'dob')} ${patients.birthDate(done)}   ${label(template, 'mrn')} ${mrn}`;
      prepared.pages.forEach((body, i) => {
        emit(++current, body, { title: name, detail, titleRight: label(template, 'page_of', { x: i + 1, y: prepared.pages.length }), detailRight: asOfText });
        if (i === 0) outline.add(`${name} — ${label(template, 'mrn')} ${mrn}`);
      });
      entries.add(prepared.digest, prepared.codes, current - prepared.codePages + 1, prepared.codePages);
      codes += prepared.codes;
      done++;
      o.onProgress?.({ phase: 'render', done, total: patients.length });
      if (done % DISK_CHECK_EVERY === 0) disk.check(done, out.stream.bytesWritten + out.stream.writableLength);
      await drained();
    }
    // The workers' heaps are not needed for the rest: freed before the manifest and front matter are drawn.
    await workers.close();

    // The manifest lists every patient's code pages, so it follows them.
    startOnRightHandPage();
    const manifest = encodeManifest({ runId: codeOptions.runId, printedAt, clinic: meta }, entries.inIdOrder(), keys).texts;
    codes += manifest.length;
    const manifestPages = layoutCodePages(manifest, {
      heading: (first, last, total, page, pages) => label(template, 'manifest_heading', { first, last, total, page, pages }),
      caption: (i) => label(template, 'manifest_caption', { i, total: manifest.length }),
    }, shaper, ctx.box);
    for (const [i, body] of manifestPages.entries()) {
      emit(++current, body, frontChrome(label(template, 'manifest'), i, manifestPages.length));
      if (i === 0) outline.add(label(template, 'manifest'));
      // A 100,000-patient manifest is 520 pages of codes, 12 MB: written as it goes, not held until the end.
      await drained();
    }

    // Now that every page number is known, the front matter: drawn last, read first.
    const mark = tree.mark();
    let page = 0;
    frontMatter(current, (i) => firstPages[i]!).forEach((section, n) => {
      let i = 0;
      section.layout((body) => {
        emit(++page, body, frontChrome(section.title, i, frontLengths[n]!));
        if (i === 0 && section.bookmark) outline.addFront(section.title);
        i++;
      });
      if (i !== frontLengths[n]) throw new Error(`front matter section ${n}: ${i} pages with page numbers, ${frontLengths[n]} counted`);
    });
    tree.moveToFront(mark);
    content.flush();
    tree.restore(doc);
    outline.end();
    // A turn first, for pdfkit to hand over what it holds; then the file has taken all of it.
    const ended = endDocument(doc, async () => { await nextTurn(); await out.settled(); });
    ended.catch(() => undefined); // when the file fails, `failed` reports it; never an unhandled rejection
    await Promise.race([ended, failed]);
    await Promise.race([once(out.stream, 'finish'), failed]);
    return { patients: patients.length, pages: current, codes, outPath: o.outPath };
  }
}

/** The index's rows, made one at a time as the index is laid out. */
function* indexEntries(patients: PatientOrder, firstPage: (patient: number) => number): Generator<IndexEntry> {
  for (let i = 0; i < patients.length; i++) {
    yield { name: patients.name(i), birthDate: patients.birthDate(i), mrn: patients.mrn(i), page: firstPage(i) };
  }
}

function blankPage(shaper: TextShaper, frame: PageFrame, text: string): PageBody {
  const line = shaper.shape(text, 10, 'regular');
  return { ops: [{ kind: 'text', line, x: (frame.width - line.width) / 2, baseline: frame.height / 2, color: '#555555' }] };
}
