import { encodeQrModules, QR_MODULES } from './encoder.js';
import { deflateCodeImage } from './image-deflate.js';

export { QR_CAPACITY, QR_EC_LEVEL, QR_MASK, QR_MODULES, QR_VERSION } from './encoder.js';
/** Quiet zone in modules on each side (ISO 18004 asks for 4). */
export const QR_QUIET = 4;
/**
 * Printed module size: 0.46 mm, so that three columns of codes with their quiet zones (367 modules, 478.6 pt) fit
 * A4's body between its 71 pt gutter and 42 pt outer margin (482.3 pt; 0.5 mm needed 520 pt): nine codes a page
 * instead of six. Read by zbarimg and ZXing from 200-dpi scans, 3.6 pixels a module (FORMAT §10).
 */
export const MODULE_PT = (0.46 / 25.4) * 72;

/**
 * Image pixels per module. At one pixel a module, renderers smooth the image
 * as they enlarge it (poppler does below 4× and a 0.5 mm module is 3.9 pixels
 * at 200 dpi) and zbarimg then read 2 of 6 codes on a page; at 4 the image
 * is near the scan's own resolution and nothing is smoothed (measured).
 */
const IMAGE_PIXELS_PER_MODULE = 4; // deflateCodeImage writes a module as a nibble of a row and three rows more, so it must stay 4
/** Pixels per side of a code's image. */
const IMAGE_SIZE = QR_MODULES * IMAGE_PIXELS_PER_MODULE;

/** A code's modules, used again for every code. */
const moduleScratch = new Uint8Array(QR_MODULES * QR_MODULES);

/**
 * One code as the data of a 1-bit grey PDF image, IMAGE_PIXELS_PER_MODULE
 * pixels a module: rows each led by a PNG filter byte, deflated (what a PNG's
 * IDAT holds; the image's DecodeParms say so, see drawQr). Embedded as an image
 * a code costs its modules in bits instead of a rectangle per run of modules
 * in the page's content stream: 6× smaller, and no text to build and deflate (issue 6).
 */
export function qrImage(text: string): Uint8Array {
  return deflateCodeImage(encodeQrModules(text, moduleScratch), QR_MODULES);
}

/** Pixels per side of a code's image, for the PDF image that draws it (pdf/code-image.ts). */
export const QR_IMAGE_PIXELS = IMAGE_SIZE;
