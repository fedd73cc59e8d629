// One patient's record → an International Patient Summary document Bundle (IPS 2.0), the same bytes for the same record.
import { createHash } from 'node:crypto';
import type {
  AllergyIntolerance, Bundle, BundleEntry, CodeableConcept, Coding, Composition, CompositionSection, Condition, Device, Flag, Immunization,
  MedicationStatement, Observation, Patient, Procedure, Resource,
} from '@medplum/fhirtypes';
import type { PatientRecord } from '../record/record.js';
import { systemUri } from './fhir-values.js';

const LOINC = 'http://loinc.org';
const SNOMED = 'http://snomed.info/sct';
const EMPTY_REASON = 'http://terminology.hl7.org/CodeSystem/list-empty-reason';
const REPRESENTATION = 'http://hl7.org/fhir/StructureDefinition/iso21090-EN-representation';

/** The IPS sections paperchart writes: LOINC code, title, and whether IPS requires it. */
export const IPS_SECTIONS = {
  problems: { code: '11450-4', title: 'Problem list', required: true },
  allergies: { code: '48765-2', title: 'Allergies and intolerances', required: true },
  medications: { code: '10160-0', title: 'Medication summary', required: true },
  immunizations: { code: '11369-6', title: 'History of immunizations', required: false },
  results: { code: '30954-2', title: 'Relevant diagnostic tests/laboratory data', required: false },
  vitals: { code: '8716-3', title: 'Vital signs', required: false },
  procedures: { code: '47519-4', title: 'History of procedures', required: false },
  alerts: { code: '104605-1', title: 'Alerts', required: false },
  directives: { code: '42348-3', title: 'Advance directives', required: false },
} as const;

/** A resource id from a store id: `Type/id` gives its id back; an id FHIR cannot hold becomes a digest of it. */
export function fhirId(storeId: string): string {
  const own = /^[A-Z][A-Za-z]+\/([A-Za-z0-9\-.]{1,64})$/.exec(storeId)?.[1] ?? storeId;
  return /^[A-Za-z0-9\-.]{1,64}$/.test(own) ? own : createHash('sha256').update(storeId).digest('hex').slice(0, 40);
}

/** A name-based UUID (the bytes of a SHA-256 digest, version 5 layout): the same name, the same fullUrl. */
function uuidOf(name: string): string {
  const h = createHash('sha256').update(name).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const wallClocks = new Map<string, Intl.DateTimeFormat>();

/** The offset of `zone` at instant `t`, in minutes east of UTC. */
function offsetAt(t: number, zone: string): number {
  let f = wallClocks.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    wallClocks.set(zone, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(t)).map((x) => [x.type, x.value]));
  return (Date.UTC(+p.year!, +p.month! - 1, +p.day!, +p.hour!, +p.minute!) - Math.floor(t / 60_000) * 60_000) / 60_000;
}

/** A clinic wall time in `zone` as a UTC instant: what import converts back to the wall time of its store's zone. */
export function instantOf(local: string, zone: string): string {
  const wall = Date.parse(`${local}:00Z`);
  let t = wall - offsetAt(wall, zone) * 60_000;
  t = wall - offsetAt(t, zone) * 60_000;
  return `${new Date(t).toISOString().slice(0, 19)}Z`;
}

const coding = (system: string | null | undefined, code: string | null | undefined): Coding[] =>
  code ? [{ system: systemUri(system ?? 'CPT'), code }] : [];
const concept = (text: string, codings: Coding[] = []): CodeableConcept => (codings.length ? { coding: codings, text } : { text });
const status = (system: string, code: string): CodeableConcept => ({ coding: [{ system, code }] });

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A section's narrative: each entry's line in a list, or the reason it is empty. */
function narrative(lines: readonly string[]): { status: 'generated'; div: string } {
  const body = lines.length ? `<ul>${lines.map((l) => `<li>${escapeXml(l)}</li>`).join('')}</ul>` : '<p>No information.</p>';
  return { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml">${body}</div>` };
}

interface Entry { resource: Resource; line: string }

/**
 * The IPS document of one record. Local times are written as UTC instants (from `zone`); the Bundle's
 * timestamp is the record's latest change, so it depends on the record alone.
 */
export function ipsBundle(record: PatientRecord, zone: string): Bundle {
  const p = record.patient;
  const pid = fhirId(p.id);
  const patientUrl = `urn:uuid:${uuidOf(`Patient/${p.id}`)}`;
  const subject = { reference: patientUrl };
  const stamps = [p.updated_at, ...[record.allergies, record.medications, record.problems, record.immunizations, record.observations,
    record.procedures, record.alerts].flatMap((rows) => rows.map((r) => r.updated_at))];
  const timestamp = stamps.reduce((a, b) => (a > b ? a : b));
  const meta = (updated: string): { lastUpdated: string } => ({ lastUpdated: updated });
  const sections = new Map<keyof typeof IPS_SECTIONS, Entry[]>(Object.keys(IPS_SECTIONS).map((k) => [k as keyof typeof IPS_SECTIONS, []]));
  const add = (s: keyof typeof IPS_SECTIONS, resource: Resource, line: string): void => { sections.get(s)!.push({ resource, line }); };
  const c: SectionContext = { record, pid, subject, meta, add, zone };
  addSummaryEntries(c);
  addHistoryEntries(c);
  return assemble(record, pid, patientUrl, timestamp, sections);
}

interface SectionContext {
  record: PatientRecord; pid: string; subject: { reference: string }; zone: string;
  meta: (updated: string) => { lastUpdated: string };
  add: (s: keyof typeof IPS_SECTIONS, resource: Resource, line: string) => void;
}

/** The required sections' entries: allergies (or "no known allergies"), medications, problems. */
function addSummaryEntries({ record, pid, subject, meta, add }: SectionContext): void {
  const p = record.patient;
  for (const a of record.allergies) {
    const r: AllergyIntolerance = { resourceType: 'AllergyIntolerance', id: fhirId(a.id), meta: meta(a.updated_at),
      clinicalStatus: status('http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', a.status),
      verificationStatus: status('http://terminology.hl7.org/CodeSystem/allergyintolerance-verification', 'confirmed'),
      code: concept(a.substance, coding(a.code_system, a.code)), patient: subject,
      ...(a.recorded_on ? { recordedDate: a.recorded_on } : {}),
      ...(a.reaction || a.severity ? { reaction: [{ manifestation: [{ text: a.reaction ?? 'unspecified' }], ...(a.severity ? { severity: a.severity } : {}) }] } : {}) };
    add('allergies', r, `${a.substance}${a.reaction ? `: ${a.reaction}` : ''}${a.severity ? ` (${a.severity})` : ''}, ${a.status}`);
  }
  if (p.allergy_status === 'none' && record.allergies.length === 0) {
    add('allergies', { resourceType: 'AllergyIntolerance', id: `${pid}-nka`, meta: meta(p.updated_at),
      clinicalStatus: status('http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', 'active'),
      verificationStatus: status('http://terminology.hl7.org/CodeSystem/allergyintolerance-verification', 'confirmed'),
      code: { coding: [{ system: SNOMED, code: '716186003', display: 'No known allergy (situation)' }], text: 'No known allergies' },
      patient: subject } satisfies AllergyIntolerance, 'No known allergies');
  }
  for (const m of record.medications) {
    // A dose of a number and a unit is a doseQuantity ("1,000 units" → 1000 units); any other ("875-125 mg") is not exported (the sample clinic's instructions repeat it).
    const dose = /^(\d[\d,]*(?:\.\d+)?)(?: (.+))?$/.exec(m.dose ?? '');
    const doseText = dose ? `${Number(dose[1]!.replace(/,/g, ''))}${dose[2] ? ` ${dose[2]}` : ''}` : null;
    const dosage = { ...(m.instructions ? { text: m.instructions } : {}), ...(m.frequency ? { timing: { code: { text: m.frequency } } } : {}),
      ...(m.route ? { route: { text: m.route } } : {}),
      ...(dose ? { doseAndRate: [{ doseQuantity: { value: Number(dose[1]!.replace(/,/g, '')), ...(dose[2] ? { unit: dose[2] } : {}) } }] } : {}) };
    const r: MedicationStatement = { resourceType: 'MedicationStatement', id: fhirId(m.id), meta: meta(m.updated_at), status: m.status,
      medicationCodeableConcept: concept(m.name, coding(m.code_system, m.code)), subject,
      ...(m.start_date || m.end_date ? { effectivePeriod: { ...(m.start_date ? { start: m.start_date } : {}), ...(m.end_date ? { end: m.end_date } : {}) } } : {}),
      ...(m.prescriber ? { informationSource: { display: m.prescriber } } : {}),
      ...(Object.keys(dosage).length ? { dosage: [dosage] } : {}) };
    add('medications', r, `${m.name}${doseText ? ` ${doseText}` : ''}${m.frequency ? `, ${m.frequency}` : ''} (${m.status})`);
  }
  for (const c of record.problems) {
    const codings = [...coding(c.code_system, c.code), ...coding(c.alt_code_system, c.alt_code)]
      .sort((x, y) => Number(y.system === SNOMED) - Number(x.system === SNOMED)); // SNOMED CT first, as import picks it
    const r: Condition = { resourceType: 'Condition', id: fhirId(c.id), meta: meta(c.updated_at),
      clinicalStatus: status('http://terminology.hl7.org/CodeSystem/condition-clinical', c.status),
      code: concept(c.description, codings), subject,
      ...(c.onset_date ? { onsetDateTime: c.onset_date } : {}), ...(c.resolved_date ? { abatementDateTime: c.resolved_date } : {}) };
    add('problems', r, `${c.description}${c.code ? ` (${c.code_system ?? ''} ${c.code})` : ''}, ${c.status}`);
  }
}

/** The recommended sections' entries: immunizations, results and vital signs, procedures, alerts, the code status. */
function addHistoryEntries({ record, pid, subject, meta, add, zone }: SectionContext): void {
  const p = record.patient;
  for (const i of record.immunizations) {
    const r: Immunization = { resourceType: 'Immunization', id: fhirId(i.id), meta: meta(i.updated_at), status: 'completed',
      vaccineCode: concept(i.vaccine, coding(i.code_system, i.code)), patient: subject, occurrenceDateTime: i.given_on,
      ...(i.lot ? { lotNumber: i.lot } : {}), ...(i.site ? { site: { text: i.site } } : {}),
      ...(i.dose_number !== null ? { protocolApplied: [{ doseNumberPositiveInt: i.dose_number }] } : {}) };
    add('immunizations', r, `${i.vaccine}, ${i.given_on}`);
  }
  for (const o of record.observations) {
    // A unit goes with a number only (valueQuantity): the narrative says what the resource says, so an import gives it back.
    const numeric = o.unit !== null && /^-?\d+(\.\d+)?$/.test(o.value) && String(Number(o.value)) === o.value;
    const r: Observation = { resourceType: 'Observation', id: fhirId(o.id), meta: meta(o.updated_at), status: 'final',
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: o.category === 'vital' ? 'vital-signs' : 'laboratory' }] }],
      code: concept(o.name, o.code ? [{ system: LOINC, code: o.code }] : []), subject, effectiveDateTime: instantOf(o.effective_at, zone),
      ...(numeric ? { valueQuantity: { value: Number(o.value), unit: o.unit! } } : { valueString: o.value }),
      ...(o.abnormal_flag ? { interpretation: [status('http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation', o.abnormal_flag)] } : {}),
      ...(o.reference_range ? { referenceRange: [{ text: o.reference_range }] } : {}) };
    add(o.category === 'vital' ? 'vitals' : 'results', r, `${o.name}: ${o.value}${numeric ? ` ${o.unit}` : ''}${o.abnormal_flag ? ` [${o.abnormal_flag}]` : ''}, ${r.effectiveDateTime}`);
  }
  for (const x of record.procedures) {
    const r: Procedure = { resourceType: 'Procedure', id: fhirId(x.id), meta: meta(x.updated_at), status: 'completed',
      code: concept(x.description, coding(x.code_system, x.code)), subject, performedDateTime: x.performed_on,
      ...(x.performer ? { performer: [{ actor: { display: x.performer } }] } : {}) };
    add('procedures', r, `${x.description}, ${x.performed_on}`);
  }
  for (const a of record.alerts) {
    const priority = a.severity === 'critical' ? 'PH' : a.severity === 'info' ? 'PL' : undefined;
    const r: Flag = { resourceType: 'Flag', id: fhirId(a.id), meta: meta(a.updated_at), status: 'active', code: { text: a.text }, subject,
      ...(priority ? { extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/flag-priority',
        valueCodeableConcept: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/flag-priority-code', code: priority }] } }] } : {}) };
    add('alerts', r, `${a.text} (${a.severity})`);
  }
  if (p.code_status) {
    add('directives', { resourceType: 'Observation', id: `${pid}-code-status`, meta: meta(p.updated_at), status: 'final',
      code: { coding: [{ system: LOINC, code: '100822-6', display: 'Cardiopulmonary resuscitation orders' }] }, subject,
      effectiveDateTime: p.updated_at, valueCodeableConcept: { text: p.code_status } } satisfies Observation, `Code status: ${p.code_status}`);
  }
}

function patientResource(record: PatientRecord, pid: string): Patient {
  const p = record.patient;
  const latin = p.family_name_latin || p.given_names_latin;
  const rep = (code: string) => (latin ? { extension: [{ url: REPRESENTATION, valueCode: code }] } : {});
  const given = (s: string): string[] => s.split(' ').filter(Boolean);
  return { resourceType: 'Patient', id: pid, meta: { lastUpdated: p.updated_at },
    identifier: [{ type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }] }, value: p.mrn }],
    name: [
      { use: 'official', ...(p.family_name ? { family: p.family_name } : {}), ...(p.given_names ? { given: given(p.given_names) } : {}), ...rep('IDE') },
      ...(latin ? [{ use: 'official' as const, ...(p.family_name_latin ? { family: p.family_name_latin } : {}),
        ...(p.given_names_latin ? { given: given(p.given_names_latin) } : {}), ...rep('ABC') }] : []),
      ...(p.preferred_name ? [{ use: 'nickname' as const, given: [p.preferred_name] }] : []),
    ],
    ...(p.phone || p.email ? { telecom: [...(p.phone ? [{ system: 'phone' as const, value: p.phone, use: 'home' as const }] : []),
      ...(p.email ? [{ system: 'email' as const, value: p.email }] : [])] } : {}),
    gender: p.sex, birthDate: p.birth_date,
    ...(p.address_line || p.city || p.region || p.postal_code || p.country ? { address: [{ use: 'home',
      ...(p.address_line ? { line: [p.address_line] } : {}), ...(p.city ? { city: p.city } : {}), ...(p.region ? { state: p.region } : {}),
      ...(p.postal_code ? { postalCode: p.postal_code } : {}), ...(p.country ? { country: p.country } : {}) }] } : {}),
    ...(record.contacts.length ? { contact: record.contacts.map((c) => ({
      relationship: [...(c.is_emergency ? [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0131', code: 'C' }] }] : []),
        ...(c.relationship ? [{ text: c.relationship }] : [])],
      name: { text: c.name }, ...(c.phone ? { telecom: [{ system: 'phone' as const, value: c.phone }] } : {}) })) } : {}),
    ...(p.language ? { communication: [{ language: { coding: [{ system: 'urn:ietf:bcp:47', code: p.language }] }, preferred: true }] } : {}),
    ...(p.primary_provider ? { generalPractitioner: [{ display: p.primary_provider }] } : {}),
  };
}

function assemble(record: PatientRecord, pid: string, patientUrl: string, timestamp: string,
  sections: Map<keyof typeof IPS_SECTIONS, Entry[]>): Bundle {
  const authorUrl = `urn:uuid:${uuidOf('Device/paperchart')}`;
  const entries: BundleEntry[] = [];
  const compositionSections: CompositionSection[] = [];
  for (const [key, list] of sections) {
    const s = IPS_SECTIONS[key];
    if (!list.length && !s.required) continue;
    const refs = list.map((e) => {
      const fullUrl = `urn:uuid:${uuidOf(`${e.resource.resourceType}/${e.resource.id}/${record.patient.id}`)}`;
      entries.push({ fullUrl, resource: e.resource });
      return { reference: fullUrl };
    });
    compositionSections.push({ title: s.title, code: { coding: [{ system: LOINC, code: s.code }] }, text: narrative(list.map((e) => e.line)),
      ...(refs.length ? { entry: refs } : { emptyReason: { coding: [{ system: EMPTY_REASON, code: key === 'allergies' ? 'notasked' : 'unavailable' }] } }) });
  }
  const composition: Composition = { resourceType: 'Composition', id: `${pid}-ips`, status: 'final',
    type: { coding: [{ system: LOINC, code: '60591-5', display: 'Patient summary Document' }] }, subject: { reference: patientUrl },
    date: timestamp, author: [{ reference: authorUrl }], title: `International Patient Summary`, section: compositionSections };
  const device: Device = { resourceType: 'Device', id: 'paperchart', deviceName: [{ name: 'paperchart', type: 'manufacturer-name' }] };
  return { resourceType: 'Bundle', id: `${pid}-ips`,
    identifier: { system: 'urn:ietf:rfc:3986', value: `urn:uuid:${uuidOf(`ips/${record.patient.id}/${timestamp}`)}` },
    type: 'document', timestamp,
    entry: [{ fullUrl: `urn:uuid:${uuidOf(`Composition/${record.patient.id}`)}`, resource: composition },
      { fullUrl: patientUrl, resource: patientResource(record, pid) }, { fullUrl: authorUrl, resource: device }, ...entries] };
}
