// Gathers code texts from what a clinic has after an outage: scanned PDFs,
// PNG, JPEG and TIFF images, folders of them, text files of scanner output,
// or standard input.
import { closeSync, createReadStream, openSync, readFileSync, readSync, readdirSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { QR_ALPHANUMERIC_MAX } from '../codec/alphanumeric.js';
import { decodeFrame } from '../codec/frame.js';
import { PaperchartError, fileProblem } from '../errors.js';
import { countTiffPages, decodeTiff } from '../scan/decode-tiff.js';
import { checkPagePixels, declaredImageSize } from '../scan/image-size.js';
import { countPdfPages } from '../scan/rasterise-pdf.js';
import { readPdfPageCodes } from '../scan/page-pool.js';
import { readCodes, type RgbaImage } from '../scan/read-codes.js';
import { decodeImage, imageHeaderSize } from '../scan/decode-image.js';
import { decodePnm, pnmHeader } from '../scan/decode-pnm.js';
import { DECODER_CODE_PREFIX } from '../codec/record-codec.js';
import { EmptyInputError, UnknownInputError } from '../errors.js';

/** The binder's decoder program (FORMAT §15) is printed as codes too; restore has no use for them. */
const isDecoderCode = (text: string): boolean => text.startsWith(DECODER_CODE_PREFIX);
const withoutDecoderCodes = <C extends { text: string }>(codes: readonly C[]): C[] => codes.filter((c) => !isDecoderCode(c.text));

/** One code text and where it was read. */
export interface CollectedText {
  text: string;
  /** The input file, or "-" for standard input. */
  source: string;
  /** 1-based page of a PDF or multi-page TIFF input. */
  page?: number;
}

/** Pages and images read so far, of all the inputs hold (text inputs count for nothing). */
export interface ReadCount { done: number; total: number }

/** What the inputs held that is not a code: counted, never kept, so memory follows the codes alone. */
export interface SkippedInputs {
  /** Text lines that are not paperchart codes, or whose check value fails. */
  lines: number;
  /** Of those, lines longer than any QR code holds (MAX_CODE_TEXT characters). */
  overlong: number;
  /** Pages and images refused unread (too many pixels), each with its one-line reason; the first 100. */
  refused: PaperchartError[];
  /** How many pages and images were refused in all. */
  refusedCount: number;
}

export interface CollectOptions {
  /** Resolution PDF pages are rasterised at (default 200 dpi). */
  dpi?: number;
  /**
   * Take a PDF page that is one full-page image (an office scanner's) as that
   * image at its own resolution rather than render it (default true).
   */
  takeScannedImages?: boolean;
  /** Threads a PDF's pages are read on (default 1; see scan/page-pool.ts). */
  jobs?: number;
  /** Reads standard input for "-" (tests inject it). */
  readStdin?: () => Promise<string>;
  /** Called after each page or image is read. */
  onProgress?: (source: string, page: number | undefined, count: ReadCount) => void;
  /** Called with each page's, image's or text input's new texts as soon as they are read; a throw stops the reading. */
  onTexts?: (texts: CollectedText[]) => void;
  /**
   * Filled in with what was skipped. With it, a page or image too large to
   * read is listed here and the others are still read; without it, or when
   * that page is all the inputs hold, its OversizedImageError is thrown.
   */
  skipped?: SkippedInputs;
}

/** An empty tally for CollectOptions.skipped. */
export function noneSkipped(): SkippedInputs { return { lines: 0, overlong: 0, refused: [], refusedCount: 0 }; }

/** Longest text line taken as a code: no QR code holds more alphanumeric characters. */
export const MAX_CODE_TEXT = QR_ALPHANUMERIC_MAX;
/** Bytes of a line kept while looking for its end: a code plus room for the spaces around it. */
const MAX_LINE_BYTES = MAX_CODE_TEXT + 256;
const REFUSALS_KEPT = 100;

type Kind = 'pdf' | 'image' | 'tiff' | 'text';

/** Bytes looked at to tell what a file is. */
const SNIFF_BYTES = 64 * 1024;

/**
 * What a file holds, from its first bytes rather than its name: PDF, PNG,
 * JPEG or TIFF by their signatures, text when the bytes are UTF-8 with no
 * NUL (a text file of codes may be called anything, `codes.payloads` too).
 */
function kindOfContent(path: string): Kind | undefined {
  const head = Buffer.alloc(SNIFF_BYTES);
  let n: number;
  let fd: number | undefined;
  try { fd = openSync(path, 'r'); n = readSync(fd, head, 0, SNIFF_BYTES, 0); } catch (e) {
    throw new UnknownInputError(path, (e as NodeJS.ErrnoException).code ?? (e as Error).message);
  } finally { if (fd !== undefined) closeSync(fd); }
  const b = head.subarray(0, n);
  // FORMAT of PDF (ISO 32000 §7.5.2): "%PDF-" within the first 1,024 bytes, as readers accept it.
  if (b.subarray(0, 1024).includes('%PDF-')) return 'pdf';
  if (b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'image';
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image';
  if ((b[0] === 0x49 && b[1] === 0x49 && b[2] === 0x2a && b[3] === 0) || (b[0] === 0x4d && b[1] === 0x4d && b[2] === 0 && b[3] === 0x2a)) return 'tiff';
  if (imageFormat(b) !== undefined) return 'image';
  if (b.includes(0)) return undefined;
  try { new TextDecoder('utf-8', { fatal: true }).decode(b, { stream: true }); } catch { return undefined; }
  return 'text';
}

type ImageFormat = 'PNG' | 'JPEG' | 'PNM' | 'WebP' | 'HEIF';

/** The image formats read besides PDF and TIFF, by their signatures. */
function imageFormat(b: Uint8Array): ImageFormat | undefined {
  if (b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'PNG';
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'JPEG';
  if (pnmHeader(b) !== undefined) return 'PNM';
  const ascii = (from: number, to: number): string => Buffer.from(b.subarray(from, to)).toString('latin1');
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'WebP';
  // ISO base media file: an ftyp box whose brand is HEIF's (phones' HEIC) or AVIF's.
  if (ascii(4, 8) === 'ftyp' && /^(heic|heix|hevc|hevx|heim|heis|mif1|msf1|avif|avis)$/.test(ascii(8, 12))) return 'HEIF';
  return undefined;
}

/**
 * An image file as RGBA: PNM read here, the others by sharp, each checked
 * against MAX_PAGE_PIXELS from its header before it is decoded.
 * @throws OversizedImageError; UnknownInputError for a HEIC photo sharp's
 *   libvips cannot decode (it has no HEVC decoder); sharp's Error for a damaged image
 */
async function decodeImageFile(bytes: Uint8Array, path: string): Promise<RgbaImage> {
  const format = imageFormat(bytes);
  if (format === 'PNM') return decodePnm(bytes, path);
  const size = declaredImageSize(bytes) ?? await imageHeaderSize(bytes);
  if (size !== undefined) checkPagePixels(path, undefined, size.width, size.height);
  try { return await decodeImage(bytes); } catch (e) {
    if (format === 'HEIF') {
      throw new UnknownInputError(path, `a HEIF/HEIC image this installation cannot decode (${(e as Error).message.split('\n')[0]}); ` +
        'export or save the photo as JPEG (on an iPhone: Settings, Camera, Formats, Most Compatible) and pass that');
    }
    throw e;
  }
}

/** Names what a path is when it is neither a file nor a folder. */
function specialKind(st: Stats): string {
  if (st.isFIFO()) return 'a named pipe';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

/**
 * Most bytes read from one PDF, TIFF or image file. Such a file is read whole (pdfjs and utif2 take whole
 * files), twice over at worst, beside the page being decoded: 256 MiB keeps that under 1 GB, and is some
 * 2,500 pages of a 200-dpi office scan. A longer scan is read as several files (a folder is read in name order).
 */
export const MAX_SCAN_FILE_BYTES = 256 * 2 ** 20;

function readBytes(path: string, shared = false): Uint8Array {
  try {
    const size = statSync(path).size;
    if (size > MAX_SCAN_FILE_BYTES) {
      throw new UnknownInputError(path, `${Math.round(size / 2 ** 20)} MiB, more than the ${MAX_SCAN_FILE_BYTES / 2 ** 20} MiB read from one scan file; ` +
        'scan into several files, or split this one, and pass them or their folder');
    }
    if (shared) return readShared(path, size);
    const b = readFileSync(path);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  } catch (e) {
    if (e instanceof UnknownInputError) throw e;
    throw new UnknownInputError(path, fileProblem(e));
  }
}

/** A file read into shared memory, which the page threads read where it is (scan/page-pool.ts) rather than each a copy. */
function readShared(path: string, size: number): Uint8Array {
  const bytes = new Uint8Array(new SharedArrayBuffer(size));
  const fd = openSync(path, 'r');
  try {
    let at = 0;
    for (let n; at < size && (n = readSync(fd, bytes, at, size - at, at)) > 0;) at += n;
    return at === size ? bytes : bytes.subarray(0, at);
  } finally { closeSync(fd); }
}

/** Keeps the code lines of a text input: one at a time, each line's length capped, exact repeats once. */
class CodeLines {
  private readonly seen = new Set<string>();
  constructor(private readonly out: CollectedText[], private readonly skipped: SkippedInputs) {}

  /** Splits a stream of bytes into lines without ever holding more than one line of at most MAX_LINE_BYTES. */
  async read(chunks: AsyncIterable<Buffer | string> | Iterable<Buffer | string>, source: string): Promise<void> {
    let parts: Buffer[] = [];
    let length = 0;
    let overlong = false;
    let first = true;
    const endLine = (): void => {
      if (overlong) { this.skipped.lines++; this.skipped.overlong++; }
      else if (length > 0) {
        let line = parts.length === 1 ? parts[0]! : Buffer.concat(parts, length);
        if (first && line[0] === 0xef && line[1] === 0xbb && line[2] === 0xbf) line = line.subarray(3); // a UTF-8 byte order mark
        this.take(line.toString('latin1').trim(), source);
      }
      first = false;
      parts = []; length = 0; overlong = false;
    };
    for await (const chunk of chunks) {
      const b = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      if (b.includes(0)) throw new UnknownInputError(source, 'a binary file, not a text file of code texts');
      for (let start = 0; ;) {
        const nl = b.indexOf(0x0a, start);
        const piece = b.subarray(start, nl === -1 ? b.length : nl);
        if (!overlong && length + piece.length > MAX_LINE_BYTES) { overlong = true; parts = []; length = 0; }
        if (!overlong && piece.length > 0) { parts.push(piece); length += piece.length; }
        if (nl === -1) break;
        endLine();
        start = nl + 1;
      }
    }
    endLine();
  }

  private take(line: string, source: string): void {
    if (line === '') return;
    if (line.length > MAX_CODE_TEXT) { this.skipped.lines++; this.skipped.overlong++; return; }
    if (this.seen.has(line)) return;
    // Most junk is told by its first characters, without the cost of an error object a line (26M lines of 1 GiB).
    if (!line.startsWith('PC1:')) { this.skipped.lines++; return; }
    // Only what passes its check value is kept: a file of junk lines costs nothing however long it is.
    try { decodeFrame(line); } catch (e) {
      if (!(e instanceof PaperchartError)) throw e;
      this.skipped.lines++;
      return;
    }
    this.seen.add(line);
    this.out.push({ text: line, source });
  }
}

interface Input {
  path: string; kind: Kind | 'stdin'; pages: number;
  /** The bytes read to count the pages, kept when this is the one input: a 118 MB scan is then read once, not twice. */
  bytes?: Uint8Array;
}

/** Lists a refused page or image in `skipped`, or throws it when there is no list or nothing else to read. */
function refuse(e: unknown, opts: CollectOptions, onlyPage: boolean): void {
  if (!(e instanceof PaperchartError) || opts.skipped === undefined || onlyPage) throw e;
  if (opts.skipped.refused.length < REFUSALS_KEPT) opts.skipped.refused.push(e);
  opts.skipped.refusedCount++;
}

async function collectFile(input: Input, opts: CollectOptions, count: ReadCount, out: CollectedText[], lines: CodeLines, onlyPage: boolean,
  reportTexts: () => void): Promise<void> {
  const { path, kind } = input;
  const read = (page?: number): void => { count.done++; opts.onProgress?.(path, page, { ...count }); reportTexts(); };
  const onRefused = (e: unknown): void => refuse(e, opts, onlyPage);
  if (kind === 'text') {
    await lines.read(createReadStream(path, { highWaterMark: 64 * 1024 }), path);
    reportTexts();
    return;
  }
  if (kind === 'image') {
    let codes;
    try {
      codes = withoutDecoderCodes(await readCodes(await decodeImageFile(readBytes(path), path)));
    } catch (e) {
      if (e instanceof PaperchartError && !(e instanceof UnknownInputError)) { onRefused(e); read(); return; }
      if (e instanceof UnknownInputError) throw e;
      throw new UnknownInputError(path, `not a readable image: ${(e as Error).message}`);
    }
    for (const c of codes) out.push({ text: c.text, source: path });
    read();
    return;
  }
  if (kind === 'tiff') {
    const bytes = input.bytes ?? readBytes(path);
    input.bytes = undefined;
    for await (const page of decodeTiff(bytes, path, onRefused)) {
      for (const c of withoutDecoderCodes(await readCodes(page))) out.push({ text: c.text, source: path, page: page.page });
      read(page.page);
    }
    return;
  }
  const bytes = input.bytes ?? readBytes(path, true);
  input.bytes = undefined;
  const pages = readPdfPageCodes(bytes, {
    dpi: opts.dpi ?? 200, fileName: path, takeScannedImages: opts.takeScannedImages ?? true, onRefused,
    jobs: opts.jobs ?? 1, pageCount: input.pages,
  });
  for await (const page of pages) {
    for (const text of page.texts) if (!isDecoderCode(text)) out.push({ text, source: path, page: page.page });
    read(page.page);
  }
}

/** The files the inputs name, folders expanded, each checked and its pages counted before any is scanned. */
async function planInputs(inputs: readonly string[]): Promise<Input[]> {
  const plan: Input[] = [];
  const add = async (path: string, kind: Kind): Promise<void> => {
    // A damaged PDF or TIFF at the end of a long list fails now, not after an hour of scanning.
    const bytes = kind === 'pdf' || kind === 'tiff' ? readBytes(path, kind === 'pdf') : undefined;
    const pages = kind === 'pdf' ? await countPdfPages(bytes!, path)
      : kind === 'tiff' ? countTiffPages(bytes!, path)
      : kind === 'image' ? 1 : 0;
    plan.push({ path, kind, pages, bytes: plan.length === 0 ? bytes : undefined });
    plan[0]!.bytes = plan.length === 1 ? plan[0]!.bytes : undefined;
  };
  for (const input of inputs) {
    if (input === '-') { plan.push({ path: '-', kind: 'stdin', pages: 0 }); continue; }
    let st: Stats;
    try { st = statSync(input); } catch (e) {
      throw new UnknownInputError(input, (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or folder' : (e as Error).message);
    }
    if (st.isDirectory()) {
      const files: [string, Kind][] = [];
      for (const d of readdirSync(input, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
        if (!d.isFile() || d.name.startsWith('.')) continue;
        const kind = kindOfContent(join(input, d.name));
        if (kind !== undefined) files.push([join(input, d.name), kind]);
      }
      if (files.length === 0) throw new EmptyInputError(input);
      for (const [f, kind] of files) await add(f, kind);
      continue;
    }
    // /dev/zero would be read forever, a named pipe with no writer would wait forever: refused before reading.
    if (!st.isFile()) throw new UnknownInputError(input, `${specialKind(st)}, not a file; pass a file, a folder, or - to read standard input`);
    const kind = kindOfContent(input);
    if (kind === undefined) throw new UnknownInputError(input, 'neither a PDF, PNG, JPEG, TIFF, PNM (PBM, PGM, PPM), WebP or HEIF image nor a text file of code texts');
    await add(input, kind);
  }
  return plan;
}

/**
 * Reads every input in order, each recognised by its content (not its name).
 * A folder contributes its PDF, image, TIFF and text files, sorted by name
 * (not its subfolders). Every input is checked, and its pages counted, before
 * the first is scanned. Text is read as a stream, line by line: only lines
 * that are paperchart codes are kept, each once; the rest are counted in
 * `opts.skipped`.
 * @throws UnknownInputError for a missing file, a special file (device, pipe,
 *   socket) or one of an unknown kind; EmptyInputError for a folder with
 *   nothing to read; UnreadablePdfError; UnreadableTiffError;
 *   OversizedImageError (see CollectOptions.skipped)
 */
export async function collectTexts(inputs: readonly string[], opts: CollectOptions = {}): Promise<CollectedText[]> {
  const plan = await planInputs(inputs);
  const count: ReadCount = { done: 0, total: plan.reduce((n, i) => n + i.pages, 0) };
  const out: CollectedText[] = [];
  const lines = new CodeLines(out, opts.skipped ?? noneSkipped());
  // Each page's, image's or text input's new texts, handed to onTexts as soon as they are read.
  let reported = 0;
  const reportTexts = (): void => {
    if (!opts.onTexts || out.length === reported) return;
    const fresh = out.slice(reported);
    reported = out.length;
    opts.onTexts(fresh);
  };
  for (const input of plan) {
    if (input.kind !== 'stdin') await collectFile(input, opts, count, out, lines, plan.length === 1 && input.pages === 1, reportTexts);
    else if (opts.readStdin) await lines.read([await opts.readStdin()], '-');
    else await lines.read(process.stdin, '-');
    if (input.kind === 'stdin') reportTexts();
  }
  return out;
}
