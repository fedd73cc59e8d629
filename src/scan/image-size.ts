// The size an image declares, read from its header before any decoder
// allocates for it: a 151 KB PNG or a 4 KB JPEG header claiming 30000×30000
// pixels made the decoder take 2 GB (measured).
import { OversizedImageError } from '../errors.js';

/**
 * Pixels one page or image may have at most: a 600-dpi scan of a Letter
 * (5100×6600, 33.7 Mpx) or A4 page (4961×7016, 34.8 Mpx) fits. A page costs
 * 4 bytes a pixel as RGBA here and about as much again inside zxing's and the
 * rasteriser's memory: about 600 MB at this cap, measured below 1 GB peak.
 */
export const MAX_PAGE_PIXELS = 36_000_000;

export interface ImageSize { format: 'PNG' | 'JPEG'; width: number; height: number }

/** PNG: the IHDR chunk is first, width and height big-endian at bytes 16 and 20 (PNG §11.2.2). */
function pngSize(b: Uint8Array): ImageSize | undefined {
  if (b.length < 24 || b[12] !== 0x49 || b[13] !== 0x48 || b[14] !== 0x44 || b[15] !== 0x52) return undefined;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return { format: 'PNG', width: v.getUint32(16, false), height: v.getUint32(20, false) };
}

/** JPEG: walk the marker segments to the first SOFn frame header (ITU T.81 B.2.2). */
function jpegSize(b: Uint8Array): ImageSize | undefined {
  let o = 2;
  while (o + 4 <= b.length) {
    if (b[o] !== 0xff) return undefined;
    const marker = b[o + 1]!;
    if (marker === 0xff) { o++; continue; } // fill byte
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) { o += 2; continue; }
    const length = (b[o + 2]! << 8) | b[o + 3]!;
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) {
      if (o + 9 > b.length) return undefined;
      return { format: 'JPEG', height: (b[o + 5]! << 8) | b[o + 6]!, width: (b[o + 7]! << 8) | b[o + 8]! };
    }
    if (length < 2) return undefined;
    o += 2 + length;
  }
  return undefined;
}

/** The format and size a PNG or JPEG file declares, or undefined for anything else or a header cut short. */
export function declaredImageSize(bytes: Uint8Array): ImageSize | undefined {
  if (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return pngSize(bytes);
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return jpegSize(bytes);
  return undefined;
}

/**
 * Refuses a page or image over MAX_PAGE_PIXELS, before anything is decoded.
 * @throws OversizedImageError
 */
export function checkPagePixels(file: string, page: number | undefined, width: number, height: number): void {
  if (!(width > 0 && height > 0) || width * height > MAX_PAGE_PIXELS) throw new OversizedImageError(file, page, width, height, MAX_PAGE_PIXELS);
}

/**
 * Whether page `page` of a file of several fits (checkPagePixels). One that
 * does not is handed to `onRefused`, and the caller skips it; without
 * `onRefused` it is thrown.
 * @throws OversizedImageError without `onRefused`
 */
export function pageFits(file: string, page: number, width: number, height: number, onRefused?: (e: OversizedImageError) => void): boolean {
  try { checkPagePixels(file, page, width, height); return true; } catch (e) {
    if (onRefused === undefined) throw e;
    onRefused(e as OversizedImageError);
    return false;
  }
}
