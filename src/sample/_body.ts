/** A patient's body over time: height and BMI curves (growth charts for children) and the problems that follow BMI. */
import { YEAR } from './_calendar.js';
import type { PatientDraft } from './_patient-draft.js';
import { addProblem, onsetFor } from './_problems.js';
import { interp } from './_vocabulary.js';

/** The patient's own levels (height, adult BMI and its trend, blood pressure, heart rate, flu-shot habit) and BMI problems. */
export function chooseBodyModel(pt: PatientDraft): void {
  const rng = pt.rng;
  const g = pt.v.obs.growth;
  pt.heightZ = rng.gaussian(0, 1);
  const [bm, bsd] = g.adultBmi;
  pt.bmiAdult = rng.gaussianIn(bm, bsd, 16.5, 62);
  pt.bmiTrend = rng.gaussian(0, 0.22);
  pt.sbpZ = rng.gaussian(0, 1);
  pt.hrZ = rng.gaussian(0, 0.7);
  pt.fluPropensity = rng.next();
  // Weight-related problems follow the patient's BMI.
  for (const def of pt.v.problems.problems) {
    if (!def.bmi || pt.ageNow < (def.ageMin ?? 18)) continue;
    const bmi = bmiAt(pt, pt.clock.nowDay);
    if (bmi >= def.bmi[0] && bmi < def.bmi[1] && rng.chance(def.bmiShare ?? 0.5)) {
      addProblem(pt, def, onsetFor(pt, def), null);
    }
  }
}

/** Height in inches at a day: the growth-chart median moved by the patient's level, less a little in old age. */
export function heightAt(pt: PatientDraft, day: number): number {
  const g = pt.v.obs.growth;
  const age = pt.ageAt(day);
  const median = interp(g.heightIn[pt.gender], Math.min(age, 20), false);
  const [, sd] = g.adultHeightIn[pt.gender];
  const adultMedian = interp(g.heightIn[pt.gender], 20, false);
  // Short stature in old age: about an inch lost after 70.
  const shrink = age > 70 ? Math.min(1.5, (age - 70) * 0.06) : 0;
  return median * (1 + (pt.heightZ * sd) / adultMedian) - shrink;
}

/** BMI at a day: the children's curve, then a blend into the adult level and its trend from 18 to 22. */
export function bmiAt(pt: PatientDraft, day: number): number {
  const age = pt.ageAt(day);
  const g = pt.v.obs.growth;
  const z = (pt.bmiAdult - g.adultBmi[0]) / g.adultBmi[1];
  const child = interp(g.bmi, Math.min(age, 20), false) * (1 + 0.09 * z);
  const years = (day - pt.clock.nowDay) / YEAR;
  const adult = Math.max(16, pt.bmiAdult + pt.bmiTrend * years);
  if (age < 18) return child;
  if (age < 22) return child + ((adult - child) * (age - 18)) / 4;
  return adult;
}
