/**
 * Renders the pages of a PDF to RGBA rasters, one page at a time, with
 * pdfjs-dist (Apache-2.0) and the @napi-rs/canvas it bundles. Only one page's
 * raster is alive at a time: each page is rendered, yielded, and cleaned up
 * before the next is started. Content is drawn on an opaque white background.
 * A page an office scanner wrote (one full-page image) can instead be taken
 * out as that image, at its own resolution (`takeScannedImages`).
 *
 * Everything pdfjs needs (standard fonts, wasm image decoders) is loaded from
 * the installed package; nothing is fetched.
 */
import { createRequire } from 'node:module';
import { inflateSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import type { PDFDocumentProxy, PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { OversizedImageError, PdfPageRangeError, UnreadablePdfError } from '../errors.js';
import { MAX_PAGE_PIXELS, pageFits } from './image-size.js';
import { scannerJpegs, scannerPageCount, type ScannerJpeg } from './_scanner-jpeg.js';
import { decodeImage, decodeImageGrey } from './decode-image.js';
import { greyOf, greyOfRgba, type GreyImage, type RgbaImage } from './raster.js';

/** A PDF page as a raster (alpha 255). */
export interface RasterPage extends RgbaImage {
  /** 1-based page number in the PDF. */
  page: number;
  /** "image": the page's one full-page image, taken out at its own resolution (a JPEG finer than 250 dpi at 200); "render": drawn at `dpi`. */
  from: 'image' | 'render';
}

/** What a page was made from; "no code": not drawn, 0 × 0, as nothing on it could be a code (`skipCodeFreePages`). */
type From = 'image' | 'render' | 'no code';

/** A PDF page as grey levels (rasterisePdfGrey), as RasterPage otherwise. */
export interface GreyPage extends GreyImage {
  page: number;
  from: From;
}

/** Which pixels a page is yielded as. */
type Form = 'rgba' | 'grey';
type Pixels = RgbaImage | GreyImage;
type Page = Pixels & { page: number; from: From };

export interface RasteriseOptions {
  /** Output resolution in pixels per inch (a PDF point is 1/72 inch). */
  dpi: number;
  /** 1-based page numbers to render, in the order given; all pages when absent. */
  pages?: number[];
  /** Name of the file in error messages; defaults to "the PDF". */
  fileName?: string;
  /**
   * Take a page that is one full-page image (what an office scanner writes)
   * as that image, at its own resolution, rather than render it; other pages
   * are rendered at `dpi`. Off by default: `verify` wants a simulated scan.
   */
  takeScannedImages?: boolean;
  /**
   * The PDF's page count, when the caller has counted them (countPdfPages, which also checks the file): with
   * takeScannedImages, pdfjs then opens the file only for a page that is not one plain JPEG.
   */
  pageCount?: number;
  /**
   * Yield a page whose drawing holds nothing that could be a 2-D code (_code-free-page.ts) undrawn, 0 × 0, "no code"
   * (rasterisePdfGrey only; off by default: `verify` wants every page as scanned).
   */
  skipCodeFreePages?: boolean;
  /**
   * Called for a page larger than MAX_PAGE_PIXELS at `dpi`, which is then
   * skipped undrawn; without it such a page throws OversizedImageError.
   */
  onRefused?: (e: OversizedImageError) => void;
}

/** A canvas as made by pdfjs' own canvas factory (its bundled @napi-rs/canvas). */
interface CanvasEntry {
  canvas: { width: number; height: number; data?: () => Uint8Array };
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

// pdfjs is loaded when a PDF is first opened: 0.3 s of CPU on each thread (measured), spent for nothing on an office
// scanner's PDF, whose plain JPEG pages are counted and read without it.
let pdfjs: Promise<typeof import('pdfjs-dist/legacy/build/pdf.mjs')> | undefined;
const loadPdfjs = (): Promise<typeof import('pdfjs-dist/legacy/build/pdf.mjs')> => (pdfjs ??= import('pdfjs-dist/legacy/build/pdf.mjs'));
const takePageImage = async (page: PDFPageProxy): Promise<RgbaImage | undefined> => (await import('./_page-image.js')).takePageImage(page);
const mayHoldCode = async (page: PDFPageProxy): Promise<boolean> => (await import('./_code-free-page.js')).mayHoldCode(page);

/** A cheap structural check: pdfjs silently repairs truncated files, so a cut-off download would scan as "no codes". */
function checkEnvelope(pdf: Uint8Array, file: string): void {
  const head = Buffer.from(pdf.subarray(0, 1024)).toString('latin1');
  if (!head.includes('%PDF-')) throw new UnreadablePdfError(file, 'no %PDF- header');
  const tail = Buffer.from(pdf.subarray(Math.max(0, pdf.length - 1024))).toString('latin1');
  if (!tail.includes('%%EOF')) throw new UnreadablePdfError(file, 'truncated: no %%EOF end marker');
}

/**
 * Bytes one PDF stream may inflate to: RGBA at MAX_PAGE_PIXELS, more than any
 * page's image or content needs. pdfjs keeps a stream's whole decoded data, in
 * a buffer it doubles as it grows: a 1 MB PDF whose stream inflated to 1 GiB
 * took 2.2 GB (measured).
 */
const MAX_STREAM_BYTES = 4 * MAX_PAGE_PIXELS;

/**
 * Inflates each zlib stream of the file (discarding the output) and refuses
 * the file when one would exceed MAX_STREAM_BYTES. Streams are found by their
 * keywords, as pdfjs finds them in a damaged file; any that do not inflate
 * are pdfjs' to judge.
 */
function checkStreamSizes(pdf: Uint8Array, file: string): void {
  const b = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength);
  for (let at = b.indexOf('stream'); at !== -1; at = b.indexOf('stream', at + 6)) {
    if (at >= 3 && b.toString('latin1', at - 3, at) === 'end') continue;
    let start = at + 6;
    if (b[start] === 0x0d) start++;
    if (b[start] !== 0x0a) continue;
    start++;
    // A zlib header: deflate method, and the check bits make the first two bytes a multiple of 31.
    if ((b[start]! & 0x0f) !== 8 || ((b[start]! << 8) | b[start + 1]!) % 31 !== 0) continue;
    const end = b.indexOf('endstream', start);
    try {
      inflateSync(b.subarray(start, end === -1 ? b.length : end), { maxOutputLength: MAX_STREAM_BYTES });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new UnreadablePdfError(file, `the stream at byte ${at} inflates to more than ${MAX_STREAM_BYTES / 2 ** 20 | 0} MiB, more than any page needs`);
      }
    }
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}

/** Opens a PDF with pdfjs, everything it needs loaded from the installed package. */
async function openPdf(pdf: Uint8Array, file: string): Promise<PDFDocumentProxy> {
  checkEnvelope(pdf, file);
  checkStreamSizes(pdf, file);
  const { getDocument } = await loadPdfjs();
  const task = getDocument({
    data: new Uint8Array(pdf), // pdfjs may detach the buffer it is given; keep the caller's intact
    ...packageDirs(),
    useSystemFonts: false,
    disableFontFace: true,
    isEvalSupported: false,
    // Decoded images as bytes in page.objs (takePageImage reads them), never as ImageBitmaps.
    isOffscreenCanvasSupported: false,
    // An image of more pixels is left out of the page rather than decoded (pdfjs' own bound).
    maxImageSize: MAX_PAGE_PIXELS,
    canvasMaxAreaInBytes: 4 * MAX_PAGE_PIXELS,
    verbosity: 0,
  });
  try {
    return await task.promise;
  } catch (err) {
    await task.destroy();
    throw new UnreadablePdfError(file, describe(err));
  }
}

/**
 * The number of pages of `pdf`, without drawing any: lets a caller check
 * every input and know the total before a long scan starts.
 * @throws UnreadablePdfError
 */
export async function countPdfPages(pdf: Uint8Array, fileName = 'the PDF'): Promise<number> {
  checkEnvelope(pdf, fileName);
  // An office scanner's PDF, all plain JPEG pages, is counted by its page tree: pdfjs opens it only to draw a page.
  const scanned = scannerPageCount(pdf);
  if (scanned !== undefined) return scanned;
  const doc = await openPdf(pdf, fileName);
  try { return doc.numPages; } finally { await doc.destroy(); }
}

/**
 * One canvas for all the pages of a document, made again only when a page's size differs: a new
 * native canvas a page grew the process 240–330 KB a page even destroyed (it is freed only when V8
 * collects its small wrapper), one reused stayed flat at about 200 MB over 3,000 pages (measured).
 */
class PageCanvas {
  private entry: CanvasEntry | undefined;
  constructor(private readonly factory: CanvasFactory) {}
  get(width: number, height: number): CanvasEntry {
    if (this.entry && this.entry.canvas.width === width && this.entry.canvas.height === height) return this.entry;
    this.free();
    return (this.entry = this.factory.create(width, height));
  }
  free(): void {
    if (this.entry) this.factory.destroy(this.entry);
    this.entry = undefined;
  }
}

/** Draws one page on a white canvas (the document's, see PageCanvas) and copies the pixels out. */
async function renderPage(page: PDFPageProxy, n: number, scale: number, canvas: PageCanvas, file: string, form: Form): Promise<Pixels> {
  const viewport = page.getViewport({ scale });
  const width = Math.ceil(viewport.width);
  const height = Math.ceil(viewport.height);
  const entry = canvas.get(width, height);
  try {
    // pdfjs paints the background over the whole canvas first, so nothing of the last page shows through.
    await page.render({
      canvas: null,
      canvasContext: entry.context as never,
      viewport,
      intent: 'print',
      background: 'rgb(255,255,255)',
    }).promise;
  } catch (err) {
    canvas.free(); // its drawing state is unknown now
    throw new UnreadablePdfError(file, `page ${n}: ${describe(err)}`);
  }
  // Copied out as the canvas' raw pixels, not getImageData: the ImageData's native buffer is invisible to
  // V8's collector, and 100,000 blank pages grew 15 MB each (measured). The page is opaque (white
  // background), so the canvas' premultiplied RGBA is plain RGBA.
  const raw = entry.canvas.data?.();
  const pixels = raw !== undefined && raw.length === width * height * 4 ? raw : entry.context.getImageData(0, 0, width, height).data;
  // Grey levels straight from the canvas' pixels: 3.7 MB a 200-dpi page rather than a 15 MB copy, and less collecting.
  return form === 'grey' ? { width, height, grey: greyOfRgba(pixels, width * height) } : { width, height, rgba: new Uint8ClampedArray(pixels) };
}

/** mayHoldCode, its failures (a page whose content pdfjs cannot read) as rendering's. */
async function codeMayBeOn(page: PDFPageProxy, n: number, file: string): Promise<boolean> {
  try { return await mayHoldCode(page); } catch (err) { throw new UnreadablePdfError(file, `page ${n}: ${describe(err)}`); }
}

/**
 * Yields the pages of `pdf` (all, or `options.pages`) as RGBA rasters.
 * @throws RangeError for a dpi outside (0, 1200]; UnreadablePdfError for a
 *   damaged or truncated PDF or a page that does not draw; PdfPageRangeError
 */
export function rasterisePdf(pdf: Uint8Array, options: RasteriseOptions): AsyncGenerator<RasterPage> {
  return pagesOf(pdf, options, 'rgba') as AsyncGenerator<RasterPage>;
}

/**
 * rasterisePdf's pages as grey levels, what readCodes reads: a quarter of the bytes, and a scanner's JPEG
 * taken to grey without an RGBA copy.
 * @throws as rasterisePdf
 */
export function rasterisePdfGrey(pdf: Uint8Array, options: RasteriseOptions): AsyncGenerator<GreyPage> {
  return pagesOf(pdf, options, 'grey') as AsyncGenerator<GreyPage>;
}

async function* pagesOf(pdf: Uint8Array, options: RasteriseOptions, form: Form): AsyncGenerator<Page> {
  const file = options.fileName ?? 'the PDF';
  if (!(Number.isFinite(options.dpi) && options.dpi > 0 && options.dpi <= 1200)) {
    throw new RangeError(`dpi must be in (0, 1200], got ${options.dpi}`);
  }
  // Counted already, an office scanner's PDF is opened in pdfjs only at its first page that is not one plain JPEG:
  // each page thread copied and parsed the whole file (118 MB for the 163-page 300-dpi bench scan) to use none of it.
  let doc = options.pageCount !== undefined && options.takeScannedImages ? undefined : await openPdf(pdf, file);
  const pageCount = doc?.numPages ?? options.pageCount!;
  let canvas: PageCanvas | undefined;
  try {
    const pages = options.pages ?? Array.from({ length: pageCount }, (_, i) => i + 1);
    for (const n of pages) {
      if (!Number.isInteger(n) || n < 1 || n > pageCount) throw new PdfPageRangeError(file, n, pageCount);
    }
    const scale = options.dpi / 72;
    const jpegs = options.takeScannedImages ? new ScannedPages(pdf, pageCount, file, form, options.onRefused) : undefined;
    for (const [i, n] of pages.entries()) {
      const scanned = jpegs?.take(n, pages[i + 1]);
      if (scanned === 'refused') continue;
      const image = scanned && await scanned;
      if (image) { yield { page: n, ...image, from: 'image' }; continue; }
      let raster: Page;
      let page;
      doc ??= await openPdf(pdf, file);
      canvas ??= new PageCanvas(doc.canvasFactory as unknown as CanvasFactory);
      try {
        page = await doc.getPage(n);
      } catch (err) {
        throw new UnreadablePdfError(file, `page ${n}: ${describe(err)}`);
      }
      try {
        const viewport = page.getViewport({ scale });
        if (!pageFits(file, n, Math.ceil(viewport.width), Math.ceil(viewport.height), options.onRefused)) continue;
        let image;
        if (options.takeScannedImages) {
          try {
            image = await takePageImage(page);
          } catch (err) {
            throw new UnreadablePdfError(file, `page ${n}: ${describe(err)}`);
          }
        }
        if (!image && options.skipCodeFreePages && form === 'grey' && !(await codeMayBeOn(page, n, file))) {
          raster = { page: n, width: 0, height: 0, grey: new Uint8Array(0), from: 'no code' };
        } else {
          const pixels = image ? (form === 'grey' ? greyOf(image) : image) : await renderPage(page, n, scale, canvas, file, form);
          raster = { page: n, ...pixels, from: image ? 'image' : 'render' };
        }
      } finally {
        page.cleanup();
      }
      yield raster;
    }
  } finally {
    canvas?.free();
    await doc?.destroy();
  }
}

/**
 * A scanned page finer than MAX_READ_DPI is read at READ_DPI: the binder's
 * codes have 3.9 pixels a module at 200 dpi, which read as well as 5.9, and
 * reading a 300-dpi page took 124 ms of zxing's time a page against 40 ms
 * once made 200 dpi by sharp (the same codes found; measured under load).
 */
const MAX_READ_DPI = 250, READ_DPI = 200;

/**
 * The pages of an office scanner's PDF that are one plain JPEG, decoded by
 * sharp (decode-image.ts) rather than pdfjs; the next such page is decoded
 * while the caller reads this one's codes.
 */
class ScannedPages {
  private readonly find: ((page: number) => ScannerJpeg | undefined) | undefined;
  private ahead: { page: number; image: Promise<Pixels | undefined> } | undefined;
  constructor(pdf: Uint8Array, pageCount: number, private readonly file: string, private readonly form: Form,
    private readonly onRefused?: (e: OversizedImageError) => void) {
    this.find = scannerJpegs(pdf, pageCount);
  }

  private decode(page: number): Promise<Pixels | undefined> | 'refused' | undefined {
    const j = this.find?.(page);
    if (!j) return undefined;
    if (!pageFits(this.file, page, j.width, j.height, this.onRefused)) return 'refused';
    // A JPEG sharp cannot read is left to pdfjs, which may be more lenient.
    const scale = j.dpi > MAX_READ_DPI ? READ_DPI / j.dpi : 1;
    return (this.form === 'grey' ? decodeImageGrey(j.jpeg, scale) : decodeImage(j.jpeg, scale)).catch(() => undefined);
  }

  /** Page `page`'s image (undefined: render it; "refused": too large, skip it), `next` decoding meanwhile. */
  take(page: number, next: number | undefined): Promise<Pixels | undefined> | 'refused' | undefined {
    const mine = this.ahead?.page === page ? this.ahead.image : this.decode(page);
    this.ahead = undefined;
    if (next !== undefined && mine !== undefined && mine !== 'refused') {
      const image = this.decode(next);
      if (image !== undefined && image !== 'refused') this.ahead = { page: next, image };
    }
    return mine;
  }
}
