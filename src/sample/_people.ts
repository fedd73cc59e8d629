/** Who a patient is (age, sex, name group, language, when they joined) and people's names in each group's conventions. */
import { YEAR, civilFromDays } from './_calendar.js';
import { CHART_YEARS, type PatientDraft } from './_patient-draft.js';
import type { Gender, GivenList, NameEntry, NameGroup } from './_vocabulary.js';
import { asciiFold } from './_words.js';

/** A name in its own script. */
export const native = (e: NameEntry): string => (typeof e === 'string' ? e : e[0]);

const latin = (e: NameEntry): string => (typeof e === 'string' ? asciiFold(e) : e[1]);

export interface PatientNames { given: string; givenLatin: string; family: string; familyLatin: string; preferred: string | null }

/** Age (a clinic's age mix; long histories are 40 to 95), sex, name group, language, when the patient joined, primary provider and pharmacy. */
export function chooseDemographics(pt: PatientDraft): void {
  const rng = pt.rng;
  pt.long = rng.chance(0.05);
  const bands: [number, number, number][] = pt.long
    ? [[40, 50, 15], [50, 65, 35], [65, 80, 35], [80, 95, 15]]
    : [[0, 1 / 12, 0.4], [1 / 12, 1, 1.8], [1, 5, 4.5], [5, 18, 14], [18, 35, 20], [35, 50, 19], [50, 65, 20], [65, 80, 14.5], [80, 95, 5], [95, 106, 0.8]];
  const [lo, hi] = rng.weighted(bands, bands.map((b) => b[2]));
  const ageDays = Math.floor(rng.real(lo, hi) * YEAR);
  pt.birthDay = pt.clock.nowDay - ageDays;
  const x = rng.next();
  pt.sex = x < 0.51 ? 'female' : x < 0.995 ? 'male' : x < 0.998 ? 'other' : 'unknown';
  pt.gender = pt.sex === 'female' || pt.sex === 'male' ? pt.sex : rng.chance(0.5) ? 'female' : 'male';
  pt.group = pt.v.groupTable.pick(rng);
  pt.language = rng.weightedPair(pt.group.languages);
  // When the patient first came to the clinic.
  const age = pt.ageNow;
  const maxYears = Math.min(age, 16);
  let years: number;
  if (pt.long) years = rng.real(Math.min(9, maxYears), maxYears);
  else if (age < 2 && rng.chance(0.7)) years = age; // born into the practice
  else years = rng.real(0, maxYears);
  pt.joinDay = Math.max(pt.birthDay, pt.clock.nowDay - Math.round(years * YEAR));
  pt.chartFrom = Math.max(pt.joinDay, pt.clock.nowDay - Math.round(CHART_YEARS * YEAR));
  const table = age < 18 ? pt.v.pedsProviderTable : pt.v.providerTable;
  pt.primary = rng.chance(0.95) ? table.pick(rng).name : null;
  pt.pharmacy = rng.chance(0.88) ? pt.v.pharmacyTable.pick(rng) : null;
}

function givenFrom(pt: PatientDraft, list: GivenList): NameEntry {
  if (Array.isArray(list)) return pt.rng.pick(list);
  const [y] = civilFromDays(pt.birthDay);
  const era = y < 1960 ? list.old : y < 1995 ? list.mid : list.young;
  // A few people carry a name from the neighbouring generation.
  if (pt.rng.chance(0.12)) return pt.rng.pick(pt.rng.pick([list.old, list.mid, list.young]));
  return pt.rng.pick(era);
}

function familyFrom(pt: PatientDraft, group: NameGroup, gender: Gender): NameEntry {
  const e = pt.rng.pick(group.family);
  if (typeof e === 'string' || Array.isArray(e)) return e as NameEntry;
  const gendered = e as { m: NameEntry; f: NameEntry };
  return gender === 'female' ? gendered.f : gendered.m;
}

/** A person's name in the group's conventions. */
export function personName(pt: PatientDraft, group: NameGroup, gender: Gender, family?: NameEntry): { given: string; givenLatin: string; first: NameEntry; family: NameEntry } {
  const first = givenFrom(pt, group.given[gender]);
  let given = native(first);
  let givenLatin = latin(first);
  if (group.middleName && pt.rng.chance(group.middleName)) {
    const mid = givenFrom(pt, group.given[gender]);
    if (native(mid) !== given) { given += ' ' + native(mid); givenLatin += ' ' + latin(mid); }
  }
  let fam = family ?? familyFrom(pt, group, gender);
  if (!family) {
    if (group.doubleFamily && pt.rng.chance(group.doubleFamily)) {
      const second = familyFrom(pt, group, gender);
      if (native(second) !== native(fam)) fam = [`${native(fam)} ${native(second)}`, `${latin(fam)} ${latin(second)}`];
    } else if (group.hyphenatedFamily && pt.rng.chance(group.hyphenatedFamily)) {
      const second = familyFrom(pt, group, gender);
      if (native(second) !== native(fam)) fam = [`${native(fam)}-${native(second)}`, `${latin(fam)}-${latin(second)}`];
    }
  }
  return { given, givenLatin, first, family: fam };
}

/** A full name in the group's order (family name first in some). */
export function fullName(group: NameGroup, given: string, family: string): string {
  if (group.familyFirst) return `${family}${group.nameSeparator ?? ' '}${given}`;
  return `${given} ${family}`;
}

/** The patient's names, with a preferred name: a nickname, an adopted English name or the last given name. */
export function choosePatientNames(pt: PatientDraft): PatientNames {
  const rng = pt.rng;
  const n = personName(pt, pt.group, pt.gender);
  let preferred: string | null = null;
  const nick = pt.v.names.nicknames[native(n.first)];
  if (nick && rng.chance(0.3)) preferred = rng.pick(nick);
  else if (pt.group.adoptedEnglishName && pt.ageNow >= 8 && rng.chance(pt.group.adoptedEnglishName)) preferred = rng.pick(pt.v.names.adoptedEnglishNames[pt.gender]);
  else if (pt.group.callByLastGiven && rng.chance(pt.group.callByLastGiven)) preferred = n.given.split(' ').pop() ?? null;
  else if (rng.chance(0.015)) preferred = rng.pick(pt.v.names.adoptedEnglishNames[pt.gender]);
  if (preferred === n.given) preferred = null;
  return {
    given: n.given.normalize('NFC'), givenLatin: n.givenLatin, family: native(n.family).normalize('NFC'), familyLatin: latin(n.family),
    preferred: preferred?.normalize('NFC') ?? null,
  };
}
