/** A visit's vital signs: blood pressure, heart rate, breathing, temperature, oxygen, weight, height and BMI, by age and problems. */
import { bmiAt, heightAt } from './_body.js';
import { localTime } from './_calendar.js';
import { rangeFor } from './_labs.js';
import type { Slots } from './_note-slots.js';
import type { PatientDraft } from './_patient-draft.js';
import type { Flag, ReasonDef } from './_vocabulary.js';

const RESPIRATORY_REASONS = new Set(['uri', 'bronchitis', 'covid', 'asthma', 'copd', 'asthma_exac', 'copd_exac', 'pharyngitis', 'sinusitis', 'fever_child', 'otitis']);

/** Writes a vital sign's row and returns its value as written. */
type RecordVital = (key: string, value: number) => string;

/** The vital signs of an in-person visit ('bp' mode: blood pressure and heart rate only), also set as the note's slots. */
export function takeVitals(pt: PatientDraft, slots: Slots, day: number, minute: number, mode: string, kind: string, reason: ReasonDef, febrile: boolean): void {
  const rng = pt.rng;
  const v = pt.v.obs.vitals;
  const age = pt.ageAt(day);
  const push = vitalRecorder(pt, day, minute);
  const resp = RESPIRATORY_REASONS.has(reason.id);
  // Blood pressure from age 3.
  if (age >= 3) slots.set('bp', takeBloodPressure(pt, push, day));
  const hrBand = v.hr!.bands?.find((b) => age < b.maxAge);
  let hr = (hrBand?.mean ?? 74) + pt.hrZ * (hrBand?.sd ?? 9) + rng.gaussian(0, (hrBand?.sd ?? 9) * 0.6);
  if (pt.hasProblem('I48.91', day)) hr += rng.gaussian(6, 12);
  if (febrile) hr += 10;
  if (pt.onDrug(['metoprolol_er', 'metoprolol_tartrate', 'carvedilol'], day)) hr -= 7;
  slots.set('hr', push('hr', Math.max(42, Math.min(190, hr))));
  if (mode === 'bp') return;
  if (resp || age < 2) {
    const rrBand = v.rr!.bands?.find((b) => age < b.maxAge);
    slots.set('rr', push('rr', rng.gaussianIn(rrBand?.mean ?? 16, rrBand?.sd ?? 1.5, 8, 70) + (febrile ? 2 : 0)));
  }
  if (febrile || resp || age < 5 || (kind === 'sameday' && rng.chance(0.5))) {
    slots.set('temp', push('temp', febrile ? rng.gaussianIn(101.3, 0.7, 100.4, 103.6) : rng.gaussianIn(98.2, 0.35, 96.9, 99.6)));
  }
  if (resp || pt.hasProblem('J44.9', day)) {
    const base = pt.hasProblem('J44.9', day) ? 94 : 98;
    slots.set('spo2', push('spo2', Math.min(100, rng.gaussian(base - (resp ? 1 : 0), 1.2))));
  }
  weighAndMeasure(pt, slots, push, day, kind, reason);
}

/** Vital rows of one visit share its time and its filing stamp; flags and ranges follow the age band. */
function vitalRecorder(pt: PatientDraft, day: number, minute: number): RecordVital {
  const v = pt.v.obs.vitals;
  const age = pt.ageAt(day);
  const at = localTime(day, minute);
  const filed = pt.stamp(day, minute, pt.rng.int(5, 240));
  return (key, value) => {
    const def = v[key]!;
    let low = def.low;
    let high = def.high;
    const band = def.bands?.find((b) => age < b.maxAge);
    if (band) { low = band.low ?? low; high = band.high ?? high; }
    const text = value.toFixed(def.decimals);
    const num = Number(text);
    const flag: Flag = low !== null && num < low ? 'L' : high !== null && num > high ? 'H' : null;
    pt.observations.push({
      id: '', patient_id: pt.pid, category: 'vital', code: def.code, name: def.name, value: text, unit: def.unit,
      reference_range: rangeFor(band ?? def, low, high, def.decimals), abnormal_flag: flag, effective_at: at,
      updated_at: filed,
    });
    return text;
  };
}

/** Systolic and diastolic by age and the patient's own level; higher with hypertension, less so when treated. */
function takeBloodPressure(pt: PatientDraft, push: RecordVital, day: number): string {
  const rng = pt.rng;
  const age = pt.ageAt(day);
  let sbp: number;
  if (age < 18) sbp = 92 + age * 1.3 + pt.sbpZ * 7 + rng.gaussian(0, 6);
  else {
    sbp = 108 + 0.42 * Math.min(age - 18, 62) + pt.sbpZ * 8 + rng.gaussian(0, 7);
    if (pt.hasProblem('I10', day)) sbp += pt.onDrug(['lisinopril', 'losartan', 'amlodipine', 'hctz', 'chlorthalidone', 'metoprolol_er'], day) ? 6 : 18;
  }
  sbp = Math.max(78, Math.min(205, sbp));
  let dbp = 40 + 0.32 * sbp + rng.gaussian(0, 4.5) - (age > 60 ? (age - 60) * 0.15 : 0);
  if (age < 18) dbp = 0.62 * sbp + rng.gaussian(0, 4);
  dbp = Math.max(42, Math.min(120, dbp));
  return `${push('sbp', sbp)}/${push('dbp', dbp)}`;
}

/** Weight (and its change since the last visit), height at check-ups, BMI for adults. */
function weighAndMeasure(pt: PatientDraft, slots: Slots, push: RecordVital, day: number, kind: string, reason: ReasonDef): void {
  const rng = pt.rng;
  const age = pt.ageAt(day);
  const h = heightAt(pt, day) + rng.gaussian(0, 0.2);
  // Adults at a quick same-day visit are not always weighed.
  if (age >= 18 && kind === 'sameday' && rng.chance(0.5)) return;
  const w = (bmiAt(pt, day) * h * h) / 703 + rng.gaussian(0, age < 2 ? 0.1 : 0.8);
  const prevWeight = pt.lastWeight;
  const wText = push('weight', Math.max(4, w));
  slots.set('weight', wText);
  const wNum = Number(wText);
  if (prevWeight !== null && age >= 18) {
    const diff = wNum - prevWeight;
    slots.set('weight_change', Math.abs(diff) < 1 ? 'unchanged' : `${diff < 0 ? 'down' : 'up'} ${Math.abs(diff).toFixed(1)} lb`);
  }
  pt.lastWeight = wNum;
  const measured = (age < 18 && kind === 'wellchild') || kind === 'physical' || kind === 'newpatient' || (kind === 'awv' && rng.chance(0.5));
  if (measured) push('height', h);
  if (age >= 18 && (measured || reason.id === 'weight' || rng.chance(0.1))) slots.set('bmi', push('bmi', (703 * wNum) / (h * h)));
}
