/**
 * Where each PDF object starts, for the cross-reference table written at the
 * end, kept in flat arrays instead of pdfkit's array of numbers. A binder has
 * about 28 objects a patient; past 1 GB into the file each offset in pdfkit's
 * array was a heap number of its own, and at 100,000 patients (2.8 million
 * objects, 3.3 GB) the table held about 35 MB of the heap, which V8 then let
 * grow to twice that. The table itself is written here too (endDocument).
 *
 * It uses pdfkit 0.20's document internals (_offsets, _refEnd, _waiting,
 * _ended, _finalize, _offset, _write, _root, _info, _id); package.json pins
 * pdfkit's minor version for that.
 */

interface DocumentInternals {
  _offsets: unknown;
  _waiting: number;
  _ended: boolean;
  _offset: number;
  _root: object;
  _info: object;
  _id: Uint8Array;
  _security: unknown;
  _refEnd(ref: { id: number; offset: number }): void;
  _finalize(): void;
  _write(data: string | Uint8Array): void;
  push(chunk: Uint8Array | null): boolean;
}

/** Offsets in blocks, so growing never copies what is already there. */
const BLOCK = 1 << 16;
/** A delta that marks an offset kept in `far` (or none set: 0, as pdfkit's table would have it). */
const FAR = 0xffff_ffff;

/**
 * A block's offsets as 32-bit distances from its first one. Objects are
 * numbered as they are made and written soon after, and the file only grows,
 * so a block's offsets (some 2,300 patients') lie within about 80 MB above
 * the first written; the few that don't (fonts and the page tree, made
 * first and written last, in a binder past 4 GB) go to a map. 4 bytes an
 * object instead of 8: 11 MB less at 100,000 patients.
 */
interface Block { first: number; deltas: Uint32Array }

/** What pdfkit does with its offsets array: its length, push() for a new object, iteration for the table. */
export class ObjectOffsets {
  private readonly blocks: Block[] = [];
  private readonly far = new Map<number, number>();
  length = 0;

  push(): number {
    if (this.length % BLOCK === 0) this.blocks.push({ first: -1, deltas: new Uint32Array(BLOCK).fill(FAR) });
    return ++this.length;
  }

  set(index: number, offset: number): void {
    const block = this.blocks[Math.floor(index / BLOCK)]!;
    if (block.first < 0) block.first = offset;
    const delta = offset - block.first;
    if (delta >= 0 && delta < FAR) {
      block.deltas[index % BLOCK] = delta;
    } else {
      block.deltas[index % BLOCK] = FAR;
      this.far.set(index, offset);
    }
  }

  *[Symbol.iterator](): Generator<number> {
    for (let i = 0; i < this.length; i++) {
      const block = this.blocks[Math.floor(i / BLOCK)]!;
      const delta = block.deltas[i % BLOCK]!;
      yield delta !== FAR ? block.first + delta : this.far.get(i) ?? 0;
    }
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

/** Rows of the cross-reference table written at a time: 20 bytes each, so 64 KB. */
const XREF_ROWS_PER_WRITE = 3_276;
/** A row of the table, its ten digits of offset still zero. */
const XREF_ROW = Buffer.from('0000000000 00000 n \n', 'latin1');

/**
 * Ends `doc` as doc.end() does, with the same bytes, but writes the
 * cross-reference table a block at a time, waiting on `settled` after each:
 * it must resolve once whoever takes the document's data has written it
 * (or copied it) and let go of it, because the next block is written into
 * the same bytes. pdfkit writes it in one synchronous loop,
 * a row at a time: at 100,000 patients that was 2.8 million byte arrays and
 * 56 MB queued for the file at once, at the very end of the print.
 * `doc` must have had keepObjectOffsetsFlat() applied.
 */
export async function endDocument(doc: PDFKit.PDFDocument, settled: () => Promise<void>): Promise<void> {
  const d = doc as unknown as DocumentInternals;
  const offsets = d._offsets;
  if (!(offsets instanceof ObjectOffsets)) throw new Error('endDocument: the document does not keep its object offsets flat');
  if (d._security) throw new Error('endDocument: an encrypted document\'s trailer is not written here');
  // pdfkit calls _finalize once every object is written: at once, or when the last one ends.
  const allWritten = new Promise<void>((resolve) => { d._finalize = resolve; });
  doc.end();
  await allWritten;
  // From here on, pdfkit 0.20's _finalize with the table's rows gathered.
  const xrefOffset = d._offset;
  d._write('xref');
  d._write(`0 ${offsets.length + 1}`);
  d._write('0000000000 65535 f ');
  // Each row straight into one block's bytes, the block used again once the file has it. Built
  // as strings, and then as a new block each time, the rows of 100,000 patients raised the print's
  // peak by 40-55 MB in the table's last second: V8 frees a buffer only at a collection, and with
  // so little else made, 64 MB of them came first (measured).
  const block = Buffer.allocUnsafe(XREF_ROW.length * XREF_ROWS_PER_WRITE);
  let count = 0;
  for (const offset of offsets) {
    if (offset >= 1e10) throw new Error(`a PDF object at byte ${offset}: past the ten digits a cross-reference row has`);
    const row = count * XREF_ROW.length;
    block.set(XREF_ROW, row);
    for (let v = offset, k = row + 9; v > 0; v = Math.floor(v / 10), k--) block[k] = 0x30 + (v % 10);
    if (++count === XREF_ROWS_PER_WRITE) {
      d._write(block);
      count = 0;
      await settled();
    }
  }
  if (count > 0) d._write(Buffer.from(block.subarray(0, count * XREF_ROW.length)));
  const id = `<${Buffer.from(d._id).toString('hex')}>`;
  d._write('trailer');
  d._write(`<<\n/Size ${offsets.length + 1}\n/Root ${String(d._root)}\n/Info ${String(d._info)}\n/ID [${id} ${id}]\n>>`);
  d._write('startxref');
  d._write(`${xrefOffset}`);
  d._write('%%EOF');
  d.push(null);
}
