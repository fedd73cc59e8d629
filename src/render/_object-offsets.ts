/**
 * Where each PDF object starts, for the cross-reference table pdfkit writes
 * at the end, kept in flat arrays instead of pdfkit's array of numbers. A
 * binder has about 28 objects a patient; past 1 GB into the file each offset
 * in pdfkit's array was a heap number of its own, and at 100,000 patients
 * (2.8 million objects, 3.3 GB) the table held about 35 MB of the heap,
 * which V8 then let grow to twice that.
 *
 * It uses pdfkit 0.20's document internals (_offsets, _refEnd, _waiting,
 * _ended, _finalize); package.json pins pdfkit's minor version for that.
 */

interface DocumentInternals {
  _offsets: unknown;
  _waiting: number;
  _ended: boolean;
  _refEnd(ref: { id: number; offset: number }): void;
  _finalize(): void;
}

/** Offsets in blocks, so growing never copies what is already there. */
const BLOCK = 1 << 16;

/** What pdfkit does with its offsets array: its length, push() for a new object, iteration for the table. */
export class ObjectOffsets {
  private readonly blocks: Float64Array[] = [];
  length = 0;

  push(): number {
    if (this.length % BLOCK === 0) this.blocks.push(new Float64Array(BLOCK));
    return ++this.length;
  }

  set(index: number, offset: number): void {
    this.blocks[Math.floor(index / BLOCK)]![index % BLOCK] = offset;
  }

  *[Symbol.iterator](): Generator<number> {
    for (let i = 0; i < this.length; i++) yield this.blocks[Math.floor(i / BLOCK)]![i % BLOCK]!;
  }
}

/** Makes `doc`, a new document with no objects ended yet, keep its object offsets flat. */
export function keepObjectOffsetsFlat(doc: PDFKit.PDFDocument): void {
  const d = doc as unknown as DocumentInternals;
  const offsets = new ObjectOffsets();
  // pdfkit's constructor has already made a few objects (root, pages, info, names): carry them over.
  const existing = d._offsets as (number | null)[];
  existing.forEach((offset, i) => {
    offsets.push();
    if (offset !== null) offsets.set(i, offset);
  });
  d._offsets = offsets;
  // pdfkit 0.20's _refEnd, storing the offset here instead of by index.
  d._refEnd = function refEnd(this: DocumentInternals, ref) {
    offsets.set(ref.id - 1, ref.offset);
    if (--this._waiting === 0 && this._ended) {
      this._finalize();
      this._ended = false;
    }
  };
}
