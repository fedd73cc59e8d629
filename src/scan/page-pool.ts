/**
 * Reads the codes of a PDF's pages on several threads: each opens the PDF
 * (its bytes shared, not copied) and rasterises and reads every `jobs`-th
 * page; the pages come back here in order. Rendering a 200-dpi binder page
 * and reading its codes both run on a JavaScript thread (pdfjs, zxing's
 * wasm), so one thread uses one core: two threads nearly double the pages a
 * second on two cores (measured in `npm run bench`).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { OversizedImageError, PdfPageRangeError, UnreadablePdfError } from '../errors.js';
import { rasterisePdfGrey, type GreyPage, type RasteriseOptions } from './rasterise-pdf.js';
import { readCodes } from './read-codes.js';

/** A page read: its 1-based number and the code texts found on it. */
export interface PageCodes { page: number; texts: string[] }

/** What a page thread is given (page-worker.ts). */
export interface PageWork {
  pdf: SharedArrayBuffer; pages: number[]; dpi: number; fileName: string; takeScannedImages: boolean; pageCount: number;
}
type ThreadError =
  | { kind: 'unreadable'; detail: string }
  | { kind: 'range'; page: number; pageCount: number }
  | { kind: 'oversized'; page: number; width: number; height: number; maxPixels: number }
  | { kind: 'bug'; detail: string };
/** What a page thread sends back. */
export type PageMessage = PageCodes | { refused: { page: number; width: number; height: number; maxPixels: number } } | { done: true } | { error: ThreadError };

/** The compiled page thread, beside this module in dist/ (run from the sources, the tests use dist/'s: `npm test` builds first). */
const WORKER_URL = new URL(import.meta.url.endsWith('.ts') ? '../../dist/scan/page-worker.js' : './page-worker.js', import.meta.url);

export interface PageCodesOptions extends RasteriseOptions {
  /** Threads to read on; 1 reads on this thread. */
  jobs: number;
  /** The PDF's page count, known to the caller (countPdfPages). */
  pageCount: number;
}

function errorOf(e: ThreadError, file: string): Error {
  if (e.kind === 'unreadable') return new UnreadablePdfError(file, e.detail);
  if (e.kind === 'range') return new PdfPageRangeError(file, e.page, e.pageCount);
  if (e.kind === 'oversized') return new OversizedImageError(file, e.page, e.width, e.height, e.maxPixels);
  return new Error(`a page thread failed reading ${file}: ${e.detail}`);
}

/** A PDF's page is a scan or a rendering at `dpi`: zxing's looks for inverted and much larger codes are skipped (read-codes.ts). */
export const PDF_PAGE = { scannedPage: true } as const;

/** A page's code texts; none for a page left undrawn as nothing on it could be a code. */
export async function pageTexts(p: GreyPage): Promise<string[]> {
  return p.from === 'no code' ? [] : (await readCodes(p, PDF_PAGE)).map((c) => c.text);
}

async function* onThisThread(pdf: Uint8Array, o: PageCodesOptions): AsyncGenerator<PageCodes> {
  for await (const p of rasterisePdfGrey(pdf, { ...o, skipCodeFreePages: true })) yield { page: p.page, texts: await pageTexts(p) };
}

/**
 * The code texts of each page of `pdf` (all, or `o.pages`), in page order,
 * read on `o.jobs` threads (fewer for fewer pages; this thread alone for
 * one, or when paperchart is not built). A page refused as too large goes to
 * `o.onRefused` as rasterisePdf's would.
 * @throws as rasterisePdf
 */
export async function* readPdfPageCodes(pdf: Uint8Array, o: PageCodesOptions): AsyncGenerator<PageCodes> {
  const pages = o.pages ?? Array.from({ length: o.pageCount }, (_, i) => i + 1);
  const jobs = Math.min(o.jobs, pages.length);
  if (jobs <= 1 || !existsSync(fileURLToPath(WORKER_URL))) { yield* onThisThread(pdf, o); return; }
  const file = o.fileName ?? 'the PDF';
  // Bytes already in shared memory (collect-texts reads a PDF so) are handed over as they are, not copied.
  const whole = pdf.buffer instanceof SharedArrayBuffer && pdf.byteOffset === 0 && pdf.byteLength === pdf.buffer.byteLength;
  const shared = whole ? pdf.buffer as SharedArrayBuffer : new SharedArrayBuffer(pdf.byteLength);
  if (!whole) new Uint8Array(shared).set(pdf);
  const done = new Map<number, string[]>();
  const skipped = new Set<number>();
  let failure: unknown;
  let running = jobs;
  let wake: (() => void) | undefined;
  const workers = Array.from({ length: jobs }, (_, k) => {
    const work: PageWork = { pdf: shared, pages: pages.filter((_, i) => i % jobs === k), dpi: o.dpi, fileName: file, takeScannedImages: o.takeScannedImages ?? false, pageCount: o.pageCount };
    const w = new Worker(WORKER_URL, { workerData: work });
    const settle = (): void => { const f = wake; wake = undefined; f?.(); };
    w.on('message', (m: PageMessage) => {
      if ('texts' in m) done.set(m.page, m.texts);
      else if ('refused' in m) {
        skipped.add(m.refused.page);
        try { o.onRefused ? o.onRefused(new OversizedImageError(file, m.refused.page, m.refused.width, m.refused.height, m.refused.maxPixels))
          : (failure ??= new OversizedImageError(file, m.refused.page, m.refused.width, m.refused.height, m.refused.maxPixels)); } catch (e) { failure ??= e; }
      } else if ('error' in m) failure ??= errorOf(m.error, file);
      settle();
    });
    w.on('error', (e) => { failure ??= e; settle(); });
    w.on('exit', () => { running--; settle(); });
    return w;
  });
  try {
    for (const page of pages) {
      while (!done.has(page) && !skipped.has(page)) {
        if (failure !== undefined) throw failure;
        if (running === 0) throw new Error(`a page thread stopped before page ${page} of ${file} was read`);
        await new Promise<void>((resolve) => { wake = resolve; });
      }
      if (failure !== undefined) throw failure;
      const texts = done.get(page);
      done.delete(page);
      if (texts) yield { page, texts };
    }
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
