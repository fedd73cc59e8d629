// Takes the page image out of a page an office scanner wrote (one image that
// fills the page, perhaps under invisible OCR text), at the image's own
// resolution, without rendering. pdfjs has already decoded it whatever its
// filter (DCT, CCITT G4, JBIG2, Flate), for its operator list.
import { OPS, type PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { RgbaImage } from './raster.js';

/** pdfjs' decoded image, as page.objs holds it (ImageKind in pdfjs' shared/util.js). */
interface PdfjsImage {
  width: number;
  height: number;
  kind?: number;
  data?: Uint8Array | Uint8ClampedArray;
}
const GRAYSCALE_1BPP = 1, RGB_24BPP = 2, RGBA_32BPP = 3;

type Matrix = [number, number, number, number, number, number];
const multiply = (m: Matrix, n: Matrix): Matrix => [
  m[0] * n[0] + m[2] * n[1], m[1] * n[0] + m[3] * n[1],
  m[0] * n[2] + m[2] * n[3], m[1] * n[2] + m[3] * n[3],
  m[0] * n[4] + m[2] * n[5] + m[4], m[1] * n[4] + m[3] * n[5] + m[5],
];

/** Operators that change state but put nothing on the page. */
const NEUTRAL = new Set<number>([
  OPS.dependency, OPS.setLineWidth, OPS.setLineCap, OPS.setLineJoin, OPS.setMiterLimit, OPS.setDash, OPS.setRenderingIntent,
  OPS.setFlatness, OPS.setGState, OPS.beginText, OPS.endText, OPS.setCharSpacing, OPS.setWordSpacing, OPS.setHScale,
  OPS.setLeading, OPS.setFont, OPS.setTextRise, OPS.moveText, OPS.setLeadingMoveText, OPS.setTextMatrix, OPS.nextLine,
  OPS.setStrokeColorSpace, OPS.setFillColorSpace, OPS.setStrokeColor, OPS.setStrokeColorN, OPS.setFillColor, OPS.setFillColorN,
  OPS.setStrokeGray, OPS.setFillGray, OPS.setStrokeRGBColor, OPS.setFillRGBColor, OPS.setStrokeCMYKColor, OPS.setFillCMYKColor,
  OPS.beginMarkedContent, OPS.beginMarkedContentProps, OPS.endMarkedContent, OPS.markPoint, OPS.markPointProps,
  OPS.beginCompat, OPS.endCompat,
]);
const SHOW_TEXT = new Set<number>([OPS.showText, OPS.showSpacedText, OPS.nextLineShowText, OPS.nextLineSetSpacingShowText]);
/** Text render modes 3 and 7 paint nothing: the OCR layer of a "searchable" scan. */
const INVISIBLE_TEXT = new Set([3, 7]);

/** The image must cover this share of the page: a scan with a small margin, not a logo. */
const MIN_COVER = 0.9;

function toRgba(img: PdfjsImage): Uint8ClampedArray | undefined {
  const { width: w, height: h, data, kind } = img;
  if (!data || !(w > 0 && h > 0)) return undefined;
  const out = new Uint8ClampedArray(w * h * 4);
  if (kind === RGBA_32BPP && data.length >= w * h * 4) {
    out.set(data.subarray(0, w * h * 4));
  } else if (kind === RGB_24BPP && data.length >= w * h * 3) {
    for (let i = 0, j = 0; i < w * h; i++, j += 3) {
      out[4 * i] = data[j]!; out[4 * i + 1] = data[j + 1]!; out[4 * i + 2] = data[j + 2]!; out[4 * i + 3] = 255;
    }
  } else if (kind === GRAYSCALE_1BPP && data.length >= Math.ceil(w / 8) * h) {
    // Rows padded to whole bytes; a set bit is white (pdfjs has applied /Decode already).
    const row = Math.ceil(w / 8);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const v = (data[y * row + (x >> 3)]! >> (7 - (x & 7))) & 1 ? 255 : 0;
        const o = 4 * (y * w + x);
        out[o] = out[o + 1] = out[o + 2] = v; out[o + 3] = 255;
      }
    }
  } else {
    return undefined;
  }
  return out;
}

function objectOf(page: PDFPageProxy, id: string): Promise<PdfjsImage | undefined> {
  // Images shared between pages live in the document's objects ("g_" ids), the others in the page's.
  const objs = (id.startsWith('g_') ? page.commonObjs : page.objs) as unknown as { get(id: string, cb: (d: unknown) => void): void };
  return new Promise((resolve) => objs.get(id, (d) => resolve((d ?? undefined) as PdfjsImage | undefined)));
}

/**
 * The page's image at its own resolution, when the page is nothing but one
 * image covering at least 90% of it (invisible text allowed); otherwise
 * undefined, and the caller renders the page. Mirror images and images of
 * an unexpected pixel format are left to rendering too.
 */
export async function takePageImage(page: PDFPageProxy): Promise<RgbaImage | undefined> {
  const ops = await page.getOperatorList({ intent: 'print' });
  let ctm: Matrix = [1, 0, 0, 1, 0, 0];
  const stack: Matrix[] = [];
  let textMode = 0;
  let found: { ctm: Matrix; image: Promise<PdfjsImage | undefined> } | undefined;
  for (let i = 0; i < ops.fnArray.length; i++) {
    const fn = ops.fnArray[i]!;
    const args = ops.argsArray[i] as unknown[] | null;
    if (NEUTRAL.has(fn)) continue;
    if (fn === OPS.save) stack.push(ctm);
    else if (fn === OPS.restore) ctm = stack.pop() ?? ctm;
    else if (fn === OPS.transform) ctm = multiply(ctm, args as unknown as Matrix);
    else if (fn === OPS.paintFormXObjectBegin) {
      stack.push(ctm);
      const m = args?.[0] as Matrix | null | undefined;
      if (m) ctm = multiply(ctm, m);
    } else if (fn === OPS.paintFormXObjectEnd) ctm = stack.pop() ?? ctm;
    else if (fn === OPS.setTextRenderingMode) textMode = args?.[0] as number;
    else if (SHOW_TEXT.has(fn) && INVISIBLE_TEXT.has(textMode)) continue;
    else if (fn === OPS.paintImageXObject && found === undefined) found = { ctm, image: objectOf(page, args?.[0] as string) };
    else if (fn === OPS.paintInlineImageXObject && found === undefined) found = { ctm, image: Promise.resolve(args?.[0] as PdfjsImage) };
    else return undefined; // it draws something else: only rendering shows the page as printed
  }
  if (!found) return undefined;
  const m = found.ctm;
  if (m[0] * m[3] - m[1] * m[2] <= 0) return undefined; // mirrored: QR readers expect the code as printed
  // The image fills the unit square under the CTM; compare its bounds with the page's.
  const xs = [m[4], m[0] + m[4], m[2] + m[4], m[0] + m[2] + m[4]];
  const ys = [m[5], m[1] + m[5], m[3] + m[5], m[1] + m[3] + m[5]];
  const [x0, y0, x1, y1] = page.view as [number, number, number, number];
  const w = Math.min(x1, Math.max(...xs)) - Math.max(x0, Math.min(...xs));
  const h = Math.min(y1, Math.max(...ys)) - Math.max(y0, Math.min(...ys));
  if (w <= 0 || h <= 0 || (w * h) / ((x1 - x0) * (y1 - y0)) < MIN_COVER) return undefined;
  const image = await found.image;
  const rgba = image && toRgba(image);
  return rgba ? { width: image.width, height: image.height, rgba } : undefined;
}
