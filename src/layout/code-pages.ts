import { Flow, LEADING, type BodyBox, type PageBody } from './flow.js';
import type { TextShaper } from '../text/shape-text.js';
import { MODULE_PT, QR_MODULES, QR_QUIET } from '../qr/qr-symbol.js';

/** Words around the codes; the binder fills them from the template's labels. */
export interface CodePageText {
  /** "Machine-readable copy of … codes 1–6 of 14, page 1 of 3 — do not discard" */
  heading: (first: number, last: number, total: number, page: number, pages: number) => string;
  /** Under each code, so a person can tell which one is missing: "Smith, Jane · code 3 of 14". */
  caption: (index: number, total: number) => string;
}

const HEADING_SIZE = 10;
const CAPTION_SIZE = 7;
/** Side of one code with its quiet zone. */
const CELL = (QR_MODULES + 2 * QR_QUIET) * MODULE_PT;
const CAPTION_HEIGHT = CAPTION_SIZE * LEADING + 4;

/** How many codes fit a page body: whole codes with quiet zones, in a grid under a two-line heading. */
export function codesPerPage(box: BodyBox): { columns: number; rows: number } {
  const columns = Math.floor(box.width / CELL);
  const rows = Math.floor((box.bottom - box.top - 2 * HEADING_SIZE * LEADING - 6) / (CELL + CAPTION_HEIGHT));
  return { columns, rows };
}

/** Pages of codes for one document (a patient's record or the run's manifest), in frame order. */
export function layoutCodePages(texts: readonly string[], words: CodePageText, shaper: TextShaper, box: BodyBox): PageBody[] {
  const { columns, rows } = codesPerPage(box);
  const perPage = columns * rows;
  const pages = Math.ceil(texts.length / perPage);
  // Spread the columns over the body width; the quiet zones are part of each cell.
  const gap = (box.width - columns * CELL) / Math.max(1, columns - 1);
  const result: PageBody[] = [];
  for (let p = 0; p < pages; p++) {
    const flow = new Flow(shaper, box);
    const first = p * perPage;
    const last = Math.min(texts.length, first + perPage);
    flow.paragraph(words.heading(first + 1, last, texts.length, p + 1, pages), { size: HEADING_SIZE, weight: 'bold' });
    flow.space(6);
    const top = flow.y;
    for (let i = first; i < last; i++) {
      const slot = i - first;
      const x = box.x + (slot % columns) * (CELL + gap);
      const y = top + Math.floor(slot / columns) * (CELL + CAPTION_HEIGHT);
      flow.page.ops.push({ kind: 'qr', x: x + QR_QUIET * MODULE_PT, y: y + QR_QUIET * MODULE_PT, text: texts[i]! });
      const text = words.caption(i + 1, texts.length);
      const caption = shaper.shape(text, shaper.fit(text, CAPTION_SIZE, 'regular', CELL), 'regular');
      flow.page.ops.push({ kind: 'text', line: caption, x: x + (CELL - caption.width) / 2, baseline: y + CELL + CAPTION_SIZE, color: 'black' });
    }
    result.push(flow.pages[0]!);
  }
  return result;
}
