import type { PageBody, PageOp } from './flow.js';
import type { TextShaper } from './shape-text.js';
import { drawQr, qrImage } from './qr-symbol.js';

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

export function drawOps(doc: PDFKit.PDFDocument, shaper: TextShaper, ops: readonly PageOp[]): void {
  for (const op of ops) {
    switch (op.kind) {
      case 'text':
        doc.fillColor(op.color);
        shaper.draw(doc, op.line, op.x, op.baseline);
        break;
      case 'rect':
        doc.lineWidth(op.lineWidth).rect(op.x, op.y, op.w, op.h);
        if (op.fill && op.stroke) doc.fillAndStroke(op.fill, op.stroke);
        else if (op.fill) doc.fill(op.fill);
        else if (op.stroke) doc.stroke(op.stroke);
        break;
      case 'rule':
        doc.lineWidth(op.lineWidth).moveTo(op.x1, op.y1).lineTo(op.x2, op.y2).stroke(op.color);
        break;
      case 'qr':
        drawQr(doc, op.image ?? qrImage(op.text), op.x, op.y);
        break;
    }
  }
}

export function drawChrome(doc: PDFKit.PDFDocument, shaper: TextShaper, f: PageFrame, c: Chrome): void {
  const right = f.width - f.margin;
  const rightText = (text: string, size: number, weight: 'regular' | 'bold', baseline: number): number => {
    const line = shaper.shapeForDrawing(text, size, weight);
    shaper.draw(doc, line, right - line.width, baseline);
    return line.width;
  };
  doc.fillColor('black');
  const titleRightWidth = c.titleRight ? shaper.width(c.titleRight, 11, 'bold') + 12 : 0;
  const titleSize = shaper.fit(c.title, 13, 'bold', f.width - 2 * f.margin - titleRightWidth);
  shaper.draw(doc, shaper.shapeForDrawing(c.title, titleSize, 'bold'), f.margin, f.headerTop + 13);
  if (c.titleRight) rightText(c.titleRight, 11, 'bold', f.headerTop + 13);
  shaper.draw(doc, shaper.shapeForDrawing(c.detail, 9, 'regular'), f.margin, f.headerTop + 28);
  if (c.detailRight) rightText(c.detailRight, 9, 'regular', f.headerTop + 28);
  doc.lineWidth(1).moveTo(f.margin, f.headerTop + 36).lineTo(right, f.headerTop + 36).stroke('black');
  doc.lineWidth(0.5).moveTo(f.margin, f.footerBaseline - 12).lineTo(right, f.footerBaseline - 12).stroke('#666666');
  doc.fillColor('#333333');
  const rightWidth = rightText(c.footerRight, 8, 'bold', f.footerBaseline);
  const footerSize = shaper.fit(c.footerLeft, 7, 'regular', f.width - 2 * f.margin - rightWidth - 12);
  shaper.draw(doc, shaper.shapeForDrawing(c.footerLeft, footerSize, 'regular'), f.margin, f.footerBaseline);
}
