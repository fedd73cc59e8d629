/** The shapes of samples/vocab/*.json and their loading (once, NFC), with the lookup tables built from them. */
import { readFileSync } from 'node:fs';
import type { Alert } from '../record/record.js';
import { WeightedTable } from './_random.js';

export type Pair<T> = readonly [T, number];
export type NameEntry = string | readonly [string, string];
export type FamilyEntry = NameEntry | { m: NameEntry; f: NameEntry };
export type GivenList = NameEntry[] | { old: NameEntry[]; mid: NameEntry[]; young: NameEntry[] };
export type Gender = 'female' | 'male';

export interface NameGroup {
  id: string; script: string; weight: number;
  languages: Pair<string | null>[];
  middleName?: number; hyphenatedFamily?: number; doubleFamily?: number;
  adoptedEnglishName?: number; callByLastGiven?: number;
  familyFirst?: boolean; nameSeparator?: string; womenKeepName?: boolean;
  given: Record<Gender, GivenList>;
  family: FamilyEntry[];
}
export interface NamesVocab {
  groups: NameGroup[];
  nicknames: Record<string, string[]>;
  adoptedEnglishNames: Record<Gender, string[]>;
  languageNames: Record<string, string>;
  emailDomains: string[];
}
export interface City { name: string; weight: number; zips: string[]; numbers: [number, number]; streets: string[] }
export interface PlacesVocab { region: string; country: string; areaCodes: Pair<string>[]; unitFormats: string[]; unitShare: number; cities: City[] }
export interface Hours { blocks: [string, string][]; providers: number; location?: string }
export interface Provider { name: string; role: string; panel: number; peds: boolean }
export interface Pharmacy { name: string; phone: string; address: string; weight: number }
export interface Payer { payer: string; kind: string; weight: number; plans: (string | null)[]; memberId: string | null; group: string | null }
export interface ClinicVocab {
  clinic: { name: string; address: string; phone: string; timezone: string };
  hours: { weekday: Hours; saturday: Hours; sunday: Hours };
  providers: Provider[];
  nurses: string[];
  outsidePrescribers: { name: string; problems: string[] }[];
  outsidePerformers: Record<string, string[]>;
  pharmacies: Pharmacy[];
  payers: Payer[];
  locations: Record<string, string[]>;
}
export interface Drug {
  name: string; doses: string[]; route: string; frequency: string; instructions: string;
  refills: [number, number]; ages: [number, number]; otc?: boolean; course?: number; sex?: Gender; since?: string;
}
export interface DrugsVocab { classes: Record<string, string[] | string>; drugs: Record<string, Drug> }
export interface ProblemDef {
  code: string; description: string; chronic: boolean;
  prev?: [number, number][]; sexFactor?: Partial<Record<Gender, number>>; sex?: Gender;
  variants?: [{ code: string; description: string }, number][];
  meds?: Pair<string>[]; medCount?: Pair<number>[]; firstMed?: string;
  panels?: Pair<string>[]; followupMonths?: number; reason?: string | null; resolves?: number; outside?: number;
  alsoLikely?: Pair<string>[]; excludes?: string[]; bmi?: [number, number]; bmiShare?: number; ageMin?: number; derived?: string;
}
export interface ProblemsVocab { codeSystem: string; problems: ProblemDef[] }
export type Severity = 'mild' | 'moderate' | 'severe';
export interface AllergyDef {
  substance: string; weight: number; ages: [number, number]; avoid?: string[];
  reactions: [string | null, Severity | null, number][]; resolves?: number; alert?: string; epinephrine?: boolean;
}
export interface AllergiesVocab { status: { byAge: [number, number, number, number][] }; countWeights: Pair<number>[]; allergies: AllergyDef[] }
export interface VaccineDef { cvx: string; name: string; short?: string; since?: string; until?: string; route?: string }
export interface ImmunizationsVocab {
  vaccines: Record<string, VaccineDef>;
  products: Record<string, string[] | string>;
  childhood: { vaccine: string; doses: number[]; jitter: number[]; coverage: number; maxAge?: number }[];
  sites: Record<string, string[]>;
  lotFormats: string[];
}
export interface Band { maxAge: number; sex?: Gender; low?: number | null; high?: number | null; mean?: number; sd?: number }
export interface VitalDef { code: string; name: string; unit: string; decimals: number; low: number | null; high: number | null; bands?: Band[]; minAge?: number }
export interface LabDef {
  code: string; name: string; unit: string | null; decimals: number; low: number | null; high: number | null;
  dist?: [number, number]; clamp?: [number, number]; minAge?: number; sex?: Gender; bands?: Band[];
  byProblem?: Record<string, [number, number]>;
  onMeds?: { drugs: string[]; shift?: number; mean?: number; sd?: number }[];
  derived?: string;
}
export type Flag = 'H' | 'L' | 'A' | null;
export interface QualDef {
  code: string; name: string; unit: string | null; reference: string;
  results: [string, Flag, number][]; byReason?: Record<string, [string, Flag, number][]>;
  since?: string; sex?: Gender; minAge?: number; maxAge?: number;
}
export interface ObservationsVocab {
  vitals: Record<string, VitalDef>;
  growth: {
    heightIn: Record<Gender, [number, number][]>; bmi: [number, number][];
    adultHeightIn: Record<Gender, [number, number]>; adultBmi: [number, number];
  };
  labs: Record<string, LabDef>;
  qualitative: Record<string, QualDef>;
  panels: Record<string, { label: string; tests: string[] }>;
}
export interface ProcedureDef {
  description: string; where: 'clinic' | 'outside'; performer?: string; sex?: Gender;
  ages?: [number, number]; p?: number; repeatYears?: number; problem?: string;
}
export interface ProceduresVocab { procedures: Record<string, ProcedureDef> }
export interface ReasonDef {
  id: string; labels: string[]; kinds: Pair<string>[];
  problems?: string[]; control?: string; exam?: string[]; followup?: string[];
  panels?: Pair<string>[]; procedures?: Pair<string>[]; meds?: (readonly [string, number, string?])[];
  adds?: Pair<string>[]; S?: string[]; O?: string[]; A?: string[]; P?: string[];
  acute?: boolean; admin?: boolean; preventive?: string; weight?: number; ages?: [number, number];
  sexWeights?: Partial<Record<string, number>>; requires?: string[]; requiresDrug?: string; since?: string;
  symptoms?: string[]; fever?: number; vitals?: string; nurse?: boolean; needsMeds?: boolean; needsLabs?: boolean;
}
export interface EncountersVocab {
  kinds: Record<string, string>;
  durations: Record<string, number>;
  fills: { duration: string[]; followup: string[]; side: string[] };
  exam: Record<string, string[]>;
  generic: { S: string[]; P: string[] };
  reasons: ReasonDef[];
}
export interface ChartVocab {
  alerts: { when: string; p: number; text: string; severity: Alert['severity'] }[];
  contacts: { adultRelations: Pair<string>[]; elderRelations: Pair<string>[]; childRelations: Pair<string>[]; shareWithout: number };
  codeStatus: { values: string[]; byAge: number[][] };
  advanceDirectives: { byAge: [number, number][]; texts: string[] };
}

const vocabCache = new Map<string, unknown>();

/** Reads samples/vocab/NAME.json once (from src/sample and dist/sample alike), every string NFC. */
function loadVocab<T>(name: string): T {
  let v = vocabCache.get(name);
  if (v === undefined) {
    const text = readFileSync(new URL(`../../samples/vocab/${name}.json`, import.meta.url), 'utf8');
    v = nfcDeep(JSON.parse(text));
    vocabCache.set(name, v);
  }
  return v as T;
}

function nfcDeep(x: unknown): unknown {
  if (typeof x === 'string') return x.normalize('NFC');
  if (Array.isArray(x)) return x.map(nfcDeep);
  if (x !== null && typeof x === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, val] of Object.entries(x)) out[k.normalize('NFC')] = nfcDeep(val);
    return out;
  }
  return x;
}

export interface Vocab {
  names: NamesVocab; places: PlacesVocab; clinic: ClinicVocab; drugs: DrugsVocab; problems: ProblemsVocab;
  allergies: AllergiesVocab; imm: ImmunizationsVocab; obs: ObservationsVocab; procs: ProceduresVocab;
  enc: EncountersVocab; chart: ChartVocab;
  groupTable: WeightedTable<NameGroup>;
  cityTable: WeightedTable<City>;
  areaTable: WeightedTable<string>;
  pharmacyTable: WeightedTable<Pharmacy>;
  providerTable: WeightedTable<Provider>;
  pedsProviderTable: WeightedTable<Provider>;
  allergyTable: WeightedTable<AllergyDef>;
  drugClass: Map<string, string>;
  problemByCode: Map<string, ProblemDef>;
  reasonById: Map<string, ReasonDef>;
  acuteReasons: ReasonDef[];
  outsideProcedures: [string, ProcedureDef][];
}

let prepared: Vocab | undefined;

/** The vocabularies and the tables built from them, loaded on first use. */
export function vocab(): Vocab {
  if (prepared) return prepared;
  const names = loadVocab<NamesVocab>('names');
  const places = loadVocab<PlacesVocab>('places');
  const clinic = loadVocab<ClinicVocab>('clinic');
  const drugs = loadVocab<DrugsVocab>('drugs');
  const problems = loadVocab<ProblemsVocab>('problems');
  const allergies = loadVocab<AllergiesVocab>('allergies');
  const imm = loadVocab<ImmunizationsVocab>('immunizations');
  const obs = loadVocab<ObservationsVocab>('observations');
  const procs = loadVocab<ProceduresVocab>('procedures');
  const enc = loadVocab<EncountersVocab>('encounters');
  const chart = loadVocab<ChartVocab>('chart');
  const drugClass = new Map<string, string>();
  for (const [cls, ids] of Object.entries(drugs.classes)) {
    if (Array.isArray(ids)) for (const id of ids) drugClass.set(id, cls);
  }
  prepared = {
    names, places, clinic, drugs, problems, allergies, imm, obs, procs, enc, chart,
    groupTable: new WeightedTable(names.groups, names.groups.map((g) => g.weight)),
    cityTable: new WeightedTable(places.cities, places.cities.map((c) => c.weight)),
    areaTable: WeightedTable.of(places.areaCodes),
    pharmacyTable: new WeightedTable(clinic.pharmacies, clinic.pharmacies.map((p) => p.weight)),
    providerTable: new WeightedTable(clinic.providers, clinic.providers.map((p) => p.panel)),
    pedsProviderTable: new WeightedTable(clinic.providers.filter((p) => p.peds), clinic.providers.filter((p) => p.peds).map((p) => p.panel)),
    allergyTable: new WeightedTable(allergies.allergies, allergies.allergies.map((a) => a.weight)),
    drugClass,
    problemByCode: new Map(problems.problems.map((p) => [p.code, p])),
    reasonById: new Map(enc.reasons.map((r) => [r.id, r])),
    acuteReasons: enc.reasons.filter((r) => r.acute),
    outsideProcedures: Object.entries(procs.procedures).filter(([, d]) => d.where === 'outside'),
  };
  return prepared;
}

/** Linear interpolation in an [x, y] table (prevalence by age, growth curves); below the first x: 0 or the first y. */
export function interp(points: readonly (readonly [number, number])[], x: number, zeroBelow: boolean): number {
  const first = points[0];
  if (!first) return 0;
  if (x < first[0]) return zeroBelow ? 0 : first[1];
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!;
    const b = points[i]!;
    if (x < b[0]) return a[1] + ((b[1] - a[1]) * (x - a[0])) / (b[0] - a[0]);
  }
  return points[points.length - 1]![1];
}
