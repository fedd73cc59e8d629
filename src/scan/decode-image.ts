/**
 * Decodes JPEG, PNG and WebP images to RGBA natively, with sharp (Apache-2.0;
 * its prebuilt libvips, LGPL-3.0, arrives as an npm package: nothing is
 * fetched at install or run time). It decodes on libuv's threads, off the
 * JavaScript thread, so the next page decodes while this one's codes are read.
 * A 300-dpi Letter JPEG took 3.5 s in pdfjs' JavaScript decoder and about
 * 0.1 s here on the same loaded machine (measured).
 */
import type { Sharp, SharpOptions } from 'sharp';
import { MAX_PAGE_PIXELS } from './image-size.js';
import type { GreyImage, RgbaImage } from './raster.js';

// sharp is loaded at the first image: 0.28 s of CPU on each thread (measured), spent for nothing on a binder PDF.
let loaded: Promise<(input: Uint8Array, options?: SharpOptions) => Sharp> | undefined;
function sharp(): Promise<(input: Uint8Array, options?: SharpOptions) => Sharp> {
  return loaded ??= import('sharp').then(({ default: s }) => {
    // Each image is decoded once: libvips' operation cache would only hold pages that are never asked for again.
    s.cache(false);
    return s;
  });
}

/**
 * The image as RGBA (alpha 255 where the image has none), grey or colour alike,
 * its sides multiplied by `scale` (bilinear) when that is not 1.
 * @throws Error (sharp's) for bytes that are no image sharp reads, or an image over MAX_PAGE_PIXELS
 */
export async function decodeImage(bytes: Uint8Array, scale = 1): Promise<RgbaImage> {
  const { data, info } = await (await scaled(bytes, scale))
    .toColourspace('srgb').ensureAlpha(1).raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 4) throw new Error(`decoded to ${info.channels} channels, expected 4`);
  return { width: info.width, height: info.height, rgba: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength) };
}

/**
 * The image as grey levels (sRGB, then zxing's Rec. 601 weights, as decodeImage and readCodes give them), scaled
 * as decodeImage: a quarter of the bytes, resized before the grey levels are taken.
 * @throws as decodeImage
 */
export async function decodeImageGrey(bytes: Uint8Array, scale = 1): Promise<GreyImage> {
  const image = await scaled(bytes, scale);
  const { channels, space } = await image.metadata();
  // A grey JPEG's one band is its grey levels; colour is weighed here, as zxing-wasm does (libvips' b-w is Rec. 709 in linear light).
  const { data, info } = channels === 1 && space === 'b-w' ? await image.raw().toBuffer({ resolveWithObject: true })
    : await image.toColourspace('srgb').removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const pixels = info.width * info.height;
  if (info.channels === 1) return { width: info.width, height: info.height, grey: new Uint8Array(data.buffer, data.byteOffset, pixels) };
  if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels, expected 1 or 3`);
  // Written over the RGB it is read from (pixel i's grey lands at or before byte 3i): no second 3.7 MB a 200-dpi page.
  const rgb = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  for (let i = 0, o = 0; i < pixels; i++, o += 3) rgb[i] = (rgb[o]! * 306 + rgb[o + 1]! * 601 + rgb[o + 2]! * 117 + 512) >> 10;
  return { width: info.width, height: info.height, grey: rgb.subarray(0, pixels) };
}

async function scaled(bytes: Uint8Array, scale: number): Promise<Sharp> {
  const image = (await sharp())(bytes, { limitInputPixels: MAX_PAGE_PIXELS, failOn: 'error' });
  if (scale === 1) return image;
  const { width, height } = await image.metadata();
  return width !== undefined && height !== undefined ? image.resize(Math.round(width * scale), Math.round(height * scale), { kernel: 'linear' }) : image;
}

/** The width and height an image's header declares (sharp reads only the header), or undefined for bytes sharp does not know. */
export async function imageHeaderSize(bytes: Uint8Array): Promise<{ width: number; height: number } | undefined> {
  try {
    const m = await (await sharp())(bytes, { limitInputPixels: false }).metadata();
    return m.width !== undefined && m.height !== undefined ? { width: m.width, height: m.height } : undefined;
  } catch { return undefined; }
}
