// A thread of the page pool (page-pool.ts): rasterises its share of a PDF's pages and reads their codes.
import { parentPort, workerData } from 'node:worker_threads';
import { OversizedImageError, PdfPageRangeError, UnreadablePdfError } from '../errors.js';
import { rasterisePdfGrey } from './rasterise-pdf.js';
import { pageTexts, type PageMessage, type PageWork } from './page-pool.js';

const work = workerData as PageWork;
const post = (m: PageMessage): void => parentPort!.postMessage(m);

try {
  const pdf = new Uint8Array(work.pdf); // a view of the shared bytes: pdfjs copies what it keeps
  const pages = rasterisePdfGrey(pdf, {
    dpi: work.dpi, pages: work.pages, skipCodeFreePages: true, fileName: work.fileName, takeScannedImages: work.takeScannedImages, pageCount: work.pageCount,
    onRefused: (e) => post({ refused: { page: e.page ?? 0, width: e.width, height: e.height, maxPixels: e.maxPixels } }),
  });
  for await (const p of pages) post({ page: p.page, texts: await pageTexts(p) });
  post({ done: true });
} catch (e) {
  const error = e instanceof UnreadablePdfError ? { kind: 'unreadable' as const, detail: e.detail }
    : e instanceof PdfPageRangeError ? { kind: 'range' as const, page: e.page, pageCount: e.pageCount }
    : e instanceof OversizedImageError ? { kind: 'oversized' as const, page: e.page ?? 0, width: e.width, height: e.height, maxPixels: e.maxPixels }
    : { kind: 'bug' as const, detail: e instanceof Error ? e.stack ?? e.message : String(e) };
  post({ error });
}
