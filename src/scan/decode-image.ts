/**
 * Decodes JPEG, PNG and WebP images to RGBA natively, with sharp (Apache-2.0;
 * its prebuilt libvips, LGPL-3.0, arrives as an npm package: nothing is
 * fetched at install or run time). It decodes on libuv's threads, off the
 * JavaScript thread, so the next page decodes while this one's codes are read.
 * A 300-dpi Letter JPEG took 3.5 s in pdfjs' JavaScript decoder and about
 * 0.1 s here on the same loaded machine (measured).
 */
import sharp from 'sharp';
import { MAX_PAGE_PIXELS } from './image-size.js';
import type { RgbaImage } from './raster.js';

// Each image is decoded once: libvips' operation cache would only hold pages that are never asked for again.
sharp.cache(false);

/**
 * The image as RGBA (alpha 255 where the image has none), grey or colour alike,
 * its sides multiplied by `scale` (bilinear) when that is not 1.
 * @throws Error (sharp's) for bytes that are no image sharp reads, or an image over MAX_PAGE_PIXELS
 */
export async function decodeImage(bytes: Uint8Array, scale = 1): Promise<RgbaImage> {
  let image = sharp(bytes, { limitInputPixels: MAX_PAGE_PIXELS, failOn: 'error' });
  if (scale !== 1) {
    const { width, height } = await image.metadata();
    if (width !== undefined && height !== undefined) image = image.resize(Math.round(width * scale), Math.round(height * scale), { kernel: 'linear' });
  }
  const { data, info } = await image
    .toColourspace('srgb').ensureAlpha(1).raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 4) throw new Error(`decoded to ${info.channels} channels, expected 4`);
  return { width: info.width, height: info.height, rgba: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength) };
}

/** The width and height an image's header declares (sharp reads only the header), or undefined for bytes sharp does not know. */
export async function imageHeaderSize(bytes: Uint8Array): Promise<{ width: number; height: number } | undefined> {
  try {
    const m = await sharp(bytes, { limitInputPixels: false }).metadata();
    return m.width !== undefined && m.height !== undefined ? { width: m.width, height: m.height } : undefined;
  } catch { return undefined; }
}
