import { Flow, type PageBody } from './flow.js';
import { label } from './template.js';
import { fingerprintLines, type FrontMatterContext } from './front-matter.js';

const L = (ctx: FrontMatterContext, key: string, vars?: Record<string, string | number>): string => label(ctx.template, key, vars);

/**
 * The back of the cover: how to turn the codes back into records, with
 * standard tools if paperchart is gone (a short form of docs/FORMAT.md).
 * Selectable text, so the commands can be copied out of the PDF.
 */
export function layoutRecipe(ctx: FrontMatterContext, fingerprint: string | null): PageBody[] {
  const flow = new Flow(ctx.shaper, ctx.box);
  flow.heading(L(ctx, 'restore_recipe'), 13);
  flow.paragraph(L(ctx, 'restore_recipe_text'), { size: 10.5 });
  flow.space(6);
  flow.paragraph(L(ctx, 'restore_recipe_steps'), { size: 9.5 });
  flow.space(6);
  fingerprintLines(flow, ctx, fingerprint);
  return flow.pages;
}
