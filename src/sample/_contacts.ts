/** A patient's contacts (family, partner, friends): relation, name in the right tradition, phone. */
import type { Contact } from '../record/record.js';
import { phoneNumber } from './_identifiers.js';
import type { PatientDraft } from './_patient-draft.js';
import { fullName, native, personName } from './_people.js';
import type { Gender, NameEntry } from './_vocabulary.js';

/** Zero to two contacts by age; family names shared as the group's traditions share them. */
export function makeContacts(pt: PatientDraft, patientFamily: string): Contact[] {
  const rng = pt.rng;
  const chart = pt.v.chart.contacts;
  const age = pt.ageNow;
  const child = age < 18;
  const n = child ? (rng.chance(0.55) ? 2 : 1) : rng.chance(chart.shareWithout) ? 0 : rng.chance(0.3) ? 2 : 1;
  const relations = child ? chart.childRelations : age >= 70 ? chart.elderRelations : chart.adultRelations;
  const out: Contact[] = [];
  const used = new Set<string>();
  const femaleRel = /^(Wife|Mother|Daughter|Sister|Grandmother|Aunt|Niece)$/;
  const maleRel = /^(Husband|Father|Son|Brother|Nephew)$/;
  const area = pt.v.areaTable.pick(rng);
  // Who can be the contact at this age: no grown children before 40, no parents after 75.
  const fits = (rel: string): boolean => !((rel === 'Son' || rel === 'Daughter') && age < 40) && !((rel === 'Mother' || rel === 'Father') && !child && age > 75);
  const usable = relations.filter(([rel]) => fits(rel));
  for (let i = 0; i < n; i++) {
    let rel = rng.weightedPair(usable);
    if (used.has(rel) && (rel === 'Spouse' || rel === 'Mother' || rel === 'Father' || rel === 'Wife' || rel === 'Husband')) rel = child ? (rel === 'Mother' ? 'Father' : 'Mother') : 'Sister';
    used.add(rel);
    const gender: Gender = femaleRel.test(rel) ? 'female' : maleRel.test(rel) ? 'male'
      : rel === 'Spouse' ? (pt.gender === 'female' ? (rng.chance(0.95) ? 'male' : 'female') : (rng.chance(0.95) ? 'female' : 'male'))
        : rng.chance(0.5) ? 'female' : 'male';
    // Blood relatives share the patient's background; partners and friends often do not.
    const kin = /^(Daughter|Son|Sister|Brother|Mother|Father|Grandmother|Aunt|Niece|Nephew)$/.test(rel);
    const partner = /^(Spouse|Wife|Husband|Partner)$/.test(rel);
    const group = kin || rng.chance(partner ? 0.85 : 0.6) ? pt.group : pt.v.groupTable.pick(rng);
    // Family names: children mostly take the father's; in some traditions wives keep their own.
    let share = 0;
    if (group === pt.group) {
      const keeps = pt.group.womenKeepName === true;
      if (rel === 'Father') share = child ? 0.95 : 0.85;
      else if (rel === 'Brother' || rel === 'Sister') share = 0.8;
      else if (rel === 'Mother') share = keeps ? 0.05 : 0.7;
      else if (rel === 'Son' || rel === 'Daughter') share = pt.gender === 'male' ? 0.9 : keeps ? 0.05 : 0.65;
      else if (partner) share = keeps ? 0 : 0.6;
      else if (rel === 'Grandmother' || rel === 'Aunt' || rel === 'Niece' || rel === 'Nephew') share = 0.3;
    }
    let family: NameEntry | undefined;
    if (rng.chance(share)) {
      // Gendered surnames take the contact's own form.
      const entry = group.family.find((e) => typeof e === 'object' && !Array.isArray(e) && (native((e as { m: NameEntry }).m) === patientFamily || native((e as { f: NameEntry }).f) === patientFamily)) as { m: NameEntry; f: NameEntry } | undefined;
      family = entry ? (gender === 'female' ? entry.f : entry.m) : patientFamily;
    }
    const nm = personName(pt, group, gender, family);
    out.push({
      id: '', patient_id: pt.pid, name: fullName(group, nm.given, native(nm.family)).normalize('NFC'),
      relationship: rng.chance(0.97) ? rel : null,
      phone: rng.chance(0.95) ? phoneNumber(rng, rng.chance(0.7) ? area : pt.v.areaTable.pick(rng)) : null,
      is_emergency: i === 0 ? (rng.chance(0.93) ? 1 : 0) : rng.chance(0.4) ? 1 : 0,
      priority: i + 1,
      updated_at: pt.stampDay(rng.int(pt.joinDay, pt.clock.nowDay)),
    });
  }
  return out;
}
