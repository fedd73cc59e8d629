/**
 * Test helper: every text-showing operation of each page of a PDF, as pdfjs
 * reads the page's operators: the text, the embedded font's name (subset
 * prefix removed, "NotoSansJP-Regular") and the text rendering mode (0 fill,
 * 2 fill and stroke: a synthetic bold). A test can then say which face drew a name.
 */
import { readFile } from 'node:fs/promises';
import { getDocument, OPS } from 'pdfjs-dist/legacy/build/pdf.mjs';

export interface TextRunOp { text: string; font: string; mode: number; size: number }

export async function pageTextRuns(pdf: Uint8Array | string, pages?: readonly number[]): Promise<TextRunOp[][]> {
  const data = typeof pdf === 'string' ? new Uint8Array(await readFile(pdf)) : new Uint8Array(pdf);
  const task = getDocument({ data, useSystemFonts: false, disableFontFace: true, isEvalSupported: false, verbosity: 0 });
  try {
    const doc = await task.promise;
    const out: TextRunOp[][] = [];
    for (const n of pages ?? Array.from({ length: doc.numPages }, (_, i) => i + 1)) {
      const page = await doc.getPage(n);
      const ops = await page.getOperatorList();
      const runs: TextRunOp[] = [];
      let font = '';
      let size = 0;
      let mode = 0;
      const modes: number[] = [];
      ops.fnArray.forEach((fn, i) => {
        const args = ops.argsArray[i] as unknown[];
        if (fn === OPS.save) modes.push(mode);
        else if (fn === OPS.restore) mode = modes.pop() ?? 0;
        else if (fn === OPS.setTextRenderingMode) mode = args[0] as number;
        else if (fn === OPS.setFont) {
          const loaded = page.commonObjs.get(args[0] as string) as { name?: string };
          font = (loaded.name ?? '').replace(/^[A-Z]{6}\+/, '');
          size = args[1] as number;
        } else if (fn === OPS.showText) {
          const glyphs = args[0] as ({ unicode?: string } | number | null)[];
          const text = glyphs.map((g) => (g && typeof g === 'object' ? g.unicode ?? '' : '')).join('');
          if (text) runs.push({ text, font, mode, size });
        }
      });
      out.push(runs);
      page.cleanup();
    }
    return out;
  } finally {
    await task.destroy();
  }
}
