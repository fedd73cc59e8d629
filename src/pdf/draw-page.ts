import type { PageBody, PageOp } from '../layout/flow.js';
import type { TextShaper } from '../text/shape-text.js';
import { qrImage } from '../qr/qr-symbol.js';
import { drawQr } from './code-image.js';
import { drawShapedLine } from './glyph-run.js';
import { drawMonoText } from './mono-text.js';
import type { PageContent } from './content-stream.js';

/**
 * Where the running header and footer sit, given the paper, for a ring binder printed duplex: a binding gutter on
 * the inner edge (left of a right-hand page, right of a left-hand one) and a narrower outer margin that holds the
 * thumb index. Bodies are laid out once, for a right-hand page, and shifted by `versoShift` on a left-hand one.
 */
export interface PageFrame {
  width: number;
  height: number;
  /** The binding side's margin: clear of the holes and the rings. */
  gutter: number;
  /** The outer margin, which holds the thumb index's tabs. */
  outer: number;
  headerTop: number;
  bodyTop: number;
  bodyBottom: number;
  footerBaseline: number;
}

/**
 * Letter's US 3-hole punch: holes up to 1/2 in from the edge, and the rings hide 0.6–0.8 in of a line: 0.9 in.
 * (At 68 pt the hardest synthetic phone photo of a code page read 4 of 6 codes, at 65 pt 6 of 6: phone-photo.test.ts.)
 */
const GUTTER_LETTER = 65;
/** A4's ISO 838 punch: 6 mm holes centred 12 mm from the edge reach 15 mm; rings and room beyond: 25 mm. */
const GUTTER_A4 = 71;
/** At least 0.5 inch from the outer edge, inside any printer's unprintable band, and wide enough for the thumb tab beside the body. */
const OUTER = 42;
/** The thumb index's tab: from the page's outer edge inwards, and its letters' slots, A–Z then '#'. */
const TAB_WIDTH = 30;
const TAB_LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ#';
/** The footer's confidentiality line. */
const FOOTER_SIZE = 7.5;

/** A4 is 595.28 pt wide, Letter 612: the gutter follows the punch of the paper's country. */
// Body from 78 pt to 48 pt above the foot (84 and 56 before): 14 pt a page gave back what the 0.9 in gutter took, so
// that more than half of 60 sample patients (seed 7) fit one sheet again (half at 84/56: binder-paper.test.ts).
export function pageFrame(width: number, height: number): PageFrame {
  return { width, height, gutter: width < 600 ? GUTTER_A4 : GUTTER_LETTER, outer: OUTER, headerTop: 30, bodyTop: 78, bodyBottom: height - 48, footerBaseline: height - 30 };
}

/** The body's box as laid out: a right-hand page's (binding on the left). */
export function bodyBox(f: PageFrame): { x: number; top: number; width: number; bottom: number } {
  return { x: f.gutter, top: f.bodyTop, width: f.width - f.gutter - f.outer, bottom: f.bodyBottom };
}

/** How far a left-hand page's body moves from where it was laid out: the gutter goes to the right. */
export function versoShift(f: PageFrame): number {
  return f.outer - f.gutter;
}

/**
 * The running header and footer. The title (the patient's name) and the footer's right part (the binder page) go
 * on the outer edge, as in a dictionary, where a reader flipping the binder sees them; the rest on the inner side.
 */
export interface Chrome {
  title: string;
  detail: string;
  titleRight: string;
  detailRight: string;
  footerLeft: string;
  footerRight: string;
  /** Odd pages: right-hand, bound on the left. */
  recto?: boolean;
  /** The thumb index's letter (A–Z, '#'): a black tab on the outer edge, lower for later letters. */
  thumb?: string;
}

/**
 * Draws a page body's operations into the page `content` collects, moved `dx` points right (a left-hand page's
 * body: versoShift). The move is the page's last transformation: nothing but the body is drawn after it.
 */
export function drawOps(content: PageContent, shaper: TextShaper, ops: readonly PageOp[], dx = 0): void {
  const { doc, out } = content;
  if (dx !== 0) out.number(1).number(0).number(0).number(1).number(dx).number(0).line('cm');
  for (const op of ops) {
    switch (op.kind) {
      case 'text':
        content.fillColor(op.color);
        drawShapedLine(doc, shaper, op.line, op.x, op.baseline);
        break;
      case 'rect':
        if (op.fill) content.fillColor(op.fill);
        if (op.stroke) {
          content.strokeColor(op.stroke);
          content.lineWidth(op.lineWidth);
        }
        if (op.fill || op.stroke) out.number(op.x).number(op.y).number(op.w).number(op.h).line('re').line(op.fill ? (op.stroke ? 'B' : 'f') : 'S');
        break;
      case 'rule':
        rule(content, op.x1, op.y1, op.x2, op.y2, op.lineWidth, op.color);
        break;
      case 'qr':
        drawQr(doc, op.image ?? qrImage(op.text), op.x, op.y);
        break;
      case 'mono':
        content.fillColor(op.color);
        drawMonoText(doc, op.text, op.size, op.x, op.baseline);
        break;
    }
  }
}

function rule(content: PageContent, x1: number, y1: number, x2: number, y2: number, width: number, color: string): void {
  content.strokeColor(color);
  content.lineWidth(width);
  content.out.number(x1).number(y1).line('m').number(x2).number(y2).line('l').line('S');
}

export function drawChrome(content: PageContent, shaper: TextShaper, f: PageFrame, c: Chrome): void {
  const { doc } = content;
  const recto = c.recto ?? true;
  const left = recto ? f.gutter : f.outer;
  const right = f.width - (recto ? f.outer : f.gutter);
  const width = right - left;
  /** Draws `text` against the outer or the inner edge of the body's width; returns its width. */
  const place = (text: string, size: number, weight: 'regular' | 'bold', baseline: number, edge: 'outer' | 'inner'): number => {
    const line = shaper.shapeForDrawing(text, size, weight);
    const atRight = (edge === 'outer') === recto;
    drawShapedLine(doc, shaper, line, atRight ? right - line.width : left, baseline);
    return line.width;
  };
  content.fillColor('black');
  const innerTitleWidth = c.titleRight ? shaper.width(c.titleRight, 11, 'bold') + 12 : 0;
  const titleSize = shaper.fit(c.title, 13, 'bold', width - innerTitleWidth);
  place(c.title, titleSize, 'bold', f.headerTop + 13, 'outer');
  if (c.titleRight) place(c.titleRight, 11, 'bold', f.headerTop + 13, 'inner');
  const innerDetailWidth = c.detailRight ? shaper.width(c.detailRight, 9, 'regular') + 12 : 0;
  place(c.detail, shaper.fit(c.detail, 9, 'regular', width - innerDetailWidth), 'regular', f.headerTop + 28, 'outer');
  if (c.detailRight) place(c.detailRight, 9, 'regular', f.headerTop + 28, 'inner');
  rule(content, left, f.headerTop + 36, right, f.headerTop + 36, 1, 'black');
  rule(content, left, f.footerBaseline - 12, right, f.footerBaseline - 12, 0.5, '#666666');
  content.fillColor('#333333');
  const pageWidth = place(c.footerRight, 8, 'bold', f.footerBaseline, 'outer');
  // 7.5 pt at least for the templates' own words (issue 25): fit() shrinks it only for a clinic name longer than Cedar Hill's.
  place(c.footerLeft, shaper.fit(c.footerLeft, FOOTER_SIZE, 'regular', width - pageWidth - 12), 'regular', f.footerBaseline, 'inner');
  if (c.thumb) drawThumbTab(content, shaper, f, c.thumb, recto);
}

/**
 * The thumb index: a black tab on the outer edge whose height on the page shows the letter, A at the top, '#' at
 * the bottom, so a letter is found from the closed binder's edge. It runs off the edge: a printer's unprintable
 * band (0.17–0.25 in) leaves its inner part.
 */
function drawThumbTab(content: PageContent, shaper: TextShaper, f: PageFrame, letter: string, recto: boolean): void {
  const slot = Math.max(0, TAB_LETTERS.indexOf(letter));
  const height = (f.bodyBottom - f.bodyTop) / TAB_LETTERS.length;
  const top = f.bodyTop + slot * height;
  const x = recto ? f.width - TAB_WIDTH : 0;
  content.fillColor('black');
  content.out.number(x).number(top).number(TAB_WIDTH).number(height).line('re').line('f');
  content.fillColor('white');
  // The letter sits on the tab's inner half, inside what every printer prints.
  const inner = recto ? f.width - TAB_WIDTH + 5 : 5;
  drawLetterOutline(content, shaper, letter, 12, inner, top + height / 2 + 4.5);
}

/**
 * A letter as a filled outline, not text: a reader's text extraction and copy-paste never pick up the thumb
 * index's letters between a page's lines.
 */
function drawLetterOutline(content: PageContent, shaper: TextShaper, letter: string, size: number, x: number, baseline: number): void {
  const font = shaper.fonts.chains.bold[0]!.font;
  const glyph = font.glyphForCodePoint(letter.codePointAt(0)!);
  const k = size / font.unitsPerEm;
  const { out } = content;
  const at = (px: number, py: number): void => { out.number(x + px * k).number(baseline - py * k); };
  let cx = 0;
  let cy = 0;
  for (const c of glyph.path.commands) {
    const a = c.args;
    if (c.command === 'moveTo' || c.command === 'lineTo') { at(a[0]!, a[1]!); out.line(c.command === 'moveTo' ? 'm' : 'l'); [cx, cy] = [a[0]!, a[1]!]; }
    else if (c.command === 'bezierCurveTo') { at(a[0]!, a[1]!); at(a[2]!, a[3]!); at(a[4]!, a[5]!); out.line('c'); [cx, cy] = [a[4]!, a[5]!]; }
    else if (c.command === 'quadraticCurveTo') {
      // A quadratic as the cubic that draws it exactly: control points two thirds of the way to the quadratic's.
      const [qx, qy, ex, ey] = [a[0]!, a[1]!, a[2]!, a[3]!];
      at(cx + (2 / 3) * (qx - cx), cy + (2 / 3) * (qy - cy)); at(ex + (2 / 3) * (qx - ex), ey + (2 / 3) * (qy - ey)); at(ex, ey); out.line('c');
      [cx, cy] = [ex, ey];
    } else if (c.command === 'closePath') out.line('h');
  }
  out.line('f');
}
