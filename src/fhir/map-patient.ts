// Patient, its contacts (Patient.contact, RelatedPerson), Coverage and Flag → the patient row and its small tables.
import type { CodeableConcept, ContactPoint, Coverage, Flag, HumanName, Patient, RelatedPerson } from '@medplum/fhirtypes';
import { BadResource, NotMapped, nameOf, patientIdOf, rowId, type Mapped, type MappingContext, type Row } from './_mapping.js';
import { conceptText, dateOf, hasNonLatinLetters, nameText } from './fhir-values.js';

const REPRESENTATION = 'http://hl7.org/fhir/StructureDefinition/iso21090-EN-representation';

/** A name's representation extension (`ABC` alphabetic, `IDE` ideographic, `SYL` syllabic), if any. */
function representation(n: HumanName): string | undefined {
  return n.extension?.find((e) => e.url === REPRESENTATION)?.valueCode;
}

const isLatin = (n: HumanName): boolean => representation(n) === 'ABC' ||
  (representation(n) === undefined && !hasNonLatinLetters(`${n.family ?? ''} ${(n.given ?? []).join(' ')}`));

/**
 * The patient's names: the official one (else usual, else first) as family and given names; a usual or
 * nickname form's first given name as the preferred name; a Latin-letter form of a name written in
 * another script as the Latin alias. Any other form (old, maiden, anonymous) is reported, not kept.
 */
export function patientNames(names: readonly HumanName[]): { row: Row; dropped: string[] } {
  const current = names.filter((n) => n.use !== 'old' && !n.period?.end);
  const main = current.find((n) => n.use === 'official' && !isLatin(n)) ?? current.find((n) => n.use === 'official') ??
    current.find((n) => n.use === 'usual') ?? current[0];
  if (!main || (!main.family && !main.given?.length && !main.text)) throw new BadResource('Patient.name has no name in use');
  const used = new Set<HumanName>([main]);
  let latin: HumanName | undefined;
  if (!isLatin(main)) {
    latin = current.find((n) => n !== main && isLatin(n) && (n.family || n.given?.length));
    if (latin) used.add(latin);
  }
  const nick = current.find((n) => !used.has(n) && (n.use === 'usual' || n.use === 'nickname') && n.given?.length);
  if (nick) used.add(nick);
  const row: Row = {
    family_name: main.family ?? (main.given?.length ? '' : main.text!),
    given_names: (main.given ?? []).join(' '),
    preferred_name: nick?.given?.[0] ?? null,
  };
  if (latin) { row.family_name_latin = latin.family ?? ''; row.given_names_latin = (latin.given ?? []).join(' '); }
  const dropped = names.filter((n) => !used.has(n)).map((n) => `Patient.name (use ${n.use ?? 'unstated'}): the store keeps the name in use, a Latin alias and a preferred name`);
  return { row, dropped };
}

const SEXES = new Set(['female', 'male', 'other', 'unknown']);

function telecom(points: readonly ContactPoint[] | undefined, system: 'phone' | 'email'): string | null {
  const of = (points ?? []).filter((p) => p.system === system && p.value && !p.period?.end);
  return (of.find((p) => p.use === 'home' || p.use === 'mobile') ?? of[0])?.value ?? null;
}

function mrnOf(p: Patient): string {
  const ids = p.identifier ?? [];
  const mr = ids.find((i) => i.type?.coding?.some((c) => c.code === 'MR') && i.value);
  return mr?.value ?? ids.find((i) => i.use === 'usual' && i.value)?.value ?? p.id!;
}

/** A Patient → its row's facts and its `Patient.contact` contacts. */
export function mapPatient(ctx: MappingContext, p: Patient): Mapped[] {
  if (!p.id) throw new BadResource('the Patient has no id (the import updates patients by their stable id)');
  if (Buffer.byteLength(p.id) > 64) throw new BadResource(`Patient.id is ${Buffer.byteLength(p.id)} bytes, the store takes 1 to 64`);
  const birth = p.birthDate;
  if (!birth || dateOf(birth) !== birth) throw new BadResource(`Patient.birthDate ${birth === undefined ? 'is missing' : `${JSON.stringify(birth)} is not a full date`}, and the store needs one`);
  const { row: names, dropped } = patientNames(p.name ?? []);
  const address = p.address?.find((a) => a.use === 'home' && !a.period?.end) ?? p.address?.[0];
  const language = p.communication?.find((c) => c.preferred) ?? p.communication?.[0];
  const facts: Row = {
    id: p.id, mrn: mrnOf(p), ...names, birth_date: birth,
    sex: p.gender && SEXES.has(p.gender) ? p.gender : 'unknown',
    language: language?.language.coding?.find((c) => c.code)?.code ?? language?.language.text ?? null,
    address_line: address?.line?.join(', ') || null, city: address?.city ?? null, region: address?.state ?? null,
    postal_code: address?.postalCode ?? null, country: address?.country ?? null,
    phone: telecom(p.telecom, 'phone'), email: telecom(p.telecom, 'email'),
    primary_provider: p.generalPractitioner?.length ? nameOf(ctx, p.generalPractitioner[0], p, 'Patient.generalPractitioner') : null,
  };
  const out: Mapped[] = [{ kind: 'patient-fact', patientId: p.id, facts }];
  for (const d of dropped) out.push({ kind: 'patient-fact', patientId: p.id, facts: {}, note: d });
  (p.contact ?? []).forEach((c, i) => {
    const name = nameText(c.name) ?? c.organization?.display ?? null;
    if (!name) { out.push({ kind: 'patient-fact', patientId: p.id!, facts: {}, note: 'Patient.contact without a name' }); return; }
    out.push({ kind: 'row', patientId: p.id!, table: 'contacts', row: {
      id: `Patient/${p.id}/contact/${i + 1}`, name, relationship: relationshipOf(c.relationship), phone: telecom(c.telecom, 'phone'),
      is_emergency: isEmergency(c.relationship) ? 1 : 0, priority: i + 1,
    } });
  });
  return out;
}

type Concepts = readonly CodeableConcept[] | undefined;

function relationshipOf(rel: Concepts): string | null {
  const texts = (rel ?? []).filter((r) => !isEmergencyOnly(r)).map((r) => conceptText(r)).filter((t): t is string => !!t);
  return texts[0] ?? null;
}

const EMERGENCY = new Set(['C', 'EP']); // v2-0131 Emergency Contact, v3 RoleCode emergency contact person
const isEmergencyOnly = (r: CodeableConcept): boolean => (r.coding ?? []).some((c) => c.code && EMERGENCY.has(c.code));
const isEmergency = (rel: Concepts): boolean => (rel ?? []).some(isEmergencyOnly);

/** A RelatedPerson → a contact of the patient it names. */
export function mapRelatedPerson(ctx: MappingContext, r: RelatedPerson): Mapped[] {
  if (r.active === false) throw new NotMapped('inactive RelatedPerson');
  const patientId = patientIdOf(ctx, r.patient, r, 'RelatedPerson.patient');
  const name = nameText(r.name?.[0]);
  if (!name) throw new NotMapped('RelatedPerson without a name');
  return [{ kind: 'row', patientId, table: 'contacts', row: {
    id: rowId(r), name, relationship: relationshipOf(r.relationship), phone: telecom(r.telecom, 'phone'),
    is_emergency: isEmergency(r.relationship) ? 1 : 0, priority: 100,
  } }];
}

/** A Coverage → an insurance row of its beneficiary. */
export function mapCoverage(ctx: MappingContext, c: Coverage): Mapped[] {
  if (c.status !== 'active') throw new NotMapped(`Coverage of status ${c.status}: the store keeps active coverage`);
  const patientId = patientIdOf(ctx, c.beneficiary, c, 'Coverage.beneficiary');
  const payer = nameOf(ctx, c.payor?.[0], c, 'Coverage.payor');
  if (!payer) throw new BadResource('Coverage.payor names no payer');
  const cls = (code: string) => c.class?.find((k) => k.type.coding?.some((x) => x.code === code));
  const plan = cls('plan');
  const group = cls('group');
  return [{ kind: 'row', patientId, table: 'coverages', row: {
    id: rowId(c), payer, plan: plan?.name ?? plan?.value ?? conceptText(c.type) ?? null,
    member_id: c.subscriberId ?? c.identifier?.find((i) => i.value)?.value ?? null, group_number: group?.value ?? null,
    priority: c.order ?? 1,
  } }];
}

/** A Flag → an alert. Its priority extension, when present, says how loud (`PH` high → critical). */
export function mapFlag(ctx: MappingContext, f: Flag): Mapped[] {
  if (f.status !== 'active') throw new NotMapped(`Flag of status ${f.status}: the store keeps active alerts`);
  const patientId = patientIdOf(ctx, f.subject, f, 'Flag.subject');
  const text = conceptText(f.code);
  if (!text) throw new BadResource('Flag.code has no text');
  const priority = f.extension?.find((e) => e.url === 'http://hl7.org/fhir/StructureDefinition/flag-priority')
    ?.valueCodeableConcept?.coding?.[0]?.code;
  const severity = priority === 'PH' ? 'critical' : priority === 'PL' || priority === 'PN' ? 'info' : 'warning';
  return [{ kind: 'row', patientId, table: 'alerts', row: { id: rowId(f), text, severity } }];
}
