import type { PatientRecord } from '../record/record.js';
import type { PageBody } from './flow.js';
import { L, type PatientLayoutContext } from './_sections.js';

/** Code status that limits treatment (DNR, DNI, comfort care): printed reversed, black, so it is not missed. */
export const LIMITS_TREATMENT = /\b(DNR|DNI|DNAR|AND|comfort|no CPR|allow natural)/i;

/** The banner's type: 8 pt bold, in the 12 pt between the running head's rule and the body (draw-page.ts), so it costs no body space. */
const SIZE = 8;
const HEIGHT = 9.5;
/** From the band's top to the body's: the head's rule (1 pt wide) is 12 pt above the body. */
const ABOVE_BODY = 11;

export interface SafetyBanner { text: string; reversed: boolean }

/**
 * The allergies and the code status in one line ("ALLERGIES: Penicillin (severe), Peanuts · DNR/DNI"), for the
 * running head of a patient's every page after the first. Allergies that do not fit `width` are counted
 * ("+2 more, see p. 1"): page 1's box lists them all.
 */
export function safetyBanner(r: PatientRecord, ctx: PatientLayoutContext, width: number): SafetyBanner {
  const p = r.patient;
  const active = r.allergies.filter((a) => a.status === 'active');
  const code = p.code_status ?? L(ctx, 'banner_code_not_recorded');
  const limits = p.code_status !== null && LIMITS_TREATMENT.test(p.code_status);
  const join = (allergyPart: string): string => `${allergyPart}  ·  ${code}`;
  if (!active.length) {
    // Allergies all resolved or inactive are known, and none is active: page 1 lists them.
    const recorded = r.allergies.length > 0 || p.allergy_status === 'none';
    const state = r.allergies.length ? L(ctx, 'banner_no_active') : recorded ? L(ctx, 'banner_nka') : L(ctx, 'banner_allergies_not_recorded');
    // No known allergies and full code: nothing to warn of, so the banner is grey, not reversed.
    return { text: join(state), reversed: limits || !recorded };
  }
  const names = active.map((a) => (a.severity === 'severe' ? `${a.substance} (${L(ctx, 'severity_severe')})` : a.substance));
  const fits = (text: string): boolean => ctx.shaper.width(text, SIZE, 'bold') <= width;
  const text = (n: number): string => {
    const more = names.length - n;
    return join(L(ctx, 'banner_allergies', { list: [...names.slice(0, n), ...(more ? [L(ctx, 'banner_more', { n: more })] : [])].join(', ') }));
  };
  let n = names.length;
  while (n > 1 && !fits(text(n))) n--;
  return { text: text(n), reversed: true };
}

/**
 * Puts the banner atop every page of a patient but the first (whose allergy and code status boxes say it in
 * full): a band reversed out of black when it warns, light grey when it says no known allergies and full code.
 */
export function addSafetyBanner(pages: readonly PageBody[], r: PatientRecord, ctx: PatientLayoutContext): void {
  if (pages.length < 2) return;
  const { box, shaper } = ctx;
  const banner = safetyBanner(r, ctx, box.width - 8);
  const size = shaper.fit(banner.text, SIZE, 'bold', box.width - 8);
  const line = shaper.shape(banner.text, size, 'bold');
  const y = box.top - ABOVE_BODY;
  for (const page of pages.slice(1)) {
    page.ops.push(
      { kind: 'rect', x: box.x, y, w: box.width, h: HEIGHT, fill: banner.reversed ? 'black' : '#e0e0e0', stroke: null, lineWidth: 0 },
      { kind: 'text', line, x: box.x + 4, baseline: y + HEIGHT - 2.3, color: banner.reversed ? 'white' : 'black' },
    );
  }
}
