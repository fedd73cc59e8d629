// An office scanner's PDF page (one JPEG that fills it) taken out as its JPEG
// bytes, undecoded, so that sharp (libvips, native) decodes it instead of
// pdfjs' JavaScript decoder: that decoder took about 88% of a 300-dpi scanned
// page's time (measured: 3.5 s of 3.9 s a page under load, 0.56 pages/s).
// Only what is certain is taken: a page with anything else on it (OCR text, a
// form, a mask, another filter) is left to pdfjs, as before.
import { inflateSync } from 'node:zlib';
import { indexObjects, isDict, isRef, PdfLexer, type PdfDict, type PdfObject, type PdfValue } from './_pdf-objects.js';

export interface ScannerJpeg {
  jpeg: Uint8Array; width: number; height: number;
  /** The image's resolution on the page, pixels per inch across. */
  dpi: number;
}

/** The image must cover this share of the page, as in _page-image.ts. */
const MIN_COVER = 0.9;
/** A scanner's content stream is a few dozen bytes; a longer one is a page to render. */
const MAX_CONTENT_BYTES = 4096;

type Matrix = [number, number, number, number, number, number];
const multiply = (m: Matrix, n: Matrix): Matrix => [
  m[0] * n[0] + m[2] * n[1], m[1] * n[0] + m[3] * n[1],
  m[0] * n[2] + m[2] * n[3], m[1] * n[2] + m[3] * n[3],
  m[0] * n[4] + m[2] * n[5] + m[4], m[1] * n[4] + m[3] * n[5] + m[5],
];

class Objects {
  constructor(private readonly pdf: Uint8Array, private readonly all: Map<number, PdfObject>) {}
  object(v: PdfValue | undefined): PdfObject | undefined {
    return isRef(v) ? this.all.get(v.num) : v === undefined ? undefined : { value: v };
  }
  get(v: PdfValue | undefined): PdfValue | undefined { return this.object(v)?.value; }
  dict(v: PdfValue | undefined): PdfDict | undefined { const d = this.get(v); return isDict(d) ? d : undefined; }
  bytes(o: PdfObject): Uint8Array | undefined { return o.stream && this.pdf.subarray(o.stream.start, o.stream.end); }
  /** Catalog's page tree in order: each leaf page's dictionary, undefined when the tree is not plain. */
  pages(): PdfDict[] | undefined {
    let catalog: PdfDict | undefined;
    for (const o of this.all.values()) if (isDict(o.value) && o.value.get('Type') === '/Catalog') catalog = o.value;
    const out: PdfDict[] = [];
    const seen = new Set<PdfDict>();
    const walk = (node: PdfDict | undefined, depth: number): boolean => {
      if (!node || seen.has(node) || depth > 64) return false;
      seen.add(node);
      if (node.get('Type') === '/Page') { out.push(node); return true; }
      const kids = this.get(node.get('Kids'));
      return Array.isArray(kids) && kids.every((k) => walk(this.dict(k), depth + 1));
    };
    return catalog && walk(this.dict(catalog.get('Pages')), 0) ? out : undefined;
  }
  /** A page's attribute, inherited from its parents when absent (ISO 32000 §7.7.3.4). */
  inherited(page: PdfDict, key: string): PdfValue | undefined {
    for (let node: PdfDict | undefined = page, d = 0; node && d < 64; node = this.dict(node.get('Parent')), d++) {
      if (node.has(key)) return this.get(node.get(key));
    }
    return undefined;
  }
}

/** The page's content as one byte string, or undefined for a filter other than Flate or a long one. */
function content(o: Objects, page: PdfDict): Uint8Array | undefined {
  const c = page.get('Contents');
  const parts = Array.isArray(o.get(c)) ? (o.get(c) as PdfValue[]) : [c];
  const out: Uint8Array[] = [];
  for (const p of parts) {
    const s = o.object(p);
    const bytes = s && o.bytes(s);
    if (!s || !bytes || !isDict(s.value)) return undefined;
    const filter = o.get(s.value.get('Filter'));
    const f = Array.isArray(filter) && filter.length === 1 ? filter[0] : filter;
    try {
      if (f === '/FlateDecode') out.push(inflateSync(bytes, { maxOutputLength: MAX_CONTENT_BYTES }));
      else if (f === undefined) out.push(bytes);
      else return undefined;
    } catch { return undefined; }
  }
  const all = Buffer.concat(out.flatMap((b) => [b, Buffer.from('\n')]));
  return all.length <= MAX_CONTENT_BYTES ? all : undefined;
}

/** The one image the content draws, and the matrix it is drawn under; undefined for any other operator. */
function drawnImage(bytes: Uint8Array): { name: string; ctm: Matrix } | undefined {
  const lexer = new PdfLexer(bytes, 0);
  const operands: PdfValue[] = [];
  const stack: Matrix[] = [];
  let ctm: Matrix = [1, 0, 0, 1, 0, 0];
  let found: { name: string; ctm: Matrix } | undefined;
  try {
    for (let t = lexer.token(); t !== undefined; t = lexer.token()) {
      if (t === 'q') stack.push(ctm);
      else if (t === 'Q') ctm = stack.pop() ?? ctm;
      else if (t === 'cm') {
        if (operands.length !== 6 || !operands.every((n) => typeof n === 'number')) return undefined;
        ctm = multiply(ctm, operands as Matrix);
      } else if (t === 'Do') {
        if (found || operands.length !== 1 || typeof operands[0] !== 'string') return undefined;
        found = { name: (operands[0]).slice(1), ctm };
      } else if (/^[+-]?[\d.]/.test(t) || t.startsWith('/')) { operands.push(lexer.value(t)); continue; }
      else return undefined;
      operands.length = 0;
    }
  } catch { return undefined; }
  return found;
}

/** The image XObject's JPEG bytes when it is a plain 8-bit grey or RGB JPEG, with nothing to apply over it. */
function plainJpeg(o: Objects, image: PdfObject | undefined): ScannerJpeg | undefined {
  const d = image?.value;
  const bytes = image && o.bytes(image);
  if (!isDict(d) || !bytes || d.get('Subtype') !== '/Image') return undefined;
  const filter = o.get(d.get('Filter'));
  if (!(filter === '/DCTDecode' || (Array.isArray(filter) && filter.length === 1 && filter[0] === '/DCTDecode'))) return undefined;
  if (d.has('SMask') || d.has('Mask') || d.has('Decode') || d.has('ImageMask') || o.get(d.get('BitsPerComponent')) !== 8) return undefined;
  const cs = o.get(d.get('ColorSpace'));
  if (cs !== '/DeviceGray' && cs !== '/DeviceRGB') return undefined;
  const width = o.get(d.get('Width')), height = o.get(d.get('Height'));
  if (typeof width !== 'number' || typeof height !== 'number') return undefined;
  return { jpeg: bytes, width, height, dpi: 0 };
}

/** Page `page`'s scanned JPEG, when the page draws nothing but it, unmirrored, over at least 90% of its box. */
function pageJpeg(o: Objects, page: PdfDict): ScannerJpeg | undefined {
  const bytes = content(o, page);
  const drawn = bytes && drawnImage(bytes);
  if (!drawn) return undefined;
  const xobjects = o.dict(o.dict(o.inherited(page, 'Resources'))?.get('XObject'));
  const jpeg = plainJpeg(o, o.object(xobjects?.get(drawn.name)));
  const box = o.inherited(page, 'CropBox') ?? o.inherited(page, 'MediaBox');
  if (!jpeg || !Array.isArray(box) || box.length !== 4 || !box.every((n) => typeof n === 'number')) return undefined;
  const m = drawn.ctm;
  if (m[0] * m[3] - m[1] * m[2] <= 0) return undefined; // mirrored: QR readers expect the code as printed
  const xs = [m[4], m[0] + m[4], m[2] + m[4], m[0] + m[2] + m[4]];
  const ys = [m[5], m[1] + m[5], m[3] + m[5], m[1] + m[3] + m[5]];
  const [x0, y0, x1, y1] = [Math.min(box[0] as number, box[2] as number), Math.min(box[1] as number, box[3] as number),
    Math.max(box[0] as number, box[2] as number), Math.max(box[1] as number, box[3] as number)];
  const w = Math.min(x1, Math.max(...xs)) - Math.max(x0, Math.min(...xs));
  const h = Math.min(y1, Math.max(...ys)) - Math.max(y0, Math.min(...ys));
  if (!(w > 0 && h > 0 && (w * h) / ((x1 - x0) * (y1 - y0)) >= MIN_COVER)) return undefined;
  return { ...jpeg, dpi: jpeg.width / (Math.hypot(m[0], m[1]) / 72) };
}

/**
 * For each page of `pdf` (index 0 is page 1), its scanned JPEG or undefined;
 * undefined as a whole when the file's pages cannot be listed this simply
 * (compressed object streams, a damaged tree) or their number is not `pageCount`.
 */
export function scannerJpegs(pdf: Uint8Array, pageCount: number): ((page: number) => ScannerJpeg | undefined) | undefined {
  let o: Objects, pages: PdfDict[] | undefined;
  try {
    o = new Objects(pdf, indexObjects(pdf));
    pages = o.pages();
  } catch { return undefined; }
  if (!pages || pages.length !== pageCount) return undefined;
  return (n) => {
    const page = pages[n - 1];
    try { return page && pageJpeg(o, page); } catch { return undefined; }
  };
}

/**
 * The number of pages of `pdf` when every one is an office scanner's plain JPEG, found as scannerJpegs finds them;
 * undefined otherwise. Such a file's pages are all read without pdfjs, so pdfjs need not open it to count them: it
 * copied and parsed the 118 MB bench scan for 0.9 s of the main thread's CPU before any page was read (measured).
 */
export function scannerPageCount(pdf: Uint8Array): number | undefined {
  try {
    const o = new Objects(pdf, indexObjects(pdf));
    const pages = o.pages();
    return pages && pages.length > 0 && pages.every((page) => pageJpeg(o, page) !== undefined) ? pages.length : undefined;
  } catch { return undefined; }
}
