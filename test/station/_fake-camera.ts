// A fake camera for the scan station test: the binder's code pages rendered, and for each code a second of
// frames centred on it, moving, slightly rotated and blurred, at 3–4.2 camera pixels per module, written as
// the .y4m file Chromium plays as its camera (--use-file-for-fake-video-capture).
import { readFileSync, writeFileSync } from 'node:fs';
import { rasterisePdf } from '../../src/scan/rasterise-pdf.js';
import { readCodes } from '../../src/scan/read-codes.js';
import { MODULE_PT } from '../../src/qr/qr-symbol.js';

export const FRAME_W = 800, FRAME_H = 600, FPS = 5;
const DPI = 300;
/** Page pixels per module at DPI: 5.9. */
const PAGE_PX_PER_MODULE = (MODULE_PT / 72) * DPI;
/** Camera pixels per module, taken in turn: inside the 2.5–6 a phone held over a page gives. */
const CAMERA_PX_PER_MODULE = [3.0, 3.6, 4.2];
const FRAMES_PER_CODE = 5;

interface GrayPage { page: number; width: number; height: number; gray: Uint8Array }
export interface PageCodes { page: number; texts: string[] }

/** The pages of a binder that carry PC1 record codes, at 300 dpi in gray, with each code's centre. */
export async function codePages(binder: string): Promise<{ page: GrayPage; codes: { x: number; y: number; text: string }[] }[]> {
  const out = [];
  for await (const p of rasterisePdf(readFileSync(binder), { dpi: DPI })) {
    const codes = (await readCodes(p)).filter((c) => c.text.startsWith('PC1:R:'));
    if (codes.length === 0) continue;
    const gray = new Uint8Array(p.width * p.height);
    for (let i = 0; i < gray.length; i++) gray[i] = p.rgba[i * 4 + 1]!;
    out.push({ page: { page: p.page, width: p.width, height: p.height, gray }, codes: codes.map((c) => ({ ...c.position, text: c.text })) });
  }
  return out;
}

/** One camera frame: the page seen around (cx, cy), `scale` camera pixels per page pixel, turned by `angle`. */
function frame(p: GrayPage, cx: number, cy: number, scale: number, angle: number): Uint8Array {
  const out = new Uint8Array(FRAME_W * FRAME_H);
  const cos = Math.cos(angle) / scale, sin = Math.sin(angle) / scale, w = p.width, h = p.height, g = p.gray;
  for (let v = 0; v < FRAME_H; v++) {
    const dv = v - FRAME_H / 2;
    for (let u = 0; u < FRAME_W; u++) {
      const du = u - FRAME_W / 2;
      const x = cx + cos * du - sin * dv, y = cy + sin * du + cos * dv;
      const x0 = Math.floor(x), y0 = Math.floor(y);
      let value = 90; // the table around the page
      if (x0 >= 0 && y0 >= 0 && x0 + 1 < w && y0 + 1 < h) {
        const fx = x - x0, fy = y - y0, i = y0 * w + x0;
        value = (g[i]! * (1 - fx) + g[i + 1]! * fx) * (1 - fy) + (g[i + w]! * (1 - fx) + g[i + w + 1]! * fx) * fy;
      }
      // Paper under room light: white is not 255, black not 0.
      out[v * FRAME_W + u] = 30 + value * 0.75;
    }
  }
  return blur(out);
}

/** A 3×3 binomial blur: a camera slightly out of focus. */
function blur(src: Uint8Array): Uint8Array {
  const out = new Uint8Array(src.length);
  const k = [1, 2, 1];
  for (let y = 0; y < FRAME_H; y++) {
    for (let x = 0; x < FRAME_W; x++) {
      let s = 0, w = 0;
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
        const xx = x + dx, yy = y + dy;
        if (xx < 0 || yy < 0 || xx >= FRAME_W || yy >= FRAME_H) continue;
        const kk = k[dx + 1]! * k[dy + 1]!;
        s += src[yy * FRAME_W + xx]! * kk; w += kk;
      }
      out[y * FRAME_W + x] = Math.round(s / w);
    }
  }
  return out;
}

export interface CameraFrame { page: number; pixels: Uint8Array }

/** For every code of the given pages, FRAMES_PER_CODE frames drifting across it. */
export function cameraFrames(pages: Awaited<ReturnType<typeof codePages>>): CameraFrame[] {
  const frames: CameraFrame[] = [];
  let c = 0;
  for (const { page, codes } of pages) {
    for (const code of codes) {
      const scale = CAMERA_PX_PER_MODULE[c % CAMERA_PX_PER_MODULE.length]! / PAGE_PX_PER_MODULE;
      const tilt = ((c % 2 ? 1 : -1) * (1.5 + (c % 3)) * Math.PI) / 180;
      for (let t = 0; t < FRAMES_PER_CODE; t++) {
        const drift = ((t - FRAMES_PER_CODE / 2) * 6) / scale; // 6 camera pixels a frame
        frames.push({ page: page.page, pixels: frame(page, code.x + drift, code.y + drift / 2, scale, tilt + t * 0.004) });
      }
      c++;
    }
  }
  return frames;
}

/** Writes frames as a YUV4MPEG2 file (4:2:0, gray: the chroma planes are flat). */
export function writeY4m(path: string, frames: readonly CameraFrame[]): void {
  const chroma = new Uint8Array((FRAME_W / 2) * (FRAME_H / 2) * 2).fill(128);
  const parts: Uint8Array[] = [Buffer.from(`YUV4MPEG2 W${FRAME_W} H${FRAME_H} F${FPS}:1 Ip A1:1 C420jpeg\n`)];
  for (const f of frames) parts.push(Buffer.from('FRAME\n'), f.pixels, chroma);
  writeFileSync(path, Buffer.concat(parts));
}
