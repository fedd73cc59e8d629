/** Lab results: one draw of panels, each test's value from the patient's own level, problems and medications, with flags and ranges. */
import { localTime, parseDay } from './_calendar.js';
import type { LabResult, PatientDraft } from './_patient-draft.js';
import type { Flag, LabDef } from './_vocabulary.js';

const rangeCache = new WeakMap<object, string | null>();

/** rangeText, remembered per vocabulary entry (a test's definition or its age/sex band). */
export function rangeFor(owner: object, low: number | null, high: number | null, decimals: number): string | null {
  let r = rangeCache.get(owner);
  if (r === undefined) { r = rangeText(low, high, decimals); rangeCache.set(owner, r); }
  return r;
}

function rangeText(low: number | null, high: number | null, decimals: number): string | null {
  let out: string | null;
  const f = (x: number): string => x.toFixed(decimals);
  if (low === null && high === null) out = null;
  else if (low !== null && high !== null) out = `${f(low)}-${f(high)}`;
  else if (low !== null) out = `>=${f(low)}`;
  else out = `<=${f(high!)}`;
  return out;
}

/** "Cholesterol, total" → "total cholesterol"-like short labels for result summaries. */
function shortLabel(name: string): string {
  return name.replace(/ \(.*\)$/, '');
}

/** When one panel draw's samples were taken and its results filed: every result of the draw shares them. */
interface LabDraw { day: number; effectiveAt: string; filed: string }

/** One test's result at a draw, or null when the test does not apply (age, sex, date) or its inputs are missing. */
function labValue(pt: PatientDraft, id: string, draw: LabDraw, reasonId: string): LabResult | null {
  const day = draw.day;
  const age = pt.ageAt(day);
  const def = pt.v.obs.labs[id];
  if (!def) return qualitativeValue(pt, id, draw, reasonId);
  if (def.minAge !== undefined && age < def.minAge) return null;
  if (def.sex && def.sex !== pt.sex) return null;
  let low = def.low;
  let high = def.high;
  let [mean, sd] = def.dist ?? [0, 0];
  const band = def.bands?.find((b) => age < b.maxAge && (!b.sex || b.sex === pt.sex));
  if (band) {
    if (band.low !== undefined) low = band.low;
    if (band.high !== undefined) high = band.high;
    if (band.mean !== undefined) mean = band.mean;
    if (band.sd !== undefined) sd = band.sd;
  }
  let num: number;
  if (def.derived === 'egfr') {
    const cr = pt.latest.get('creatinine');
    if (!cr || cr.day !== day || cr.num === null) return null;
    num = egfr(cr.num, pt.gender === 'female', age);
  } else if (def.derived === 'ldl') {
    const tc = pt.latest.get('chol');
    const hdl = pt.latest.get('hdl');
    const tg = pt.latest.get('trig');
    if (!tc || !hdl || !tg || tc.day !== day || tc.num === null || hdl.num === null || tg.num === null) return null;
    if (tg.num > 400) return recordLab(pt, id, def.name, 'Unable to calculate (triglycerides > 400 mg/dL)', null, def.unit, rangeText(low, high, 0), null, draw);
    num = Math.max(15, tc.num - hdl.num - tg.num / 5);
  } else if (def.derived === 'hct') {
    const hgb = pt.latest.get('hgb');
    if (!hgb || hgb.day !== day || hgb.num === null) return null;
    num = hgb.num * 2.95 + pt.rng.gaussian(0, 0.8);
  } else {
    num = modelledValue(pt, id, def, day, mean, sd);
  }
  const text = num.toFixed(def.decimals);
  const n = Number(text);
  const flag: Flag = low !== null && n < low ? 'L' : high !== null && n > high ? 'H' : null;
  return recordLab(pt, id, def.name, text, n, def.unit, rangeFor(band ?? def, low, high, def.decimals), flag, draw);
}

/** eGFR from creatinine (CKD-EPI 2021, without race). */
function egfr(creatinine: number, female: boolean, age: number): number {
  const k = female ? 0.7 : 0.9;
  const r = creatinine / k;
  return 142 * Math.pow(Math.min(r, 1), female ? -0.241 : -0.302) * Math.pow(Math.max(r, 1), -1.2) * Math.pow(0.9938, age) * (female ? 1.012 : 1);
}

/** A measured value: the patient's own level for the test (kept across visits), moved by problems and medications. */
function modelledValue(pt: PatientDraft, id: string, def: LabDef, day: number, mean: number, sd: number): number {
  if (def.byProblem) {
    for (const [code, dist] of Object.entries(def.byProblem)) {
      if (pt.problems.some((p) => p.def.code === code && p.onsetDay <= day && (p.resolvedDay === null || day <= p.resolvedDay))) { [mean, sd] = dist; break; }
    }
  }
  for (const om of def.onMeds ?? []) {
    if (!pt.onDrug(om.drugs, day)) continue;
    if (om.shift !== undefined) mean += om.shift;
    if (om.mean !== undefined) mean = om.mean;
    if (om.sd !== undefined) sd = om.sd;
  }
  let z = pt.labZ.get(id);
  if (z === undefined) { z = pt.rng.gaussian(0, 0.7); pt.labZ.set(id, z); }
  let num = mean + sd * (z + pt.rng.gaussian(0, 0.6));
  if (def.clamp) num = Math.max(def.clamp[0], Math.min(def.clamp[1], num));
  return num;
}

/** A result in words (a strep test, a urinalysis line), drawn from the test's outcomes or the visit reason's. */
function qualitativeValue(pt: PatientDraft, id: string, draw: LabDraw, reasonId: string): LabResult | null {
  const q = pt.v.obs.qualitative[id];
  if (!q) return null;
  const day = draw.day;
  const age = pt.ageAt(day);
  if (q.sex && q.sex !== pt.sex) return null;
  if ((q.minAge !== undefined && age < q.minAge) || (q.maxAge !== undefined && age > q.maxAge)) return null;
  if (q.since && day < parseDay(q.since)) return null;
  const results = q.byReason?.[reasonId] ?? q.results;
  const [value, flag] = pt.rng.weighted(results, results.map((r) => r[2]));
  return recordLab(pt, id, q.name, value, null, q.unit, q.reference, flag, draw);
}

function recordLab(pt: PatientDraft, id: string, name: string, value: string, num: number | null, unit: string | null, range: string | null, flag: Flag, draw: LabDraw): LabResult {
  const def = pt.v.obs.labs[id] ?? pt.v.obs.qualitative[id];
  pt.observations.push({
    id: '', patient_id: pt.pid, category: 'lab', code: def?.code ?? null, name, value, unit, reference_range: range,
    abnormal_flag: flag, effective_at: draw.effectiveAt,
    updated_at: draw.filed,
  });
  const r: LabResult = { id, label: shortLabel(name), value, num, unit, flag, day: draw.day };
  pt.latest.set(id, r);
  return r;
}

/** Draws the panels' tests once each (a test in two panels is drawn once), in the panels' order. */
export function drawPanels(pt: PatientDraft, panels: string[], day: number, minute: number, reasonId: string): LabResult[] {
  const out: LabResult[] = [];
  const labMinute = day === pt.clock.nowDay ? minute : Math.min(minute + pt.rng.int(10, 40), 20 * 60);
  const draw: LabDraw = { day, effectiveAt: localTime(day, labMinute), filed: pt.stamp(day, labMinute, pt.rng.int(90, 4320)) };
  const done = new Set<string>();
  for (const panel of panels) {
    for (const test of pt.v.obs.panels[panel]?.tests ?? []) {
      if (done.has(test)) continue;
      done.add(test);
      const r = labValue(pt, test, draw, reasonId);
      if (r) out.push(r);
    }
  }
  return out;
}
