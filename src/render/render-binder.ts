import PDFDocument from 'pdfkit';
import type { KeyObject } from 'node:crypto';
import { once } from 'node:events';
import { statSync } from 'node:fs';
import type { Db } from '../store/open-store.js';
import { assertHasPatients } from '../store/open-store.js';
import {
  readLatestChange, readMeta, readPatientSummaries, readScheduledVisits, RecordReader, type PatientSummary,
} from '../store/read-records.js';
import type { PatientRecord } from '../record/record.js';
import { encodeManifest, type ManifestEntry } from '../codec/manifest.js';
import { fingerprintPublicKey } from '../codec/keys.js';
import { codesPerPage, layoutCodePages } from './code-pages.js';
import type { PatientLayoutContext } from './patient-layout.js';
import { PatientPool } from './patient-pool.js';
import { layoutCover, layoutIndex, layoutRecipe, layoutSchedule, type FrontMatterContext, type IndexEntry, type ScheduleEntry } from './front-matter.js';
import { bodyBox, drawChrome, drawOps, pageFrame, type Chrome, type PageFrame } from './draw-page.js';
import type { PageBody } from './flow.js';
import { TextShaper } from './shape-text.js';
import { registerFonts } from './font-set.js';
import { label, PAPER, type Template } from './template.js';
import { addDays, clinicNow, displayName, utcMinute } from './_format.js';
import { AtomicOutput } from './_atomic-output.js';
import { assertRoomFor, estimateBinderBytes } from './disk-space.js';

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
  /** Threads that validate, encode and lay out patients (1: this thread only). The PDF is the same for any number. */
  jobs?: number;
  onProgress?: (progress: BinderProgress) => void;
}

export interface BinderProgress { phase: 'layout' | 'render'; done: number; total: number }

export interface BinderSummary {
  patients: number; pages: number; bytes: number; outPath: string;
  /** Codes printed: every patient's and the manifest's. */
  codes: number;
}

interface PlannedPatient {
  summary: PatientSummary; name: string; firstPage: number;
  /** Pages of the human-readable summary, then pages of codes. */
  summaryPages: number; codePages: number; codes: number; digest: string;
}

/** FORMAT §4.2: the run id is the print time's digits, so the same print time gives the same codes. */
export function runIdFor(printedAt: string): string {
  return printedAt.replace(/[^0-9]/g, '');
}

/**
 * Prints the binder: cover, restore recipe, index, schedule, the run's
 * manifest codes, then each patient starting on a right-hand page, summary
 * first and pages of codes after. Reads one snapshot of the store,
 * lays every patient out once to count pages (so the index and "page x of y"
 * are right), then lays out and draws again while streaming the PDF, so
 * memory holds a few patients at a time. Patients are validated, encoded and
 * laid out on `jobs` threads (patient-pool.ts); drawing stays on this one, in
 * binder order. The PDF appears under `outPath` only when complete.
 * @throws EmptyStoreError, InvalidRecordError, RecordTooLargeError, NotEnoughDiskError, OutputNotWritableError
 */
export async function renderBinder(options: BinderOptions): Promise<BinderSummary> {
  const { db, template, printedAt } = options;
  const output = await AtomicOutput.open(options.outPath);
  let pool: PatientPool | undefined;
  db.exec('BEGIN DEFERRED');
  try {
    const summary = await renderInSnapshot(options, output);
    await output.commit();
    return { ...summary, bytes: statSync(options.outPath).size };
  } catch (e) {
    output.discard();
    throw e;
  } finally {
    db.exec('COMMIT');
    await pool?.close();
  }

  async function renderInSnapshot(o: BinderOptions, out: AtomicOutput): Promise<Omit<BinderSummary, 'bytes'>> {
    assertHasPatients(db, o.storePath);
    const meta = readMeta(db);
    const dataAsOf = readLatestChange(db);
    const today = clinicNow(printedAt, meta.timezone ?? 'UTC').date;
    const [width, height] = PAPER[template.paper];
    const frame = pageFrame(width, height);
    const shaper = new TextShaper();
    const ctx: PatientLayoutContext & FrontMatterContext = { shaper, template, box: bodyBox(frame), today };
    const reader = new RecordReader(db);

    // Pass 1: order, validate and count pages.
    const collator = new Intl.Collator(template.locale, { sensitivity: 'base', numeric: true });
    const summaries = readPatientSummaries(db).sort((a, b) =>
      collator.compare(a.family_name, b.family_name) || collator.compare(a.given_names, b.given_names)
      || (a.birth_date < b.birth_date ? -1 : a.birth_date > b.birth_date ? 1 : 0) || (a.id < b.id ? -1 : 1));
    const keys = { ...(o.signingKey ? { signingKey: o.signingKey } : {}), ...(o.encryptKey ? { encryptKey: o.encryptKey } : {}) };
    const codeOptions = { runId: runIdFor(printedAt), printedAt, ...(o.maxCodes ? { maxCodes: o.maxCodes } : {}), ...keys };
    const { columns, rows } = codesPerPage(ctx.box);
    const perPage = columns * rows;
    const patients = pool = new PatientPool({ template, box: ctx.box, today, dataAsOf, codeOptions }, shaper, o.jobs ?? 1);
    function* records(): Generator<PatientRecord> {
      for (const s of summaries) yield reader.read(s.id);
    }
    const planned: PlannedPatient[] = [];
    for await (const p of patients.prepare(records(), false)) {
      const s = summaries[planned.length]!;
      planned.push({ summary: s, name: displayName(s), firstPage: 0, summaryPages: p.summaryPages, codePages: p.codePages, codes: p.codes, digest: p.digest });
      o.onProgress?.({ phase: 'layout', done: planned.length, total: summaries.length });
      if (planned.length % 20 === 0) await nextTurn();
    }

    // Front matter lengths do not depend on the page numbers they print, so lay out once to count, again to fill in.
    const visits = readScheduledVisits(db, today, addDays(today, template.schedule_days - 1));
    const byId = new Map(planned.map((p) => [p.summary.id, p]));
    const indexEntries = (): IndexEntry[] => planned.map((p) => ({ name: p.name, birthDate: p.summary.birth_date, mrn: p.summary.mrn, page: p.firstPage }));
    const scheduleEntries = (): ScheduleEntry[] => visits.map((v) => {
      const p = byId.get(v.patient_id)!;
      return { startsAt: v.starts_at, name: p.name, mrn: p.summary.mrn, provider: v.provider, reason: v.reason, page: p.firstPage };
    });
    const indexPages = layoutIndex(indexEntries(), ctx).length;
    const schedulePages = layoutSchedule(scheduleEntries(), today, template.schedule_days, ctx).length;
    const manifestOf = (): string[] => encodeManifest({
      runId: codeOptions.runId, printedAt, clinic: meta,
      patients: planned.map((p): ManifestEntry => ({
        id: p.summary.id, digest: p.digest, codes: p.codes,
        pages: Array.from({ length: p.codePages }, (_, i) => p.firstPage + p.summaryPages + i),
      })),
    }, keys).texts;
    const manifestWords = (texts: number) => ({
      heading: (first: number, last: number, total: number, page: number, pages: number) =>
        label(template, 'manifest_heading', { first, last, total, page, pages }),
      caption: (i: number) => label(template, 'manifest_caption', { i, total: texts }),
    });
    // The manifest lists the binder pages of every patient's codes, and its own
    // length moves those pages: plan until its page count stops changing. More
    // manifest pages never make the manifest shorter, so from 1 this only climbs.
    const plan = (manifestPages: number): number => {
      let page = 2 + indexPages + schedulePages + manifestPages; // cover, recipe, index, schedule, manifest
      for (const p of planned) {
        page += page % 2 === 1 ? 1 : 0; // start on a right-hand (odd) page: pad after an odd last page
        p.firstPage = page + 1;
        page += p.summaryPages + p.codePages;
      }
      return page;
    };
    let manifestPages = 1;
    let totalPages = plan(manifestPages);
    let manifest = manifestOf();
    while (Math.ceil(manifest.length / perPage) !== manifestPages) {
      manifestPages = Math.ceil(manifest.length / perPage);
      totalPages = plan(manifestPages);
      manifest = manifestOf();
    }

    const codes = manifest.length + planned.reduce((sum, p) => sum + p.codes, 0);
    assertRoomFor(o.outPath, estimateBinderBytes(totalPages, codes));

    const doc = new PDFDocument({
      size: [width, height], margin: 0, autoFirstPage: false, compress: true,
      info: {
        Title: `${label(template, 'binder_title')} — ${meta.clinic_name ?? ''}`.trim(),
        Producer: 'paperchart', Creator: 'paperchart',
        CreationDate: new Date(printedAt),
      },
      lang: template.locale,
    } as PDFKit.PDFDocumentOptions);
    registerFonts(doc, shaper.fonts);
    doc.pipe(out.stream);
    const failed = once(out.stream, 'error').then(([e]) => { throw e; });
    failed.catch(() => undefined); // observed by the races below; never an unhandled rejection
    let current = 0;
    const clinicName = template.clinic.name ?? meta.clinic_name ?? 'Clinic';
    const fingerprint = o.signingKey ? fingerprintPublicKey(o.signingKey) : null;
    const footer = (): Pick<Chrome, 'footerLeft' | 'footerRight'> => ({
      footerLeft: `${clinicName} — ${label(template, 'confidential')}`,
      footerRight: `${label(template, 'binder_page')} ${current}`,
    });
    const asOfText = `${label(template, 'data_as_of')} ${dataAsOf ? utcMinute(dataAsOf) : '—'}`;
    const emit = (body: PageBody, chrome: Omit<Chrome, 'footerLeft' | 'footerRight'>): void => {
      doc.addPage({ size: [width, height], margin: 0 });
      current++;
      drawChrome(doc, shaper, frame, { ...chrome, ...footer() });
      drawOps(doc, shaper, body.ops);
    };
    const frontChrome = (title: string, i: number, n: number): Omit<Chrome, 'footerLeft' | 'footerRight'> => ({
      title: clinicName, titleRight: title, detail: asOfText, detailRight: n > 1 ? label(template, 'page_of', { x: i + 1, y: n }) : '',
    });
    const emitAll = (pages: PageBody[], title: string): void => pages.forEach((b, i) => emit(b, frontChrome(title, i, pages.length)));
    const drained = async (): Promise<void> => {
      if (out.stream.writableNeedDrain) await Promise.race([once(out.stream, 'drain'), failed]);
      else await nextTurn();
    };

    emitAll(layoutCover({
      clinicName, clinicAddress: template.clinic.address ?? meta.clinic_address ?? null,
      clinicPhone: template.clinic.phone ?? meta.clinic_phone ?? null,
      printedAt, dataAsOf, patients: planned.length, pages: totalPages, fingerprint, encrypted: o.encryptKey !== undefined,
    }, ctx), label(template, 'binder_title'));
    emitAll(layoutRecipe(ctx, fingerprint), label(template, 'restore_recipe'));
    doc.outline.addItem(label(template, 'index'));
    emitAll(layoutIndex(indexEntries(), ctx), label(template, 'index'));
    doc.outline.addItem(label(template, 'schedule'));
    emitAll(layoutSchedule(scheduleEntries(), today, template.schedule_days, ctx), label(template, 'schedule'));
    doc.outline.addItem(label(template, 'manifest'));
    emitAll(layoutCodePages(manifest, manifestWords(manifest.length), shaper, ctx.box), label(template, 'manifest'));

    let done = 0;
    for await (const prepared of patients.prepare(records(), true)) {
      const p = planned[done]!;
      while (current + 1 < p.firstPage) emit(blankPage(shaper, frame, label(template, 'blank_page')), frontChrome('', 0, 1));
      const pages = prepared.pages!;
      if (pages.length !== p.summaryPages + p.codePages) throw new Error(`patient ${p.summary.id} (prepared ${prepared.id}): layout gave ${pages.length} pages, planned ${p.summaryPages + p.codePages}`);
      const detail = `${label(template, 'dob')} ${p.summary.birth_date}   ${label(template, 'mrn')} ${p.summary.mrn}`;
      pages.forEach((body, i) => {
        emit(body, { title: p.name, detail, titleRight: label(template, 'page_of', { x: i + 1, y: pages.length }), detailRight: asOfText });
        if (i === 0) doc.outline.addItem(`${p.name} — ${label(template, 'mrn')} ${p.summary.mrn}`);
      });
      done++;
      o.onProgress?.({ phase: 'render', done, total: planned.length });
      await drained();
    }
    doc.end();
    await Promise.race([once(out.stream, 'finish'), failed]);
    return { patients: planned.length, pages: current, codes, outPath: o.outPath };
  }
}

/** Lets signals (Ctrl-C) and I/O run between patients; rendering is otherwise synchronous. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function blankPage(shaper: TextShaper, frame: PageFrame, text: string): PageBody {
  const line = shaper.shape(text, 10, 'regular');
  return { ops: [{ kind: 'text', line, x: (frame.width - line.width) / 2, baseline: frame.height / 2, color: '#555555' }] };
}
