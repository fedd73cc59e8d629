/** A patient's own row: address, phone, e-mail, pharmacy, code status and advance directive. */
import type { Contact, Patient } from '../record/record.js';
import { civilFromDays, isoDate } from './_calendar.js';
import { phoneNumber } from './_identifiers.js';
import type { PatientDraft } from './_patient-draft.js';
import type { PatientNames } from './_people.js';
import { interp } from './_vocabulary.js';
import { lowerFirst } from './_words.js';

type Address = Pick<Patient, 'address_line' | 'city' | 'region' | 'postal_code' | 'country'>;

/** The patient's row; the order of the parts keeps the random sequence (and so the clinic) the same. */
export function makePatientRow(pt: PatientDraft, n: PatientNames, contacts: Contact[]): Patient {
  const rng = pt.rng;
  const address = chooseAddress(pt);
  const phone = rng.chance(0.95) ? phoneNumber(rng, pt.v.areaTable.pick(rng)) : null;
  const email = chooseEmail(pt, n);
  const codeStatus = chooseCodeStatus(pt);
  const directive = chooseAdvanceDirective(pt, codeStatus, contacts);
  const updDay = rng.int(Math.max(pt.joinDay, pt.clock.nowDay - 500), pt.clock.nowDay);
  return {
    id: pt.pid,
    mrn: '',
    family_name: n.family,
    given_names: n.given,
    preferred_name: n.preferred,
    birth_date: isoDate(pt.birthDay),
    sex: pt.sex,
    language: pt.language,
    ...address,
    phone, email,
    primary_provider: pt.primary,
    pharmacy_name: pt.pharmacy?.name ?? null,
    pharmacy_phone: pt.pharmacy?.phone ?? null,
    pharmacy_address: pt.pharmacy?.address ?? null,
    code_status: codeStatus,
    advance_directive: directive ? directive.normalize('NFC') : null,
    allergy_status: pt.allergyStatus,
    updated_at: pt.stampDay(updDay),
    // Schema 3: a name in another script carries its Latin form (no random draw, so the rest of the clinic is unchanged).
    ...(/(?!\p{Script=Latin})\p{L}/u.test(n.family + n.given) ? { family_name_latin: n.familyLatin, given_names_latin: n.givenLatin } : {}),
  };
}

/** A street address in one of the clinic's cities (2.5% have none on file). */
function chooseAddress(pt: PatientDraft): Address {
  const rng = pt.rng;
  const places = pt.v.places;
  if (!rng.chance(0.975)) return { address_line: null, city: null, region: null, postal_code: null, country: null };
  const c = pt.v.cityTable.pick(rng);
  let line = `${rng.int(c.numbers[0], c.numbers[1])} ${rng.pick(c.streets)}`;
  if (rng.chance(places.unitShare)) {
    line += ', ' + rng.pick(places.unitFormats).replace('{n}', String(rng.int(1, 420))).replace('{l}', 'ABCDEFGH'.charAt(rng.int(0, 7)));
  }
  return { address_line: line, city: c.name, region: places.region, postal_code: rng.pick(c.zips), country: places.country };
}

/** An e-mail address made of the name's Latin letters, at an example.* domain; fewer for children and the old. */
function chooseEmail(pt: PatientDraft, n: PatientNames): string | null {
  const rng = pt.rng;
  const age = pt.ageNow;
  const emailShare = age < 13 ? 0 : age < 18 ? 0.3 : age < 65 ? 0.78 : age < 80 ? 0.5 : 0.25;
  if (!rng.chance(emailShare)) return null;
  const tokens = n.givenLatin.toLowerCase().split(/\s+/);
  const g = (pt.group.familyFirst ? tokens[tokens.length - 1] : tokens[0]) ?? 'patient';
  const f = n.familyLatin.toLowerCase().replace(/[^a-z]/g, '');
  const gg = g.replace(/[^a-z]/g, '');
  const yy = String(civilFromDays(pt.birthDay)[0]).slice(2);
  const local = rng.pick([`${gg}.${f}`, `${gg}${f}${yy}`, `${gg.charAt(0)}${f}`, `${f}.${gg}${rng.int(1, 99)}`, `${gg}_${f}`]);
  return `${local}@${rng.pick(pt.v.names.emailDomains)}`;
}

/** Code status by age (null: none on file). */
function chooseCodeStatus(pt: PatientDraft): string | null {
  const cs = pt.v.chart.codeStatus;
  let band = cs.byAge[0]!;
  for (const b of cs.byAge) if (pt.ageNow >= b[0]!) band = b;
  const csIdx = pt.rng.weighted([0, 1, 2, 3, 4], band.slice(1));
  return csIdx === 0 ? null : cs.values[csIdx - 1] ?? null;
}

/** An advance directive's text for adults, more often with a code status other than full code; it names an agent among the contacts. */
function chooseAdvanceDirective(pt: PatientDraft, codeStatus: string | null, contacts: Contact[]): string | null {
  const rng = pt.rng;
  const age = pt.ageNow;
  const ad = pt.v.chart.advanceDirectives;
  if (!(age >= 18 && rng.chance(interp(ad.byAge, age, true) + (codeStatus && codeStatus !== 'Full code' ? 0.5 : 0)))) return null;
  const agent = contacts.find((c) => c.relationship && c.relationship !== 'Neighbor');
  const dnr = codeStatus !== null && codeStatus !== 'Full code';
  const options = ad.texts.filter((t) => (agent || !t.includes('{name}')) && (!t.includes('POLST') || dnr) && !(dnr && t.includes('declined')));
  const day = rng.int(Math.max(pt.dayAtAge(18), pt.joinDay - 1000), pt.clock.nowDay);
  return rng.pick(options).replace('{date}', isoDate(day)).replace('{code_status}', codeStatus ?? 'Full code')
    .replace('{name}', agent?.name ?? '').replace('{relationship}', lowerFirst(agent?.relationship ?? '')).replace('{phone}', agent?.phone ?? 'no phone on file');
}
