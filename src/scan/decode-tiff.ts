/**
 * Decodes the pages of a TIFF, as office scanners write them (bilevel CCITT
 * G3/G4, grayscale or RGB, uncompressed, LZW, PackBits, Deflate or JPEG), to
 * RGBA rasters with utif2 (MIT, pure JavaScript), one page at a time.
 */
import UTIF from 'utif2';
import { UnreadableTiffError } from '../errors.js';
import type { RgbaImage } from './raster.js';
import { pageFits } from './image-size.js';
import type { OversizedImageError } from '../errors.js';

export interface TiffPage extends RgbaImage {
  /** 1-based page number among the TIFF's full-resolution images. */
  page: number;
}

/** What utif2 decodes; anything else it would leave blank without a word, and the page would scan as "no codes". */
const COMPRESSIONS = new Map<number, string>([
  [1, 'none'], [2, 'CCITT RLE'], [3, 'CCITT G3'], [4, 'CCITT G4'], [5, 'LZW'], [6, 'old-style JPEG'], [7, 'JPEG'],
  [8, 'Deflate'], [32946, 'Deflate'], [32773, 'PackBits'],
]);

/** A scanner page at 1200 dpi is 10k × 13k; beyond this a "page" is damage, not a scan. */
const MAX_SIDE = 20_000;
const MAX_PAGES = 10_000;

/**
 * Walks the chain of image directories before utif2 does: utif2 follows it
 * with `while (true)` until an offset of 0, so a cyclic or out-of-range
 * offset in a damaged file would spin forever rather than fail.
 */
function countDirectories(b: Uint8Array, file: string): number {
  if (b.length < 8) throw new UnreadableTiffError(file, `${b.length} bytes, too short for a TIFF header`);
  const order = String.fromCharCode(b[0]!, b[1]!);
  if (order !== 'II' && order !== 'MM') throw new UnreadableTiffError(file, 'no II or MM byte-order mark');
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const le = order === 'II';
  const magic = v.getUint16(2, le);
  if (magic === 43) throw new UnreadableTiffError(file, 'BigTIFF is not supported');
  if (magic !== 42) throw new UnreadableTiffError(file, `magic number ${magic}, expected 42`);
  const seen = new Set<number>();
  let offset = v.getUint32(4, le);
  while (offset !== 0) {
    if (seen.has(offset)) throw new UnreadableTiffError(file, `image directory chain loops back to offset ${offset}`);
    if (seen.size >= MAX_PAGES) throw new UnreadableTiffError(file, `more than ${MAX_PAGES} image directories`);
    if (offset + 2 > b.length) throw new UnreadableTiffError(file, `image directory at offset ${offset} is past the end (${b.length} bytes): truncated`);
    const entries = v.getUint16(offset, le);
    const end = offset + 2 + entries * 12 + 4;
    if (end > b.length) throw new UnreadableTiffError(file, `image directory at offset ${offset} runs past the end: truncated`);
    checkTagSizes(v, le, offset, entries, file);
    seen.add(offset);
    offset = v.getUint32(end - 4, le);
  }
  if (seen.size === 0) throw new UnreadableTiffError(file, 'no image directory');
  return seen.size;
}

/** Bytes per value of each TIFF field type (TIFF 6.0 §2, BigTIFF's 8-byte types). */
const TYPE_BYTES = [0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4, 8, 4, 0, 0, 8, 8, 8];

/**
 * Every tag's values must lie inside the file: utif2 allocates what a tag's
 * count declares before reading, and a 178-byte file whose tag claimed 10⁹
 * values killed the process (measured).
 */
function checkTagSizes(v: DataView, le: boolean, offset: number, entries: number, file: string): void {
  for (let e = 0; e < entries; e++) {
    const at = offset + 2 + e * 12;
    const tag = v.getUint16(at, le), type = v.getUint16(at + 2, le), count = v.getUint32(at + 4, le);
    const bytes = count * (TYPE_BYTES[type] ?? 1);
    if (bytes > 4 && v.getUint32(at + 8, le) + bytes > v.byteLength) {
      throw new UnreadableTiffError(file, `tag ${tag} declares ${count} values, more than the file's ${v.byteLength} bytes hold`);
    }
  }
}

const first = (ifd: UTIF.IFD, tag: number): number | undefined => {
  const t = ifd[`t${tag}`];
  return Array.isArray(t) && typeof t[0] === 'number' ? t[0] : undefined;
};

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** utif2's directories of `tiff`, and those of them that are full-resolution pages. */
function fullPages(tiff: Uint8Array, fileName: string): { buffer: ArrayBuffer; ifds: UTIF.IFD[]; pages: UTIF.IFD[] } {
  countDirectories(tiff, fileName);
  // utif2 wants an ArrayBuffer of exactly the file (it reads Deflate strips through `data.buffer`).
  const buffer = tiff.buffer.slice(tiff.byteOffset, tiff.byteOffset + tiff.byteLength) as ArrayBuffer;
  let ifds: UTIF.IFD[];
  try {
    ifds = (UTIF.decode as (b: ArrayBuffer, prm: object) => UTIF.IFD[])(buffer, { parseMN: false, debug: false });
  } catch (e) {
    throw new UnreadableTiffError(fileName, describe(e));
  }
  // TIFF 6.0 NewSubfileType bit 0: a reduced-resolution version of another page.
  const pages = ifds.filter((ifd) => ((first(ifd, 254) ?? 0) & 1) === 0);
  if (pages.length === 0) throw new UnreadableTiffError(fileName, 'no full-resolution image');
  return { buffer, ifds, pages };
}

/**
 * Yields every full-resolution page of `tiff` as RGBA, skipping the reduced
 * resolution copies (thumbnails) some scanners add. A page of more than
 * MAX_PAGE_PIXELS is given to `onRefused` and skipped, undecoded.
 * @throws UnreadableTiffError for a damaged or truncated file, an image of
 *   unsupported compression, or one whose data does not decode;
 *   OversizedImageError for a page too large when there is no `onRefused`
 */
export async function* decodeTiff(tiff: Uint8Array, fileName = 'the TIFF', onRefused?: (e: OversizedImageError) => void): AsyncGenerator<TiffPage> {
  const { buffer, ifds, pages } = fullPages(tiff, fileName);
  let n = 0;
  for (const ifd of pages) {
    n++;
    const width = first(ifd, 256), height = first(ifd, 257);
    if (width === undefined || height === undefined) throw new UnreadableTiffError(fileName, `page ${n} has no image size`);
    if (!(width > 0 && height > 0 && width <= MAX_SIDE && height <= MAX_SIDE)) {
      throw new UnreadableTiffError(fileName, `page ${n} is ${width}×${height} pixels, expected 1..${MAX_SIDE} a side`);
    }
    if (!pageFits(fileName, n, width, height, onRefused)) continue;
    const compression = first(ifd, 259) ?? 1;
    if (!COMPRESSIONS.has(compression)) throw new UnreadableTiffError(fileName, `page ${n} uses compression ${compression}, which is not supported`);
    if (ifd['t273'] === undefined && ifd['t324'] === undefined) throw new UnreadableTiffError(fileName, `page ${n} has no image data offsets`);
    let rgba: Uint8Array;
    // utif2 prints tile counts with console.log; that would land in the middle of `restore --json` on stdout.
    const log = console.log;
    console.log = () => {};
    try {
      (UTIF.decodeImage as (b: ArrayBuffer, img: UTIF.IFD, all: UTIF.IFD[]) => void)(buffer, ifd, ifds);
      rgba = UTIF.toRGBA8(ifd);
    } catch (e) {
      throw new UnreadableTiffError(fileName, `page ${n} (${COMPRESSIONS.get(compression)}): ${describe(e)}`);
    } finally {
      console.log = log;
    }
    if (rgba.length !== width * height * 4) {
      throw new UnreadableTiffError(fileName, `page ${n} (${COMPRESSIONS.get(compression)}) decoded to ${rgba.length} bytes, expected ${width}×${height}×4`);
    }
    // Let the decoded strips go before the next page is decoded.
    delete (ifd as Partial<UTIF.IFD>).data;
    yield { page: n, width, height, rgba: new Uint8ClampedArray(rgba.buffer, rgba.byteOffset, rgba.byteLength) };
  }
}

/**
 * The number of full-resolution pages of `tiff`, decoding no image: lets a
 * caller check every input and know the total before a long scan starts.
 * @throws UnreadableTiffError
 */
export function countTiffPages(tiff: Uint8Array, fileName = 'the TIFF'): number {
  return fullPages(tiff, fileName).pages.length;
}
