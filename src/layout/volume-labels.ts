import { Flow, type PageBody, type PageOp } from './flow.js';
import { label } from './template.js';
import { truncateToWidth, type FrontMatterContext } from './front-matter.js';
import type { Weight } from '../text/font-files.js';

/** What the labels say of the binder and of each of its volumes. */
export interface VolumeLabelFacts {
  clinicName: string;
  /** "Data as of …" and "printed …", as the covers print them. */
  dataAsOf: string;
  printed: string;
  runId: string;
  volumes: readonly { first: string; last: string }[];
}

/** A 3-inch binder's spine pocket takes an insert about 2.75 in wide: the spine label is that wide, its text across. */
const SPINE_WIDTH = 198;
const ROW_HEIGHT = 150;
const GAP = 14;

/**
 * The page (or pages) of spine and cover labels of a binder in several volumes (issue 26): for each volume a spine
 * label and a cover label, each a box to cut out, saying the clinic, "Volume 2 of 3", the first and last patient
 * it holds, the data's time and the print run, so that a shelf of volumes is told apart and a stale one is seen.
 */
export function layoutVolumeLabels(facts: VolumeLabelFacts, ctx: FrontMatterContext): PageBody[] {
  const L = (key: string, vars?: Record<string, string | number>): string => label(ctx.template, key, vars);
  const flow = new Flow(ctx.shaper, ctx.box);
  const { box, shaper } = ctx;
  const heading = (): number => {
    flow.paragraph(L('volume_labels'), { size: 16, weight: 'bold' });
    flow.paragraph(L('volume_labels_note'), { size: 9.5 });
    flow.space(6);
    return flow.y;
  };
  let y = heading();
  const of = facts.volumes.length;
  facts.volumes.forEach((v, k) => {
    if (y + ROW_HEIGHT > box.bottom) {
      flow.newPage();
      y = heading();
    }
    const ops = flow.page.ops;
    /** A line centred in [x, x + w] (or from x when `left`), at a size that fits, never wider than the box. */
    const line = (text: string, size: number, weight: Weight, x: number, w: number, baseline: number, left = false): void => {
      const fitted = truncateToWidth(shaper, text, shaper.fit(text, size, weight, w - 12), weight, w - 12);
      const shaped = shaper.shape(fitted, shaper.fit(fitted, size, weight, w - 12), weight);
      ops.push({ kind: 'text', line: shaped, x: left ? x + 6 : x + (w - shaped.width) / 2, baseline, color: 'black' });
    };
    const volume = L('volume_of', { volume: k + 1, volumes: of });
    const coverX = box.x + SPINE_WIDTH + GAP;
    const coverW = box.width - SPINE_WIDTH - GAP;
    ops.push(rect(box.x, y, SPINE_WIDTH, ROW_HEIGHT), rect(coverX, y, coverW, ROW_HEIGHT));
    line(facts.clinicName, 12, 'bold', box.x, SPINE_WIDTH, y + 22);
    line(volume.toUpperCase(), 20, 'bold', box.x, SPINE_WIDTH, y + 54);
    line(v.first, 11, 'bold', box.x, SPINE_WIDTH, y + 80);
    line('–', 11, 'regular', box.x, SPINE_WIDTH, y + 94);
    line(v.last, 11, 'bold', box.x, SPINE_WIDTH, y + 108);
    line(`${L('data_as_of')} ${facts.dataAsOf}`, 8, 'regular', box.x, SPINE_WIDTH, y + 128);
    line(`${L('run')} ${facts.runId}`, 8, 'regular', box.x, SPINE_WIDTH, y + 140);
    line(facts.clinicName, 16, 'bold', coverX, coverW, y + 26, true);
    line(L('binder_title'), 12, 'regular', coverX, coverW, y + 46, true);
    line(volume, 24, 'bold', coverX, coverW, y + 82, true);
    line(L('volume_label_patients', { first: v.first, last: v.last }), 12, 'bold', coverX, coverW, y + 108, true);
    line(L('volume_label_run', { asOf: facts.dataAsOf, printed: facts.printed, run: facts.runId }), 8.5, 'regular', coverX, coverW, y + 136, true);
    y += ROW_HEIGHT + GAP;
  });
  flow.finish();
  return flow.pages;
}

function rect(x: number, y: number, w: number, h: number): PageOp {
  return { kind: 'rect', x, y, w, h, fill: null, stroke: '#000000', lineWidth: 0.75 };
}
