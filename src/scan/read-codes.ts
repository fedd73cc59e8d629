/**
 * Finds and decodes the QR codes in one image with zxing-wasm (MIT).
 *
 * The zxing wasm binary is read from the installed zxing-wasm package, once
 * per process. Left unconfigured, zxing-wasm would fetch it from a CDN at run
 * time, which fails offline (an outage is when paperchart is used).
 *
 * A phone photo can hold the page so small that a code's modules are about
 * two pixels wide; turned near 45° zxing then misses a code or fails its
 * error correction. Such an image is read a second time, enlarged (see
 * `secondLookFactor`); a page scanned at 150 dpi or more never is.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { RgbaImage } from './raster.js';
import { decodeImage } from './decode-image.js';
import { prepareZXingModule, readBarcodes, type ReaderOptions, type ReadResult } from 'zxing-wasm/reader';

export type { RgbaImage } from './raster.js';

export interface DecodedCode {
  /** The decoded text, exactly as encoded. */
  text: string;
  /** Centre of the code in image pixels (origin top left). */
  position: { x: number; y: number };
}

/** More than the 9 codes a binder page carries, so a collage or a two-page scan still reads fully. */
const MAX_SYMBOLS = 24;

const READER_OPTIONS: ReaderOptions = {
  formats: ['QRCode'],
  tryHarder: true,
  maxNumberOfSymbols: MAX_SYMBOLS,
  // Also report codes found but not decoded: the sign that a second, enlarged look may read them.
  returnErrors: true,
};

/**
 * Module pitch in pixels below which an image is read again, enlarged.
 * Measured on synthetic phone photos of a binder page (test/scan/_photo.ts):
 * with 1.5 to 2.1 px per module and the page turned near 45°, one to four
 * codes of six were lost, and all six read once the photo was enlarged 1.5 to
 * 2×; from 2.5 px (a 3 MP photo, the page turned up to 20°) all read at once.
 * A 200-dpi scan has 3.9 px, 3.7 px at "fit to page" 94%, 2.9 px at 150 dpi.
 * Since nine 0.46 mm codes a page (issue 26: 3.6 px at 200 dpi, 3.4 px at 94%), 3.2 and 4.2 instead of 2.6 and
 * 3.3: two more of the phone photos read all nine codes (test/scan/phone-photo.test.ts), 200-dpi scans as before.
 */
const FINE_PITCH_PX = 3.2;
/** The second look enlarges the finest code to about this pitch... */
const TARGET_PITCH_PX = 4.2;
/** ...by at most this much, and to at most this many pixels: 4 bytes each here and again in zxing's wasm memory. */
const MAX_ENLARGE = 2;
const MAX_ENLARGED_PIXELS = 24_000_000;

let ready: Promise<unknown> | undefined;

/** Loads the zxing wasm from node_modules; later calls reuse the first load. */
function prepare(): Promise<unknown> {
  if (ready === undefined) {
    const wasmPath = createRequire(import.meta.url).resolve('zxing-wasm/reader/zxing_reader.wasm');
    const wasmBinary = readFileSync(wasmPath);
    const buffer = wasmBinary.buffer.slice(wasmBinary.byteOffset, wasmBinary.byteOffset + wasmBinary.byteLength);
    ready = prepareZXingModule({ overrides: { wasmBinary: buffer as ArrayBuffer }, fireImmediately: true });
    ready.catch(() => { ready = undefined; }); // let a later call retry
  }
  return ready;
}

/** Side of a code in pixels over its modules (version v has 17 + 4v). */
function pitchOf(r: ReadResult): number {
  const p = r.position;
  const top = Math.hypot(p.topRight.x - p.topLeft.x, p.topRight.y - p.topLeft.y);
  const left = Math.hypot(p.bottomLeft.x - p.topLeft.x, p.bottomLeft.y - p.topLeft.y);
  const version = Number(r.version);
  return Number.isInteger(version) && version > 0 ? (top + left) / 2 / (17 + 4 * version) : Infinity;
}

/**
 * How much to enlarge the image for a second look, or 0 for none: when a
 * code was found but not decoded, or when the finest decoded code is so small
 * that its neighbours may have been missed. Never for an image with no code
 * at all, so the text pages of a scanned binder cost one look each.
 */
function secondLookFactor(results: readonly ReadResult[]): number {
  const failed = results.some((r) => !r.isValid);
  const pitch = Math.min(...results.filter((r) => r.isValid).map(pitchOf));
  if (!failed && !(pitch < FINE_PITCH_PX)) return 0;
  return Math.min(MAX_ENLARGE, Number.isFinite(pitch) ? Math.max(1.25, TARGET_PITCH_PX / pitch) : 1.5);
}

/** Grey levels of an RGBA raster (zxing reads luminance only). */
function greyOf(image: RgbaImage): { width: number; height: number; grey: Uint8Array } {
  const { width, height, rgba } = image;
  const grey = new Uint8Array(width * height);
  for (let i = 0, o = 0; i < grey.length; i++, o += 4) {
    grey[i] = (rgba[o]! * 77 + rgba[o + 1]! * 150 + rgba[o + 2]! * 29) >> 8;
  }
  return { width, height, grey };
}

/** Decodes image bytes to grey levels with sharp, or returns undefined for bytes it cannot decode: the first look's codes then stand. */
async function greyOfBytes(bytes: Uint8Array): Promise<{ width: number; height: number; grey: Uint8Array } | undefined> {
  try { return greyOf(await decodeImage(bytes)); } catch { return undefined; }
}

/** Bilinear enlargement of grey levels by `factor`, as RGBA for zxing. */
function enlarge(src: { width: number; height: number; grey: Uint8Array }, factor: number): RgbaImage {
  const { width: w, height: h, grey } = src;
  const width = Math.round(w * factor), height = Math.round(h * factor);
  const rgba = new Uint8ClampedArray(width * height * 4);
  const sx = w / width, sy = h / height;
  for (let y = 0; y < height; y++) {
    const fy = Math.min(h - 1, Math.max(0, (y + 0.5) * sy - 0.5));
    const y0 = Math.min(h - 2, Math.floor(fy)), ty = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.min(w - 1, Math.max(0, (x + 0.5) * sx - 0.5));
      const x0 = Math.min(w - 2, Math.floor(fx)), tx = fx - x0;
      const p = y0 * w + x0;
      const v = (grey[p]! * (1 - tx) + grey[p + 1]! * tx) * (1 - ty) + (grey[p + w]! * (1 - tx) + grey[p + w + 1]! * tx) * ty;
      const o = 4 * (y * width + x);
      rgba[o] = rgba[o + 1] = rgba[o + 2] = v;
      rgba[o + 3] = 255;
    }
  }
  return { width, height, rgba };
}

function readRgba(image: RgbaImage): Promise<ReadResult[]> {
  // zxing-wasm takes an ImageData-shaped object; Node has no ImageData class.
  const imageData = { data: image.rgba, width: image.width, height: image.height, colorSpace: 'srgb' };
  return readBarcodes(imageData as unknown as Parameters<typeof readBarcodes>[0], READER_OPTIONS);
}

function decoded(results: readonly ReadResult[], scale: number): DecodedCode[] {
  const codes: DecodedCode[] = [];
  for (const r of results) {
    if (!r.isValid) continue;
    const p = r.position;
    codes.push({
      text: r.text,
      position: {
        x: (p.topLeft.x + p.topRight.x + p.bottomLeft.x + p.bottomRight.x) / 4 / scale,
        y: (p.topLeft.y + p.topRight.y + p.bottomLeft.y + p.bottomRight.y) / 4 / scale,
      },
    });
  }
  return codes;
}

/**
 * Decodes every valid QR code in `image`: an RGBA raster, or the bytes of a
 * PNG or JPEG file. Returns [] when the image holds no readable code. Codes
 * come in the order zxing finds them; sort by `position` if order matters.
 *
 * An image whose codes are very small is read twice. Measured on 1.5–3 MP photos, the second look adds
 * 0.2–0.6 s; a 200-dpi scanned page takes one look, 45–75 ms.
 * @throws RangeError for an RGBA buffer of the wrong size; zxing's errors for
 *   bytes that are no image it can read
 */
export async function readCodes(image: RgbaImage | Uint8Array): Promise<DecodedCode[]> {
  if (!(image instanceof Uint8Array) && image.rgba.length !== image.width * image.height * 4) {
    throw new RangeError(`RGBA buffer holds ${image.rgba.length} bytes, expected ${image.width}×${image.height}×4`);
  }
  await prepare();
  const results = image instanceof Uint8Array ? await readBarcodes(image, READER_OPTIONS) : await readRgba(image);
  const codes = decoded(results, 1);
  const wanted = secondLookFactor(results);
  if (wanted === 0) return codes;
  // Bytes are decoded here only now, when needed: zxing decoded them for the first look but does not hand the pixels back.
  const grey = image instanceof Uint8Array ? await greyOfBytes(image) : greyOf(image);
  if (grey === undefined) return codes;
  const factor = Math.min(wanted, Math.sqrt(MAX_ENLARGED_PIXELS / (grey.width * grey.height)));
  if (factor <= 1) return codes;
  const again = decoded(await readRgba(enlarge(grey, factor)), factor);
  const seen = new Set(codes.map((c) => c.text));
  for (const c of again) if (!seen.has(c.text)) { seen.add(c.text); codes.push(c); }
  return codes;
}
