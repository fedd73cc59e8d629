/**
 * Renders the pages of a PDF to RGBA rasters, one page at a time, with
 * pdfjs-dist (Apache-2.0) and the @napi-rs/canvas it bundles. Only one page's
 * raster is alive at a time: each page is rendered, yielded, and cleaned up
 * before the next is started. Content is drawn on an opaque white background.
 *
 * Everything pdfjs needs (standard fonts, wasm image decoders) is loaded from
 * the installed package; nothing is fetched.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { getDocument, type PDFDocumentProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { PdfPageRangeError, UnreadablePdfError } from './scan-errors.js';

export interface RasterPage {
  /** 1-based page number in the PDF. */
  page: number;
  width: number;
  height: number;
  /** width × height × 4 bytes, row-major RGBA, alpha 255. */
  rgba: Uint8ClampedArray;
}

export interface RasteriseOptions {
  /** Output resolution in pixels per inch (a PDF point is 1/72 inch). */
  dpi: number;
  /** 1-based page numbers to render, in the order given; all pages when absent. */
  pages?: number[];
  /** Name of the file in error messages; defaults to "the PDF". */
  fileName?: string;
}

/** A canvas as made by pdfjs' own canvas factory (its bundled @napi-rs/canvas). */
interface CanvasEntry {
  canvas: { width: number; height: number };
  context: {
    getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
  };
}
interface CanvasFactory {
  create(width: number, height: number): CanvasEntry;
  destroy(entry: CanvasEntry): void;
}

let pdfjsDirs: { standardFontDataUrl: string; wasmUrl: string; cMapUrl: string } | undefined;
function packageDirs(): { standardFontDataUrl: string; wasmUrl: string; cMapUrl: string } {
  if (pdfjsDirs === undefined) {
    // .../pdfjs-dist/legacy/build/pdf.mjs -> .../pdfjs-dist
    const root = dirname(dirname(dirname(createRequire(import.meta.url).resolve('pdfjs-dist/legacy/build/pdf.mjs'))));
    pdfjsDirs = {
      standardFontDataUrl: join(root, 'standard_fonts') + '/',
      wasmUrl: join(root, 'wasm') + '/',
      cMapUrl: join(root, 'cmaps') + '/',
    };
  }
  return pdfjsDirs;
}

/** A cheap structural check: pdfjs silently repairs truncated files, so a cut-off download would scan as "no codes". */
function checkEnvelope(pdf: Uint8Array, file: string): void {
  const head = Buffer.from(pdf.subarray(0, 1024)).toString('latin1');
  if (!head.includes('%PDF-')) throw new UnreadablePdfError(file, 'no %PDF- header');
  const tail = Buffer.from(pdf.subarray(Math.max(0, pdf.length - 1024))).toString('latin1');
  if (!tail.includes('%%EOF')) throw new UnreadablePdfError(file, 'truncated: no %%EOF end marker');
}

function describe(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}

export async function* rasterisePdf(pdf: Uint8Array, options: RasteriseOptions): AsyncGenerator<RasterPage> {
  const file = options.fileName ?? 'the PDF';
  if (!(Number.isFinite(options.dpi) && options.dpi > 0 && options.dpi <= 1200)) {
    throw new RangeError(`dpi must be in (0, 1200], got ${options.dpi}`);
  }
  checkEnvelope(pdf, file);

  const task = getDocument({
    data: new Uint8Array(pdf), // pdfjs may detach the buffer it is given; keep the caller's intact
    ...packageDirs(),
    useSystemFonts: false,
    disableFontFace: true,
    isEvalSupported: false,
    verbosity: 0,
  });
  let doc: PDFDocumentProxy;
  try {
    doc = await task.promise;
  } catch (err) {
    await task.destroy();
    throw new UnreadablePdfError(file, describe(err));
  }
  try {
    const pages = options.pages ?? Array.from({ length: doc.numPages }, (_, i) => i + 1);
    for (const n of pages) {
      if (!Number.isInteger(n) || n < 1 || n > doc.numPages) throw new PdfPageRangeError(file, n, doc.numPages);
    }
    const factory = doc.canvasFactory as unknown as CanvasFactory;
    const scale = options.dpi / 72;
    for (const n of pages) {
      let raster: RasterPage;
      let page;
      try {
        page = await doc.getPage(n);
      } catch (err) {
        throw new UnreadablePdfError(file, `page ${n}: ${describe(err)}`);
      }
      try {
        const viewport = page.getViewport({ scale });
        const width = Math.ceil(viewport.width);
        const height = Math.ceil(viewport.height);
        const entry = factory.create(width, height);
        try {
          try {
            await page.render({
              canvas: null,
              canvasContext: entry.context as never,
              viewport,
              intent: 'print',
              background: 'rgb(255,255,255)',
            }).promise;
          } catch (err) {
            throw new UnreadablePdfError(file, `page ${n}: ${describe(err)}`);
          }
          // Copy out of the native canvas so it can be freed now.
          raster = { page: n, width, height, rgba: new Uint8ClampedArray(entry.context.getImageData(0, 0, width, height).data) };
        } finally {
          factory.destroy(entry);
        }
      } finally {
        page.cleanup();
      }
      yield raster;
    }
  } finally {
    await doc.destroy();
  }
}
