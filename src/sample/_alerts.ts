/** The chart alerts at the top of a record (interpreter needed, latex allergy, fall risk …), from chart.json. */
import type { Alert, Patient } from '../record/record.js';
import type { PatientDraft } from './_patient-draft.js';

/** The alerts of chart.json whose condition holds for the patient, each with its own chance. */
export function makeAlerts(pt: PatientDraft, patient: Patient): Omit<Alert, 'id'>[] {
  const rng = pt.rng;
  const age = pt.ageNow;
  const now = pt.clock.nowDay;
  const holds = (when: string): boolean => {
    switch (when) {
      case 'interpreter': return patient.language !== null && patient.language !== 'en';
      case 'latex': return pt.latexAllergy;
      case 'epinephrine': return pt.meds.some((m) => m.drugId.startsWith('epinephrine') && m.endDay === null);
      case 'fall_risk': return pt.hasProblem('Z91.81') || (age >= 80 && rng.chance(0.35));
      case 'anticoagulant': return pt.onDrug(['warfarin', 'apixaban', 'rivaroxaban'], now);
      case 'insulin': return pt.onDrug(['insulin_glargine', 'insulin_lispro'], now);
      case 'dementia': return pt.hasProblem('F03.90');
      case 'elderly': return age >= 70;
      case 'adult': return age >= 18;
      case 'child': return age < 18;
      default: return true;
    }
  };
  const out: Omit<Alert, 'id'>[] = [];
  for (const a of pt.v.chart.alerts) {
    if (!holds(a.when) || !rng.chance(a.p)) continue;
    const lang = patient.language ? pt.v.names.languageNames[patient.language] ?? patient.language : '';
    out.push({
      patient_id: pt.pid, text: a.text.replace('{language}', lang), severity: a.severity,
      updated_at: pt.stampDay(rng.int(pt.joinDay, now)),
    });
  }
  return out;
}
