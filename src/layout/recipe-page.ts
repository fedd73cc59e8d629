import { Flow, type PageBody } from './flow.js';
import { label } from './template.js';
import { fingerprintLines, type FrontMatterContext } from './front-matter.js';
import { commandLine, decoderCodeTexts, decoderProgram, DECODER_PREFIX } from './decoder-pages.js';

const L = (ctx: FrontMatterContext, key: string, vars?: Record<string, string | number>): string => label(ctx.template, key, vars);

/** What the recipe says about this binder's codes. */
export interface RecipeFacts {
  fingerprint: string | null;
  /** The signing public key as SPKI DER in base64 (60 characters), or null when the codes are unsigned. */
  publicKey: string | null;
  encrypted: boolean;
}

/** The commands of the recipe, in order, exactly as printed (tests run them as they are). */
export function recipeCommands(facts: RecipeFacts): { pages: string; read: string; decoder: string; run: string } {
  return {
    pages: 'pdftoppm -r 200 -gray -png binder.pdf page',
    read: 'zbarimg --raw -q -Sdisable -Sqrcode.enable page-*.png > codes.txt',
    // FORMAT §15: keep the decoder's lines, join their base32 in number order, inflate.
    decoder: `python3 -c 'import base64,zlib,hashlib;\\\n`
      + `d=dict(l.split()[1:3] for l in open("codes.txt") if l.startswith("${DECODER_PREFIX} "));\\\n`
      + `s="".join(d[k] for k in sorted(d));p=zlib.decompress(base64.b32decode(s+"="*(-len(s)%8)));\\\n`
      + `open("decode.py","wb").write(p);print(len(d),"codes, SHA-256",hashlib.sha256(p).hexdigest())'`,
    run: `python3 decode.py codes.txt${facts.publicKey ? ` --pubkey ${facts.publicKey}` : ''}${facts.encrypted ? ' --record-key paperchart-record.key' : ''} > clinic.json`,
  };
}

/**
 * The back of the cover: how to get the clinic back from this binder with
 * pdftoppm, zbarimg and python3 alone, using the decoder printed in it.
 * Selectable text; every command is on lines of its own, never wrapped.
 */
export function layoutRecipe(ctx: FrontMatterContext, facts: RecipeFacts): PageBody[] {
  const flow = new Flow(ctx.shaper, ctx.box);
  const commands = recipeCommands(facts);
  const codes = decoderCodeTexts(decoderProgram().bytes).length;
  const step = (key: string, command: string, after?: string): void => {
    flow.space(4);
    flow.paragraph(L(ctx, key, { codes, sha256: decoderProgram().sha256 }), { size: 9.5 });
    flow.space(2);
    commandLine(flow, command);
    if (after) flow.paragraph(L(ctx, after), { size: 8.5, color: '#333333' });
  };
  flow.heading(L(ctx, 'restore_recipe'), 13);
  flow.paragraph(L(ctx, 'restore_recipe_text'), { size: 9.5 });
  step('recipe_step_pages', commands.pages, 'recipe_step_pages_paper');
  step('recipe_step_read', commands.read, 'recipe_step_read_more');
  step('recipe_step_decoder', commands.decoder);
  step('recipe_step_run', commands.run);
  flow.space(6);
  flow.paragraph(L(ctx, 'recipe_lost'), { size: 9 });
  flow.space(4);
  flow.paragraph(L(ctx, facts.publicKey ? 'recipe_signed' : 'recipe_unsigned'), { size: 9 });
  if (facts.encrypted) {
    flow.space(4);
    flow.paragraph(L(ctx, 'recipe_encrypted'), { size: 9, weight: 'bold' });
  }
  flow.space(6);
  fingerprintLines(flow, ctx, facts.fingerprint);
  return flow.pages;
}
