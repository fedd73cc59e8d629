/**
 * Where each PDF object starts, for the cross-reference table written at the
 * end, kept in flat arrays instead of pdfkit's array of numbers: at 100,000
 * patients (2.8 million objects) pdfkit's array held about 35 MB of the heap
 * (docs/PERFORMANCE.md). The table itself is written here too (endDocument).
 */
import {
  endObjects, endOutput, isEncrypted, objectOffsets, replaceObjectOffsets, trailerParts, writeRaw, writtenBytes,
  type OffsetTable, type PdfDoc,
} from './_pdfkit.js';

/** Offsets in blocks, so growing never copies what is already there. */
const BLOCK = 1 << 16;
/** A delta that marks an offset kept in `far` (or none set: 0, as pdfkit's table would have it). */
const FAR = 0xffff_ffff;

/**
 * A block's offsets as 32-bit distances from its first one (4 bytes an object
 * instead of 8: 11 MB less at 100,000 patients). Objects are numbered as they
 * are made and written soon after, and the file only grows, so a block's
 * offsets (some 2,300 patients') lie within about 80 MB above the first
 * written; the few that don't (fonts and the page tree, made first and
 * written last, in a binder past 4 GB) go to a map.
 */
interface Block { first: number; deltas: Uint32Array }

/** What pdfkit does with its offsets array: its length, push() for a new object, iteration for the table. */
export class ObjectOffsets implements OffsetTable {
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
export function keepObjectOffsetsFlat(doc: PdfDoc): void {
  const offsets = new ObjectOffsets();
  replaceObjectOffsets(doc, offsets, (existing) => existing.forEach((offset, i) => {
    offsets.push();
    if (offset !== null) offsets.set(i, offset);
  }));
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
export async function endDocument(doc: PdfDoc, settled: () => Promise<void>): Promise<void> {
  const offsets = objectOffsets(doc);
  if (!(offsets instanceof ObjectOffsets)) throw new Error('endDocument: the document does not keep its object offsets flat');
  if (isEncrypted(doc)) throw new Error('endDocument: an encrypted document\'s trailer is not written here');
  await endObjects(doc);
  // From here on, pdfkit 0.20's _finalize with the table's rows gathered.
  const xrefOffset = writtenBytes(doc);
  writeRaw(doc, 'xref');
  writeRaw(doc, `0 ${offsets.length + 1}`);
  writeRaw(doc, '0000000000 65535 f ');
  // Each row straight into one block's bytes, used again once the file has it: 40-55 MB less at the peak (docs/PERFORMANCE.md).
  const block = Buffer.allocUnsafe(XREF_ROW.length * XREF_ROWS_PER_WRITE);
  let count = 0;
  for (const offset of offsets) {
    if (offset >= 1e10) throw new Error(`a PDF object at byte ${offset}: past the ten digits a cross-reference row has`);
    const row = count * XREF_ROW.length;
    block.set(XREF_ROW, row);
    for (let v = offset, k = row + 9; v > 0; v = Math.floor(v / 10), k--) block[k] = 0x30 + (v % 10);
    if (++count === XREF_ROWS_PER_WRITE) {
      writeRaw(doc, block);
      count = 0;
      await settled();
    }
  }
  if (count > 0) writeRaw(doc, Buffer.from(block.subarray(0, count * XREF_ROW.length)));
  const { root, info, id } = trailerParts(doc);
  const hexId = `<${Buffer.from(id).toString('hex')}>`;
  writeRaw(doc, 'trailer');
  writeRaw(doc, `<<\n/Size ${offsets.length + 1}\n/Root ${root}\n/Info ${info}\n/ID [${hexId} ${hexId}]\n>>`);
  writeRaw(doc, 'startxref');
  writeRaw(doc, `${xrefOffset}`);
  writeRaw(doc, '%%EOF');
  endOutput(doc);
}
