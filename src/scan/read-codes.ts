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
import { greyOf, type GreyImage, type RgbaImage } from './raster.js';
import { decodeImage } from './decode-image.js';
import {
  binarizers, characterSets, eanAddOnSymbols, encodeFormats, prepareZXingModule, readBarcodes, textModes,
  type ReaderOptions, type ZXingReaderModule, type ZXingReaderOptions,
} from 'zxing-wasm/reader';

export type { GreyImage, RgbaImage } from './raster.js';

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

/**
 * Zxing's looks that cannot find a paperchart code on a scanned or rendered page: inverted (light on dark: never
 * printed) and downscaled by 3 (a page at 150 dpi or more has 2.7 px a module or more, 0.9 once downscaled). Left
 * out for such pages (`ReadOptions.scannedPage`): 33 ms of zxing a 200-dpi binder page became 16 ms, the same 144
 * codes read on 55 of the demo binder's pages (measured).
 */
const SCANNED_PAGE: ReaderOptions = { tryInvert: false, tryDownscale: false };

export interface ReadOptions {
  /**
   * The image is a page scanned or rendered at 150 dpi or more, as a PDF's pages are read: zxing's looks that
   * only find codes inverted or much larger than paperchart prints them are skipped.
   */
  scannedPage?: boolean;
}

let ready: Promise<Zxing> | undefined;

/** Loads the zxing wasm from node_modules; later calls reuse the first load. */
function prepare(): Promise<Zxing> {
  if (ready === undefined) {
    const wasmPath = createRequire(import.meta.url).resolve('zxing-wasm/reader/zxing_reader.wasm');
    const wasmBinary = readFileSync(wasmPath);
    const buffer = wasmBinary.buffer.slice(wasmBinary.byteOffset, wasmBinary.byteOffset + wasmBinary.byteLength);
    ready = prepareZXingModule({ overrides: { wasmBinary: buffer as ArrayBuffer }, fireImmediately: true }) as Promise<Zxing>;
    ready.catch(() => { ready = undefined; }); // let a later call retry
  }
  return ready;
}

/** Side of a code in pixels over its modules (version v has 17 + 4v). */
function pitchOf(r: Found): number {
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
function secondLookFactor(results: readonly Found[]): number {
  const failed = results.some((r) => !r.isValid);
  const pitch = Math.min(...results.filter((r) => r.isValid).map(pitchOf));
  if (!failed && !(pitch < FINE_PITCH_PX)) return 0;
  return Math.min(MAX_ENLARGE, Number.isFinite(pitch) ? Math.max(1.25, TARGET_PITCH_PX / pitch) : 1.5);
}

/**
 * Grey levels for the second look, weighed 77/150/29 as it always was: zxing-wasm's own 306/601/117 (the first
 * look's) read one code fewer of a 3 MP phone photo (test/scan/phone-photo.test.ts); on grey pixels both are the same.
 */
function secondLookGrey(image: RgbaImage): GreyImage {
  const { width, height, rgba } = image;
  const grey = new Uint8Array(width * height);
  for (let i = 0, o = 0; i < grey.length; i++, o += 4) grey[i] = (rgba[o]! * 77 + rgba[o + 1]! * 150 + rgba[o + 2]! * 29) >> 8;
  return { width, height, grey };
}

/** Decodes image bytes to grey levels with sharp, or returns undefined for bytes it cannot decode: the first look's codes then stand. */
async function greyOfBytes(bytes: Uint8Array): Promise<GreyImage | undefined> {
  try { return secondLookGrey(await decodeImage(bytes)); } catch { return undefined; }
}

/** Bilinear enlargement of grey levels by `factor`. */
function enlarge(src: GreyImage, factor: number): GreyImage {
  const { width: w, height: h, grey } = src;
  const width = Math.round(w * factor), height = Math.round(h * factor);
  const out = new Uint8ClampedArray(width * height); // rounds as the RGBA raster zxing read before did
  const sx = w / width, sy = h / height;
  for (let y = 0; y < height; y++) {
    const fy = Math.min(h - 1, Math.max(0, (y + 0.5) * sy - 0.5));
    const y0 = Math.min(h - 2, Math.floor(fy)), ty = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.min(w - 1, Math.max(0, (x + 0.5) * sx - 0.5));
      const x0 = Math.min(w - 2, Math.floor(fx)), tx = fx - x0;
      const p = y0 * w + x0;
      out[y * width + x] = (grey[p]! * (1 - tx) + grey[p + 1]! * tx) * (1 - ty) + (grey[p + w]! * (1 - tx) + grey[p + w + 1]! * tx) * ty;
    }
  }
  return { width, height, grey: new Uint8Array(out.buffer) };
}

/** What is used of a result, as zxing-wasm's ReadResult and its module's own result both have it. */
interface Found {
  text: string;
  isValid: boolean;
  version: string;
  position: { topLeft: Point; topRight: Point; bottomLeft: Point; bottomRight: Point };
}
interface Point { x: number; y: number }

/** The module's memory functions (Emscripten's; zxing-wasm's types name them through @types/emscripten, not installed). */
type Zxing = ZXingReaderModule & { _malloc(bytes: number): number; _free(at: number): void; HEAPU8: Uint8Array };

/** ReaderOptions as the wasm module takes them (zxing-wasm's own conversion is not exported). */
function moduleOptions(o: ReaderOptions): ZXingReaderOptions {
  return {
    tryHarder: true, tryRotate: true, tryInvert: true, tryDownscale: true, tryDenoise: false, isPure: false,
    downscaleFactor: 3, downscaleThreshold: 500, minLineCount: 2, maxNumberOfSymbols: 255, validateOptionalChecksum: false,
    returnErrors: false, ...o,
    formats: encodeFormats(o.formats ?? []),
    binarizer: binarizers.indexOf(o.binarizer ?? 'LocalAverage'),
    eanAddOnSymbol: eanAddOnSymbols.indexOf(o.eanAddOnSymbol ?? 'Ignore'),
    textMode: textModes.indexOf(o.textMode ?? 'HRI'),
    characterSet: characterSets.indexOf(o.characterSet ?? 'Unknown'),
    tryCode39ExtendedMode: o.tryCode39ExtendedMode ?? true,
  } as ZXingReaderOptions;
}
const FULL = moduleOptions(READER_OPTIONS);
const SCANNED = moduleOptions({ ...READER_OPTIONS, ...SCANNED_PAGE });

/**
 * Reads grey levels with the wasm module directly: zxing-wasm's readBarcodes takes RGBA only and turns it into
 * grey in JavaScript, 21 ms of a 200-dpi page's 215 ms (measured under load).
 */
function readGrey(zxing: Zxing, image: GreyImage, options: ZXingReaderOptions): Found[] {
  const { width, height, grey } = image;
  if (grey.length !== width * height) throw new RangeError(`grey buffer holds ${grey.length} bytes, expected ${width}×${height}`);
  const at = zxing._malloc(grey.length);
  if (!at) throw new Error(`zxing could not allocate ${grey.length} bytes`);
  try {
    zxing.HEAPU8.set(grey, at);
    const found = zxing.readBarcodesFromPixmap(at, width, height, options);
    const out: Found[] = [];
    for (let i = 0; i < found.size(); i++) {
      const r = found.get(i);
      if (r) out.push({ text: r.text, isValid: r.isValid, version: r.version, position: r.position });
    }
    (found as { delete?: () => void }).delete?.();
    return out;
  } finally {
    zxing._free(at);
  }
}

function decoded(results: readonly Found[], scale: number): DecodedCode[] {
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
export async function readCodes(image: RgbaImage | GreyImage | Uint8Array, opts: ReadOptions = {}): Promise<DecodedCode[]> {
  if ('rgba' in image && image.rgba.length !== image.width * image.height * 4) {
    throw new RangeError(`RGBA buffer holds ${image.rgba.length} bytes, expected ${image.width}×${image.height}×4`);
  }
  const zxing = await prepare();
  const options = opts.scannedPage ? SCANNED : FULL;
  const first = image instanceof Uint8Array ? undefined : 'rgba' in image ? greyOf(image) : image;
  const results: Found[] = first ? readGrey(zxing, first, options) : await readBarcodes(image as Uint8Array, READER_OPTIONS);
  const codes = decoded(results, 1);
  const wanted = secondLookFactor(results);
  if (wanted === 0) return codes;
  // Bytes are decoded here only now, when needed: zxing decoded them for the first look but does not hand the pixels back.
  const grey = image instanceof Uint8Array ? await greyOfBytes(image) : 'rgba' in image ? secondLookGrey(image) : image;
  if (grey === undefined) return codes;
  const factor = Math.min(wanted, Math.sqrt(MAX_ENLARGED_PIXELS / (grey.width * grey.height)));
  if (factor <= 1) return codes;
  const again = decoded(readGrey(zxing, enlarge(grey, factor), options), factor);
  const seen = new Set(codes.map((c) => c.text));
  for (const c of again) if (!seen.has(c.text)) { seen.add(c.text); codes.push(c); }
  return codes;
}
