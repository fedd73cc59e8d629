/**
 * Test helper: a phone photo of a printed page, made from the page's raster.
 *
 * The page is placed in the frame through a true perspective transform (a
 * homography from four corners), so rotation by any angle, a camera tilted
 * towards the top or a side (keystone) and the page's distance from the lens
 * are one mapping. Each photo pixel averages 2×2 bilinear samples of the page
 * (the lens and sensor average; point sampling a 200-dpi raster down to a
 * phone's coarser grid would alias into moiré no camera makes). Then light
 * falls on it: a brightness gradient across the frame and an optional soft
 * shadow, as a hand or a phone casts on a desk. Paper is not white and ink is
 * not black in a photo, the sensor adds noise, and the phone saves a JPEG.
 */
import { createCanvas } from '@napi-rs/canvas';
import { prng } from './_qr-pdf.js';

export interface Image { width: number; height: number; rgba: Uint8ClampedArray }

export interface PhotoOptions {
  /** Photo size in pixels. */
  width: number;
  height: number;
  /** The page's rotation in the frame, degrees clockwise. */
  angle?: number;
  /** Height of the page's rotated bounding box over the frame's, 0..1. */
  fill?: number;
  /**
   * Camera tilted towards the page's top: its top edge is this fraction of
   * its bottom edge's width (1: no tilt). Foreshortening shortens the page too.
   */
  keystone?: number;
  /** The same for a tilt to one side: the right edge's height over the left's. */
  sideKeystone?: number;
  /** Brightness falls linearly from `from` to `to` (fractions of full light) along `angle` degrees. */
  light?: { from: number; to: number; angle: number };
  /**
   * A shadow over the part of the frame beyond a line at `angle` degrees, which crosses `offset` (0..1) of
   * the way across the frame: light is multiplied by `depth` there, with an edge `softness` pixels wide.
   */
  shadow?: { depth: number; angle: number; offset: number; softness: number };
  /** Uniform sensor noise, ± grey levels. */
  noise?: number;
  /** JPEG quality, 0..100. */
  quality?: number;
  seed?: number;
}

export interface Photo {
  jpeg: Uint8Array;
  /** Where the page's corners fell in the photo: top left, top right, bottom right, bottom left. */
  corners: [number, number][];
  /** Page pixels per photo pixel along the page's width: above 1, the photo is coarser than the page raster. */
  pageScale: number;
}

/** Solves for the homography h (h22 = 1) mapping each `from` point to its `to` point. */
function homography(from: [number, number][], to: [number, number][]): number[] {
  const a: number[][] = [];
  for (let i = 0; i < 4; i++) {
    const [x, y] = from[i]!, [u, v] = to[i]!;
    a.push([x, y, 1, 0, 0, 0, -u * x, -u * y, u]);
    a.push([0, 0, 0, x, y, 1, -v * x, -v * y, v]);
  }
  for (let c = 0; c < 8; c++) {
    let p = c;
    for (let r = c + 1; r < 8; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[p]![c]!)) p = r;
    [a[c], a[p]] = [a[p]!, a[c]!];
    for (let r = 0; r < 8; r++) {
      if (r === c) continue;
      const f = a[r]![c]! / a[c]![c]!;
      for (let k = c; k < 9; k++) a[r]![k]! -= f * a[c]![k]!;
    }
  }
  return [...a.map((row, i) => row[8]! / row[i]!), 1];
}

/** The page's corners in the photo for the given framing. */
function pageCorners(page: Image, o: PhotoOptions): [number, number][] {
  const k = o.keystone ?? 1, s = o.sideKeystone ?? 1;
  // Foreshortening: a tilted page looks shorter (or narrower) as well as narrower (or shorter) at the far edge.
  const w = page.width * (0.5 + 0.5 * s), h = page.height * (0.5 + 0.5 * k);
  const local: [number, number][] = [[-w * k / 2, -h / 2], [w * k / 2, -h * s / 2], [w / 2, h * s / 2], [-w / 2, h / 2]];
  const a = ((o.angle ?? 0) * Math.PI) / 180, cos = Math.cos(a), sin = Math.sin(a);
  const rotated = local.map(([x, y]): [number, number] => [x * cos - y * sin, x * sin + y * cos]);
  const xs = rotated.map((p) => p[0]), ys = rotated.map((p) => p[1]);
  const bw = Math.max(...xs) - Math.min(...xs), bh = Math.max(...ys) - Math.min(...ys);
  const scale = Math.min((o.fill ?? 0.9) * o.height / bh, 0.95 * o.width / bw);
  return rotated.map(([x, y]) => [o.width / 2 + x * scale, o.height / 2 + y * scale]);
}

/** Photographs `page` (an RGBA raster of a printed page) as a phone would. */
export function photograph(page: Image, o: PhotoOptions): Photo {
  const { width: W, height: H } = o;
  const pw = page.width, ph = page.height;
  const grey = new Float32Array(pw * ph);
  for (let i = 0; i < pw * ph; i++) grey[i] = page.rgba[4 * i]! * 0.299 + page.rgba[4 * i + 1]! * 0.587 + page.rgba[4 * i + 2]! * 0.114;
  const corners = pageCorners(page, o);
  const m = homography(corners, [[0, 0], [pw, 0], [pw, ph], [0, ph]]);
  const rnd = prng(o.seed ?? 1);
  const light = o.light ?? { from: 1, to: 1, angle: 0 };
  const la = (light.angle * Math.PI) / 180, lx = Math.cos(la), ly = Math.sin(la);
  const span = Math.abs(lx) * W + Math.abs(ly) * H;
  const lo = Math.min(0, lx * W) + Math.min(0, ly * H);
  const shadow = o.shadow;
  const sa = shadow ? (shadow.angle * Math.PI) / 180 : 0, sx = Math.cos(sa), sy = Math.sin(sa);
  const noise = o.noise ?? 0;
  const out = new Uint8ClampedArray(W * H * 4);

  const sample = (u: number, v: number): number => {
    const d = m[6]! * u + m[7]! * v + 1;
    const x = (m[0]! * u + m[1]! * v + m[2]!) / d - 0.5;
    const y = (m[3]! * u + m[4]! * v + m[5]!) / d - 0.5;
    if (x < 0 || y < 0 || x >= pw - 1 || y >= ph - 1) return -1;
    const x0 = Math.floor(x), y0 = Math.floor(y), fx = x - x0, fy = y - y0, p = y0 * pw + x0;
    return (grey[p]! * (1 - fx) + grey[p + 1]! * fx) * (1 - fy) + (grey[p + pw]! * (1 - fx) + grey[p + pw + 1]! * fx) * fy;
  };

  for (let v = 0; v < H; v++) {
    for (let u = 0; u < W; u++) {
      let sum = 0, onPage = 0;
      for (let k = 0; k < 4; k++) {
        const g = sample(u + 0.25 + 0.5 * (k & 1), v + 0.25 + 0.5 * (k >> 1));
        if (g >= 0) { sum += g; onPage++; }
      }
      // A desk under the page: dark, a little textured.
      const desk = 70 + 12 * Math.sin(u * 0.013 + Math.sin(v * 0.004) * 3);
      // Paper reflects ~92% and ink ~12% of the light reaching it.
      const reflect = onPage ? (sum / onPage / 255) * 0.8 + 0.12 : 0;
      const base = onPage === 4 ? reflect * 255 : (reflect * 255 * onPage + desk * (4 - onPage)) / 4;
      let lum = light.from + (light.to - light.from) * ((lx * u + ly * v - lo) / span);
      if (shadow) {
        const dist = sx * u + sy * v - shadow.offset * (Math.abs(sx) * W + Math.abs(sy) * H);
        const t = Math.min(1, Math.max(0, 0.5 + dist / shadow.softness));
        lum *= 1 - (1 - shadow.depth) * t;
      }
      const value = base * lum + (rnd() * 2 - 1) * noise;
      const o4 = 4 * (v * W + u);
      // Indoor light is warm: less blue than red.
      out[o4] = value; out[o4 + 1] = value * 0.97; out[o4 + 2] = value * 0.9; out[o4 + 3] = 255;
    }
  }
  const canvas = createCanvas(W, H);
  const ctx = canvas.getContext('2d');
  const image = ctx.createImageData(W, H);
  image.data.set(out);
  ctx.putImageData(image, 0, 0);
  // encodeSync, not encode: @napi-rs/canvas 0.1.x frees the canvas if it is garbage collected while an async
  // encode still runs on the thread pool, and the test worker segfaults (seen here; Brooooooklyn/canvas#1312).
  const jpeg = new Uint8Array(canvas.encodeSync('jpeg', o.quality ?? 85));
  const top = Math.hypot(corners[1]![0] - corners[0]![0], corners[1]![1] - corners[0]![1]);
  const bottom = Math.hypot(corners[2]![0] - corners[3]![0], corners[2]![1] - corners[3]![1]);
  return { jpeg, corners, pageScale: pw / Math.min(top, bottom) };
}
