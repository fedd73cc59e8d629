/**
 * Test helper: the text of each page of a PDF, as pdfjs extracts it.
 *
 * Items on one line (same baseline within a tolerance) are joined left to
 * right; lines are separated by '\n', top to bottom. A visible gap between
 * two items (e.g. table cells) becomes one space. Bidi embedding controls
 * (U+202A–U+202E, U+2066–U+2069) are stripped.
 */
import { readFile } from 'node:fs/promises';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

/** A text item as pdfjs reads it: its string, where its baseline starts (points, y up), its width and height. */
export interface TextItem { str: string; x: number; y: number; width: number; height: number }

const CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;

export async function extractPageTexts(pdf: Uint8Array | string): Promise<string[]> {
  return (await pageTextItems(pdf)).map(joinLines);
}

/** Every page's non-empty text items, in the order pdfjs gives them. */
export async function pageTextItems(pdf: Uint8Array | string): Promise<TextItem[][]> {
  // Always hand pdfjs its own copy: it may transfer (detach) the buffer, and rejects Buffers.
  const data = typeof pdf === 'string' ? new Uint8Array(await readFile(pdf)) : new Uint8Array(pdf);
  const task = getDocument({
    data,
    useSystemFonts: false,
    disableFontFace: true,
    isEvalSupported: false,
    verbosity: 0,
  });
  try {
    const doc = await task.promise;
    const pages: TextItem[][] = [];
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      const content = await page.getTextContent();
      const items: TextItem[] = [];
      for (const it of content.items) {
        if (!('str' in it) || it.str === '') continue;
        const [, , , d = 0, x = 0, y = 0] = it.transform as number[];
        items.push({ str: it.str, x, y, width: it.width, height: it.height || Math.abs(d) });
      }
      pages.push(items);
      page.cleanup();
    }
    return pages;
  } finally {
    await task.destroy();
  }
}

function joinLines(items: TextItem[]): string {
  // Top to bottom (PDF y grows upwards), then left to right.
  items.sort((a, b) => b.y - a.y || a.x - b.x);
  const lines: TextItem[][] = [];
  for (const item of items) {
    const line = lines[lines.length - 1];
    const ref = line?.[0];
    // Same line if baselines differ by less than a third of the text height (min 1pt).
    if (line && ref && Math.abs(ref.y - item.y) <= Math.max(1, Math.min(ref.height, item.height) / 3)) line.push(item);
    else lines.push([item]);
  }
  return lines
    .map((line) => {
      line.sort((a, b) => a.x - b.x);
      let text = '';
      let end = -Infinity;
      for (const item of line) {
        const gap = item.x - end;
        if (text && gap > 0.25 * item.height && !/\s$/.test(text) && !/^\s/.test(item.str)) text += ' ';
        text += item.str;
        end = Math.max(end, item.x + item.width);
      }
      return text.replace(CONTROLS, '');
    })
    .join('\n');
}
