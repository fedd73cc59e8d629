/** The one raster every scan input becomes before codes are read: width × height × 4 bytes, row-major RGBA. */
export interface RgbaImage {
  width: number;
  height: number;
  rgba: Uint8ClampedArray;
}
