// Gathers code texts from what a clinic has after an outage: scanned PDFs,
// PNG, JPEG and TIFF images, folders of them, text files of scanner output,
// or standard input.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { countTiffPages, decodeTiff } from '../scan/decode-tiff.js';
import { countPdfPages, rasterisePdf } from '../scan/rasterise-pdf.js';
import { readCodes } from '../scan/read-codes.js';
import { EmptyInputError, UnknownInputError } from './restore-errors.js';

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

export interface CollectOptions {
  /** Resolution PDF pages are rasterised at (default 200 dpi). */
  dpi?: number;
  /**
   * Take a PDF page that is one full-page image (an office scanner's) as that
   * image at its own resolution rather than render it (default true).
   */
  takeScannedImages?: boolean;
  /** Reads standard input for "-" (tests inject it). */
  readStdin?: () => Promise<string>;
  /** Called after each page or image is read. */
  onProgress?: (source: string, page: number | undefined, count: ReadCount) => void;
  /** Called with each page's, image's or text input's new texts as soon as they are read; a throw stops the reading. */
  onTexts?: (texts: CollectedText[]) => void;
}

const IMAGE_EXT = new Set(['.png', '.jpg', '.jpeg']);
const TIFF_EXT = new Set(['.tif', '.tiff']);
const TEXT_EXT = new Set(['.txt', '.text', '']);

type Kind = 'pdf' | 'image' | 'tiff' | 'text';

function kindOf(path: string): Kind | undefined {
  const ext = extname(path).toLowerCase();
  if (ext === '.pdf') return 'pdf';
  if (IMAGE_EXT.has(ext)) return 'image';
  if (TIFF_EXT.has(ext)) return 'tiff';
  if (TEXT_EXT.has(ext)) return 'text';
  return undefined;
}

async function readStdinText(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

function linesOf(text: string, source: string): CollectedText[] {
  return text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '').map((l) => ({ text: l, source }));
}

function readBytes(path: string): Uint8Array {
  try { return new Uint8Array(readFileSync(path)); } catch (e) {
    throw new UnknownInputError(path, (e as NodeJS.ErrnoException).code ?? (e as Error).message);
  }
}

interface Input { path: string; kind: Kind | 'stdin'; pages: number }

async function collectFile(input: Input, opts: CollectOptions, count: ReadCount): Promise<CollectedText[]> {
  const { path, kind } = input;
  const out: CollectedText[] = [];
  let reported = 0;
  const read = (page?: number): void => {
    count.done++; opts.onProgress?.(path, page, { ...count });
    opts.onTexts?.(out.slice(reported)); reported = out.length;
  };
  if (kind === 'text') {
    const bytes = readBytes(path);
    if (bytes.includes(0)) throw new UnknownInputError(path, 'a binary file, not a text file of code texts');
    const lines = linesOf(Buffer.from(bytes).toString('utf8'), path);
    opts.onTexts?.(lines);
    return lines;
  }
  if (kind === 'image') {
    let codes;
    try { codes = await readCodes(readBytes(path)); } catch (e) {
      if (e instanceof UnknownInputError) throw e;
      throw new UnknownInputError(path, `not a readable image: ${(e as Error).message}`);
    }
    for (const c of codes) out.push({ text: c.text, source: path });
    read();
    return out;
  }
  if (kind === 'tiff') {
    for await (const page of decodeTiff(readBytes(path), path)) {
      for (const c of await readCodes(page)) out.push({ text: c.text, source: path, page: page.page });
      read(page.page);
    }
    return out;
  }
  const pages = rasterisePdf(readBytes(path), { dpi: opts.dpi ?? 200, fileName: path, takeScannedImages: opts.takeScannedImages ?? true });
  for await (const page of pages) {
    for (const c of await readCodes(page)) out.push({ text: c.text, source: path, page: page.page });
    read(page.page);
  }
  return out;
}

/** The files the inputs name, folders expanded, each checked and its pages counted before any is scanned. */
async function planInputs(inputs: readonly string[]): Promise<Input[]> {
  const plan: Input[] = [];
  const add = async (path: string, kind: Kind): Promise<void> => {
    // A damaged PDF or TIFF at the end of a long list fails now, not after an hour of scanning.
    const pages = kind === 'pdf' ? await countPdfPages(readBytes(path), path)
      : kind === 'tiff' ? countTiffPages(readBytes(path), path)
      : kind === 'image' ? 1 : 0;
    plan.push({ path, kind, pages });
  };
  for (const input of inputs) {
    if (input === '-') { plan.push({ path: '-', kind: 'stdin', pages: 0 }); continue; }
    let isDir: boolean;
    try { isDir = statSync(input).isDirectory(); } catch (e) {
      throw new UnknownInputError(input, (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or folder' : (e as Error).message);
    }
    if (isDir) {
      const files = readdirSync(input, { withFileTypes: true })
        .filter((d) => d.isFile() && kindOf(d.name) !== undefined && !d.name.startsWith('.'))
        .map((d) => d.name).sort();
      if (files.length === 0) throw new EmptyInputError(input);
      for (const f of files) await add(join(input, f), kindOf(f)!);
      continue;
    }
    const kind = kindOf(input);
    if (kind === undefined) throw new UnknownInputError(input, `unknown kind of file "${extname(input)}"`);
    await add(input, kind);
  }
  return plan;
}

/**
 * Reads every input in order. A folder contributes its PDF, image, TIFF and
 * text files, sorted by name (not its subfolders). Every input is checked,
 * and its pages counted, before the first is scanned.
 * @throws UnknownInputError for a missing file or one of an unknown kind;
 *   EmptyInputError for a folder with nothing to read; UnreadablePdfError;
 *   UnreadableTiffError
 */
export async function collectTexts(inputs: readonly string[], opts: CollectOptions = {}): Promise<CollectedText[]> {
  const plan = await planInputs(inputs);
  const count: ReadCount = { done: 0, total: plan.reduce((n, i) => n + i.pages, 0) };
  const out: CollectedText[] = [];
  for (const input of plan) {
    if (input.kind === 'stdin') {
      const lines = linesOf(await (opts.readStdin ?? readStdinText)(), '-');
      opts.onTexts?.(lines);
      out.push(...lines);
    } else out.push(...await collectFile(input, opts, count));
  }
  return out;
}
