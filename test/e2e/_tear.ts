import type { RasterPage } from '../../src/scan/rasterise-pdf.js';

/** Side of a printed code in pixels at 200 dpi: 117 modules of 0.5 mm. */
const CODE_PX = Math.round((117 * 0.5 / 25.4) * 200);

/** Paints the code centred at `at` white on the raster, as a tear or a stain would take it out. */
export function tearCode(page: RasterPage, at: { x: number; y: number }): void {
  const half = Math.ceil(CODE_PX / 2) + 4;
  const x0 = Math.max(0, Math.round(at.x) - half);
  const x1 = Math.min(page.width, Math.round(at.x) + half);
  for (let y = Math.max(0, Math.round(at.y) - half); y < Math.min(page.height, Math.round(at.y) + half); y++) {
    page.rgba.fill(255, (y * page.width + x0) * 4, (y * page.width + x1) * 4);
  }
}
