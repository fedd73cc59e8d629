// Tells, from a PDF page's operator list, a page that cannot hold a 2-D code, so that restore need not render it:
// 86 of the demo binder's 163 pages are summaries (text, table rules, a tab), and rendering a page, taking its grey
// levels and a look by zxing cost about 70 ms of a binder page's 100 (measured, one thread). Anything that could
// draw a code keeps the page: every image (paperchart's codes are images), shading, pattern, soft mask, clip by
// text, text in a Type 3 or a barcode font or of block characters (a code typed as █▀▄), any operator not known
// here, and paths holding three or more like-sized compact shapes (see vectorCode).
import { OPS, type PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';

/** Operators that only set state or group content (the content they group is in the list and judged itself). */
const NEUTRAL = new Set<number>([
  OPS.dependency, OPS.setLineCap, OPS.setLineJoin, OPS.setMiterLimit, OPS.setRenderingIntent,
  OPS.setFlatness, OPS.save, OPS.restore, OPS.transform, OPS.beginText, OPS.endText, OPS.setCharSpacing, OPS.setWordSpacing,
  OPS.setHScale, OPS.setLeading, OPS.setTextRise, OPS.moveText, OPS.setLeadingMoveText, OPS.setTextMatrix, OPS.nextLine,
  OPS.setCharWidth, OPS.setCharWidthAndBounds, OPS.setStrokeColorSpace, OPS.setFillColorSpace, OPS.setStrokeColor,
  OPS.setFillColor, OPS.setStrokeGray, OPS.setFillGray, OPS.setStrokeRGBColor, OPS.setFillRGBColor, OPS.setStrokeCMYKColor,
  OPS.setFillCMYKColor, OPS.beginMarkedContent, OPS.beginMarkedContentProps, OPS.endMarkedContent, OPS.markPoint,
  OPS.markPointProps, OPS.beginCompat, OPS.endCompat, OPS.paintFormXObjectBegin, OPS.paintFormXObjectEnd, OPS.beginGroup,
  OPS.endGroup, OPS.beginAnnotation, OPS.endAnnotation, OPS.setStrokeTransparent, OPS.setFillTransparent,
]);
const SHOW_TEXT = new Set<number>([OPS.showText, OPS.showSpacedText, OPS.nextLineShowText, OPS.nextLineSetSpacingShowText]);
/** Fonts that draw barcodes by name (IDAutomation2D, "QR Code Font", Code 128 …): their letters are modules. */
const BARCODE_FONT = /barcode|bar code|qr|2d|datamatrix|matrix|aztec|pdf417|idautomation|code ?128|code ?39|ean|upc/i;
/** Block elements and geometric shapes (U+2580–U+25FF): a code printed as text art. */
const BLOCK_CHARACTER = /[\u2580-\u25ff]/;
/** pdfjs' path operations (DrawOPS in its shared/util.js) and how many numbers each takes. */
const MOVE_TO = 0, CLOSE_PATH = 4;
const ARGS = [2, 2, 6, 4, 0];
/** Painting operators of constructPath; endPath (28) and the clips paint nothing. */
const STROKES = new Set<number>([OPS.stroke, OPS.closeStroke, OPS.fillStroke, OPS.eoFillStroke, OPS.closeFillStroke, OPS.closeEOFillStroke]);
const FILLS = new Set<number>([OPS.fill, OPS.eoFill, OPS.rawFillPath, ...STROKES]);

/**
 * A shape counts as compact when its box is no longer than this times its width. A QR code drawn as vectors in any
 * way holds its three finder centres (3 × 3 modules, each set apart by a light ring), so at least three compact
 * shapes of one size whichever way it is drawn: whole, as 3 × 1 runs (ratio 3), or module by module; turned or
 * sheared alike, as copies of one shape under one transform stay copies of one size.
 */
const COMPACT_RATIO = 4;
/** Boxes of one size within this share. */
const SAME_SIZE = 0.05;

interface FontLike { name?: string; isType3Font?: boolean }
interface Glyph { unicode?: string }

/** The boxes (width, height) of the closed shapes a constructPath paints, strokes widened by the line width. */
function shapes(args: unknown[], lineWidth: number): [number, number][] | undefined {
  const [paint, data] = args as [number, unknown];
  if (!FILLS.has(paint)) return [];
  const path = Array.isArray(data) ? data[0] as ArrayLike<number> | undefined : undefined;
  if (!path) return undefined;
  const widen = STROKES.has(paint) ? Math.max(lineWidth, 0) : 0;
  const out: [number, number][] = [];
  let box: number[] | undefined;
  const close = (): void => { if (box) out.push([box[2]! - box[0]! + widen, box[3]! - box[1]! + widen]); box = undefined; };
  for (let i = 0; i < path.length;) {
    const op = path[i++]!;
    const n = ARGS[op];
    if (n === undefined) return undefined;
    if (op === MOVE_TO) close();
    for (let k = 0; k < n; k += 2) {
      const x = path[i + k]!, y = path[i + k + 1]!;
      if (!box) box = [x, y, x, y];
      else { box[0] = Math.min(box[0]!, x); box[1] = Math.min(box[1]!, y); box[2] = Math.max(box[2]!, x); box[3] = Math.max(box[3]!, y); }
    }
    i += n;
    if (op === CLOSE_PATH) close();
  }
  close();
  return out;
}

/** Three or more compact shapes of one size: what any vector drawing of a QR code holds (COMPACT_RATIO). */
function vectorCode(boxes: [number, number][]): boolean {
  const compact = boxes.filter(([w, h]) => w > 0 && h > 0 && Math.max(w, h) <= COMPACT_RATIO * Math.min(w, h))
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const same = (a: [number, number], b: [number, number]): boolean =>
    Math.abs(a[0] - b[0]) <= SAME_SIZE * Math.max(a[0], b[0]) && Math.abs(a[1] - b[1]) <= SAME_SIZE * Math.max(a[1], b[1]);
  for (let i = 0; i < compact.length; i++) {
    let alike = 1;
    for (let j = i + 1; j < compact.length && compact[j]![0] <= compact[i]![0] * (1 + SAME_SIZE); j++) if (same(compact[i]!, compact[j]!)) alike++;
    if (alike >= 3) return true;
  }
  return false;
}

function fontOf(page: PDFPageProxy, id: unknown): FontLike | undefined {
  try {
    const objs = (typeof id === 'string' && id.startsWith('g_') ? page.commonObjs : page.objs) as unknown as { get(id: string): unknown };
    return objs.get(id as string) as FontLike;
  } catch { return undefined; }
}

/**
 * Whether the page may hold a 2-D code; false only when nothing it draws could be one: text in ordinary fonts,
 * rules and other shapes too few or too unlike to make a code. Reads the operator list, which rendering then reuses.
 */
export async function mayHoldCode(page: PDFPageProxy): Promise<boolean> {
  const ops = await page.getOperatorList({ intent: 'print' });
  const boxes: [number, number][] = [];
  let lineWidth = 1;
  let dashed = false;
  let textMode = 0;
  let font: FontLike | undefined;
  for (let i = 0; i < ops.fnArray.length; i++) {
    const fn = ops.fnArray[i]!;
    const args = (ops.argsArray[i] ?? []) as unknown[];
    if (NEUTRAL.has(fn)) continue;
    if (fn === OPS.setLineWidth) lineWidth = Number(args[0]) || 0;
    else if (fn === OPS.setDash) dashed = Array.isArray(args[0]) && (args[0] as unknown[]).length > 0;
    else if (fn === OPS.setTextRenderingMode) textMode = Number(args[0]);
    else if (fn === OPS.setFont) font = fontOf(page, args[0]);
    else if (fn === OPS.setGState) {
      // A soft mask can paint any picture through a plain fill.
      const entries = Array.isArray(args[0]) ? args[0] as unknown[] : [];
      if (entries.some((e) => Array.isArray(e) && e[0] === 'SMask' && e[1])) return true;
    } else if (SHOW_TEXT.has(fn)) {
      if (textMode >= 4 || !font || font.isType3Font || BARCODE_FONT.test(font.name ?? '')) return true;
      const glyphs = (fn === OPS.nextLineSetSpacingShowText ? args[2] : args[0]) as unknown;
      if (!Array.isArray(glyphs)) return true;
      if (glyphs.some((g) => typeof g === 'object' && g !== null && BLOCK_CHARACTER.test((g as Glyph).unicode ?? ''))) return true;
    } else if (fn === OPS.constructPath) {
      if (dashed && STROKES.has(args[0] as number)) return true; // a dashed line can draw a row of modules
      const found = shapes(args, lineWidth);
      if (!found) return true;
      boxes.push(...found);
    } else return true; // an image, a shading, a pattern, or something unknown here
  }
  return vectorCode(boxes);
}
