// Gathers code texts from what a clinic has after an outage: scanned PDFs,
// images, folders of them, text files of scanner output, or standard input.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { rasterisePdf } from '../scan/rasterise-pdf.js';
import { readCodes } from '../scan/read-codes.js';
import { EmptyInputError, UnknownInputError } from './restore-errors.js';

/** One code text and where it was read. */
export interface CollectedText {
  text: string;
  /** The input file, or "-" for standard input. */
  source: string;
  /** 1-based page of a PDF input. */
  page?: number;
}

export interface CollectOptions {
  /** Resolution PDF pages are rasterised at (default 200 dpi). */
  dpi?: number;
  /** Reads standard input for "-" (tests inject it). */
  readStdin?: () => Promise<string>;
  /** Called after each page or image is read. */
  onProgress?: (source: string, page?: number) => void;
}

const IMAGE_EXT = new Set(['.png', '.jpg', '.jpeg']);
const TEXT_EXT = new Set(['.txt', '.text', '']);

type Kind = 'pdf' | 'image' | 'text';

function kindOf(path: string): Kind | undefined {
  const ext = extname(path).toLowerCase();
  if (ext === '.pdf') return 'pdf';
  if (IMAGE_EXT.has(ext)) return 'image';
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

async function collectFile(path: string, kind: Kind, opts: CollectOptions): Promise<CollectedText[]> {
  const out: CollectedText[] = [];
  if (kind === 'text') {
    const bytes = readBytes(path);
    if (bytes.includes(0)) throw new UnknownInputError(path, 'a binary file, not a text file of code texts');
    return linesOf(Buffer.from(bytes).toString('utf8'), path);
  }
  if (kind === 'image') {
    let codes;
    try { codes = await readCodes(readBytes(path)); } catch (e) {
      if (e instanceof UnknownInputError) throw e;
      throw new UnknownInputError(path, `not a readable image: ${(e as Error).message}`);
    }
    for (const c of codes) out.push({ text: c.text, source: path });
    opts.onProgress?.(path);
    return out;
  }
  for await (const page of rasterisePdf(readBytes(path), { dpi: opts.dpi ?? 200, fileName: path })) {
    for (const c of await readCodes(page)) out.push({ text: c.text, source: path, page: page.page });
    opts.onProgress?.(path, page.page);
  }
  return out;
}

/**
 * Reads every input in order. A folder contributes its PDF, image and text
 * files, sorted by name (not its subfolders).
 * @throws UnknownInputError for a missing file or one of an unknown kind;
 *   EmptyInputError for a folder with nothing to read; UnreadablePdfError
 */
export async function collectTexts(inputs: readonly string[], opts: CollectOptions = {}): Promise<CollectedText[]> {
  const out: CollectedText[] = [];
  for (const input of inputs) {
    if (input === '-') {
      out.push(...linesOf(await (opts.readStdin ?? readStdinText)(), '-'));
      continue;
    }
    let isDir: boolean;
    try { isDir = statSync(input).isDirectory(); } catch (e) {
      throw new UnknownInputError(input, (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or folder' : (e as Error).message);
    }
    if (isDir) {
      const files = readdirSync(input, { withFileTypes: true })
        .filter((d) => d.isFile() && kindOf(d.name) !== undefined && !d.name.startsWith('.'))
        .map((d) => d.name).sort();
      if (files.length === 0) throw new EmptyInputError(input);
      for (const f of files) out.push(...await collectFile(join(input, f), kindOf(f)!, opts));
      continue;
    }
    const kind = kindOf(input);
    if (kind === undefined) throw new UnknownInputError(input, `unknown kind of file "${extname(input)}"`);
    out.push(...await collectFile(input, kind, opts));
  }
  return out;
}
