/** A patient's own row: address, phone, e-mail, pharmacy, code status and advance directive. */
import type { Contact, Patient } from '../record/record.js';
import { civilFromDays, isoDate } from './_calendar.js';
import { phoneNumber } from './_identifiers.js';
import type { PatientDraft } from './_patient-draft.js';
import type { PatientNames } from './_people.js';
import { interp } from './_vocabulary.js';
import { lowerFirst } from './_words.js';

export function makePatientRow(pt: PatientDraft, n: PatientNames, contacts: Contact[]): Patient {
  const rng = pt.rng;
  const places = pt.v.places;
  const age = pt.ageNow;
  let address_line: string | null = null;
  let city: string | null = null;
  let region: string | null = null;
  let postal: string | null = null;
  let country: string | null = null;
  if (rng.chance(0.975)) {
    const c = pt.v.cityTable.pick(rng);
    address_line = `${rng.int(c.numbers[0], c.numbers[1])} ${rng.pick(c.streets)}`;
    if (rng.chance(places.unitShare)) {
      address_line += ', ' + rng.pick(places.unitFormats).replace('{n}', String(rng.int(1, 420))).replace('{l}', 'ABCDEFGH'.charAt(rng.int(0, 7)));
    }
    city = c.name;
    region = places.region;
    postal = rng.pick(c.zips);
    country = places.country;
  }
  const phone = rng.chance(0.95) ? phoneNumber(rng, pt.v.areaTable.pick(rng)) : null;
  let email: string | null = null;
  const emailShare = age < 13 ? 0 : age < 18 ? 0.3 : age < 65 ? 0.78 : age < 80 ? 0.5 : 0.25;
  if (rng.chance(emailShare)) {
    const tokens = n.givenLatin.toLowerCase().split(/\s+/);
    const g = (pt.group.familyFirst ? tokens[tokens.length - 1] : tokens[0]) ?? 'patient';
    const f = n.familyLatin.toLowerCase().replace(/[^a-z]/g, '');
    const gg = g.replace(/[^a-z]/g, '');
    const yy = String(civilFromDays(pt.birthDay)[0]).slice(2);
    const local = rng.pick([`${gg}.${f}`, `${gg}${f}${yy}`, `${gg.charAt(0)}${f}`, `${f}.${gg}${rng.int(1, 99)}`, `${gg}_${f}`]);
    email = `${local}@${rng.pick(pt.v.names.emailDomains)}`;
  }
  // Code status and advance directive.
  const cs = pt.v.chart.codeStatus;
  let band = cs.byAge[0]!;
  for (const b of cs.byAge) if (age >= b[0]!) band = b;
  const csIdx = rng.weighted([0, 1, 2, 3, 4], band.slice(1));
  const codeStatus = csIdx === 0 ? null : cs.values[csIdx - 1] ?? null;
  let directive: string | null = null;
  const ad = pt.v.chart.advanceDirectives;
  if (age >= 18 && rng.chance(interp(ad.byAge, age, true) + (codeStatus && codeStatus !== 'Full code' ? 0.5 : 0))) {
    const agent = contacts.find((c) => c.relationship && c.relationship !== 'Neighbor');
    const dnr = codeStatus !== null && codeStatus !== 'Full code';
    const options = ad.texts.filter((t) => (agent || !t.includes('{name}')) && (!t.includes('POLST') || dnr) && !(dnr && t.includes('declined')));
    const day = rng.int(Math.max(pt.dayAtAge(18), pt.joinDay - 1000), pt.clock.nowDay);
    directive = rng.pick(options).replace('{date}', isoDate(day)).replace('{code_status}', codeStatus ?? 'Full code')
      .replace('{name}', agent?.name ?? '').replace('{relationship}', lowerFirst(agent?.relationship ?? '')).replace('{phone}', agent?.phone ?? 'no phone on file');
  }
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
    address_line, city, region, postal_code: postal, country,
    phone, email,
    primary_provider: pt.primary,
    pharmacy_name: pt.pharmacy?.name ?? null,
    pharmacy_phone: pt.pharmacy?.phone ?? null,
    pharmacy_address: pt.pharmacy?.address ?? null,
    code_status: codeStatus,
    advance_directive: directive ? directive.normalize('NFC') : null,
    allergy_status: pt.allergyStatus,
    updated_at: pt.stampDay(updDay),
  };
}
