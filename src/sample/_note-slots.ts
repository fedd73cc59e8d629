/** The values a visit note's {slots} are filled with: pronouns, ages, medications, latest lab values, last visit. */
import { isoDate } from './_calendar.js';
import type { LabResult, MedState, PatientDraft, ProblemState } from './_patient-draft.js';
import type { ReasonDef } from './_vocabulary.js';
import { joinList, lowerFirst, upperFirst } from './_words.js';

/** Values for a note's {slots}: those set by the visit, the rest computed on first use (and then kept). */
export class Slots {
  private readonly values = new Map<string, string | null>();
  constructor(private readonly compute: (name: string) => string | undefined) {}
  set(name: string, value: string): void { this.values.set(name, value); }
  get(name: string): string | undefined {
    let v = this.values.get(name);
    if (v === undefined) {
      v = this.compute(name) ?? null;
      this.values.set(name, v);
    }
    return v ?? undefined;
  }
  has(name: string): boolean { return this.get(name) !== undefined; }
}
/** What a visit's computed slots are drawn from. */
export interface SlotContext {
  reason: ReasonDef; day: number; labs: LabResult[];
  /** The problem followed up (the visit's reason). */
  followed: ProblemState | null;
  /** The problem the note is about: the followed one or the one the visit added. */
  problem: ProblemState | null;
  /** The medication the note talks about, once chosen (null: none). */
  med?: MedState | null;
}

function relevantMed(pt: PatientDraft, reason: ReasonDef, problem: ProblemState | null, day: number): MedState | null {
  const active = pt.meds.filter((m) => m.startDay <= day && (m.endDay === null || day < m.endDay));
  let pool = problem ? active.filter((m) => m.problem === problem) : [];
  if (!pool.length && reason.needsMeds) pool = active.filter((m) => !m.drug.otc);
  return pool.length ? pt.rng.pick(pool) : null;
}

/** A computed note slot (see encounters.json; one case per slot name); undefined when the visit has no value for it. */
export function slotValue(pt: PatientDraft, name: string, c: SlotContext): string | undefined {
  const rng = pt.rng;
  const day = c.day;
  const fills = pt.v.enc.fills;
  const lab = (id: string, unit: string): string | undefined => {
    const r = pt.latest.get(id);
    return r && r.day <= day && r.num !== null ? `${r.value}${unit}` : undefined;
  };
  const med = (): MedState | null => {
    if (c.med === undefined) c.med = relevantMed(pt, c.reason, c.followed, day);
    return c.med;
  };
  switch (name) {
    case 'age_text': case 'person': case 'he': case 'his': case 'him': case 'He': case 'His': return personSlot(pt, name, day);
    case 'duration': return rng.pick(fills.duration);
    case 'side': return rng.pick(fills.side);
    case 'pain': return String(rng.int(3, 8));
    case 'days': return String(rng.int(2, 5));
    case 'followup': return rng.pick(c.reason.followup ?? fills.followup);
    case 'pct': return rng.pick(['10th', '25th', '50th', '50th', '75th', '90th']);
    case 'med': { const m = med(); return m ? `${lowerFirst(m.drug.name)} ${m.dose}` : undefined; }
    case 'med_name': { const m = med(); return m ? lowerFirst(m.drug.name) : undefined; }
    case 'med_any': {
      const any = pt.meds.filter((m) => !m.drug.otc && m.startDay <= day && (m.endDay === null || day < m.endDay));
      return any.length ? lowerFirst(rng.pick(any).drug.name) : undefined;
    }
    case 'a1c': return lab('a1c', '%');
    case 'ldl': return lab('ldl', ' mg/dL');
    case 'tsh': return lab('tsh', ' uIU/mL');
    case 'inr': return lab('inr', '');
    case 'egfr': return lab('egfr', '');
    case 'problem': return c.problem?.description;
    case 'symptoms': {
      const list = c.reason.symptoms;
      return list ? joinList(rng.sample(list, rng.int(2, Math.min(4, list.length)))) : undefined;
    }
    case 'pharmacy': return pt.pharmacy?.name;
    case 'allergies':
      return pt.allergyStatus === 'none' ? 'no known drug allergies'
        : pt.allergyStatus === 'listed' ? pt.allergies.map((a) => lowerFirst(a.substance)).join(', ') : undefined;
    case 'strep': {
      const strep = c.labs.find((l) => l.id === 'strep');
      return strep ? lowerFirst(strep.value) : undefined;
    }
    case 'interpreter': {
      const langName = pt.language && pt.language !== 'en' ? pt.v.names.languageNames[pt.language] : undefined;
      return langName && rng.chance(0.7) ? `Visit conducted with ${langName} interpreter (ID ${rng.int(100000, 999999)}).` : undefined;
    }
    case 'last_visit': {
      for (let i = pt.encounters.length - 1; i >= 0; i--) {
        const e = pt.encounters[i]!;
        if (e.day < day && e.kind !== 'phone' && e.kind !== 'portal') return isoDate(e.day);
      }
      return undefined;
    }
    default: return undefined;
  }
}

/** How the note names the patient: age ("3-month-old"), person ("girl", "man") and pronouns by sex. */
function personSlot(pt: PatientDraft, name: string, day: number): string {
  const age = pt.ageAt(day);
  const female = pt.sex === 'female';
  const male = pt.sex === 'male';
  switch (name) {
    case 'age_text': {
      const days = day - pt.birthDay;
      if (days < 31) return `${Math.max(1, days)}-day-old`;
      if (age < 2) return `${Math.max(1, Math.floor(days / 30.44))}-month-old`;
      return `${Math.floor(age)}-year-old`;
    }
    case 'person': return age < 1 ? 'infant' : age < 13 ? (female ? 'girl' : male ? 'boy' : 'child') : age < 18 ? 'adolescent' : female ? 'woman' : male ? 'man' : 'patient';
    case 'he': return female ? 'she' : male ? 'he' : 'they';
    case 'his': return female ? 'her' : male ? 'his' : 'their';
    case 'him': return female ? 'her' : male ? 'him' : 'them';
    default: return upperFirst(personSlot(pt, name.toLowerCase(), day)); // He, His
  }
}
