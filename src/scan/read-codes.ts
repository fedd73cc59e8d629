/**
 * Finds and decodes the QR codes in one image with zxing-wasm (MIT).
 *
 * The zxing wasm binary is read from the installed zxing-wasm package, once
 * per process. Left unconfigured, zxing-wasm would fetch it from a CDN at run
 * time, which fails offline (an outage is when paperchart is used).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { prepareZXingModule, readBarcodes, type ReaderOptions } from 'zxing-wasm/reader';

/** An RGBA raster: width × height × 4 bytes, row-major. */
export interface RgbaImage {
  width: number;
  height: number;
  rgba: Uint8ClampedArray;
}

export interface DecodedCode {
  /** The decoded text, exactly as encoded. */
  text: string;
  /** Centre of the code in image pixels (origin top left). */
  position: { x: number; y: number };
}

/** More than the 6 codes a binder page carries, so a collage or a two-page scan still reads fully. */
const MAX_SYMBOLS = 24;

const READER_OPTIONS: ReaderOptions = {
  formats: ['QRCode'],
  tryHarder: true,
  maxNumberOfSymbols: MAX_SYMBOLS,
};

let ready: Promise<unknown> | undefined;

/** Loads the zxing wasm from node_modules; later calls reuse the first load. */
function prepare(): Promise<unknown> {
  if (ready === undefined) {
    const wasmPath = createRequire(import.meta.url).resolve('zxing-wasm/reader/zxing_reader.wasm');
    const wasmBinary = readFileSync(wasmPath);
    const buffer = wasmBinary.buffer.slice(wasmBinary.byteOffset, wasmBinary.byteOffset + wasmBinary.byteLength);
    ready = prepareZXingModule({ overrides: { wasmBinary: buffer as ArrayBuffer }, fireImmediately: true });
    ready.catch(() => { ready = undefined; }); // let a later call retry
  }
  return ready;
}

/**
 * Decodes every valid QR code in `image`: an RGBA raster, or the bytes of a
 * PNG or JPEG file. Returns [] when the image holds no readable code. Codes
 * come in the order zxing finds them; sort by `position` if order matters.
 */
export async function readCodes(image: RgbaImage | Uint8Array): Promise<DecodedCode[]> {
  await prepare();
  let results;
  if (image instanceof Uint8Array) {
    results = await readBarcodes(image, READER_OPTIONS);
  } else {
    if (image.rgba.length !== image.width * image.height * 4) {
      throw new RangeError(`RGBA buffer holds ${image.rgba.length} bytes, expected ${image.width}×${image.height}×4`);
    }
    // zxing-wasm takes an ImageData-shaped object; Node has no ImageData class.
    const imageData = { data: image.rgba, width: image.width, height: image.height, colorSpace: 'srgb' };
    results = await readBarcodes(imageData as unknown as Parameters<typeof readBarcodes>[0], READER_OPTIONS);
  }
  const codes: DecodedCode[] = [];
  for (const r of results) {
    if (!r.isValid) continue;
    const p = r.position;
    codes.push({
      text: r.text,
      position: {
        x: (p.topLeft.x + p.topRight.x + p.bottomLeft.x + p.bottomRight.x) / 4,
        y: (p.topLeft.y + p.topRight.y + p.bottomLeft.y + p.bottomRight.y) / 4,
      },
    });
  }
  return codes;
}
