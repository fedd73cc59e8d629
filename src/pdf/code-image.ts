/**
 * Draws a code's image (qr/qr-symbol.ts qrImage) into the page: the image
 * object pdfkit writes for the same image as a PNG (its decode parameters
 * inline instead of an object of their own), drawn with the operators
 * pdfkit's image() writes, without pdfkit parsing a PNG first (png-js copies
 * the data a byte at a time).
 */
import { MODULE_PT, QR_IMAGE_PIXELS, QR_MODULES } from '../qr/qr-symbol.js';
import { beginContent, endContent } from './content-stream.js';
import { currentPage, newObject, nextImageLabel, type PdfDoc } from './_pdfkit.js';

/** Draws `image` (qrImage) with the code's top-left module at (x, y), the quiet zone outside that box. */
export function drawQr(doc: PdfDoc, image: Uint8Array, x: number, y: number, modulePt = MODULE_PT): void {
  const label = nextImageLabel(doc);
  const obj = newObject(doc, {
    Type: 'XObject', Subtype: 'Image', BitsPerComponent: 1, Width: QR_IMAGE_PIXELS, Height: QR_IMAGE_PIXELS, Filter: 'FlateDecode',
    DecodeParms: { Predictor: 15, Colors: 1, BitsPerComponent: 1, Columns: QR_IMAGE_PIXELS }, ColorSpace: 'DeviceGray',
  });
  obj.end(image);
  currentPage(doc).xobjects[label] = obj;
  const side = QR_MODULES * modulePt;
  // The image's unit square, scaled to the code's side and turned the right way up in the page's y-down space.
  const out = beginContent(doc);
  out.line('q').number(side).text('0 0 ').number(-side).number(x).number(y + side).line('cm').byte(0x2f).text(label).line(' Do').line('Q');
  endContent(doc, out);
}
