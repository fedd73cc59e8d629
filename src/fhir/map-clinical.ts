// Clinical resources → rows: allergies, problems, medications, immunizations, observations, procedures, encounters, notes, appointments.
import type {
  AllergyIntolerance, Appointment, CodeableConcept, Condition, Dosage, DocumentReference, Encounter, Immunization, Medication,
  MedicationRequest, MedicationStatement, Observation, Procedure,
} from '@medplum/fhirtypes';
import { BadResource, NotMapped, nameOf, patientIdOf, rowId, type Mapped, type MappingContext } from './_mapping.js';
import {
  conceptText, dateOf, hasCode, localTimeOf, pickCoding, quantityText, statusCode, systemName,
} from './fhir-values.js';

const SNOMED = 'http://snomed.info/sct';
const LOINC = 'http://loinc.org';
const ICD10 = ['http://hl7.org/fhir/sid/icd-10-cm', 'http://hl7.org/fhir/sid/icd-10'];

/** SNOMED CT "no known allergy" and its siblings: drug (409137002), food (429625007), latex (716184000). */
export const NO_KNOWN_ALLERGY = ['716186003', '409137002', '429625007', '716184000'];

/** The code status: LOINC 100822-6 (cardiopulmonary resuscitation orders) or SNOMED CT 304251008 (resuscitation status). */
export function isCodeStatus(o: Observation): boolean {
  return hasCode(o.code, LOINC, '100822-6') || hasCode(o.code, SNOMED, '304251008');
}

function required<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined || value === '') throw new BadResource(`${what} is missing, and the store needs it`);
  return value;
}

export function mapAllergy(ctx: MappingContext, a: AllergyIntolerance): Mapped[] {
  const verification = statusCode(a.verificationStatus);
  if (verification === 'entered-in-error' || verification === 'refuted') throw new NotMapped(`AllergyIntolerance ${verification}`);
  const patientId = patientIdOf(ctx, a.patient, a, 'AllergyIntolerance.patient');
  if (hasCode(a.code, SNOMED, ...NO_KNOWN_ALLERGY)) {
    if (statusCode(a.clinicalStatus) === 'inactive' || statusCode(a.clinicalStatus) === 'resolved') throw new NotMapped('no-known-allergy record no longer active');
    return [{ kind: 'patient-fact', patientId, facts: { allergy_status: 'none' } }];
  }
  const coding = pickCoding(a.code, 'http://www.nlm.nih.gov/research/umls/rxnorm', SNOMED);
  const severities = (a.reaction ?? []).map((r) => r.severity).filter((s): s is 'mild' | 'moderate' | 'severe' => !!s);
  const status = statusCode(a.clinicalStatus);
  return [{ kind: 'row', patientId, table: 'allergies', row: {
    id: rowId(a), substance: required(conceptText(a.code), 'AllergyIntolerance.code'),
    reaction: [...new Set((a.reaction ?? []).flatMap((r) => r.manifestation.map((m) => conceptText(m)).filter(Boolean)))].join(', ') || null,
    severity: ['severe', 'moderate', 'mild'].find((s) => severities.includes(s as 'mild')) ?? null,
    status: status === 'inactive' || status === 'resolved' ? status : 'active',
    recorded_on: dateOf(a.recordedDate ?? a.onsetDateTime), code_system: systemName(coding?.system), code: coding?.code ?? null,
  } }];
}

export function mapCondition(ctx: MappingContext, c: Condition): Mapped[] {
  if (statusCode(c.verificationStatus) === 'entered-in-error' || statusCode(c.verificationStatus) === 'refuted') {
    throw new NotMapped(`Condition ${statusCode(c.verificationStatus)}`);
  }
  const patientId = patientIdOf(ctx, c.subject, c, 'Condition.subject');
  const first = pickCoding(c.code, SNOMED, ...ICD10);
  const second = first?.system === SNOMED ? pickCoding(c.code, ...ICD10) : pickCoding(c.code, SNOMED);
  const alt = second && second !== first && (second.system === SNOMED || ICD10.includes(second.system ?? '')) ? second : undefined;
  const clinical = statusCode(c.clinicalStatus);
  const resolved = clinical ? ['inactive', 'remission', 'resolved'].includes(clinical) : c.abatementDateTime !== undefined;
  return [{ kind: 'row', patientId, table: 'problems', row: {
    id: rowId(c), description: required(conceptText(c.code), 'Condition.code'),
    code_system: systemName(first?.system), code: first?.code ?? null,
    onset_date: dateOf(c.onsetDateTime ?? c.onsetPeriod?.start), resolved_date: dateOf(c.abatementDateTime ?? c.abatementPeriod?.start),
    status: resolved ? 'resolved' : 'active', alt_code_system: alt ? systemName(alt.system) : null, alt_code: alt?.code ?? null,
  } }];
}

function medicationConcept(ctx: MappingContext, concept: CodeableConcept | undefined, ref: MedicationRequest['medicationReference'], from: MedicationRequest | MedicationStatement): CodeableConcept | undefined {
  if (concept) return concept;
  const m = ctx.index.resolve(ref, from) as Medication | undefined;
  if (m?.resourceType === 'Medication') return m.code;
  if (ref?.display) return { text: ref.display };
  throw new BadResource(`${from.resourceType}.medicationReference ${JSON.stringify(ref?.reference)} is a reference to nothing in the input`);
}

function dosageFields(d: Dosage | undefined): { dose: string | null; route: string | null; frequency: string | null; instructions: string | null } {
  const q = quantityText(d?.doseAndRate?.[0]?.doseQuantity);
  const r = d?.timing?.repeat;
  const frequency = conceptText(d?.timing?.code) ??
    (r?.frequency !== undefined && r.period !== undefined ? `${r.frequency} per ${r.period} ${r.periodUnit ?? ''}`.trim() : null);
  return { dose: q ? `${q.value}${q.unit ? ` ${q.unit}` : ''}` : null, route: conceptText(d?.route), frequency,
    instructions: d?.text ?? d?.patientInstruction ?? null };
}

const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';

export function mapMedicationRequest(ctx: MappingContext, m: MedicationRequest): Mapped[] {
  if (m.status === 'entered-in-error' || m.status === 'draft') throw new NotMapped(`MedicationRequest of status ${m.status}`);
  if (m.doNotPerform) throw new NotMapped('MedicationRequest with doNotPerform');
  const patientId = patientIdOf(ctx, m.subject, m, 'MedicationRequest.subject');
  const concept = medicationConcept(ctx, m.medicationCodeableConcept, m.medicationReference, m);
  const coding = pickCoding(concept, RXNORM);
  const status = m.status === 'active' || m.status === 'on-hold' ? 'active' : m.status === 'completed' ? 'completed' : 'stopped';
  return [{ kind: 'row', patientId, table: 'medications', row: {
    id: rowId(m), name: required(conceptText(concept), 'MedicationRequest.medication'), ...dosageFields(m.dosageInstruction?.[0]),
    prescriber: nameOf(ctx, m.requester, m, 'MedicationRequest.requester'),
    start_date: dateOf(m.dispenseRequest?.validityPeriod?.start ?? m.authoredOn), end_date: dateOf(m.dispenseRequest?.validityPeriod?.end),
    status, refills_remaining: m.dispenseRequest?.numberOfRepeatsAllowed ?? null, last_filled: null,
    code_system: systemName(coding?.system), code: coding?.code ?? null,
  } }];
}

export function mapMedicationStatement(ctx: MappingContext, m: MedicationStatement): Mapped[] {
  if (m.status === 'entered-in-error' || m.status === 'not-taken' || m.status === 'intended') throw new NotMapped(`MedicationStatement of status ${m.status}`);
  const patientId = patientIdOf(ctx, m.subject, m, 'MedicationStatement.subject');
  const concept = medicationConcept(ctx, m.medicationCodeableConcept, m.medicationReference, m);
  const coding = pickCoding(concept, RXNORM);
  const status = m.status === 'active' || m.status === 'on-hold' || m.status === 'unknown' ? 'active' : m.status === 'completed' ? 'completed' : 'stopped';
  return [{ kind: 'row', patientId, table: 'medications', row: {
    id: rowId(m), name: required(conceptText(concept), 'MedicationStatement.medication'), ...dosageFields(m.dosage?.[0]),
    prescriber: m.informationSource ? nameOf(ctx, m.informationSource, m, 'MedicationStatement.informationSource') : null,
    start_date: dateOf(m.effectivePeriod?.start ?? m.effectiveDateTime), end_date: dateOf(m.effectivePeriod?.end),
    status, refills_remaining: null, last_filled: null, code_system: systemName(coding?.system), code: coding?.code ?? null,
  } }];
}

export function mapImmunization(ctx: MappingContext, i: Immunization): Mapped[] {
  if (i.status !== 'completed') throw new NotMapped(`Immunization of status ${i.status}`);
  const patientId = patientIdOf(ctx, i.patient, i, 'Immunization.patient');
  const coding = pickCoding(i.vaccineCode, 'http://hl7.org/fhir/sid/cvx');
  const dose = i.protocolApplied?.[0]?.doseNumberPositiveInt;
  return [{ kind: 'row', patientId, table: 'immunizations', row: {
    id: rowId(i), vaccine: required(conceptText(i.vaccineCode), 'Immunization.vaccineCode'),
    given_on: required(dateOf(i.occurrenceDateTime), 'Immunization.occurrenceDateTime (a full date)'),
    dose_number: dose ?? null, lot: i.lotNumber ?? null, site: conceptText(i.site), code_system: systemName(coding?.system), code: coding?.code ?? null,
  } }];
}

const INTERPRETATION: Readonly<Record<string, 'H' | 'L' | 'A'>> = { H: 'H', HH: 'H', HU: 'H', L: 'L', LL: 'L', LU: 'L', A: 'A', AA: 'A' };

function observationValue(o: Observation): { value: string; unit: string | null } | null {
  const q = quantityText(o.valueQuantity);
  if (q) return q;
  if (o.valueCodeableConcept) return { value: conceptText(o.valueCodeableConcept) ?? '', unit: null };
  if (o.valueString !== undefined) return { value: o.valueString, unit: null };
  if (o.valueInteger !== undefined) return { value: String(o.valueInteger), unit: null };
  if (o.valueBoolean !== undefined) return { value: o.valueBoolean ? 'yes' : 'no', unit: null };
  const parts = (o.component ?? []).map((c) => quantityText(c.valueQuantity));
  if (parts.length > 0 && parts.every((p) => p)) {
    const units = [...new Set(parts.map((p) => p!.unit))];
    return { value: parts.map((p) => p!.value).join('/'), unit: units.length === 1 ? units[0]! : null };
  }
  return null;
}

export function mapObservation(ctx: MappingContext, o: Observation): Mapped[] {
  if (o.status === 'entered-in-error' || o.status === 'cancelled' || o.status === 'registered') throw new NotMapped(`Observation of status ${o.status}`);
  const patientId = patientIdOf(ctx, o.subject, o, 'Observation.subject');
  if (isCodeStatus(o)) {
    const status = conceptText(o.valueCodeableConcept) ?? o.valueString;
    if (!status) throw new BadResource('the code status Observation has no value');
    return [{ kind: 'patient-fact', patientId, facts: { code_status: status } }];
  }
  const categories = (o.category ?? []).flatMap((c) => c.coding ?? []).map((c) => c.code);
  const category = categories.includes('vital-signs') ? 'vital' : categories.includes('laboratory') ? 'lab' : null;
  if (!category) throw new NotMapped(`Observation of category ${categories.join('+') || '(none)'}: the store keeps vital signs and laboratory results`);
  const value = observationValue(o);
  if (!value) throw new NotMapped('Observation without a value');
  const range = o.referenceRange?.[0];
  const rangeText = range?.text ?? (range?.low || range?.high
    ? `${range.low?.value ?? ''}-${range.high?.value ?? ''}${range.low?.unit ?? range.high?.unit ? ` ${range.low?.unit ?? range.high?.unit}` : ''}` : null);
  const flag = (o.interpretation ?? []).flatMap((c) => c.coding ?? []).map((c) => INTERPRETATION[c.code ?? '']).find(Boolean) ?? null;
  return [{ kind: 'row', patientId, table: 'observations', row: {
    id: rowId(o), category, code: pickCoding(o.code, LOINC)?.code ?? null, name: required(conceptText(o.code), 'Observation.code'),
    value: value.value, unit: value.unit, reference_range: rangeText, abnormal_flag: flag,
    effective_at: required(localTimeOf(o.effectiveDateTime ?? o.effectivePeriod?.start ?? o.effectiveInstant ?? o.issued, ctx.zone), 'Observation.effective[x]'),
  } }];
}

export function mapProcedure(ctx: MappingContext, p: Procedure): Mapped[] {
  if (p.status !== 'completed') throw new NotMapped(`Procedure of status ${p.status}`);
  const patientId = patientIdOf(ctx, p.subject, p, 'Procedure.subject');
  const coding = pickCoding(p.code, 'http://www.ama-assn.org/go/cpt', SNOMED);
  return [{ kind: 'row', patientId, table: 'procedures', row: {
    id: rowId(p), description: required(conceptText(p.code), 'Procedure.code'), code: coding?.code ?? null,
    performed_on: required(dateOf(p.performedDateTime ?? p.performedPeriod?.start), 'Procedure.performed[x] (a full date)'),
    performer: p.performer?.length ? nameOf(ctx, p.performer[0]!.actor, p, 'Procedure.performer') : null,
    code_system: coding?.system === 'http://www.ama-assn.org/go/cpt' ? null : systemName(coding?.system),
  } }];
}

export function mapEncounter(ctx: MappingContext, e: Encounter): Mapped[] {
  if (e.status === 'entered-in-error' || e.status === 'cancelled' || e.status === 'planned') throw new NotMapped(`Encounter of status ${e.status}`);
  const patientId = patientIdOf(ctx, e.subject, e, 'Encounter.subject');
  const who = e.participant?.find((p) => p.individual);
  return [{ kind: 'row', patientId, table: 'encounters', row: {
    id: rowId(e), occurred_at: required(localTimeOf(e.period?.start, ctx.zone), 'Encounter.period.start'),
    kind: conceptText(e.type?.[0]) ?? e.class.display ?? e.class.code ?? 'encounter',
    provider: who ? nameOf(ctx, who.individual, e, 'Encounter.participant.individual') : null,
    reason: conceptText(e.reasonCode?.[0]), note: null,
  } }];
}

/** A DocumentReference's plain text, attached to the encounter its context names. */
export function mapDocumentReference(ctx: MappingContext, d: DocumentReference): Mapped[] {
  if (d.status === 'entered-in-error') throw new NotMapped('DocumentReference entered-in-error');
  const patientId = patientIdOf(ctx, d.subject, d, 'DocumentReference.subject');
  const text = d.content.map((c) => c.attachment).find((a) => a.data && (a.contentType ?? '').startsWith('text/plain'));
  if (!text) throw new NotMapped('DocumentReference without plain text (base64 data)');
  const encounter = ctx.index.resolve(d.context?.encounter?.[0], d);
  if (!encounter || encounter.resourceType !== 'Encounter') {
    if (d.context?.encounter?.[0]?.reference) throw new BadResource(`DocumentReference.context.encounter ${JSON.stringify(d.context.encounter[0].reference)} is a reference to nothing in the input`);
    throw new NotMapped('DocumentReference without an encounter to attach the note to');
  }
  return [{ kind: 'note', patientId, encounterId: rowId(encounter), text: Buffer.from(text.data!, 'base64').toString('utf8').trim() }];
}

const BOOKED = new Set(['booked', 'arrived', 'checked-in', 'fulfilled', 'pending']);

export function mapAppointment(ctx: MappingContext, a: Appointment): Mapped[] {
  if (!BOOKED.has(a.status) && a.status !== 'cancelled' && a.status !== 'noshow') throw new NotMapped(`Appointment of status ${a.status}`);
  const patient = a.participant.find((p) => ctx.index.resolve(p.actor, a)?.resourceType === 'Patient' || p.actor?.reference?.startsWith('Patient/'));
  const patientId = patientIdOf(ctx, patient?.actor, a, 'Appointment.participant.actor');
  const named = (type: string): string | null => {
    const p = a.participant.find((x) => x.actor?.reference?.includes(type) || ctx.index.resolve(x.actor, a)?.resourceType === type);
    return p ? nameOf(ctx, p.actor, a, 'Appointment.participant.actor') : null;
  };
  const starts = required(localTimeOf(a.start, ctx.zone), 'Appointment.start');
  const minutes = a.minutesDuration ?? (a.start && a.end ? Math.round((Date.parse(a.end) - Date.parse(a.start)) / 60_000) : undefined);
  if (!minutes || minutes <= 0) throw new BadResource('Appointment has neither minutesDuration nor an end after its start');
  return [{ kind: 'row', patientId, table: 'appointments', row: {
    id: rowId(a), starts_at: starts, duration_minutes: minutes, provider: named('Practitioner'),
    reason: conceptText(a.reasonCode?.[0]) ?? a.description ?? null, location: named('Location'),
    status: BOOKED.has(a.status) ? 'booked' : 'cancelled',
  } }];
}
