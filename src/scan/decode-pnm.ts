/**
 * Decodes PNM images (PBM, PGM, PPM: Netpbm's formats, and pdftoppm's
 * default output) to RGBA. sharp's prebuilt libvips does not read them, and
 * the format is a short text header over plain samples, so it is read here.
 */
import { checkPagePixels } from './image-size.js';
import type { RgbaImage } from './raster.js';

export interface PnmHeader { magic: number; width: number; height: number; maxval: number; dataStart: number }

const isSpace = (c: number | undefined): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0b || c === 0x0c;

/** Reads whitespace- and comment-separated decimal numbers from `at`. */
function numbers(b: Uint8Array, at: number, count: number): { values: number[]; end: number } | undefined {
  const values: number[] = [];
  let i = at;
  while (values.length < count) {
    while (i < b.length && (isSpace(b[i]) || b[i] === 0x23)) {
      if (b[i] === 0x23) while (i < b.length && b[i] !== 0x0a && b[i] !== 0x0d) i++;
      else i++;
    }
    let v = 0, digits = 0;
    while (i < b.length && b[i]! >= 0x30 && b[i]! <= 0x39 && digits < 10) { v = v * 10 + b[i]! - 0x30; i++; digits++; }
    if (digits === 0) return undefined;
    values.push(v);
  }
  return { values, end: i };
}

/** The header of a PNM file ("P1" to "P6", width, height, and maxval but for bitmaps), or undefined when `b` is not one. */
export function pnmHeader(b: Uint8Array): PnmHeader | undefined {
  if (b[0] !== 0x50 || !(b[1]! >= 0x31 && b[1]! <= 0x36) || !isSpace(b[2])) return undefined;
  const magic = b[1]! - 0x30;
  const bitmap = magic === 1 || magic === 4;
  const n = numbers(b, 2, bitmap ? 2 : 3);
  if (!n || !isSpace(b[n.end])) return undefined;
  const [width, height, maxval = 1] = n.values as [number, number, number?];
  if (!(width > 0 && height > 0 && maxval > 0 && maxval < 65536)) return undefined;
  // One whitespace character separates the header from binary samples (Netpbm's pgm(5)).
  return { magic, width, height, maxval, dataStart: n.end + 1 };
}

/**
 * The image as RGBA. Binary and plain (ASCII) variants alike; 16-bit
 * samples are scaled to 8 bits.
 * @throws RangeError for bytes that are not a whole PNM image; OversizedImageError
 */
export function decodePnm(b: Uint8Array, file: string): RgbaImage {
  const h = pnmHeader(b);
  if (!h) throw new RangeError('not a PNM image: no P1-P6 header with a width and height');
  const { magic, width, height, maxval } = h;
  checkPagePixels(file, undefined, width, height);
  const channels = magic === 3 || magic === 6 ? 3 : 1;
  const count = width * height * channels;
  const samples = new Uint8Array(count);
  const scale = 255 / maxval;
  if (magic === 4) {
    const row = Math.ceil(width / 8);
    if (b.length < h.dataStart + row * height) throw new RangeError(`PBM data cut short: ${b.length - h.dataStart} bytes, expected ${row * height}`);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) samples[y * width + x] = (b[h.dataStart + y * row + (x >> 3)]! >> (7 - (x & 7))) & 1 ? 0 : 255;
    }
  } else if (magic === 5 || magic === 6) {
    const wide = maxval > 255;
    if (b.length < h.dataStart + count * (wide ? 2 : 1)) throw new RangeError(`PNM data cut short: ${b.length - h.dataStart} bytes, expected ${count * (wide ? 2 : 1)}`);
    for (let i = 0, o = h.dataStart; i < count; i++) {
      const v = wide ? (b[o++]! << 8) | b[o++]! : b[o++]!;
      samples[i] = maxval === 255 ? v : Math.round(v * scale);
    }
  } else {
    const n = numbers(b, h.dataStart - 1, 0);
    let at = n?.end ?? h.dataStart;
    for (let i = 0; i < count; i++) {
      // Plain PBM may run its 0s and 1s together (pbm(5)).
      let v: number;
      if (magic === 1) {
        while (at < b.length && b[at] !== 0x30 && b[at] !== 0x31) at++;
        if (at >= b.length) throw new RangeError(`plain PBM data cut short at sample ${i} of ${count}`);
        v = b[at++] === 0x31 ? 0 : 255;
      } else {
        const s = numbers(b, at, 1);
        if (!s) throw new RangeError(`plain PNM data cut short at sample ${i} of ${count}`);
        at = s.end;
        v = Math.round(Math.min(s.values[0]!, maxval) * scale);
      }
      samples[i] = v;
    }
  }
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let i = 0, o = 0; i < width * height; i++, o += 4) {
    if (channels === 1) rgba[o] = rgba[o + 1] = rgba[o + 2] = samples[i]!;
    else { rgba[o] = samples[3 * i]!; rgba[o + 1] = samples[3 * i + 1]!; rgba[o + 2] = samples[3 * i + 2]!; }
    rgba[o + 3] = 255;
  }
  return { width, height, rgba };
}
