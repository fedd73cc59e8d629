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
}

const L = (ctx: FrontMatterContext, key: string, vars?: Record<string, string | number>): string => label(ctx.template, key, vars);

export function layoutCover(facts: CoverFacts, ctx: FrontMatterContext): PageBody[] {
  const flow = new Flow(ctx.shaper, ctx.box);
  flow.space(40);
  flow.paragraph(facts.clinicName, { size: flow.shaper.fit(facts.clinicName, 26, 'bold', flow.box.width), weight: 'bold' });
  flow.paragraph(joinPresent('   ', [facts.clinicAddress, facts.clinicPhone]), { size: 11 });
  flow.space(16);
  flow.paragraph(L(ctx, 'binder_title'), { size: 20, weight: 'bold' });
  flow.space(12);
  flow.fields([
    [L(ctx, 'printed'), zonedMinute(facts.printedAt, facts.timeZone, ctx.template.locale)],
    [L(ctx, 'data_as_of'), facts.dataAsOf ? zonedMinute(facts.dataAsOf, facts.timeZone, ctx.template.locale) : '—'],
    [L(ctx, 'patients'), String(facts.patients)],
    [L(ctx, 'pages'), String(facts.pages)],
  ], 13, 150);
  flow.paragraph(L(ctx, 'time_zone', { zone: facts.timeZone }), { size: 10 });
  flow.space(6);
  flow.paragraph(L(ctx, 'cover_sections', { schedule: facts.schedulePage, index: facts.indexPage }), { size: 14, weight: 'bold' });
  // One line at a size that fits: a fingerprint is compared group by group.
  fingerprintLines(flow, ctx, facts.fingerprint);
  if (facts.publicKey) flow.paragraph(`${L(ctx, 'signing_public_key')}: ${facts.publicKey}`, { size: 9 });
  if (facts.publicKey || facts.encrypted) flow.paragraph(facts.keysKeptAt ? L(ctx, 'keys_kept_at', { where: facts.keysKeptAt }) : L(ctx, 'keys_kept_at_unset'), { size: 9 });
  if (facts.encrypted) flow.paragraph(L(ctx, 'encrypted'), { size: 11, weight: 'bold' });
  flow.space(20);
  flow.heading(L(ctx, 'how_to_use'), 13);
  flow.paragraph(L(ctx, 'how_to_use_text'), { size: 11 });
  return flow.pages;
}

/** The signing key's fingerprint on a line of its own, so it never wraps mid-group. */
export function fingerprintLines(flow: Flow, ctx: FrontMatterContext, fingerprint: string | null): void {
  flow.paragraph(`${L(ctx, 'signing_key')}:`, { size: 10, weight: 'bold' });
  flow.paragraph(fingerprint ?? L(ctx, 'unsigned'), { size: 10, weight: 'bold' });
}
