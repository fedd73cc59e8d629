// pdfkit's object offsets are kept in flat arrays (_object-offsets.ts, issue 6).
import { describe, expect, it } from 'vitest';
import PDFDocument from 'pdfkit';
import { keepObjectOffsetsFlat, ObjectOffsets } from '../../src/render/_object-offsets.js';

async function pdf(flat: boolean): Promise<Buffer> {
  const doc = new PDFDocument({ autoFirstPage: false, info: { CreationDate: new Date('2026-11-25T15:00:00Z') } });
  if (flat) keepObjectOffsetsFlat(doc);
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise((resolve) => doc.on('end', resolve));
  for (let i = 0; i < 40; i++) {
    doc.addPage({ size: [300, 300] });
    doc.text(`page ${i}`, 20, 20).rect(10, 10, 50, 50).stroke();
  }
  doc.end();
  await ended;
  return Buffer.concat(chunks);
}

describe('object offsets', () => {
  it('give the same PDF, cross-reference table included, as pdfkit\'s own', async () => {
    const [own, flat] = await Promise.all([pdf(false), pdf(true)]);
    expect(flat.toString('latin1')).toContain('xref');
    expect(flat.equals(own)).toBe(true);
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
});
