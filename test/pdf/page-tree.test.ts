// The binder's page tree is kept as object numbers and its bookmarks written as it prints (page-tree.ts, outline.ts, issue 6).
import { describe, expect, it } from 'vitest';
import PDFDocument from 'pdfkit';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { PageTree } from '../../src/pdf/page-tree.js';
import { Outline } from '../../src/pdf/outline.js';
import { pdfkitBytes } from '../_pdfkit-bytes.js';

/** A real PDF of `pages` pages, each showing its drawing order; the last `front` are moved to the front. */
async function printed(pages: number, front: number, bookmarked: (i: number) => boolean): Promise<Uint8Array> {
  const doc = new PDFDocument({ autoFirstPage: false, compress: false });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise((resolve) => doc.on('end', resolve));
  const tree = new PageTree();
  const outline = new Outline(doc, front > 0 ? 1 : 0);
  let mark = 0;
  for (let i = 0; i < pages; i++) {
    if (i === pages - front) mark = tree.mark();
    doc.addPage({ size: [200, 200], margin: 0 });
    tree.take(doc);
    doc.text(`drawn ${i}`, 10, 10);
    if (i === pages - front) outline.addFront(`front ${i}`);
    else if (bookmarked(i)) outline.add(`page ${i}`);
  }
  tree.moveToFront(mark);
  tree.restore(doc);
  outline.end();
  doc.end();
  await ended;
  return new Uint8Array(Buffer.concat(chunks));
}

describe('page tree and outline', () => {
  it('read the pages drawn last first, past the tree\'s first growth, with bookmarks in reading order', async () => {
    const pages = 1030;
    const front = 3;
    const pdf = await getDocument({ data: await printed(pages, front, (i) => i % 100 === 0), verbosity: 0 }).promise;
    expect(pdf.numPages).toBe(pages);
    const drawn = async (n: number): Promise<string> =>
      (await (await pdf.getPage(n)).getTextContent()).items.map((item) => ('str' in item ? item.str : '')).join('');
    expect(await drawn(1)).toBe(`drawn ${pages - front}`);
    expect(await drawn(front)).toBe(`drawn ${pages - 1}`);
    expect(await drawn(front + 1)).toBe('drawn 0');
    expect(await drawn(pages)).toBe(`drawn ${pages - front - 1}`);
    const outline = (await pdf.getOutline()) ?? [];
    expect(outline.map((o) => o.title)).toEqual([`front ${pages - front}`, ...Array.from({ length: 11 }, (_, k) => `page ${k * 100}`)]);
    const targets = await Promise.all(outline.map(async (o) => pdf.getPageIndex(o.dest![0] as never)));
    expect(targets).toEqual([0, ...Array.from({ length: 11 }, (_, k) => front + k * 100)]);
    await pdf.destroy();
  });

  it('write the page tree pdfkit writes, byte for byte, when no page moves', async () => {
    const print = (tree?: PageTree): Promise<Buffer> =>
      pdfkitBytes({ autoFirstPage: false, compress: false, info: { CreationDate: new Date('2026-11-25T15:00:00Z') } }, (doc) => {
        // Past ids of one to four digits.
        for (let i = 0; i < 1200; i++) {
          doc.addPage({ size: [200, 200], margin: 0 });
          tree?.take(doc);
        }
        tree?.restore(doc);
      });
    const ours = await print(new PageTree());
    expect(ours.toString('latin1')).toMatch(/\/Kids \[\d+ 0 R \d+ 0 R /);
    expect(ours.equals(await print())).toBe(true);
  });

  it('refuse an end with a front matter bookmark promised but not added', () => {
    const doc = new PDFDocument({ autoFirstPage: false });
    const outline = new Outline(doc, 2);
    doc.addPage();
    outline.addFront('Index');
    expect(() => outline.end()).toThrow(/1 front matter bookmarks of 2/);
  });
});
