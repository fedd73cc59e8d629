// --binder: the run's manifest codes, read from the binder PDF with the project's own scan (pdfjs + zxing),
// so the station page knows every patient and their code pages before the first code is read.
import { readFileSync } from 'node:fs';
import { rasterisePdf } from '../scan/rasterise-pdf.js';
import { readCodes } from '../scan/read-codes.js';
import { decodeFrame } from '../codec/frame.js';
import { NoManifestError, UnknownInputError, fileProblem } from '../errors.js';

/** The front matter (cover, recipe, index, schedule, manifest) comes first; a binder's manifest has been within its first pages. */
const DPI = 200;

/**
 * The manifest code texts of the binder's run, read page by page until all of them are in.
 * @throws UnknownInputError for a file that cannot be read; UnreadablePdfError; NoManifestError
 */
export async function readBinderManifest(binder: string): Promise<string[]> {
  let pdf: Uint8Array;
  try { pdf = readFileSync(binder); } catch (e) { throw new UnknownInputError(binder, fileProblem(e)); }
  const texts = new Map<number, string>();
  let total = 0, run = '';
  for await (const page of rasterisePdf(pdf, { dpi: DPI, fileName: binder })) {
    for (const code of await readCodes(page)) {
      let f;
      try { f = decodeFrame(code.text); } catch { continue; }
      if (f.kind !== 'M' || (run !== '' && f.runId !== run)) continue;
      run = f.runId; total = f.total;
      texts.set(f.index, code.text);
    }
    if (total > 0 && texts.size === total) break;
  }
  if (texts.size === 0) throw new NoManifestError(binder);
  return [...texts].sort(([a], [b]) => a - b).map(([, t]) => t);
}
