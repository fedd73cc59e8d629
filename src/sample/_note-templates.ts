/** Note sentence templates from encounters.json, split once into conditions (?good, ?age<18 …), text and slot names. */
import type { ReasonDef } from './_vocabulary.js';

/** A note sentence template split into conditions, literal text and slot names. */
export interface Compiled { conds: string[]; parts: string[] }

const compiledTemplates = new Map<string, Compiled>();
const compiledLists = new Map<readonly string[], Compiled[]>();
const compiledReasons = new WeakMap<ReasonDef, { openers: Compiled[]; S: Compiled[]; O: Compiled[]; A: Compiled[]; P: Compiled[] }>();
const COND_RE = /^\?(good|poor|old|young|female|male|phone|portal|remote|inperson|age<[\d.]+|age>=[\d.]+) /;

function compileTemplate(t: string): Compiled {
  let c = compiledTemplates.get(t);
  if (c) return c;
  const conds: string[] = [];
  let text = t;
  for (let m = COND_RE.exec(text); m; m = COND_RE.exec(text)) {
    conds.push(m[1]!);
    text = text.slice(m[0].length);
  }
  // parts: literal, slot, literal, slot, …, literal
  const parts = text.split(/\{(\w+)\}/);
  c = { conds, parts };
  compiledTemplates.set(t, c);
  return c;
}

/** A list of templates compiled once. */
export function compiledList(list: readonly string[]): Compiled[] {
  let c = compiledLists.get(list);
  if (!c) { c = list.map(compileTemplate); compiledLists.set(list, c); }
  return c;
}

const OPENER_RE = /^(Here |\{age_text\}|Patient called|Portal message|Pharmacy fax|Called patient)/;

/** A reason's templates compiled once, the openers (the chief complaint) set apart from the rest of S. */
export function compiledReason(r: ReasonDef): { openers: Compiled[]; S: Compiled[]; O: Compiled[]; A: Compiled[]; P: Compiled[] } {
  let c = compiledReasons.get(r);
  if (!c) {
    const strip = (t: string): string => t.replace(/^(\?\S+ )+/, '');
    const S = r.S ?? [];
    // Without an explicit opener, the first sentence (the chief complaint) opens the note.
    const explicit = S.filter((t) => OPENER_RE.test(strip(t)));
    const openers = explicit.length ? explicit : S.slice(0, 1);
    c = {
      openers: openers.map(compileTemplate),
      S: S.filter((t) => !openers.includes(t)).map(compileTemplate),
      O: (r.O ?? []).map(compileTemplate),
      A: (r.A ?? []).map(compileTemplate),
      P: (r.P ?? []).map(compileTemplate),
    };
    compiledReasons.set(r, c);
  }
  return c;
}
