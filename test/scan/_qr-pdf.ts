/**
 * Test helpers: a Letter page of up to 9 version-25-M QR codes drawn as vector
 * rectangles with pdfkit, where and as large as the binder draws them, seeded
 * random payloads, and a simple scan degrader working on RGBA buffers.
 */
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import { MODULE_PT as PRINTED_MODULE_PT } from '../../src/qr/qr-symbol.js';

export const ALNUM = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';
export const MM = 72 / 25.4;
/** The binder's module (0.46 mm since issue 26; 0.5 mm before), so these pages test what is printed. */
export const MODULE_PT = PRINTED_MODULE_PT;
export const QUIET = 4;

/** Mulberry32: small, fixed-seed PRNG so payloads are the same on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomTexts(seed: number, count: number, minLen = 1380, maxLen = 1451): string[] {
  const rnd = prng(seed);
  return Array.from({ length: count }, () => {
    const len = minLen + Math.floor(rnd() * (maxLen - minLen + 1));
    let s = '';
    for (let i = 0; i < len; i++) s += ALNUM[Math.floor(rnd() * ALNUM.length)];
    return s;
  });
}

export interface QrMatrix { size: number; data: Uint8Array }

export function encodeQr(text: string, maskPattern?: number): QrMatrix {
  const opts: QRCode.QRCodeOptions = { version: 25, errorCorrectionLevel: 'M' };
  if (maskPattern !== undefined) opts.maskPattern = maskPattern as QRCode.QRCodeMaskPattern;
  const qr = QRCode.create([{ data: text, mode: 'alphanumeric' }], opts);
  return { size: qr.modules.size, data: qr.modules.data as unknown as Uint8Array };
}

/** Draws merged horizontal runs of dark modules at (x, y) = top left of the first module, in points. */
function drawQr(doc: PDFKit.PDFDocument, m: QrMatrix, x: number, y: number): void {
  const n = m.size;
  doc.save().translate(x, y).scale(MODULE_PT);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n;) {
      if (m.data[r * n + c]) {
        let e = c;
        while (e < n && m.data[r * n + e]) e++;
        doc.rect(c, r, e - c, 1);
        c = e;
      } else c++;
    }
  }
  doc.fill('black').restore();
}

function finish(doc: PDFKit.PDFDocument): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  doc.on('data', (b: Buffer) => chunks.push(b));
  return new Promise((resolve, reject) => {
    doc.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
    doc.on('error', reject);
    doc.end();
  });
}

/**
 * One Letter page per entry of `pages`; each entry holds up to 9 texts laid
 * out 3 columns × 3 rows in the binder's body (65 pt gutter, 42 pt outer
 * margin, from 78 pt down), as layout/code-pages.ts does on A4, the narrower
 * paper: side by side, two codes share one 4-module quiet zone.
 */
export async function qrPagesPdf(pages: string[][], maskPattern?: number): Promise<Uint8Array> {
  const doc = new PDFDocument({ size: 'LETTER', margin: 0, autoFirstPage: false, info: { CreationDate: new Date(0) } });
  for (const texts of pages) {
    doc.addPage();
    const matrices = texts.map((t) => encodeQr(t, maskPattern));
    const n = matrices[0]?.size ?? 117;
    const pitchX = (n + QUIET) * MODULE_PT;
    const pitchY = (n + 2 * QUIET) * MODULE_PT + 13; // both quiet zones and a caption's line
    matrices.forEach((m, i) => {
      const col = i % 3, row = Math.floor(i / 3);
      drawQr(doc, m, 65 + QUIET * MODULE_PT + col * pitchX, 110 + QUIET * MODULE_PT + row * pitchY);
    });
  }
  return finish(doc);
}

/** A page of plain text and no codes. */
export async function textOnlyPdf(): Promise<Uint8Array> {
  const doc = new PDFDocument({ size: 'LETTER', margin: 72, info: { CreationDate: new Date(0) } });
  doc.fontSize(14).text('Front matter: this page carries no codes.');
  doc.rect(72, 200, 200, 100).stroke();
  return finish(doc);
}

/**
 * An office-scan imitation: rotate by `degrees` about the centre (bilinear,
 * white outside), a 3×3 blur, and uniform noise of ±`noise` grey levels.
 */
export function degrade(img: { width: number; height: number; rgba: Uint8ClampedArray }, degrees: number, noise: number, seed = 7):
  { width: number; height: number; rgba: Uint8ClampedArray } {
  const { width: w, height: h, rgba } = img;
  const grey = new Float32Array(w * h);
  for (let i = 0; i < w * h; i++) grey[i] = (rgba[4 * i]! * 0.299 + rgba[4 * i + 1]! * 0.587 + rgba[4 * i + 2]! * 0.114);
  const a = (degrees * Math.PI) / 180, cos = Math.cos(a), sin = Math.sin(a);
  const cx = w / 2, cy = h / 2;
  const rot = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const sx = cos * (x - cx) + sin * (y - cy) + cx;
      const sy = -sin * (x - cx) + cos * (y - cy) + cy;
      const x0 = Math.floor(sx), y0 = Math.floor(sy);
      if (x0 < 0 || y0 < 0 || x0 + 1 >= w || y0 + 1 >= h) { rot[y * w + x] = 255; continue; }
      const fx = sx - x0, fy = sy - y0, p = y0 * w + x0;
      rot[y * w + x] = (grey[p]! * (1 - fx) + grey[p + 1]! * fx) * (1 - fy) + (grey[p + w]! * (1 - fx) + grey[p + w + 1]! * fx) * fy;
    }
  }
  // Slight blur: kernel [1 2 1]ᵀ[1 2 1] / 16.
  const out = new Uint8ClampedArray(w * h * 4);
  const rnd = prng(seed);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0, k = 0;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const yy = y + dy, xx = x + dx;
          if (yy < 0 || xx < 0 || yy >= h || xx >= w) continue;
          const wgt = (dx === 0 ? 2 : 1) * (dy === 0 ? 2 : 1);
          s += rot[yy * w + xx]! * wgt; k += wgt;
        }
      }
      const v = s / k + (rnd() * 2 - 1) * noise;
      const o = 4 * (y * w + x);
      out[o] = out[o + 1] = out[o + 2] = v; out[o + 3] = 255;
    }
  }
  return { width: w, height: h, rgba: out };
}
