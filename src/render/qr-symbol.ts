import { constants, deflateSync } from 'node:zlib';
import { encodeQrModules, QR_MODULES } from './_qr-encoder.js';
import { writeContent } from './_page-content.js';

export { QR_CAPACITY, QR_EC_LEVEL, QR_MASK, QR_MODULES, QR_VERSION } from './_qr-encoder.js';
/** Quiet zone in modules on each side (ISO 18004 asks for 4). */
export const QR_QUIET = 4;
/** Printed module size: 0.5 mm, read by zbarimg and ZXing from 200-dpi scans (FORMAT §10). */
export const MODULE_PT = (0.5 / 25.4) * 72;

/**
 * Image pixels per module. At one pixel a module, renderers smooth the image
 * as they enlarge it (poppler does below 4× and a 0.5 mm module is 3.9 pixels
 * at 200 dpi) and zbarimg then read 2 of 6 codes on a page; at 4 the image
 * is near the scan's own resolution and nothing is smoothed (measured).
 */
const IMAGE_PIXELS_PER_MODULE = 4; // qrImage writes a module as a nibble of a row, so it must stay 4
/** Pixels per side of a code's image. */
const IMAGE_SIZE = QR_MODULES * IMAGE_PIXELS_PER_MODULE;

/**
 * Two modules' pixels as a byte of a 1-bit row (1 = white), by their darkness
 * (first module × 2 + second): four pixels a module, the first in the high nibble.
 */
const PIXEL_PAIRS = Uint8Array.of(0xff, 0xf0, 0x0f, 0x00);
/** A code's modules, and a zeroed image buffer, used again for every code: each code writes the same bytes of it and the rest stay zero. */
const moduleScratch = new Uint8Array(QR_MODULES * QR_MODULES);
let imageRows: Buffer | undefined;

/**
 * One code as the data of a 1-bit grey PDF image, IMAGE_PIXELS_PER_MODULE
 * pixels a module: rows each led by a PNG filter byte, deflated (what a PNG's
 * IDAT holds; the image's DecodeParms say so, see drawQr). Embedded as an image
 * a code costs its modules in bits instead of a rectangle per run of modules
 * in the page's content stream: 6× smaller, and no text to build and deflate (issue 6).
 */
export function qrImage(text: string): Uint8Array {
  const dark = encodeQrModules(text, moduleScratch);
  const modules = QR_MODULES;
  const stride = 1 + Math.ceil(IMAGE_SIZE / 8);
  const raw = (imageRows ??= Buffer.alloc(stride * IMAGE_SIZE)); // rows of: filter byte, then pixels (1 = white)
  for (let r = 0; r < modules; r++) {
    const row = r * IMAGE_PIXELS_PER_MODULE * stride;
    const first = r * modules;
    // Two modules a byte; an odd last module is paired with white padding.
    let c = 0;
    for (; c + 1 < modules; c += 2) raw[row + 1 + (c >> 1)] = PIXEL_PAIRS[dark[first + c]! * 2 + dark[first + c + 1]!]!;
    if (c < modules) raw[row + 1 + (c >> 1)] = PIXEL_PAIRS[dark[first + c]! * 2]!;
    // The module's other pixel rows repeat it: filter 2 ("up") makes them all zeros, which deflate to nothing.
    for (let y = 1; y < IMAGE_PIXELS_PER_MODULE; y++) raw[row + y * stride] = 2;
  }
  // Run-length matching only: the rows are runs of equal bytes and zeros. A third of level 3's time and
  // 13% fewer bytes (0.06 against 0.16 ms, 2.6 against 3.0 KB a code, measured).
  return deflateSync(raw, { strategy: constants.Z_RLE });
}

/** The parts of pdfkit 0.20 an image is drawn with: its image count for labels, references for objects, the page's images. */
interface ImageInternals {
  _imageCount: number;
  ref(data: Record<string, unknown>): { end(chunk?: Uint8Array): void };
  page: { xobjects: Record<string, unknown> };
}

/**
 * Draws a code's image (qrImage) with its top-left module at (x, y), quiet
 * zone outside that box: the image object pdfkit writes for the same image as
 * a PNG (its decode parameters inline instead of an object of their own),
 * drawn with the operators pdfkit's image() writes, without pdfkit parsing a
 * PNG first (png-js copies the data a byte at a time).
 */
export function drawQr(doc: PDFKit.PDFDocument, image: Uint8Array, x: number, y: number, modulePt = MODULE_PT): void {
  const internals = doc as unknown as ImageInternals;
  const label = `I${++internals._imageCount}`;
  const obj = internals.ref({
    Type: 'XObject', Subtype: 'Image', BitsPerComponent: 1, Width: IMAGE_SIZE, Height: IMAGE_SIZE, Filter: 'FlateDecode',
    DecodeParms: { Predictor: 15, Colors: 1, BitsPerComponent: 1, Columns: IMAGE_SIZE }, ColorSpace: 'DeviceGray',
  });
  obj.end(image);
  internals.page.xobjects[label] = obj;
  const side = QR_MODULES * modulePt;
  // The image's unit square, scaled to the code's side and turned the right way up in the page's y-down space.
  writeContent(doc, (out) => out.line('q').number(side).text('0 0 ').number(-side).number(x).number(y + side).line('cm')
    .byte(0x2f).text(label).line(' Do').line('Q'));
}
