// The pages of a group's cross parity codes (FORMAT §17): headed so that the person scanning does not skip them.
import { codesPerPage, layoutCodePages } from './code-pages.js';
import type { BodyBox, PageBody } from './flow.js';
import { label, type Template } from './template.js';
import type { TextShaper } from '../text/shape-text.js';

/** Pages `texts` take: a full page of codes under the heading, as layoutCodePages lays them. */
export function parityPageCount(codes: number, box: BodyBox): number {
  const { columns, rows } = codesPerPage(box);
  return Math.ceil(codes / (columns * rows));
}

/** The parity codes of the group printed on binder pages `from`–`to`. */
export function layoutParityPages(texts: readonly string[], from: number, to: number, template: Template, shaper: TextShaper, box: BodyBox): PageBody[] {
  return layoutCodePages(texts, {
    heading: (first, last, total, page, pages) => label(template, 'parity_heading', { from, to, first, last, total, page, pages }),
    caption: (i, total) => label(template, 'parity_caption', { from, to, i, total }),
  }, shaper, box);
}
