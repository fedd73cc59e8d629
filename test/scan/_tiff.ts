/**
 * Test helper: writes uncompressed TIFF 6.0 files (little-endian, one strip
 * per page) from RGBA rasters, as bilevel, 8-bit grayscale or RGB pages,
 * the way a scanner's "TIFF, no compression" setting does. CCITT G4 pages
 * come from libtiff's tiffcp instead (test/scan/fixtures/README.md).
 */
export type TiffPageKind = 'bilevel' | 'gray' | 'rgb';

export interface TiffPageInput {
  width: number;
  height: number;
  rgba: Uint8ClampedArray;
  kind: TiffPageKind;
  /** Mark as a reduced-resolution copy (NewSubfileType bit 0), as scanners mark thumbnails. */
  thumbnail?: boolean;
}

const SHORT = 3, LONG = 4;

function pixels(p: TiffPageInput): Uint8Array {
  const { width: w, height: h, rgba } = p;
  const grey = (i: number): number => Math.round(rgba[4 * i]! * 0.299 + rgba[4 * i + 1]! * 0.587 + rgba[4 * i + 2]! * 0.114);
  if (p.kind === 'rgb') {
    const out = new Uint8Array(w * h * 3);
    for (let i = 0; i < w * h; i++) { out[3 * i] = rgba[4 * i]!; out[3 * i + 1] = rgba[4 * i + 1]!; out[3 * i + 2] = rgba[4 * i + 2]!; }
    return out;
  }
  if (p.kind === 'gray') {
    const out = new Uint8Array(w * h);
    for (let i = 0; i < w * h; i++) out[i] = grey(i);
    return out;
  }
  // WhiteIsZero, as fax and most bilevel scans: a set bit is black.
  const row = Math.ceil(w / 8);
  const out = new Uint8Array(row * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (grey(y * w + x) < 128) out[y * row + (x >> 3)]! |= 0x80 >> (x & 7);
  return out;
}

/** A multi-page TIFF of `pages`, in order. */
export function encodeTiff(pages: readonly TiffPageInput[]): Uint8Array {
  const parts: Uint8Array[] = [];
  let length = 8;
  const header = new Uint8Array(8);
  const hv = new DataView(header.buffer);
  header.set([0x49, 0x49]);
  hv.setUint16(2, 42, true);
  parts.push(header);
  let previousNext: { view: DataView; at: number } = { view: hv, at: 4 };
  for (const p of pages) {
    const data = pixels(p);
    const dataAt = length;
    parts.push(data);
    length += data.length;
    if (length % 2) { parts.push(new Uint8Array(1)); length++; }
    let bpsAt = 0;
    if (p.kind === 'rgb') {
      const bps = new Uint8Array(6);
      const v = new DataView(bps.buffer);
      for (let i = 0; i < 3; i++) v.setUint16(2 * i, 8, true);
      bpsAt = length;
      parts.push(bps);
      length += 6;
    }
    const spp = p.kind === 'rgb' ? 3 : 1;
    const entries: [number, number, number, number][] = [
      [254, LONG, 1, p.thumbnail ? 1 : 0],
      [256, LONG, 1, p.width],
      [257, LONG, 1, p.height],
      [258, SHORT, spp, p.kind === 'rgb' ? bpsAt : p.kind === 'gray' ? 8 : 1],
      [259, SHORT, 1, 1],
      [262, SHORT, 1, p.kind === 'bilevel' ? 0 : p.kind === 'gray' ? 1 : 2],
      [273, LONG, 1, dataAt],
      [277, SHORT, 1, spp],
      [278, LONG, 1, p.height],
      [279, LONG, 1, data.length],
    ];
    const ifd = new Uint8Array(2 + entries.length * 12 + 4);
    const v = new DataView(ifd.buffer);
    v.setUint16(0, entries.length, true);
    entries.forEach(([tag, type, count, value], i) => {
      const o = 2 + i * 12;
      v.setUint16(o, tag, true);
      v.setUint16(o + 2, type, true);
      v.setUint32(o + 4, count, true);
      if (type === SHORT && count === 1) v.setUint16(o + 8, value, true);
      else v.setUint32(o + 8, value, true);
    });
    previousNext.view.setUint32(previousNext.at, length, true);
    previousNext = { view: v, at: ifd.length - 4 };
    parts.push(ifd);
    length += ifd.length;
  }
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) { out.set(part, at); at += part.length; }
  return out;
}
