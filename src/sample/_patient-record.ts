/** One sample patient's record: the parts chosen in the order that keeps the random sequence (and so the clinic) the same. */
import type { PatientRecord } from '../record/record.js';
import { makeAlerts } from './_alerts.js';
import { chooseAllergies } from './_allergies.js';
import { makeAppointments } from './_appointments.js';
import { chooseBodyModel } from './_body.js';
import { makeContacts } from './_contacts.js';
import { makeCoverages } from './_coverages.js';
import { makeEncounters } from './_encounters.js';
import { childId, numberRows } from './_identifiers.js';
import { chooseImmunizations } from './_immunizations.js';
import { chooseMedications, medicationRows } from './_medications.js';
import { chooseOutsideProcedures } from './_outside-procedures.js';
import { type ClinicContext, PatientDraft } from './_patient-draft.js';
import { makePatientRow } from './_patient-row.js';
import { chooseDemographics, choosePatientNames } from './_people.js';
import { chooseProblems, problemRows } from './_problems.js';

/** Builds patient number `index` (0-based) of the clinic; its own random sequence comes from the seed and the index. */
export function buildPatientRecord(ctx: ClinicContext, index: number, seed: number): PatientRecord {
  const pt = new PatientDraft(ctx, index, seed);
  chooseDemographics(pt);
  const patientNames = choosePatientNames(pt);
  chooseProblems(pt);
  chooseAllergies(pt);
  chooseBodyModel(pt);
  chooseMedications(pt);
  chooseImmunizations(pt);
  chooseOutsideProcedures(pt);
  makeEncounters(pt);
  const contacts = makeContacts(pt, patientNames.family);
  const coverages = makeCoverages(pt);
  const patient = makePatientRow(pt, patientNames, contacts);
  const alerts = makeAlerts(pt, patient);
  const appointments = makeAppointments(pt);
  const pid = pt.pid;
  return {
    patient,
    alerts: alerts.map((a, i) => ({ ...a, id: childId(pid, 'ALR', i + 1, 3) })),
    allergies: numberRows(pt.allergies, pid, 'ALG', (r) => r.recorded_on ?? ''),
    medications: numberRows(medicationRows(pt), pid, 'MED', (r) => r.start_date ?? ''),
    problems: numberRows(problemRows(pt), pid, 'PRB', (r) => r.onset_date ?? ''),
    contacts: contacts.map((c, i) => ({ ...c, id: childId(pid, 'CON', i + 1, 3) })),
    coverages: coverages.map((c, i) => ({ ...c, id: childId(pid, 'COV', i + 1, 3) })),
    immunizations: numberRows(pt.immunizations, pid, 'IMM', (r) => r.given_on),
    observations: numberRows(pt.observations, pid, 'OBS', (r) => r.effective_at),
    procedures: numberRows(pt.procedures, pid, 'PRC', (r) => r.performed_on),
    encounters: numberRows(pt.encounters.map((e) => e.enc), pid, 'ENC', (r) => r.occurred_at),
    appointments: numberRows(appointments, pid, 'APT', (r) => r.starts_at),
  };
}
