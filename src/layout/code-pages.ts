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
/** Side of one code without it. */
const CODE = QR_MODULES * MODULE_PT;
const QUIET = QR_QUIET * MODULE_PT;
const CAPTION_HEIGHT = CAPTION_SIZE * LEADING + 4;

/**
 * How many codes fit a page body in a grid under a two-line heading. Codes side by side share one quiet zone
 * (FORMAT §10): three columns need 3 × 117 + 4 × 4 modules, 478.6 pt at 0.46 mm, within A4's 482.3 pt body and
 * Letter's 505; a row keeps both quiet zones and the caption between them.
 */
export function codesPerPage(box: BodyBox): { columns: number; rows: number } {
  const columns = Math.floor((box.width - QUIET) / (CODE + QUIET));
  const rows = Math.floor((box.bottom - box.top - 2 * HEADING_SIZE * LEADING - 6) / (CELL + CAPTION_HEIGHT));
  return { columns, rows };
}

/** Pages of codes for one document (a patient's record or the run's manifest), in frame order. */
export function layoutCodePages(texts: readonly string[], words: CodePageText, shaper: TextShaper, box: BodyBox): PageBody[] {
  const flow = new Flow(shaper, box);
  layoutCodes(flow, texts, words);
  return flow.pages;
}

/** Space kept between a summary's last line and the codes that follow it on the same page. */
const SUMMARY_GAP = 8;

/**
 * Lays the codes out in frame order after what `flow` holds: on its current page when a row of codes and
 * their heading fit under the summary (a patient's codes then share the summary's sheet instead of taking a
 * page or a blank of their own), then on pages of their own. Every page holding codes starts its codes with
 * the heading that names the patient, the codes on it and the page of the codes' pages.
 * Returns how many pages, the last of the flow's, hold codes.
 */
export function layoutCodes(flow: Flow, texts: readonly string[], words: CodePageText): number {
  const box = flow.box;
  const { columns, rows } = codesPerPage(box);
  const rowHeight = CELL + CAPTION_HEIGHT;
  // The heading's lines as it will read (its numbers change its width by a digit or two at most).
  const heading = flow.shaper.wrap(words.heading(texts.length, texts.length, texts.length, 9, 9), HEADING_SIZE, 'bold', box.width).length * HEADING_SIZE * LEADING + 6;
  const atTop = flow.y <= box.top;
  const hereRows = atTop ? rows : Math.max(0, Math.floor((flow.remaining - SUMMARY_GAP - heading) / rowHeight));
  const allRows = Math.ceil(texts.length / columns);
  const firstRows = Math.min(hereRows, allRows);
  const pages = (firstRows > 0 ? 1 : 0) + Math.ceil((allRows - firstRows) / rows);
  // Spread the columns over the body width: a quiet zone at each side, at least one between two codes.
  const pitch = columns > 1 ? (box.width - 2 * QUIET - CODE) / (columns - 1) : 0;
  let first = 0;
  for (let p = 0; p < pages; p++) {
    const pageRows = p === 0 && firstRows > 0 ? firstRows : rows;
    if (p > 0 || firstRows === 0) flow.newPage();
    else if (!atTop) flow.space(SUMMARY_GAP);
    const last = Math.min(texts.length, first + pageRows * columns);
    flow.paragraph(words.heading(first + 1, last, texts.length, p + 1, pages), { size: HEADING_SIZE, weight: 'bold' });
    flow.space(6);
    const top = flow.y;
    for (let i = first; i < last; i++) {
      const slot = i - first;
      const x = box.x + QUIET + (slot % columns) * pitch;
      const y = top + Math.floor(slot / columns) * rowHeight;
      flow.page.ops.push({ kind: 'qr', x, y: y + QUIET, text: texts[i]! });
      const text = words.caption(i + 1, texts.length);
      const caption = flow.shaper.shape(text, flow.shaper.fit(text, CAPTION_SIZE, 'regular', CODE), 'regular');
      flow.page.ops.push({ kind: 'text', line: caption, x: x + (CODE - caption.width) / 2, baseline: y + CELL + CAPTION_SIZE, color: 'black' });
    }
    flow.y = top + Math.ceil((last - first) / columns) * rowHeight;
    first = last;
  }
  return pages;
}
