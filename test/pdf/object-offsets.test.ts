// pdfkit's object offsets are kept in flat arrays (object-offsets.ts, issue 6).
import { describe, expect, it } from 'vitest';
import PDFDocument from 'pdfkit';
import { endDocument, keepObjectOffsetsFlat, ObjectOffsets } from '../../src/pdf/object-offsets.js';

/**
 * A PDF of `pages` pages ended by pdfkit (with its own offsets or flat ones) or by endDocument,
 * with what was written when endDocument waited for the file.
 */
async function pdf(how: 'pdfkit' | 'flat' | 'endDocument', pages = 40): Promise<{ bytes: Buffer; waitedAt: number[] }> {
  const doc = new PDFDocument({ autoFirstPage: false, info: { CreationDate: new Date('2026-11-25T15:00:00Z') } });
  if (how !== 'pdfkit') keepObjectOffsetsFlat(doc);
  const chunks: Buffer[] = [];
  let written = 0;
  // A copy: endDocument writes its next block into the same bytes once the wait it is given resolves.
  doc.on('data', (c: Buffer) => { chunks.push(Buffer.from(c)); written += c.length; });
  const ended = new Promise((resolve) => doc.on('end', resolve));
  for (let i = 0; i < pages; i++) {
    doc.addPage({ size: [300, 300] });
    doc.text(`page ${i}`, 20, 20).rect(10, 10, 50, 50).stroke();
  }
  const waitedAt: number[] = [];
  // Waiting a turn lets what was pushed reach 'data', as waiting for the file does in a print.
  const drained = async (): Promise<void> => {
    await new Promise((resolve) => setImmediate(resolve));
    waitedAt.push(written);
  };
  if (how === 'endDocument') await endDocument(doc, drained);
  else doc.end();
  await ended;
  return { bytes: Buffer.concat(chunks), waitedAt };
}

describe('object offsets', () => {
  it('give the same PDF, cross-reference table included, as pdfkit\'s own', async () => {
    const [own, flat] = await Promise.all([pdf('pdfkit'), pdf('flat')]);
    expect(flat.bytes.toString('latin1')).toContain('xref');
    expect(flat.bytes.equals(own.bytes)).toBe(true);
  });

  it('end with the same bytes as pdfkit\'s end(), the table written in blocks that wait for the file', async () => {
    // 3,000 pages make over 12,000 objects: more than one block of the table.
    const [own, ended] = await Promise.all([pdf('pdfkit', 3_000), pdf('endDocument', 3_000)]);
    expect(ended.bytes.equals(own.bytes)).toBe(true);
    const text = ended.bytes.toString('latin1');
    const tableStart = text.lastIndexOf('\nxref\n');
    const tableEnd = text.lastIndexOf('trailer\n');
    expect(ended.waitedAt.length).toBeGreaterThanOrEqual(2);
    for (const at of ended.waitedAt) {
      expect(at).toBeGreaterThan(tableStart);
      expect(at).toBeLessThan(tableEnd);
    }
    // Blocks of whole 20-byte rows, about 64 KB each.
    const block = ended.waitedAt[1]! - ended.waitedAt[0]!;
    expect(block % 20).toBe(0);
    expect(block).toBeGreaterThan(60_000);
    expect(block).toBeLessThanOrEqual(65_536);
  });

  it('keep offsets past a block and beyond 4 GB exactly', () => {
    const offsets = new ObjectOffsets();
    const n = 70_000;
    for (let i = 0; i < n; i++) offsets.push();
    for (let i = 0; i < n; i++) offsets.set(i, 5_000_000_000 + i * 7);
    expect(offsets.length).toBe(n);
    const read = [...offsets];
    expect(read).toHaveLength(n);
    expect(read.every((offset, i) => offset === 5_000_000_000 + i * 7)).toBe(true);
  });

  it('keep offsets written out of order, far from their block\'s first, or never, exactly', () => {
    const offsets = new ObjectOffsets();
    for (let i = 0; i < 10; i++) offsets.push();
    offsets.set(5, 1_000); // the block's first
    offsets.set(2, 400); // before it
    offsets.set(0, 9_000_000_000); // made first, written past 8 GB
    offsets.set(7, 1_000 + 0xffff_fffe); // the farthest kept as a distance
    offsets.set(8, 1_000 + 0xffff_ffff); // the nearest kept apart
    offsets.set(9, 1_000);
    expect([...offsets]).toEqual([9_000_000_000, 0, 400, 0, 0, 1_000, 0, 1_000 + 0xffff_fffe, 1_000 + 0xffff_ffff, 1_000]);
  });
});
