/** The one raster every scan input becomes before codes are read: width × height × 4 bytes, row-major RGBA. */
export interface RgbaImage {
  width: number;
  height: number;
  rgba: Uint8ClampedArray;
}

/** Grey levels, width × height bytes row-major: what zxing reads, a quarter of the RGBA's bytes. */
export interface GreyImage {
  width: number;
  height: number;
  grey: Uint8Array;
}

/** Grey levels of RGBA pixels (zxing reads luminance only), with zxing-wasm's own weights (Rec. 601). */
export function greyOfRgba(rgba: Uint8Array | Uint8ClampedArray, pixels: number): Uint8Array {
  const grey = new Uint8Array(pixels);
  for (let i = 0, o = 0; i < pixels; i++, o += 4) {
    grey[i] = (rgba[o]! * 306 + rgba[o + 1]! * 601 + rgba[o + 2]! * 117 + 512) >> 10;
  }
  return grey;
}

/** An RGBA raster's grey levels. */
export function greyOf(image: RgbaImage): GreyImage {
  return { width: image.width, height: image.height, grey: greyOfRgba(image.rgba, image.width * image.height) };
}
