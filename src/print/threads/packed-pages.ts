/**
 * Laid-out pages as a few flat arrays, to pass from a worker to the drawing
 * thread without a copy and unpack there into views: a patient's 2,800 small
 * objects cloned as objects cost a third of preparing it (docs/PERFORMANCE.md).
 */
import type { PageBody, PageOp } from '../../layout/flow.js';
import type { FontSet } from '../../text/font-files.js';
import type { GlyphData } from '../../text/glyph-data.js';
import { shapesCodePointCount, shapesGlyphCount, writeWordShapes } from '../../text/word-shapes.js';
import type { TextRun } from '../../text/shape-text.js';

export interface PackedPages {
  /** Texts, fonts and colours, each once. */
  strings: string[];
  /** Page and op structure, string indices, counts. */
  ints: Int32Array;
  /** Coordinates, sizes, widths, glyph advances and positions. */
  nums: Float64Array;
  ids: Uint16Array;
  codePoints: Uint32Array;
  counts: Uint8Array;
  /** Every code's image, one after the other. */
  images: Uint8Array;
}

const TEXT = 0;
const RECT = 1;
const RULE = 2;
const QR = 3;

/**
 * `pages` as flat arrays, each string once; unpackPages makes them pages again.
 * @throws Error for a run not made ready to draw or a code without its image
 */
export function packPages(pages: readonly PageBody[]): PackedPages {
  const out = sizedPackedPages(pages);
  const interned = new Map<string, number>();
  const str = (s: string | null): number => {
    if (s === null) return -1;
    let i = interned.get(s);
    if (i === undefined) interned.set(s, i = out.strings.push(s) - 1);
    return i;
  };
  let ii = 0, ni = 0, gi = 0, ci = 0, pi = 0;
  const int = (...values: number[]): void => { for (const v of values) out.ints[ii++] = v; };
  const num = (...values: number[]): void => { for (const v of values) out.nums[ni++] = v; };
  int(pages.length);
  for (const page of pages) {
    int(page.ops.length);
    for (const op of page.ops) {
      switch (op.kind) {
        case 'text': {
          const { line } = op;
          int(TEXT, str(op.color), line.runs.length, line.direction === 'rtl' ? 1 : 0, str(line.text));
          num(op.x, op.baseline, line.size, line.width);
          for (const run of line.runs) {
            const n = glyphCount(run);
            const c = codePointCount(run);
            int(str(run.text), str(run.font), run.level, n, c);
            num(run.width);
            if (run.shaped.kind === 'glyphs') {
              const g = run.shaped.glyphs;
              out.nums.set(g.advances, ni);
              out.nums.set(g.positions, ni + n);
              out.ids.set(g.ids, gi);
              out.counts.set(g.counts, gi);
              out.codePoints.set(g.codePoints, ci);
            } else if (run.shaped.kind === 'words') {
              writeWordShapes(run.shaped.shapes, {
                advances: out.nums.subarray(ni, ni + n), positions: out.nums.subarray(ni + n, ni + 5 * n),
                ids: out.ids.subarray(gi, gi + n), counts: out.counts.subarray(gi, gi + n), codePoints: out.codePoints.subarray(ci, ci + c),
              });
            }
            ni += 5 * n;
            gi += n;
            ci += c;
          }
          break;
        }
        case 'rect':
          int(RECT, str(op.fill), str(op.stroke));
          num(op.x, op.y, op.w, op.h, op.lineWidth);
          break;
        case 'rule':
          int(RULE, str(op.color));
          num(op.x1, op.y1, op.x2, op.y2, op.lineWidth);
          break;
        case 'qr':
          int(QR, str(op.text), op.image!.length);
          num(op.x, op.y);
          out.images.set(op.image!, pi);
          pi += op.image!.length;
          break;
      }
    }
  }
  return out;
}

/**
 * Empty arrays of the sizes `pages` take, counted first and filled after:
 * growing plain arrays and converting them took a tenth of a worker's time (measured).
 * @throws Error for a code without its image (make it with qrImage first)
 */
function sizedPackedPages(pages: readonly PageBody[]): PackedPages {
  let nInts = 1, nNums = 0, nGlyphs = 0, nCodePoints = 0, nImage = 0;
  for (const page of pages) {
    nInts++;
    for (const op of page.ops) {
      if (op.kind === 'text') {
        nInts += 5 + 5 * op.line.runs.length;
        nNums += 4;
        for (const run of op.line.runs) {
          const n = glyphCount(run);
          nNums += 1 + 5 * n;
          nGlyphs += n;
          nCodePoints += codePointCount(run);
        }
      } else if (op.kind === 'qr') {
        if (!op.image) throw new Error('a code has no image: make it (qrImage) before packing');
        nInts += 3;
        nNums += 2;
        nImage += op.image.length;
      } else {
        nInts += op.kind === 'rect' ? 3 : 2;
        nNums += 5;
      }
    }
  }
  return {
    strings: [], ints: new Int32Array(nInts), nums: new Float64Array(nNums), ids: new Uint16Array(nGlyphs),
    codePoints: new Uint32Array(nCodePoints), counts: new Uint8Array(nGlyphs), images: new Uint8Array(nImage),
  };
}

/** How many glyphs a run draws: its glyphs', or its words' shapes' (TextShaper.readyToDraw). */
function glyphCount(run: TextRun): number {
  if (run.shaped.kind === 'glyphs') return run.shaped.glyphs.ids.length;
  if (run.shaped.kind === 'words') return shapesGlyphCount(run.shaped.shapes);
  throw new Error(`run "${run.text}" has neither glyphs nor word shapes: make it ready to draw (TextShaper.readyToDraw) before packing`);
}

/** How many code points a run's glyphs stand for; call after glyphCount, which checks the run has glyphs or shapes. */
function codePointCount(run: TextRun): number {
  return run.shaped.kind === 'glyphs' ? run.shaped.glyphs.codePoints.length : run.shaped.kind === 'words' ? shapesCodePointCount(run.shaped.shapes) : 0;
}

/** The buffers to transfer (not copy) with a PackedPages. */
export function packedBuffers(p: PackedPages): ArrayBuffer[] {
  return [p.ints, p.nums, p.ids, p.codePoints, p.counts, p.images].map((a) => a.buffer as ArrayBuffer);
}

/** The pages packPages was given; glyph arrays and images are views into the packed arrays. */
export function unpackPages(p: PackedPages, fonts: FontSet): PageBody[] {
  const features = new Map(fonts.faces.map((f) => [f.name, f.features]));
  let ii = 0, ni = 0, gi = 0, ci = 0, pi = 0;
  const int = (): number => p.ints[ii++]!;
  const num = (): number => p.nums[ni++]!;
  const str = (): string => p.strings[int()]!;
  const strOrNull = (): string | null => {
    const i = int();
    return i < 0 ? null : p.strings[i]!;
  };
  const pages: PageBody[] = [];
  for (let pageCount = int(); pages.length < pageCount;) {
    const ops: PageOp[] = [];
    for (let opCount = int(); ops.length < opCount;) {
      const kind = int();
      if (kind === TEXT) {
        const color = str();
        const runCount = int();
        const direction = int() === 1 ? 'rtl' as const : 'ltr' as const;
        const text = str();
        const x = num(), baseline = num(), size = num(), width = num();
        const runs: TextRun[] = [];
        for (let r = 0; r < runCount; r++) {
          const runText = str(), font = str(), level = int(), n = int(), c = int();
          const runWidth = num();
          const glyphs: GlyphData = {
            advances: p.nums.subarray(ni, ni + n), positions: p.nums.subarray(ni + n, ni + 5 * n),
            ids: p.ids.subarray(gi, gi + n), counts: p.counts.subarray(gi, gi + n), codePoints: p.codePoints.subarray(ci, ci + c),
          };
          ni += 5 * n;
          gi += n;
          ci += c;
          runs.push({ text: runText, font, features: features.get(font)!, width: runWidth, level, shaped: { kind: 'glyphs', glyphs } });
        }
        ops.push({ kind: 'text', color, x, baseline, line: { runs, width, size, text, direction } });
      } else if (kind === RECT) {
        const fill = strOrNull(), stroke = strOrNull();
        ops.push({ kind: 'rect', x: num(), y: num(), w: num(), h: num(), lineWidth: num(), fill, stroke });
      } else if (kind === RULE) {
        const color = str();
        ops.push({ kind: 'rule', x1: num(), y1: num(), x2: num(), y2: num(), lineWidth: num(), color });
      } else if (kind === QR) {
        const text = str(), length = int();
        ops.push({ kind: 'qr', x: num(), y: num(), text, image: p.images.subarray(pi, pi + length) });
        pi += length;
      } else {
        throw new Error(`packed pages: unknown op ${kind} at ${ii - 1}`);
      }
    }
    pages.push({ ops });
  }
  return pages;
}
