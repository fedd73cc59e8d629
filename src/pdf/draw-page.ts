import type { PageBody, PageOp } from '../layout/flow.js';
import type { TextShaper } from '../text/shape-text.js';
import { qrImage } from '../qr/qr-symbol.js';
import { drawQr } from './code-image.js';
import { drawShapedLine } from './glyph-run.js';
import type { PageContent } from './content-stream.js';

/** Where the running header and footer sit, given the paper. */
export interface PageFrame {
  width: number;
  height: number;
  margin: number;
  headerTop: number;
  bodyTop: number;
  bodyBottom: number;
  footerBaseline: number;
}

/** Margins keep everything at least 0.5 inch from the edge, inside any printer's unprintable band. */
export function pageFrame(width: number, height: number): PageFrame {
  const margin = 42;
  return { width, height, margin, headerTop: 30, bodyTop: 84, bodyBottom: height - 56, footerBaseline: height - 30 };
}

export function bodyBox(f: PageFrame): { x: number; top: number; width: number; bottom: number } {
  return { x: f.margin, top: f.bodyTop, width: f.width - 2 * f.margin, bottom: f.bodyBottom };
}

/** The running header: a bold title line and a detail line on the left, a right-aligned note on each. */
export interface Chrome {
  title: string;
  detail: string;
  titleRight: string;
  detailRight: string;
  footerLeft: string;
  footerRight: string;
}

/** Draws a page body's operations into the page `content` collects. */
export function drawOps(content: PageContent, shaper: TextShaper, ops: readonly PageOp[]): void {
  const { doc, out } = content;
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
  const right = f.width - f.margin;
  const rightText = (text: string, size: number, weight: 'regular' | 'bold', baseline: number): number => {
    const line = shaper.shapeForDrawing(text, size, weight);
    drawShapedLine(doc, shaper, line, right - line.width, baseline);
    return line.width;
  };
  content.fillColor('black');
  const titleRightWidth = c.titleRight ? shaper.width(c.titleRight, 11, 'bold') + 12 : 0;
  const titleSize = shaper.fit(c.title, 13, 'bold', f.width - 2 * f.margin - titleRightWidth);
  drawShapedLine(doc, shaper, shaper.shapeForDrawing(c.title, titleSize, 'bold'), f.margin, f.headerTop + 13);
  if (c.titleRight) rightText(c.titleRight, 11, 'bold', f.headerTop + 13);
  drawShapedLine(doc, shaper, shaper.shapeForDrawing(c.detail, 9, 'regular'), f.margin, f.headerTop + 28);
  if (c.detailRight) rightText(c.detailRight, 9, 'regular', f.headerTop + 28);
  rule(content, f.margin, f.headerTop + 36, right, f.headerTop + 36, 1, 'black');
  rule(content, f.margin, f.footerBaseline - 12, right, f.footerBaseline - 12, 0.5, '#666666');
  content.fillColor('#333333');
  const rightWidth = rightText(c.footerRight, 8, 'bold', f.footerBaseline);
  const footerSize = shaper.fit(c.footerLeft, 7, 'regular', f.width - 2 * f.margin - rightWidth - 12);
  drawShapedLine(doc, shaper, shaper.shapeForDrawing(c.footerLeft, footerSize, 'regular'), f.margin, f.footerBaseline);
}
