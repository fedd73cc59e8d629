import { createCanvas } from '@napi-rs/canvas';

/** An RGBA raster, as rasterisePdf yields and the scan helpers make. */
export interface Raster { width: number; height: number; rgba: Uint8ClampedArray }

/**
 * The raster as a JPEG or PNG file's bytes, as a scanner or a phone saves it.
 * encodeSync, not encode: @napi-rs/canvas can collect the canvas during an
 * async encode and segfault (Brooooooklyn/canvas#1312).
 */
export function encodeRaster(page: Raster, format: 'jpeg' | 'png', quality = 75): Buffer {
  const canvas = createCanvas(page.width, page.height);
  const ctx = canvas.getContext('2d');
  const image = ctx.createImageData(page.width, page.height);
  image.data.set(page.rgba);
  ctx.putImageData(image, 0, 0);
  return format === 'jpeg' ? canvas.encodeSync('jpeg', quality) : canvas.encodeSync('png');
}
