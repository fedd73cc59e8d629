import { Flow, type BodyBox, type PageBody } from './flow.js';
import type { TextShaper } from '../text/shape-text.js';
import { label, type Template } from './template.js';
import { joinPresent, zonedMinute } from './format.js';

export interface FrontMatterContext {
  shaper: TextShaper;
  template: Template;
  box: BodyBox;
}

export interface CoverFacts {
  clinicName: string;
  clinicAddress: string | null;
  clinicPhone: string | null;
  printedAt: string;
  dataAsOf: string | null;
  patients: number;
  pages: number;
  /** Fingerprint of the clinic's signing key, or null when the codes are unsigned. */
  fingerprint: string | null;
  /** The signing public key as the recipe prints it (FORMAT §6.3, 60 characters), or null when unsigned. */
  publicKey?: string | null;
  /** Where the clinic keeps its keys (the template's clinic.keys_kept_at). */
  keysKeptAt?: string | null;
  encrypted: boolean;
  /** The clinic's time zone (IANA), in which every time of the binder is printed. */
  timeZone: string;
  /** Where the schedule and the index start (binder pages). */
  schedulePage: number;
  indexPage: number;
  /** The print run's id (FORMAT §4.2) and, when the run register was read, the full print it replaces (issue 28). */
  runId?: string;
  supersedes?: CoverRun['supersedes'];
  /** A partial binder: how its patients were chosen (the manifest's selection, FORMAT §11.3). */
  partial?: { by: readonly string[]; list_file?: string; scheduled_from?: string; scheduled_until?: string };
  /** A supplement (issue 28): the run it follows, the chain's full binder, what it holds, and its replace-and-shred sheet's page. */
  supplement?: CoverSupplement;
  /** A binder in several volumes (issue 26): which one this is and the patients it holds. */
  volume?: CoverVolume;
}

/** What a supplement's cover says of it (print/supplement.ts decides it). */
export interface CoverSupplement {
  of: { runId: string; printedAt: string; kind: 'binder' | 'supplement' };
  base: { runId: string; printedAt: string };
  since: { runId: string; printedAt: string };
  changed: number; added: number; removed: number;
  sheetPage: number;
}

/** One volume of a binder in several (print/volumes.ts). */
export interface CoverVolume {
  number: number;
  of: number;
  /** The first and last patient it holds, by their Latin forms (the binder's order). */
  first: string;
  last: string;
  /** The patients it holds. */
  patients: number;
  /** Replaces the line naming where the schedule and the index start (a volume after the first has neither). */
  sections?: string;
  /** What else the reader should know ("the full index is in Volume 1"). */
  note?: string;
}

/** The run register's part of the cover: the previous complete full print of the store, or null for the first. */
export interface CoverRun { supersedes?: { runId: string; printedAt: string } | null }

const L = (ctx: FrontMatterContext, key: string, vars?: Record<string, string | number>): string => label(ctx.template, key, vars);

export function layoutCover(facts: CoverFacts, ctx: FrontMatterContext): PageBody[] {
  const flow = new Flow(ctx.shaper, ctx.box);
  flow.space(40);
  flow.paragraph(facts.clinicName, { size: flow.shaper.fit(facts.clinicName, 26, 'bold', flow.box.width), weight: 'bold' });
  flow.paragraph(joinPresent('   ', [facts.clinicAddress, facts.clinicPhone]), { size: 11 });
  flow.space(16);
  const at = (t: string): string => zonedMinute(t, facts.timeZone, ctx.template.locale);
  flow.paragraph(facts.supplement ? L(ctx, 'supplement_title', { printed: at(facts.supplement.base.printedAt) }) : L(ctx, 'binder_title'), { size: 20, weight: 'bold' });
  if (facts.volume) volumeLines(flow, ctx, facts.volume);
  flow.space(12);
  flow.fields([
    [L(ctx, 'printed'), zonedMinute(facts.printedAt, facts.timeZone, ctx.template.locale)],
    [L(ctx, 'data_as_of'), facts.dataAsOf ? zonedMinute(facts.dataAsOf, facts.timeZone, ctx.template.locale) : '—'],
    [L(ctx, 'patients'), String(facts.volume?.patients ?? facts.patients)],
    [L(ctx, 'pages'), String(facts.pages)],
    ...runFields(ctx, facts),
    ...(facts.supplement ? supplementFields(ctx, facts.supplement, at) : []),
  ], 13, 150);
  if (facts.supplement) flow.paragraph(L(ctx, 'supplement_sheet_at', { page: facts.supplement.sheetPage }), { size: 14, weight: 'bold' });
  flow.paragraph(L(ctx, 'time_zone', { zone: facts.timeZone }), { size: 10 });
  flow.space(6);
  flow.paragraph(facts.volume?.sections ?? L(ctx, 'cover_sections', { schedule: facts.schedulePage, index: facts.indexPage }), { size: 14, weight: 'bold' });
  // One line at a size that fits: a fingerprint is compared group by group.
  if (facts.partial) flow.paragraph(partialText(ctx, facts.partial), { size: 13, weight: 'bold' });
  fingerprintLines(flow, ctx, facts.fingerprint);
  if (facts.publicKey) flow.paragraph(`${L(ctx, 'signing_public_key')}: ${facts.publicKey}`, { size: 9 });
  if (facts.publicKey || facts.encrypted) flow.paragraph(facts.keysKeptAt ? L(ctx, 'keys_kept_at', { where: facts.keysKeptAt }) : L(ctx, 'keys_kept_at_unset'), { size: 9 });
  if (facts.encrypted) flow.paragraph(L(ctx, 'encrypted'), { size: 11, weight: 'bold' });
  flow.space(20);
  flow.heading(L(ctx, 'how_to_use'), 13);
  flow.paragraph(L(ctx, 'how_to_use_text'), { size: 11 });
  // Retention (issue 28): when to replace the binder and how to destroy it, in the template's words.
  flow.space(12);
  flow.heading(L(ctx, 'retention'), 13);
  flow.paragraph(L(ctx, 'retention_text'), { size: 11 });
  return flow.pages;
}

/** "Volume 2 of 3" and its patients' range, each on one line at a size that fits, so the cover is as long whatever the names. */
function volumeLines(flow: Flow, ctx: FrontMatterContext, v: CoverVolume): void {
  const title = L(ctx, 'volume_of', { volume: v.number, volumes: v.of });
  flow.paragraph(title, { size: flow.shaper.fit(title, 20, 'bold', flow.box.width), weight: 'bold' });
  const name = (n: string): string => truncateToWidth(flow.shaper, n, 14, 'bold', flow.box.width * 0.45);
  const range = L(ctx, 'volume_range', { first: name(v.first), last: name(v.last) });
  flow.paragraph(range, { size: flow.shaper.fit(range, 14, 'bold', flow.box.width), weight: 'bold' });
  if (v.note) flow.paragraph(v.note, { size: 11 });
}

/** `text` cut with an ellipsis to fit `width` at `size` (a name on a label or in a volume's range): one line whatever the name. */
export function truncateToWidth(shaper: TextShaper, text: string, size: number, weight: 'regular' | 'bold', width: number): string {
  if (shaper.shape(text, size, weight).width <= width) return text;
  const chars = [...text];
  let n = chars.length;
  while (n > 1 && shaper.shape(`${chars.slice(0, n).join('').trimEnd()}…`, size, weight).width > width) n--;
  return `${chars.slice(0, n).join('').trimEnd()}…`;
}

/** The cover's lines from the run register (issue 28): this run's id, and the binder it replaces. */
function runFields(ctx: FrontMatterContext, facts: CoverFacts): [string, string][] {
  const fields: [string, string][] = facts.runId ? [[L(ctx, 'run'), facts.runId]] : [];
  if (facts.supersedes !== undefined) {
    fields.push([L(ctx, 'supersedes'), facts.supersedes
      ? L(ctx, 'supersedes_run', { run: facts.supersedes.runId, printed: zonedMinute(facts.supersedes.printedAt, facts.timeZone, ctx.template.locale) })
      : L(ctx, 'supersedes_none')]);
  }
  return fields;
}

/** A supplement's lines on the cover: what it follows, the full binder it belongs to, what it holds. */
function supplementFields(ctx: FrontMatterContext, s: CoverSupplement, at: (t: string) => string): [string, string][] {
  const run = (r: { runId: string; printedAt: string }, kind: 'binder' | 'supplement'): string =>
    L(ctx, 'supplement_of_run', { kind: L(ctx, `supplement_kind_${kind}`), run: r.runId, printed: at(r.printedAt) });
  return [
    [L(ctx, 'supplement_of'), run(s.of, s.of.kind)],
    ...(s.of.runId !== s.base.runId ? [[L(ctx, 'supplement_base'), run(s.base, 'binder')] as [string, string]] : []),
    ...(s.since.runId !== s.of.runId ? [[L(ctx, 'supplement_since'), at(s.since.printedAt)] as [string, string]] : []),
    [L(ctx, 'supplement_holds'), L(ctx, 'supplement_holds_text', { changed: s.changed, added: s.added, removed: s.removed })],
  ];
}

/** "PARTIAL BINDER: only the patients listed in FILE or booked from … to …". */
function partialText(ctx: FrontMatterContext, p: NonNullable<CoverFacts['partial']>): string {
  const how = [
    p.by.includes('list') ? L(ctx, 'partial_list', { file: p.list_file ?? '' }) : null,
    p.by.includes('scheduled') ? L(ctx, 'partial_scheduled', { from: p.scheduled_from ?? '', until: p.scheduled_until ?? '' }) : null,
  ].filter((x): x is string => x !== null).join(L(ctx, 'partial_or'));
  return L(ctx, 'partial', { how });
}

/** The signing key's fingerprint on a line of its own, so it never wraps mid-group. */
export function fingerprintLines(flow: Flow, ctx: FrontMatterContext, fingerprint: string | null): void {
  flow.paragraph(`${L(ctx, 'signing_key')}:`, { size: 10, weight: 'bold' });
  flow.paragraph(fingerprint ?? L(ctx, 'unsigned'), { size: 10, weight: 'bold' });
}
