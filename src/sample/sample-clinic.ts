/**
 * A deterministic synthetic clinic: realistic-looking patient records for
 * demos, tests and benchmarks, generated from the vocabularies in
 * samples/vocab/*.json and a seed. The same options always give the same
 * records (no clock, no Math.random: see _random.ts). Everybody in it is
 * invented; phone numbers use the 555-01xx block reserved for fiction and
 * e-mail addresses the example.* domains.
 */
import { existsSync, readFileSync } from 'node:fs';
import type {
  Alert, Allergy, Appointment, Contact, Coverage, Encounter, Immunization, Medication, Observation,
  Patient, PatientRecord, Problem, Procedure, Sex,
} from '../record/record.js';
import { createStore } from '../store/open-store.js';
import { writeMeta, writeRecords } from '../store/write-records.js';
import { backdateChanges } from '../store/patient-changes.js';
import { commitFile, removeOnInterrupt, removeStaleTemporaryFiles, removeWithJournals, temporaryPathBeside } from '../_temporary-file.js';
import { NotAStoreError } from '../errors.js';
import { Random, WeightedTable, hashSeed } from './_random.js';

export interface SampleClinicOptions {
  /** How many patients to generate. */
  patients: number;
  /** Any whole number; the same seed gives the same clinic. */
  seed: number;
  /** UTC instant 'YYYY-MM-DDTHH:MM:SSZ' that is "now" for the clinic. */
  asOf: string;
}

/** Patients written per transaction by writeSampleClinic. */
const BATCH = 500;
/** Years of visit history on the charts (the clinic's current records system went live then). */
const CHART_YEARS = 5;
/** Most visits a chart holds outside the ~5% long histories (which hold 40 to 80). */
const MAX_ENCOUNTERS = 11;
/** Well-child visit ages in days: newborn to 3 years, then yearly to 17. */
const WELL_CHILD_DAYS = [30, 61, 122, 183, 274, 365, 456, 548, 730, 913, 1095, ...Array.from({ length: 14 }, (_, i) => Math.round((i + 4) * 365.2425))];

// ---------------------------------------------------------------------------
// Vocabularies

type Pair<T> = readonly [T, number];
type NameEntry = string | readonly [string, string];
type FamilyEntry = NameEntry | { m: NameEntry; f: NameEntry };
type GivenList = NameEntry[] | { old: NameEntry[]; mid: NameEntry[]; young: NameEntry[] };
type Gender = 'female' | 'male';

interface NameGroup {
  id: string; script: string; weight: number;
  languages: Pair<string | null>[];
  middleName?: number; hyphenatedFamily?: number; doubleFamily?: number;
  adoptedEnglishName?: number; callByLastGiven?: number;
  familyFirst?: boolean; nameSeparator?: string; womenKeepName?: boolean;
  given: Record<Gender, GivenList>;
  family: FamilyEntry[];
}
interface NamesVocab {
  groups: NameGroup[];
  nicknames: Record<string, string[]>;
  adoptedEnglishNames: Record<Gender, string[]>;
  languageNames: Record<string, string>;
  emailDomains: string[];
}
interface City { name: string; weight: number; zips: string[]; numbers: [number, number]; streets: string[] }
interface PlacesVocab { region: string; country: string; areaCodes: Pair<string>[]; unitFormats: string[]; unitShare: number; cities: City[] }
interface Hours { blocks: [string, string][]; providers: number; location?: string }
interface Provider { name: string; role: string; panel: number; peds: boolean }
interface Pharmacy { name: string; phone: string; address: string; weight: number }
interface Payer { payer: string; kind: string; weight: number; plans: (string | null)[]; memberId: string | null; group: string | null }
interface ClinicVocab {
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
interface Drug {
  name: string; doses: string[]; route: string; frequency: string; instructions: string;
  refills: [number, number]; ages: [number, number]; otc?: boolean; course?: number; sex?: Gender; since?: string;
}
interface DrugsVocab { classes: Record<string, string[] | string>; drugs: Record<string, Drug> }
interface ProblemDef {
  code: string; description: string; chronic: boolean;
  prev?: [number, number][]; sexFactor?: Partial<Record<Gender, number>>; sex?: Gender;
  variants?: [{ code: string; description: string }, number][];
  meds?: Pair<string>[]; medCount?: Pair<number>[]; firstMed?: string;
  panels?: Pair<string>[]; followupMonths?: number; reason?: string | null; resolves?: number; outside?: number;
  alsoLikely?: Pair<string>[]; excludes?: string[]; bmi?: [number, number]; bmiShare?: number; ageMin?: number; derived?: string;
}
interface ProblemsVocab { codeSystem: string; problems: ProblemDef[] }
type Severity = 'mild' | 'moderate' | 'severe';
interface AllergyDef {
  substance: string; weight: number; ages: [number, number]; avoid?: string[];
  reactions: [string | null, Severity | null, number][]; resolves?: number; alert?: string; epinephrine?: boolean;
}
interface AllergiesVocab { status: { byAge: [number, number, number, number][] }; countWeights: Pair<number>[]; allergies: AllergyDef[] }
interface VaccineDef { cvx: string; name: string; short?: string; since?: string; until?: string; route?: string }
interface ImmunizationsVocab {
  vaccines: Record<string, VaccineDef>;
  products: Record<string, string[] | string>;
  childhood: { vaccine: string; doses: number[]; jitter: number[]; coverage: number; maxAge?: number }[];
  sites: Record<string, string[]>;
  lotFormats: string[];
}
interface Band { maxAge: number; sex?: Gender; low?: number | null; high?: number | null; mean?: number; sd?: number }
interface VitalDef { code: string; name: string; unit: string; decimals: number; low: number | null; high: number | null; bands?: Band[]; minAge?: number }
interface LabDef {
  code: string; name: string; unit: string | null; decimals: number; low: number | null; high: number | null;
  dist?: [number, number]; clamp?: [number, number]; minAge?: number; sex?: Gender; bands?: Band[];
  byProblem?: Record<string, [number, number]>;
  onMeds?: { drugs: string[]; shift?: number; mean?: number; sd?: number }[];
  derived?: string;
}
type Flag = 'H' | 'L' | 'A' | null;
interface QualDef {
  code: string; name: string; unit: string | null; reference: string;
  results: [string, Flag, number][]; byReason?: Record<string, [string, Flag, number][]>;
  since?: string; sex?: Gender; minAge?: number; maxAge?: number;
}
interface ObservationsVocab {
  vitals: Record<string, VitalDef>;
  growth: {
    heightIn: Record<Gender, [number, number][]>; bmi: [number, number][];
    adultHeightIn: Record<Gender, [number, number]>; adultBmi: [number, number];
  };
  labs: Record<string, LabDef>;
  qualitative: Record<string, QualDef>;
  panels: Record<string, { label: string; tests: string[] }>;
}
interface ProcedureDef {
  description: string; where: 'clinic' | 'outside'; performer?: string; sex?: Gender;
  ages?: [number, number]; p?: number; repeatYears?: number; problem?: string;
}
interface ProceduresVocab { procedures: Record<string, ProcedureDef> }
interface ReasonDef {
  id: string; labels: string[]; kinds: Pair<string>[];
  problems?: string[]; control?: string; exam?: string[]; followup?: string[];
  panels?: Pair<string>[]; procedures?: Pair<string>[]; meds?: (readonly [string, number, string?])[];
  adds?: Pair<string>[]; S?: string[]; O?: string[]; A?: string[]; P?: string[];
  acute?: boolean; admin?: boolean; preventive?: string; weight?: number; ages?: [number, number];
  sexWeights?: Partial<Record<string, number>>; requires?: string[]; requiresDrug?: string; since?: string;
  symptoms?: string[]; fever?: number; vitals?: string; nurse?: boolean; needsMeds?: boolean; needsLabs?: boolean;
}
interface EncountersVocab {
  kinds: Record<string, string>;
  durations: Record<string, number>;
  fills: { duration: string[]; followup: string[]; side: string[] };
  exam: Record<string, string[]>;
  generic: { S: string[]; P: string[] };
  reasons: ReasonDef[];
}
interface ChartVocab {
  alerts: { when: string; p: number; text: string; severity: Alert['severity'] }[];
  contacts: { adultRelations: Pair<string>[]; elderRelations: Pair<string>[]; childRelations: Pair<string>[]; shareWithout: number };
  codeStatus: { values: string[]; byAge: number[][] };
  advanceDirectives: { byAge: [number, number][]; texts: string[] };
}

const vocabCache = new Map<string, unknown>();

/** Reads samples/vocab/NAME.json once (from src/store and dist/store alike), every string NFC. */
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

interface Vocab {
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

function vocab(): Vocab {
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

// ---------------------------------------------------------------------------
// Dates: day numbers (days since 1970-01-01) and minutes of the day, local to the clinic.

const YEAR = 365.2425;

function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const mp = (m + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function civilFromDays(day: number): [number, number, number] {
  const z = day + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

const pad2 = (n: number): string => (n < 10 ? '0' : '') + n;
/** Formatted dates by day number, 1850 to 2199 (a plain array: this is on every row's path). */
const DATE_BASE = -44000;
const dateCache: (string | undefined)[] = new Array<string | undefined>(128000);

function isoDate(day: number): string {
  const i = day - DATE_BASE;
  let s = i >= 0 && i < dateCache.length ? dateCache[i] : undefined;
  if (s === undefined) {
    const [y, m, d] = civilFromDays(day);
    s = `${String(y).padStart(4, '0')}-${pad2(m)}-${pad2(d)}`;
    if (i >= 0 && i < dateCache.length) dateCache[i] = s;
  }
  return s;
}

const parsedDays = new Map<string, number>();

function parseDay(iso: string): number {
  let d = parsedDays.get(iso);
  if (d === undefined) {
    d = daysFromCivil(+iso.slice(0, 4), +iso.slice(5, 7), +iso.slice(8, 10));
    parsedDays.set(iso, d);
  }
  return d;
}

const localTime = (day: number, minute: number): string => `${isoDate(day)}T${pad2(Math.floor(minute / 60))}:${pad2(minute % 60)}`;
/** 0 = Sunday … 6 = Saturday. */
const weekday = (day: number): number => (((day + 4) % 7) + 7) % 7;
const hm = (s: string): number => +s.slice(0, 2) * 60 + +s.slice(3, 5);

interface Clock {
  /** The clinic's local date and minute of the day at asOf. */
  nowDay: number;
  nowMin: number;
  /** Local wall time minus UTC, in minutes. */
  offsetMin: number;
  /** asOf in seconds since the epoch. */
  nowSec: number;
}

const UTC_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/;

function makeClock(asOf: string, timeZone: string): Clock {
  const m = UTC_RE.exec(asOf);
  if (!m) throw new RangeError(`asOf must be a UTC instant YYYY-MM-DDTHH:MM:SSZ, got ${JSON.stringify(asOf)}`);
  const ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  if (new Date(ms).toISOString().slice(0, 19) + 'Z' !== asOf) throw new RangeError(`asOf is not a real time: ${asOf}`);
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
  }).formatToParts(new Date(ms));
  const get = (t: string): number => Number(parts.find((p) => p.type === t)?.value);
  const nowDay = daysFromCivil(get('year'), get('month'), get('day'));
  const nowMin = get('hour') * 60 + get('minute');
  const offsetMin = nowDay * 1440 + nowMin - Math.floor(ms / 60000);
  return { nowDay, nowMin, offsetMin, nowSec: Math.floor(ms / 1000) };
}

/** A row change time: the local event time plus a delay, as UTC, never after asOf. */
function stampAt(clock: Clock, rng: Random, day: number, minute: number, delayMin: number): string {
  let sec = (day * 1440 + minute - clock.offsetMin + delayMin) * 60 + rng.int(0, 59);
  if (sec > clock.nowSec) sec = clock.nowSec;
  const d = Math.floor(sec / 86400);
  const r = sec - d * 86400;
  return `${isoDate(d)}T${pad2(Math.floor(r / 3600))}:${pad2(Math.floor(r / 60) % 60)}:${pad2(r % 60)}Z`;
}

// ---------------------------------------------------------------------------
// Small helpers

function interp(points: readonly (readonly [number, number])[], x: number, zeroBelow: boolean): number {
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

const native = (e: NameEntry): string => (typeof e === 'string' ? e : e[0]);

/** ASCII letters for e-mail addresses: diacritics folded, other letters transliterated. */
function asciiFold(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '')
    .replace(/[đĐ]/g, 'd').replace(/[łŁ]/g, 'l').replace(/ı/g, 'i').replace(/ß/g, 'ss')
    .replace(/[øØ]/g, 'o').replace(/[æÆ]/g, 'ae').replace(/[œŒ]/g, 'oe');
}

const latin = (e: NameEntry): string => (typeof e === 'string' ? asciiFold(e) : e[1]);

function upperFirst(s: string): string {
  const c = s.charCodeAt(0);
  if (!(c >= 97 && c <= 122) && c < 128) return s; // empty, or not a lower-case ASCII letter
  return s.charAt(0).toUpperCase() + s.slice(1);
}
/** Lower-cases the first letter unless the word is an acronym (COPD, GERD, ADHD). */
function lowerFirst(s: string): string {
  if (s.length > 1 && s.charAt(1) === s.charAt(1).toUpperCase() && /[A-Z]/.test(s.charAt(1))) return s;
  return s.charAt(0).toLowerCase() + s.slice(1);
}

function joinList(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

const MBI_LETTERS = 'ACDEFGHJKMNPQRTUVWXY';
const ALNUM = MBI_LETTERS + '0123456789';

/** Fills a pattern: L letter, # digit, N digit 1-9, * letter or digit; anything else is kept. */
function fillPattern(rng: Random, pattern: string): string {
  let out = '';
  for (const ch of pattern) {
    if (ch === 'L') out += MBI_LETTERS.charAt(rng.int(0, MBI_LETTERS.length - 1));
    else if (ch === '#') out += String(rng.int(0, 9));
    else if (ch === 'N') out += String(rng.int(1, 9));
    else if (ch === '*') out += ALNUM.charAt(rng.int(0, ALNUM.length - 1));
    else out += ch;
  }
  return out;
}

const phoneNumber = (rng: Random, area: string): string => `(${area}) 555-01${pad2(rng.int(0, 99))}`;

function childId(pid: string, tag: string, n: number, width: number): string {
  return `${pid}-${tag}-${String(n).padStart(width, '0')}`;
}

/** Assigns ids in the order of `key`, so a record's rows read in date order when sorted by id. */
function numberRows<T extends { id: string }>(rows: T[], pid: string, tag: string, key: (r: T) => string): T[] {
  let sorted = true;
  for (let i = 1; i < rows.length && sorted; i++) if (key(rows[i - 1]!) > key(rows[i]!)) sorted = false;
  const ordered = sorted ? rows : rows
    .map((r, i) => ({ r, k: key(r), i }))
    .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : a.i - b.i))
    .map((x) => x.r);
  const width = Math.max(3, String(rows.length).length);
  for (let i = 0; i < ordered.length; i++) ordered[i]!.id = childId(pid, tag, i + 1, width);
  return ordered;
}

// ---------------------------------------------------------------------------
// Appointment book shared by all patients of one generated clinic

interface Booking { day: number; minute: number; provider: string | null }

class Scheduler {
  private readonly taken = new Map<string, Uint8Array>();
  /** Appointments asked for on each of the next NEAR_DAYS days (a full day spills to the next). */
  private readonly nearDemand: number[];
  private readonly nearWeights: number[];
  private forcedNear = 0;
  static readonly NEAR_DAYS = 15;
  static readonly MIN_PER_DAY = 3;

  constructor(private readonly rng: Random, private readonly clock: Clock, private readonly v: Vocab) {
    this.nearDemand = new Array<number>(Scheduler.NEAR_DAYS).fill(0);
    this.nearWeights = [];
    for (let i = 0; i < Scheduler.NEAR_DAYS; i++) {
      const wd = weekday(clock.nowDay + i);
      this.nearWeights.push(wd === 0 ? 0.3 : wd === 6 ? 0.5 : 1);
    }
  }

  /**
   * Day of an upcoming appointment. The first ones give every open day of the
   * next NEAR_DAYS at least MIN_PER_DAY, then fill those days in proportion to
   * their hours; the rest spread over the next four months. Nurse and lab
   * visits are on weekdays only.
   */
  upcomingDay(lane: 'provider' | 'nurse' | 'lab'): number {
    const now = this.clock.nowDay;
    if (this.forcedNear < 60 || this.rng.chance(0.42)) {
      this.forcedNear++;
      let best = 0;
      let bestScore = Infinity;
      for (let i = 0; i < Scheduler.NEAR_DAYS; i++) {
        const wd = weekday(now + i);
        if (lane !== 'provider' && (wd === 0 || wd === 6)) continue;
        const demand = this.nearDemand[i]!;
        const score = (demand < Scheduler.MIN_PER_DAY ? demand - 1000 : (demand + 1) / this.nearWeights[i]!) + this.rng.next() * 1e-6;
        if (score < bestScore) { bestScore = score; best = i; }
      }
      this.nearDemand[best]!++;
      return now + best;
    }
    let day = now + this.rng.int(Scheduler.NEAR_DAYS, 120);
    const wd = weekday(day);
    if (wd === 0) day += 1; else if (wd === 6) day += lane === 'provider' && this.rng.chance(0.3) ? 0 : 2;
    return day;
  }

  hours(day: number): Hours {
    const wd = weekday(day);
    return wd === 0 ? this.v.clinic.hours.sunday : wd === 6 ? this.v.clinic.hours.saturday : this.v.clinic.hours.weekday;
  }

  /** Providers seeing patients that day (a weekend rota rotating by week). */
  providersOn(day: number): string[] {
    const all = this.v.clinic.providers.map((p) => p.name);
    const h = this.hours(day);
    if (h.providers >= all.length) return all;
    const week = Math.floor((day + 4) / 7);
    const out: string[] = [];
    for (let i = 0; i < h.providers; i++) out.push(all[(week * h.providers + i + (weekday(day) === 0 ? 3 : 0)) % all.length]!);
    return out;
  }

  /** Books a free slot for `minutes` with the provider (or another one working that day). */
  book(startDay: number, preferred: string | null, minutes: number, lane: 'provider' | 'nurse' | 'lab', status: Appointment['status']): Booking {
    const need = Math.max(1, Math.ceil(minutes / 15));
    for (let tries = 0; tries < 60; tries++) {
      const day = startDay + tries;
      const blocks = this.hours(day).blocks.map(([a, b]) => [hm(a), hm(b)] as const);
      let people: (string | null)[];
      if (lane === 'nurse') people = weekday(day) === 0 || weekday(day) === 6 ? [] : this.v.clinic.nurses;
      else if (lane === 'lab') people = weekday(day) === 0 ? [] : [null];
      else {
        const on = this.providersOn(day);
        people = preferred && on.includes(preferred) && this.rng.chance(0.85) ? [preferred, ...this.rng.shuffle(on.filter((p) => p !== preferred))] : this.rng.shuffle(on.slice());
      }
      for (const person of people) {
        const key = `${day}|${person ?? 'LAB'}`;
        let slots = this.taken.get(key);
        if (!slots) { slots = new Uint8Array(96); this.taken.set(key, slots); }
        const free: number[] = [];
        for (const [a, b] of blocks) {
          for (let s = a / 15; s + need <= b / 15; s++) {
            let ok = true;
            // The lab draws up to three people at once; a provider sees one.
            const cap = lane === 'lab' ? 3 : 1;
            for (let k = 0; k < need; k++) if (slots[s + k]! >= cap) { ok = false; break; }
            if (ok) free.push(s);
          }
        }
        if (free.length === 0) continue;
        const s = this.rng.pick(free);
        if (status === 'booked') for (let k = 0; k < need; k++) slots[s + k]!++;
        return { day, minute: s * 15, provider: person };
      }
    }
    // Everything full for two months: double-book on the first day.
    const [a] = this.hours(startDay).blocks[0]!;
    return { day: startDay, minute: hm(a) + 15 * this.rng.int(0, 7), provider: preferred };
  }
}

// ---------------------------------------------------------------------------
// One patient

interface ProblemState { def: ProblemDef; code: string | null; description: string; onsetDay: number; resolvedDay: number | null; showOnset: boolean }
interface MedState {
  drugId: string; drug: Drug; dose: string; startDay: number; endDay: number | null; status: Medication['status'];
  problem: ProblemState | null; prescriber: string | null;
}
interface LabResult { id: string; label: string; value: string; num: number | null; unit: string | null; flag: Flag; day: number }
interface Skeleton { day: number; minute: number; kind: string; reason: ReasonDef; problem: ProblemState | null; extra?: Record<string, string> }
interface EncOut { enc: Encounter; kind: string; reason: ReasonDef; day: number; minute: number; labs: LabResult[]; duration: number }

interface Ctx { v: Vocab; clock: Clock; scheduler: Scheduler }
/** Values for a note's {slots}: those set by the visit, the rest computed on first use (and then kept). */
class Slots {
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
interface SlotContext {
  reason: ReasonDef; day: number; labs: LabResult[];
  /** The problem followed up (the visit's reason). */
  followed: ProblemState | null;
  /** The problem the note is about: the followed one or the one the visit added. */
  problem: ProblemState | null;
  /** The medication the note talks about, once chosen (null: none). */
  med?: MedState | null;
}
/** The vitals line of a note: slot, label, unit. */
const VITALS_LINE: readonly (readonly [string, string, string])[] = [
  ['bp', 'BP', ''], ['hr', 'HR', ''], ['rr', 'RR', ''], ['temp', 'T', ' °F'], ['spo2', 'SpO2', '% on room air'], ['weight', 'Wt', ' lb'], ['bmi', 'BMI', ''],
];
const REMOTE_KINDS = new Set(['phone', 'portal', 'telehealth']);
const RESPIRATORY_REASONS = new Set(['uri', 'bronchitis', 'covid', 'asthma', 'copd', 'asthma_exac', 'copd_exac', 'pharyngitis', 'sinusitis', 'fever_child', 'otitis']);
interface PatientNames { given: string; givenLatin: string; family: string; familyLatin: string; preferred: string | null }

class PatientBuilder {
  readonly rng: Random;
  readonly v: Vocab;
  readonly clock: Clock;
  readonly pid: string;
  // demographics
  birthDay = 0;
  sex: Sex = 'unknown';
  gender: Gender = 'female';
  group!: NameGroup;
  language: string | null = null;
  long = false;
  joinDay = 0;
  /** First day of visit history on the chart. */
  chartFrom = 0;
  primary: string | null = null;
  pharmacy: Pharmacy | null = null;
  // clinical state
  problems: ProblemState[] = [];
  meds: MedState[] = [];
  allergies: Allergy[] = [];
  avoid = new Set<string>();
  epinephrineAllergy = false;
  // body model
  heightZ = 0;
  bmiAdult = 26;
  bmiTrend = 0;
  sbpZ = 0;
  hrZ = 0;
  fluPropensity = 0.5;
  labZ = new Map<string, number>();
  latest = new Map<string, LabResult>();
  lastWeight: number | null = null;
  // rows
  observations: Observation[] = [];
  procedures: Procedure[] = [];
  immunizations: Immunization[] = [];
  encounters: EncOut[] = [];

  constructor(readonly ctx: Ctx, readonly index: number, seed: number) {
    this.v = ctx.v;
    this.clock = ctx.clock;
    this.rng = new Random(hashSeed(seed, index, 'patient'));
    this.pid = `P${String(index + 1).padStart(6, '0')}`;
  }

  ageAt(day: number): number { return (day - this.birthDay) / YEAR; }
  get ageNow(): number { return this.ageAt(this.clock.nowDay); }
  dayAtAge(years: number): number { return this.birthDay + Math.round(years * YEAR); }
  stamp(day: number, minute: number, delay: number): string { return stampAt(this.clock, this.rng, day, minute, delay); }
  stampDay(day: number): string {
    const minute = day >= this.clock.nowDay ? this.rng.int(0, this.clock.nowMin) : this.rng.int(420, 1200);
    return this.stamp(Math.min(day, this.clock.nowDay), minute, 0);
  }
  hasProblem(code: string, day = this.clock.nowDay): boolean {
    return this.problems.some((p) => p.def.code === code && p.onsetDay <= day && (p.resolvedDay === null || day <= p.resolvedDay));
  }
  activeMeds(day: number): MedState[] {
    return this.meds.filter((m) => m.startDay <= day && (m.endDay === null || day < m.endDay));
  }
  onDrug(ids: readonly string[], day: number): boolean {
    return this.meds.some((m) => ids.includes(m.drugId) && m.startDay <= day && (m.endDay === null || day < m.endDay));
  }

  build(): PatientRecord {
    this.demographics();
    const patientNames = this.names();
    this.chooseProblems();
    this.chooseAllergies();
    this.bodyModel();
    this.chooseMeds();
    this.chooseImmunizations();
    this.outsideProcedures();
    this.makeEncounters();
    const contacts = this.makeContacts(patientNames.family);
    const coverages = this.makeCoverages();
    const patient = this.makePatient(patientNames, contacts);
    const alerts = this.makeAlerts(patient);
    const appointments = this.makeAppointments();
    const pid = this.pid;
    return {
      patient,
      alerts: alerts.map((a, i) => ({ ...a, id: childId(pid, 'ALR', i + 1, 3) })),
      allergies: numberRows(this.allergies, pid, 'ALG', (r) => r.recorded_on ?? ''),
      medications: numberRows(this.medicationRows(), pid, 'MED', (r) => r.start_date ?? ''),
      problems: numberRows(this.problemRows(), pid, 'PRB', (r) => r.onset_date ?? ''),
      contacts: contacts.map((c, i) => ({ ...c, id: childId(pid, 'CON', i + 1, 3) })),
      coverages: coverages.map((c, i) => ({ ...c, id: childId(pid, 'COV', i + 1, 3) })),
      immunizations: numberRows(this.immunizations, pid, 'IMM', (r) => r.given_on),
      observations: numberRows(this.observations, pid, 'OBS', (r) => r.effective_at),
      procedures: numberRows(this.procedures, pid, 'PRC', (r) => r.performed_on),
      encounters: numberRows(this.encounters.map((e) => e.enc), pid, 'ENC', (r) => r.occurred_at),
      appointments: numberRows(appointments, pid, 'APT', (r) => r.starts_at),
    };
  }

  // --- who ---------------------------------------------------------------

  private demographics(): void {
    const rng = this.rng;
    this.long = rng.chance(0.05);
    const bands: [number, number, number][] = this.long
      ? [[40, 50, 15], [50, 65, 35], [65, 80, 35], [80, 95, 15]]
      : [[0, 1 / 12, 0.4], [1 / 12, 1, 1.8], [1, 5, 4.5], [5, 18, 14], [18, 35, 20], [35, 50, 19], [50, 65, 20], [65, 80, 14.5], [80, 95, 5], [95, 106, 0.8]];
    const [lo, hi] = rng.weighted(bands, bands.map((b) => b[2]));
    const ageDays = Math.floor(rng.real(lo, hi) * YEAR);
    this.birthDay = this.clock.nowDay - ageDays;
    const x = rng.next();
    this.sex = x < 0.51 ? 'female' : x < 0.995 ? 'male' : x < 0.998 ? 'other' : 'unknown';
    this.gender = this.sex === 'female' || this.sex === 'male' ? this.sex : rng.chance(0.5) ? 'female' : 'male';
    this.group = this.v.groupTable.pick(rng);
    this.language = rng.weightedPair(this.group.languages);
    // When the patient first came to the clinic.
    const age = this.ageNow;
    const maxYears = Math.min(age, 16);
    let years: number;
    if (this.long) years = rng.real(Math.min(9, maxYears), maxYears);
    else if (age < 2 && rng.chance(0.7)) years = age; // born into the practice
    else years = rng.real(0, maxYears);
    this.joinDay = Math.max(this.birthDay, this.clock.nowDay - Math.round(years * YEAR));
    this.chartFrom = Math.max(this.joinDay, this.clock.nowDay - Math.round(CHART_YEARS * YEAR));
    const table = age < 18 ? this.v.pedsProviderTable : this.v.providerTable;
    this.primary = rng.chance(0.95) ? table.pick(rng).name : null;
    this.pharmacy = rng.chance(0.88) ? this.v.pharmacyTable.pick(rng) : null;
  }

  private givenFrom(list: GivenList): NameEntry {
    if (Array.isArray(list)) return this.rng.pick(list);
    const [y] = civilFromDays(this.birthDay);
    const era = y < 1960 ? list.old : y < 1995 ? list.mid : list.young;
    // A few people carry a name from the neighbouring generation.
    if (this.rng.chance(0.12)) return this.rng.pick(this.rng.pick([list.old, list.mid, list.young]));
    return this.rng.pick(era);
  }

  private familyFrom(group: NameGroup, gender: Gender): NameEntry {
    const e = this.rng.pick(group.family);
    if (typeof e === 'string' || Array.isArray(e)) return e as NameEntry;
    const gendered = e as { m: NameEntry; f: NameEntry };
    return gender === 'female' ? gendered.f : gendered.m;
  }

  /** A person's name in the group's conventions. */
  personName(group: NameGroup, gender: Gender, family?: NameEntry): { given: string; givenLatin: string; first: NameEntry; family: NameEntry } {
    const first = this.givenFrom(group.given[gender]);
    let given = native(first);
    let givenLatin = latin(first);
    if (group.middleName && this.rng.chance(group.middleName)) {
      const mid = this.givenFrom(group.given[gender]);
      if (native(mid) !== given) { given += ' ' + native(mid); givenLatin += ' ' + latin(mid); }
    }
    let fam = family ?? this.familyFrom(group, gender);
    if (!family) {
      if (group.doubleFamily && this.rng.chance(group.doubleFamily)) {
        const second = this.familyFrom(group, gender);
        if (native(second) !== native(fam)) fam = [`${native(fam)} ${native(second)}`, `${latin(fam)} ${latin(second)}`];
      } else if (group.hyphenatedFamily && this.rng.chance(group.hyphenatedFamily)) {
        const second = this.familyFrom(group, gender);
        if (native(second) !== native(fam)) fam = [`${native(fam)}-${native(second)}`, `${latin(fam)}-${latin(second)}`];
      }
    }
    return { given, givenLatin, first, family: fam };
  }

  fullName(group: NameGroup, given: string, family: string): string {
    if (group.familyFirst) return `${family}${group.nameSeparator ?? ' '}${given}`;
    return `${given} ${family}`;
  }

  private names(): PatientNames {
    const rng = this.rng;
    const n = this.personName(this.group, this.gender);
    let preferred: string | null = null;
    const nick = this.v.names.nicknames[native(n.first)];
    if (nick && rng.chance(0.3)) preferred = rng.pick(nick);
    else if (this.group.adoptedEnglishName && this.ageNow >= 8 && rng.chance(this.group.adoptedEnglishName)) preferred = rng.pick(this.v.names.adoptedEnglishNames[this.gender]);
    else if (this.group.callByLastGiven && rng.chance(this.group.callByLastGiven)) preferred = n.given.split(' ').pop() ?? null;
    else if (rng.chance(0.015)) preferred = rng.pick(this.v.names.adoptedEnglishNames[this.gender]);
    if (preferred === n.given) preferred = null;
    return {
      given: n.given.normalize('NFC'), givenLatin: n.givenLatin, family: native(n.family).normalize('NFC'), familyLatin: latin(n.family),
      preferred: preferred?.normalize('NFC') ?? null,
    };
  }

  // --- problems, allergies, body, medications ------------------------------

  private addProblem(def: ProblemDef, onsetDay: number, resolvedDay: number | null): ProblemState {
    let code: string | null = def.code;
    let description = def.description;
    if (def.variants && def.variants.length) {
      const rest = 1 - def.variants.reduce((s, v) => s + v[1], 0);
      const pick = this.rng.weighted<{ code: string; description: string } | null>([null, ...def.variants.map((v) => v[0])], [rest, ...def.variants.map((v) => v[1])]);
      if (pick) { code = pick.code; description = pick.description; }
    }
    // Entries carried over from an old system without a code.
    if (this.rng.chance(0.015)) code = null;
    const state: ProblemState = { def, code, description, onsetDay, resolvedDay, showOnset: !(onsetDay < this.joinDay && this.rng.chance(0.12)) };
    this.problems.push(state);
    return state;
  }

  private onsetFor(def: ProblemDef): number {
    const age = this.ageNow;
    const first = def.prev?.find((p) => p[1] > 0)?.[0] ?? def.ageMin ?? 0;
    const lo = Math.max(first, age - 25, 0);
    const onsetAge = lo >= age ? age : this.rng.real(lo, age);
    return Math.min(this.clock.nowDay, Math.max(this.birthDay, this.dayAtAge(onsetAge)));
  }

  private chooseProblems(): void {
    const rng = this.rng;
    const age = this.ageNow;
    const chosen = new Set<string>();
    const take = (def: ProblemDef): void => {
      if (chosen.has(def.code)) return;
      if (def.excludes?.some((c) => chosen.has(c))) return;
      chosen.add(def.code);
      const onset = this.onsetFor(def);
      let resolved: number | null = null;
      if (def.resolves && rng.chance(def.resolves) && onset < this.clock.nowDay - 60) {
        resolved = Math.min(this.clock.nowDay - 1, onset + rng.int(60, Math.max(61, this.clock.nowDay - onset)));
      }
      this.addProblem(def, onset, resolved);
    };
    for (const def of this.v.problems.problems) {
      if (!def.chronic || !def.prev) continue;
      if (def.sex && def.sex !== this.sex) continue;
      let p = interp(def.prev, age, true);
      const f = def.sexFactor?.[this.gender];
      if (f !== undefined) p *= f;
      if (this.long) p = Math.min(0.9, p * 1.8);
      if (rng.chance(p)) take(def);
    }
    for (const code of [...chosen]) {
      for (const [other, p] of this.v.problemByCode.get(code)?.alsoLikely ?? []) {
        const def = this.v.problemByCode.get(other);
        if (def && rng.chance(p)) take(def);
      }
    }
    if (this.long) {
      // Long histories belong to people with chronic conditions to follow.
      const common = ['I10', 'E78.5', 'E11.9', 'K21.9', 'F41.1', 'M54.50', 'E03.9', 'J45.909', 'M17.0', 'F32.9'];
      let guard = 0;
      while (this.problems.filter((p) => p.def.reason && p.resolvedDay === null).length < 2 && guard++ < 20) {
        const def = this.v.problemByCode.get(rng.pick(common));
        if (def && !(def.sex && def.sex !== this.sex)) take(def);
      }
    }
  }

  private chooseAllergies(): void {
    const rng = this.rng;
    const v = this.v.allergies;
    const age = this.ageNow;
    let band = v.status.byAge[0]!;
    for (const b of v.status.byAge) if (age >= b[0]) band = b;
    const status = rng.weighted(['unknown', 'none', 'listed'] as const, [band[1], band[2], band[3]]);
    if (status !== 'listed') { this.allergyStatus = status; return; }
    const n = rng.weightedPair(v.countWeights);
    const picked = new Set<AllergyDef>();
    for (let tries = 0; picked.size < n && tries < 30; tries++) {
      const a = this.v.allergyTable.pick(rng);
      if (age >= a.ages[0]) picked.add(a);
    }
    if (picked.size === 0) { this.allergyStatus = 'none'; return; }
    this.allergyStatus = 'listed';
    for (const a of picked) {
      const [reaction, severity] = rng.weighted(a.reactions, a.reactions.map((r) => r[2]));
      const from = Math.max(this.birthDay + Math.round(a.ages[0] * YEAR), this.joinDay - Math.round(5 * YEAR), this.birthDay);
      const day = rng.int(Math.min(from, this.clock.nowDay), this.clock.nowDay);
      let status: Allergy['status'] = 'active';
      if (a.resolves && age > a.ages[1] && rng.chance(a.resolves)) status = 'resolved';
      else if (rng.chance(0.03)) status = 'inactive';
      if (status === 'active') {
        for (const d of a.avoid ?? []) this.avoid.add(d);
        if (a.epinephrine && severity === 'severe') this.epinephrineAllergy = true;
        if (a.substance === 'Latex') this.latexAllergy = true;
      }
      this.allergies.push({
        id: '', patient_id: this.pid, substance: a.substance, reaction, severity, status,
        recorded_on: rng.chance(0.9) ? isoDate(day) : null,
        updated_at: this.stampDay(day),
      });
    }
  }
  allergyStatus: Patient['allergy_status'] = 'unknown';
  latexAllergy = false;

  private bodyModel(): void {
    const rng = this.rng;
    const g = this.v.obs.growth;
    this.heightZ = rng.gaussian(0, 1);
    const [bm, bsd] = g.adultBmi;
    this.bmiAdult = rng.gaussianIn(bm, bsd, 16.5, 62);
    this.bmiTrend = rng.gaussian(0, 0.22);
    this.sbpZ = rng.gaussian(0, 1);
    this.hrZ = rng.gaussian(0, 0.7);
    this.fluPropensity = rng.next();
    // Weight-related problems follow the patient's BMI.
    for (const def of this.v.problems.problems) {
      if (!def.bmi || this.ageNow < (def.ageMin ?? 18)) continue;
      const bmi = this.bmiAt(this.clock.nowDay);
      if (bmi >= def.bmi[0] && bmi < def.bmi[1] && rng.chance(def.bmiShare ?? 0.5)) {
        this.addProblem(def, this.onsetFor(def), null);
      }
    }
  }

  heightAt(day: number): number {
    const g = this.v.obs.growth;
    const age = this.ageAt(day);
    const median = interp(g.heightIn[this.gender], Math.min(age, 20), false);
    const [, sd] = g.adultHeightIn[this.gender];
    const adultMedian = interp(g.heightIn[this.gender], 20, false);
    // Short stature in old age: about an inch lost after 70.
    const shrink = age > 70 ? Math.min(1.5, (age - 70) * 0.06) : 0;
    return median * (1 + (this.heightZ * sd) / adultMedian) - shrink;
  }

  bmiAt(day: number): number {
    const age = this.ageAt(day);
    const g = this.v.obs.growth;
    const z = (this.bmiAdult - g.adultBmi[0]) / g.adultBmi[1];
    const child = interp(g.bmi, Math.min(age, 20), false) * (1 + 0.09 * z);
    const years = (day - this.clock.nowDay) / YEAR;
    const adult = Math.max(16, this.bmiAdult + this.bmiTrend * years);
    if (age < 18) return child;
    if (age < 22) return child + ((adult - child) * (age - 18)) / 4;
    return adult;
  }

  private drugOk(id: string, day: number): boolean {
    const d = this.v.drugs.drugs[id];
    if (!d) return false;
    const age = this.ageAt(day);
    if (age < d.ages[0] || age > d.ages[1]) return false;
    if (d.sex && d.sex !== this.sex) return false;
    if (d.since && day < parseDay(d.since)) return false;
    if (this.avoid.has(id)) return false;
    const cls = this.v.drugClass.get(id);
    return !this.meds.some((m) => (m.drugId === id || (cls !== undefined && this.v.drugClass.get(m.drugId) === cls)) && m.endDay === null);
  }

  private prescriberFor(problem: ProblemState | null, day: number): string | null {
    const rng = this.rng;
    if (problem?.def.outside && rng.chance(problem.def.outside)) {
      const outside = this.v.clinic.outsidePrescribers.filter((o) => o.problems.includes(problem.def.code));
      if (outside.length) return rng.pick(outside).name;
    }
    if (day < this.joinDay && rng.chance(0.5)) return rng.chance(0.6) ? 'Historical provider' : null;
    return this.primary && rng.chance(0.8) ? this.primary : (this.ageAt(day) < 18 ? this.v.pedsProviderTable : this.v.providerTable).pick(rng).name;
  }

  addMed(drugId: string, problem: ProblemState | null, startDay: number, endDay: number | null, status: Medication['status'], prescriber?: string | null): MedState | null {
    const drug = this.v.drugs.drugs[drugId];
    if (!drug) return null;
    const m: MedState = {
      drugId, drug, dose: this.rng.pick(drug.doses), startDay, endDay, status, problem,
      prescriber: prescriber === undefined ? (drug.otc && this.rng.chance(0.5) ? null : this.prescriberFor(problem, startDay)) : prescriber,
    };
    this.meds.push(m);
    return m;
  }

  private chooseMeds(): void {
    const rng = this.rng;
    const now = this.clock.nowDay;
    const anticoag = ['apixaban', 'warfarin', 'rivaroxaban'];
    for (const p of this.problems) {
      const def = p.def;
      if (!def.meds || def.meds.length === 0 || !def.medCount) continue;
      const count = rng.weightedPair(def.medCount);
      if (count === 0) continue;
      const start0 = Math.max(p.onsetDay, this.birthDay);
      const chosen: string[] = [];
      const first = def.firstMed === 'anticoagulant' ? rng.weighted(anticoag, [45, 20, 10]) : def.firstMed;
      if (first) chosen.push(first);
      for (let tries = 0; chosen.length < count && tries < 20; tries++) {
        const id = rng.weightedPair(def.meds);
        if (!chosen.includes(id) && !(def.firstMed === 'anticoagulant' && anticoag.includes(id))) chosen.push(id);
      }
      for (const id of chosen.slice(0, Math.max(count, first ? 1 : 0))) {
        const start = Math.min(now, start0 + rng.int(0, Math.min(365, Math.max(0, now - start0))));
        if (!this.drugOk(id, start)) continue;
        // Sometimes an earlier drug for the same problem was stopped (side effect, cost) and replaced.
        if (rng.chance(0.12) && start - start0 > 120) {
          const prev = rng.weightedPair(def.meds);
          if (prev !== id && this.v.drugs.drugs[prev] && !this.avoid.has(prev)) {
            const prevStart = start0 + rng.int(0, start - start0 - 60);
            if (this.ageAt(prevStart) >= (this.v.drugs.drugs[prev]!.ages[0])) this.addMed(prev, p, prevStart, start, 'stopped');
          }
        }
        const end = p.resolvedDay !== null && p.resolvedDay > start ? p.resolvedDay : null;
        this.addMed(id, p, start, end, end !== null ? 'stopped' : 'active');
      }
    }
    // Rescue epinephrine for severe food/insect allergy.
    if (this.epinephrineAllergy) {
      const id = this.ageNow < 6 ? 'epinephrine_jr' : 'epinephrine';
      if (this.drugOk(id, now)) this.addMed(id, null, Math.max(this.birthDay + 200, now - rng.int(30, 1500)), null, 'active');
    }
    // A few common extras.
    const age = this.ageNow;
    const extra = (id: string, p: number): void => {
      if (rng.chance(p) && this.drugOk(id, now)) this.addMed(id, null, Math.max(this.birthDay, now - rng.int(30, 2000)), null, 'active');
    };
    if (age >= 18) { extra('vitamin_d3', 0.05); extra('acetaminophen', 0.04); extra('ibuprofen', 0.03); }
    if (age >= 50) extra('aspirin81', 0.05);
    if (this.sex === 'female' && age >= 16 && age < 42) extra('ocp', 0.08);
  }

  // --- immunizations and outside procedures ------------------------------

  private product(series: string, day: number): VaccineDef | null {
    const imm = this.v.imm;
    const list = imm.products[series];
    const ids = Array.isArray(list) ? list : [series];
    for (const id of ids) {
      const vdef = imm.vaccines[id];
      if (!vdef) continue;
      if (vdef.since && day < parseDay(vdef.since)) continue;
      if (vdef.until && day > parseDay(vdef.until)) continue;
      return vdef;
    }
    return null;
  }

  private giveVaccine(vdef: VaccineDef, day: number, doseNumber: number | null): void {
    const rng = this.rng;
    const imm = this.v.imm;
    const age = this.ageAt(day);
    const historic = day < this.joinDay;
    const siteList = vdef.route === 'oral' ? imm.sites.oral! : age < 1 ? imm.sites.infant! : age < 3 ? imm.sites.child! : imm.sites.adult!;
    this.immunizations.push({
      id: '', patient_id: this.pid, vaccine: vdef.name, given_on: isoDate(day), dose_number: doseNumber,
      lot: historic && rng.chance(0.45) ? null : fillPattern(rng, rng.pick(imm.lotFormats)),
      site: historic && rng.chance(0.45) ? null : rng.pick(siteList),
      updated_at: this.stamp(Math.max(day, this.joinDay), 600, rng.int(5, 600)),
    });
    const given = this.immunizations[this.immunizations.length - 1]!;
    if (!historic && doseNumber === null && given.lot && rng.chance(0.12)) {
      this.nurseVaccineDays.push({
        day,
        slots: {
          vaccine: vdef.name, vaccine_short: vdef.short ?? vdef.name, lot: given.lot,
          vaccine_site: given.site ? ` IM in the ${lowerFirst(given.site)}` : '',
        },
      });
    }
  }
  nurseVaccineDays: { day: number; slots: Record<string, string> }[] = [];

  private chooseImmunizations(): void {
    const rng = this.rng;
    const now = this.clock.nowDay;
    const age = this.ageNow;
    // Childhood series (for everyone born in the last 19 years; older adults' childhood records are rarely on file).
    if (age < 19) {
      for (const s of this.v.imm.childhood) {
        if (!rng.chance(s.coverage)) {
          if (!rng.chance(0.3)) continue; // partially vaccinated
        }
        const partialStop = rng.chance(0.08) ? rng.int(1, s.doses.length) : s.doses.length;
        for (let i = 0; i < s.doses.length && i < partialStop; i++) {
          const day = this.birthDay + s.doses[i]! + rng.int(0, s.jitter[i] ?? 0);
          if (day > now) break;
          if (s.maxAge !== undefined && day - this.birthDay > s.maxAge) break;
          const vdef = this.product(s.vaccine, day);
          if (vdef) this.giveVaccine(vdef, day, i + 1);
        }
      }
    }
    // Seasonal flu since shortly before the patient joined.
    const [nowYear] = civilFromDays(now);
    const firstSeason = Math.max(civilFromDays(this.chartFrom)[0] - 1, nowYear - CHART_YEARS);
    for (let y = firstSeason; y <= nowYear; y++) {
      const day = daysFromCivil(y, 9, 10) + rng.int(0, 80);
      if (day > now || this.ageAt(day) < 0.5) continue;
      const a = this.ageAt(day);
      const base = a < 18 ? 0.5 : a < 50 ? 0.3 : a < 65 ? 0.45 : 0.68;
      if (!rng.chance(base * (0.3 + 1.3 * this.fluPropensity))) continue;
      const series = a >= 65 ? (day >= parseDay('2024-07-01') ? 'flu_hd_tri' : day >= parseDay('2020-08-01') ? 'flu_hd_quad' : 'flu_quad')
        : day >= parseDay('2024-07-01') ? 'flu_tri' : day >= parseDay('2013-08-01') ? 'flu_quad' : 'flu_tri';
      const vdef = this.v.imm.vaccines[series];
      if (vdef) this.giveVaccine(vdef, day, null);
    }
    const adultFrom = Math.max(this.dayAtAge(19), this.joinDay - Math.round(3 * YEAR));
    const between = (a: number, b: number): number | null => (a > b ? null : rng.int(a, b));
    // Tdap once as an adult, Td 10 years later.
    if (age >= 19 && rng.chance(0.6)) {
      const d = between(adultFrom, now);
      if (d !== null) {
        this.giveVaccine(this.v.imm.vaccines.tdap!, d, null);
        const td = d + Math.round(10 * YEAR) + rng.int(0, 400);
        if (td <= now && rng.chance(0.6)) this.giveVaccine(this.v.imm.vaccines.td!, td, null);
      }
    }
    // Shingles: recombinant 2 doses at 50+ (from 2018), live vaccine before that.
    if (age >= 50 && rng.chance(0.45)) {
      const d = between(Math.max(this.dayAtAge(50), parseDay('2018-01-15'), this.joinDay - 365), now);
      if (d !== null) {
        this.giveVaccine(this.v.imm.vaccines.zoster_rec!, d, 1);
        const d2 = d + rng.int(60, 180);
        if (d2 <= now && rng.chance(0.85)) this.giveVaccine(this.v.imm.vaccines.zoster_rec!, d2, 2);
      }
    } else if (age >= 62 && rng.chance(0.15)) {
      const d = between(Math.max(this.dayAtAge(60), parseDay('2008-01-01'), this.joinDay - 365), Math.min(now, parseDay('2017-12-31')));
      if (d !== null) this.giveVaccine(this.v.imm.vaccines.zoster_live!, d, null);
    }
    // Pneumococcal at 65+.
    if (age >= 65 && rng.chance(0.62)) {
      const d = between(Math.max(this.dayAtAge(65), this.joinDay - 365), now);
      if (d !== null) {
        if (d >= parseDay('2021-10-20')) this.giveVaccine(this.v.imm.vaccines.pcv20!, d, null);
        else {
          this.giveVaccine(this.v.imm.vaccines.pcv13!, d, null);
          const d2 = d + rng.int(365, 500);
          if (d2 <= now) this.giveVaccine(this.v.imm.vaccines.ppsv23!, d2, null);
        }
      }
    }
    // COVID-19 from 2021.
    const covidStart = parseDay('2021-01-10');
    if (now > covidStart && this.ageAt(parseDay('2021-11-01')) >= 5 && rng.chance(age >= 65 ? 0.8 : 0.6)) {
      const pfizer = rng.chance(0.6);
      const eligible = this.ageAt(parseDay('2021-05-15')) >= 12 ? (age >= 65 ? parseDay('2021-01-20') : parseDay('2021-04-15')) : parseDay('2021-11-05');
      const d1 = eligible + rng.int(0, 120);
      if (d1 <= now) {
        const v1 = this.v.imm.vaccines[pfizer ? 'covid_pfizer' : 'covid_moderna']!;
        this.giveVaccine(v1, d1, 1);
        const d2 = d1 + (pfizer ? 21 : 28) + rng.int(0, 10);
        if (d2 <= now) this.giveVaccine(v1, d2, 2);
        const boosters: [string, string, number][] = [['covid_bivalent_pfizer', '2022-09-05', 0.35], ['covid_updated', '2023-09-15', 0.22], ['covid_updated', '2024-09-01', 0.18]];
        for (const [id, from, p] of boosters) {
          const d = parseDay(from) + rng.int(0, 100);
          const vdef = this.v.imm.vaccines[id === 'covid_bivalent_pfizer' && !pfizer ? 'covid_bivalent_moderna' : id];
          if (d <= now && vdef && rng.chance(p)) this.giveVaccine(vdef, d, null);
        }
      }
    }
    // Hepatitis B series for a few adults.
    if (age >= 19 && age < 60 && rng.chance(0.06)) {
      const d = between(adultFrom, now - 200);
      if (d !== null) [0, 30, 180].forEach((off, i) => this.giveVaccine(this.v.imm.vaccines.hepb_adult!, d + off, i + 1));
    }
  }

  private outsideProcedures(): void {
    const rng = this.rng;
    const now = this.clock.nowDay;
    const age = this.ageNow;
    for (const [code, def] of this.v.outsideProcedures) {
      if (!def.ages || def.p === undefined) continue;
      if (def.sex && def.sex !== this.sex) continue;
      if (age < def.ages[0]) continue;
      if (def.problem && !this.problems.some((p) => p.def.code === def.problem)) continue;
      if (!rng.chance(def.p)) continue;
      const from = this.dayAtAge(def.ages[0]);
      const to = Math.min(now, this.dayAtAge(def.ages[1]));
      if (from > to) continue;
      const problem = def.problem ? this.problems.find((p) => p.def.code === def.problem) : undefined;
      let day = rng.int(problem ? Math.max(from, problem.onsetDay) : from, to);
      if (def.repeatYears) day = Math.max(day, to - Math.round(def.repeatYears * YEAR * rng.real(0.2, 1.6)));
      if (day > to) day = to;
      const performerList = def.performer ? this.v.clinic.outsidePerformers[def.performer] : undefined;
      for (let n = 0; n < 3 && day <= to; n++) {
        this.procedures.push({
          id: '', patient_id: this.pid, description: def.description, code,
          performed_on: isoDate(day), performer: performerList && rng.chance(0.85) ? rng.pick(performerList) : null,
          updated_at: this.stampDay(Math.max(day, this.joinDay)),
        });
        if (!def.repeatYears || !rng.chance(0.7)) break;
        day += Math.round(def.repeatYears * YEAR) + rng.int(-60, 200);
      }
    }
  }

  // --- encounters ------------------------------------------------------------

  private reasonFor(id: string | null | undefined): ReasonDef {
    return (id ? this.v.reasonById.get(id) : undefined) ?? this.v.reasonById.get('chronic')!;
  }

  private pickAcute(day: number): ReasonDef | null {
    const age = this.ageAt(day);
    const pool: ReasonDef[] = [];
    const weights: number[] = [];
    for (const r of this.v.acuteReasons) {
      if (r.ages && (age < r.ages[0] || age > r.ages[1])) continue;
      if (r.since && day < parseDay(r.since)) continue;
      if (r.requires && !r.requires.some((c) => this.problems.some((p) => p.def.code === c && p.onsetDay <= day))) continue;
      let w = r.weight ?? 1;
      if (r.sexWeights) w *= r.sexWeights[this.sex] ?? 0.5;
      if (w <= 0) continue;
      pool.push(r);
      weights.push(w);
    }
    return pool.length ? this.rng.weighted(pool, weights) : null;
  }

  /**
   * Visits on the chart since it moved to the current records system
   * (CHART_YEARS before asOf): older history was carried over only as
   * problems, medications, immunizations and procedures.
   */
  private skeletons(): Skeleton[] {
    const rng = this.rng;
    const now = this.clock.nowDay;
    const from0 = this.chartFrom;
    const out: Skeleton[] = [];
    const telehealthEra = parseDay('2020-04-01');
    const add = (day: number, reason: ReasonDef, problem: ProblemState | null = null, kind?: string, extra?: Record<string, string>): void => {
      if (day > now || day < this.birthDay || day < from0) return;
      let k = kind ?? rng.weightedPair(reason.kinds);
      // Since 2020 many routine follow-ups are video visits.
      if (k === 'office' && problem && day >= telehealthEra && rng.chance(0.3)) k = 'telehealth';
      out.push({ day, minute: 0, kind: k, reason, problem, extra });
    };
    const rid = (id: string): ReasonDef => this.v.reasonById.get(id)!;
    const bornHere = this.joinDay - this.birthDay < 8;
    // First visit.
    if (bornHere) add(this.birthDay + rng.int(2, 5), rid('wellchild_infant'));
    else add(this.joinDay, rid('newpatient'));
    // Preventive care.
    for (const offset of WELL_CHILD_DAYS) {
      const day = this.birthDay + offset + rng.int(0, 20);
      if (day < this.joinDay + 7 || day > now || !rng.chance(0.7)) continue;
      const a = this.ageAt(day);
      add(day, rid(a < 2 ? 'wellchild_infant' : a < 12 ? 'wellchild_child' : 'wellchild_teen'));
    }
    for (let day = Math.max(this.joinDay + 120, this.dayAtAge(18), from0); day <= now; day += Math.round(YEAR)) {
      const a = this.ageAt(day);
      if (!rng.chance(a >= 50 ? 0.33 : 0.17)) continue;
      add(day + rng.int(0, 300), rid(a >= 65 && rng.chance(0.6) ? 'awv' : 'physical'));
    }
    // Chronic follow-ups.
    for (const p of this.problems) {
      const months = p.def.followupMonths ?? 0;
      if (!months || p.def.reason === null) continue;
      const from = Math.max(p.onsetDay, from0);
      const to = p.resolvedDay ?? now;
      if (to <= from) continue;
      const n = rng.count(((to - from) / (months * 30.4)) * (this.long ? 0.5 : 0.2));
      for (let i = 0; i < n; i++) add(rng.int(from, to), this.reasonFor(p.def.reason), p);
    }
    // Acute problems.
    const years = (now - from0) / YEAR;
    const a = this.ageNow;
    const rate = a < 5 ? 0.8 : a < 18 ? 0.3 : a < 65 ? 0.22 : 0.28;
    const nAcute = rng.count(years * rate);
    for (let i = 0; i < nAcute; i++) {
      const day = rng.int(from0, now);
      const r = this.pickAcute(day);
      if (r) add(day, r);
    }
    // Administrative and nurse visits.
    if (this.meds.some((m) => !m.drug.otc)) {
      const n = rng.count(years * 0.15);
      for (let i = 0; i < n; i++) add(rng.int(from0, now), rid('refill'));
    }
    if (this.hasProblem('I10') && rng.chance(0.2)) add(rng.int(from0, now), rid('nurse_bp'));
    for (const m of this.meds) {
      if (m.drugId === 'warfarin') {
        const from = Math.max(m.startDay, from0, now - 2 * 365);
        const to = m.endDay ?? now;
        const n = Math.min(10, rng.count(((to - from) / 30.4) * 0.4));
        for (let i = 0; i < n; i++) add(rng.int(from, to), rid('nurse_inr'));
      } else if (m.drugId === 'cyanocobalamin') {
        const from = Math.max(m.startDay, from0, now - 240);
        for (let d = from + rng.int(0, 30); d <= (m.endDay ?? now); d += 28 + rng.int(0, 10)) if (rng.chance(0.6)) add(d, rid('nurse_b12'));
      }
    }
    for (const vdays of this.nurseVaccineDays) add(vdays.day, rid('nurse_vaccine'), null, 'nurse', vdays.slots);

    // How many the chart holds: dozens for the long histories, fewer than 20 otherwise.
    const keepFirst = (list: Skeleton[], n: number): Skeleton[] => {
      if (list.length <= n) return list;
      list.sort((x, y) => x.day - y.day);
      const first = list[0]!;
      return [first, ...rng.sample(list.slice(1), n - 1)];
    };
    if (this.long) {
      const target = rng.int(40, 80);
      const chronic = this.problems.filter((p) => p.def.reason && (p.def.followupMonths ?? 0) > 0);
      let guard = 0;
      while (out.length < target && guard++ < 400) {
        const day = rng.int(from0, now);
        const x = rng.next();
        if (chronic.length && x < 0.48) {
          const p = rng.pick(chronic);
          const r = this.reasonFor(p.def.reason);
          if (p.onsetDay <= day && (p.resolvedDay === null || day <= p.resolvedDay)) add(day, r, p, rng.chance(0.5) ? 'telehealth' : undefined);
        } else if (x < 0.78) {
          add(day, rid('refill'));
        } else {
          const r = this.pickAcute(day);
          if (r) add(day, r);
        }
      }
      return keepFirst(out, target);
    }
    return keepFirst(out, MAX_ENCOUNTERS);
  }

  /** A clinic time for a past visit of this kind on or just before `day`, never after asOf. */
  private placeInPast(day0: number, kind: string): [number, number] | null {
    const rng = this.rng;
    const now = this.clock.nowDay;
    const minDay = this.birthDay;
    let day = Math.min(day0, now);
    for (let tries = 0; tries < 12; tries++) {
      const wd = weekday(day);
      let minute: number;
      if (kind === 'portal') minute = rng.int(6 * 60, 22 * 60);
      else if (kind === 'phone') {
        if (wd === 0 || wd === 6) { day -= wd === 0 ? 2 : 1; continue; }
        minute = 8 * 60 + 5 * rng.int(0, 113);
      } else if (kind === 'sameday' && wd === 6) minute = 9 * 60 + 15 * rng.int(0, 11);
      else if (kind === 'sameday' && wd === 0) minute = 10 * 60 + 15 * rng.int(0, 11);
      else {
        if (wd === 0 || wd === 6) {
          const back = wd === 0 ? 2 : 1;
          day = day - back >= minDay && (rng.chance(0.5) || day + (wd === 0 ? 1 : 2) > now) ? day - back : day + (wd === 0 ? 1 : 2);
          continue;
        }
        const slot = rng.int(0, 23);
        minute = slot < 12 ? 8 * 60 + slot * 20 : 13 * 60 + (slot - 12) * 20;
      }
      if (day < minDay) return null;
      if (day === now && minute > this.clock.nowMin - 10) { day -= 1; continue; }
      if (day > now) { day = now - 1; continue; }
      return [day, minute];
    }
    return day >= minDay && day < now ? [day, 9 * 60] : null;
  }

  private providerFor(kind: string, reason: ReasonDef, day: number): string | null {
    const rng = this.rng;
    if (kind === 'nurse' || reason.nurse) return rng.pick(this.v.clinic.nurses);
    if ((kind === 'phone' || kind === 'portal') && rng.chance(0.35)) return rng.pick(this.v.clinic.nurses);
    if (this.primary && rng.chance(kind === 'sameday' ? 0.35 : 0.78)) return this.primary;
    return (this.ageAt(day) < 18 ? this.v.pedsProviderTable : this.v.providerTable).pick(rng).name;
  }

  private makeEncounters(): void {
    const skels = this.skeletons();
    const placed: Skeleton[] = [];
    for (const s of skels) {
      const t = this.placeInPast(s.day, s.kind);
      if (!t) continue;
      s.day = t[0];
      s.minute = t[1];
      placed.push(s);
    }
    placed.sort((a, b) => a.day - b.day || a.minute - b.minute);
    const resultsCalls: { after: EncOut }[] = [];
    for (const s of placed) {
      const out = this.processEncounter(s);
      if (!out) continue;
      if (out.labs.length && !out.reason.nurse && this.rng.chance(0.18) && (this.long || resultsCalls.length < 2)) resultsCalls.push({ after: out });
    }
    const results = this.v.reasonById.get('results')!;
    for (const { after } of resultsCalls) {
      const t = this.placeInPast(after.day + this.rng.int(1, 5), this.rng.chance(0.6) ? 'phone' : 'portal');
      if (!t || t[0] < after.day || (t[0] === after.day && t[1] <= after.minute)) continue;
      const summary = after.labs.slice(0, 5).map((l) => `${l.label} ${l.value}${l.unit && l.num !== null ? (l.unit === '%' ? '' : ' ') + l.unit : ''}${l.flag ? ` (${l.flag})` : ''}`).join(', ');
      this.processEncounter({ day: t[0], minute: t[1], kind: this.rng.weightedPair(results.kinds), reason: results, problem: null, extra: { lab_summary: summary } });
    }
  }

  private vitals(slots: Slots, day: number, minute: number, mode: string, kind: string, reason: ReasonDef, febrile: boolean): void {
    const rng = this.rng;
    const v = this.v.obs.vitals;
    const age = this.ageAt(day);
    const at = localTime(day, minute);
    const filed = this.stamp(day, minute, rng.int(5, 240));
    const push = (key: string, value: number): string => {
      const def = v[key]!;
      let low = def.low;
      let high = def.high;
      const band = def.bands?.find((b) => age < b.maxAge);
      if (band) { low = band.low ?? low; high = band.high ?? high; }
      const text = value.toFixed(def.decimals);
      const num = Number(text);
      const flag: Flag = low !== null && num < low ? 'L' : high !== null && num > high ? 'H' : null;
      this.observations.push({
        id: '', patient_id: this.pid, category: 'vital', code: def.code, name: def.name, value: text, unit: def.unit,
        reference_range: rangeFor(band ?? def, low, high, def.decimals), abnormal_flag: flag, effective_at: at,
        updated_at: filed,
      });
      return text;
    };
    const resp = RESPIRATORY_REASONS.has(reason.id);
    // Blood pressure from age 3.
    if (age >= 3) {
      let sbp: number;
      if (age < 18) sbp = 92 + age * 1.3 + this.sbpZ * 7 + rng.gaussian(0, 6);
      else {
        sbp = 108 + 0.42 * Math.min(age - 18, 62) + this.sbpZ * 8 + rng.gaussian(0, 7);
        if (this.hasProblem('I10', day)) sbp += this.onDrug(['lisinopril', 'losartan', 'amlodipine', 'hctz', 'chlorthalidone', 'metoprolol_er'], day) ? 6 : 18;
      }
      sbp = Math.max(78, Math.min(205, sbp));
      let dbp = 40 + 0.32 * sbp + rng.gaussian(0, 4.5) - (age > 60 ? (age - 60) * 0.15 : 0);
      if (age < 18) dbp = 0.62 * sbp + rng.gaussian(0, 4);
      dbp = Math.max(42, Math.min(120, dbp));
      slots.set('bp', `${push('sbp', sbp)}/${push('dbp', dbp)}`);
    }
    const hrBand = v.hr!.bands?.find((b) => age < b.maxAge);
    let hr = (hrBand?.mean ?? 74) + this.hrZ * (hrBand?.sd ?? 9) + rng.gaussian(0, (hrBand?.sd ?? 9) * 0.6);
    if (this.hasProblem('I48.91', day)) hr += rng.gaussian(6, 12);
    if (febrile) hr += 10;
    if (this.onDrug(['metoprolol_er', 'metoprolol_tartrate', 'carvedilol'], day)) hr -= 7;
    slots.set('hr', push('hr', Math.max(42, Math.min(190, hr))));
    if (mode === 'bp') return;
    if (resp || age < 2) {
      const rrBand = v.rr!.bands?.find((b) => age < b.maxAge);
      slots.set('rr', push('rr', rng.gaussianIn(rrBand?.mean ?? 16, rrBand?.sd ?? 1.5, 8, 70) + (febrile ? 2 : 0)));
    }
    if (febrile || resp || age < 5 || (kind === 'sameday' && rng.chance(0.5))) {
      slots.set('temp', push('temp', febrile ? rng.gaussianIn(101.3, 0.7, 100.4, 103.6) : rng.gaussianIn(98.2, 0.35, 96.9, 99.6)));
    }
    if (resp || this.hasProblem('J44.9', day)) {
      const base = this.hasProblem('J44.9', day) ? 94 : 98;
      slots.set('spo2', push('spo2', Math.min(100, rng.gaussian(base - (resp ? 1 : 0), 1.2))));
    }
    const h = this.heightAt(day) + rng.gaussian(0, 0.2);
    // Adults at a quick same-day visit are not always weighed.
    if (age >= 18 && kind === 'sameday' && rng.chance(0.5)) return;
    const w = (this.bmiAt(day) * h * h) / 703 + rng.gaussian(0, age < 2 ? 0.1 : 0.8);
    const prevWeight = this.lastWeight;
    const wText = push('weight', Math.max(4, w));
    slots.set('weight', wText);
    const wNum = Number(wText);
    if (prevWeight !== null && age >= 18) {
      const diff = wNum - prevWeight;
      slots.set('weight_change', Math.abs(diff) < 1 ? 'unchanged' : `${diff < 0 ? 'down' : 'up'} ${Math.abs(diff).toFixed(1)} lb`);
    }
    this.lastWeight = wNum;
    const measured = (age < 18 && kind === 'wellchild') || kind === 'physical' || kind === 'newpatient' || (kind === 'awv' && rng.chance(0.5));
    if (measured) push('height', h);
    if (age >= 18 && (measured || reason.id === 'weight' || rng.chance(0.1))) slots.set('bmi', push('bmi', (703 * wNum) / (h * h)));
  }

  private labValue(id: string, day: number, reasonId: string): LabResult | null {
    const rng = this.rng;
    const obs = this.v.obs;
    const age = this.ageAt(day);
    const def = obs.labs[id];
    if (def) {
      if (def.minAge !== undefined && age < def.minAge) return null;
      if (def.sex && def.sex !== this.sex) return null;
      let low = def.low;
      let high = def.high;
      let [mean, sd] = def.dist ?? [0, 0];
      const band = def.bands?.find((b) => age < b.maxAge && (!b.sex || b.sex === this.sex));
      if (band) {
        if (band.low !== undefined) low = band.low;
        if (band.high !== undefined) high = band.high;
        if (band.mean !== undefined) mean = band.mean;
        if (band.sd !== undefined) sd = band.sd;
      }
      let num: number;
      if (def.derived === 'egfr') {
        const cr = this.latest.get('creatinine');
        if (!cr || cr.day !== day || cr.num === null) return null;
        const female = this.gender === 'female';
        const k = female ? 0.7 : 0.9;
        const r = cr.num / k;
        num = 142 * Math.pow(Math.min(r, 1), female ? -0.241 : -0.302) * Math.pow(Math.max(r, 1), -1.2) * Math.pow(0.9938, age) * (female ? 1.012 : 1);
      } else if (def.derived === 'ldl') {
        const tc = this.latest.get('chol');
        const hdl = this.latest.get('hdl');
        const tg = this.latest.get('trig');
        if (!tc || !hdl || !tg || tc.day !== day || tc.num === null || hdl.num === null || tg.num === null) return null;
        if (tg.num > 400) return this.recordLab(id, def.name, 'Unable to calculate (triglycerides > 400 mg/dL)', null, def.unit, rangeText(low, high, 0), null, day);
        num = Math.max(15, tc.num - hdl.num - tg.num / 5);
      } else if (def.derived === 'hct') {
        const hgb = this.latest.get('hgb');
        if (!hgb || hgb.day !== day || hgb.num === null) return null;
        num = hgb.num * 2.95 + rng.gaussian(0, 0.8);
      } else {
        if (def.byProblem) {
          for (const [code, dist] of Object.entries(def.byProblem)) {
            if (this.problems.some((p) => p.def.code === code && p.onsetDay <= day && (p.resolvedDay === null || day <= p.resolvedDay))) { [mean, sd] = dist; break; }
          }
        }
        for (const om of def.onMeds ?? []) {
          if (!this.onDrug(om.drugs, day)) continue;
          if (om.shift !== undefined) mean += om.shift;
          if (om.mean !== undefined) mean = om.mean;
          if (om.sd !== undefined) sd = om.sd;
        }
        let z = this.labZ.get(id);
        if (z === undefined) { z = rng.gaussian(0, 0.7); this.labZ.set(id, z); }
        num = mean + sd * (z + rng.gaussian(0, 0.6));
        if (def.clamp) num = Math.max(def.clamp[0], Math.min(def.clamp[1], num));
      }
      const text = num.toFixed(def.decimals);
      const n = Number(text);
      const flag: Flag = low !== null && n < low ? 'L' : high !== null && n > high ? 'H' : null;
      return this.recordLab(id, def.name, text, n, def.unit, rangeFor(band ?? def, low, high, def.decimals), flag, day);
    }
    const q = obs.qualitative[id];
    if (!q) return null;
    if (q.sex && q.sex !== this.sex) return null;
    if ((q.minAge !== undefined && age < q.minAge) || (q.maxAge !== undefined && age > q.maxAge)) return null;
    if (q.since && day < parseDay(q.since)) return null;
    const results = q.byReason?.[reasonId] ?? q.results;
    const [value, flag] = rng.weighted(results, results.map((r) => r[2]));
    return this.recordLab(id, q.name, value, null, q.unit, q.reference, flag, day);
  }

  private pendingLabTime: [number, number] = [0, 0];
  private pendingLabStamp = '';

  private recordLab(id: string, name: string, value: string, num: number | null, unit: string | null, range: string | null, flag: Flag, day: number): LabResult {
    const [d, minute] = this.pendingLabTime;
    const def = this.v.obs.labs[id] ?? this.v.obs.qualitative[id];
    this.observations.push({
      id: '', patient_id: this.pid, category: 'lab', code: def?.code ?? null, name, value, unit, reference_range: range,
      abnormal_flag: flag, effective_at: localTime(d, minute),
      updated_at: this.pendingLabStamp,
    });
    const r: LabResult = { id, label: shortLabel(name), value, num, unit, flag, day };
    this.latest.set(id, r);
    return r;
  }

  private drawPanels(panels: string[], day: number, minute: number, reasonId: string): LabResult[] {
    const out: LabResult[] = [];
    const labMinute = day === this.clock.nowDay ? minute : Math.min(minute + this.rng.int(10, 40), 20 * 60);
    this.pendingLabTime = [day, labMinute];
    this.pendingLabStamp = this.stamp(day, labMinute, this.rng.int(90, 4320));
    const done = new Set<string>();
    for (const panel of panels) {
      for (const test of this.v.obs.panels[panel]?.tests ?? []) {
        if (done.has(test)) continue;
        done.add(test);
        const r = this.labValue(test, day, reasonId);
        if (r) out.push(r);
      }
    }
    return out;
  }

  private processEncounter(s: Skeleton): EncOut | null {
    const rng = this.rng;
    const { day, minute, kind, reason } = s;
    const age = this.ageAt(day);
    if (reason.needsMeds && !this.activeMeds(day).some((m) => !m.drug.otc)) return null;
    const provider = this.providerFor(kind, reason, day);
    const sctx: SlotContext = { reason, day, labs: [], followed: s.problem, problem: s.problem };
    const slots = new Slots((name) => this.slotValue(name, sctx));
    if (s.extra) for (const k in s.extra) slots.set(k, s.extra[k]!);
    // Vitals.
    const inPerson = !REMOTE_KINDS.has(kind);
    const mode = reason.vitals ?? (inPerson ? 'full' : 'none');
    const febrile = rng.chance(reason.fever ?? 0);
    if (mode !== 'none' && inPerson) this.vitals(slots, day, minute, mode, kind, reason, febrile);
    // Labs: the reason's own panels, then the followed problem's monitoring panels.
    const panels: string[] = [];
    for (const [panel, p] of reason.panels ?? []) if (rng.chance(p)) panels.push(panel);
    if (s.problem) for (const [panel, p] of s.problem.def.panels ?? []) if (rng.chance(p * (kind === 'telehealth' ? 0.3 : 0.55))) panels.push(panel);
    if (reason.preventive === 'adult' && age < 20) panels.length = 0;
    const labs = panels.length && kind !== 'portal' && kind !== 'phone' ? this.drawPanels(panels, day, minute, reason.id) : [];
    // Clinic procedures.
    const procs = reason.procedures ?? [];
    const doProcs: string[] = [];
    if (kind === 'procedure' && procs.length) doProcs.push(rng.weightedPair(procs));
    else for (const [code, p] of procs) if (rng.chance(p)) doProcs.push(code);
    for (const code of doProcs) {
      const def = this.v.procs.procedures[code];
      if (!def) continue;
      this.procedures.push({
        id: '', patient_id: this.pid, description: def.description, code, performed_on: isoDate(day),
        performer: provider, updated_at: this.stamp(day, minute, rng.int(20, 600)),
      });
    }
    // Problems the visit adds to the list.
    let linked = s.problem;
    for (const [code, p] of reason.adds ?? []) {
      if (!rng.chance(p)) continue;
      const def = this.v.problemByCode.get(code);
      if (!def) break;
      const resolved = day + rng.int(7, 28);
      linked = this.addProblem(def, day, resolved < this.clock.nowDay ? resolved : null);
      break;
    }
    // Prescriptions from the visit.
    const positive = (test: string): boolean => labs.some((l) => l.id === test && l.flag === 'A');
    for (const [drugId, p, needs] of reason.meds ?? []) {
      if (needs && !positive(needs)) continue;
      if (!rng.chance(p) || !this.drugOk(drugId, day)) continue;
      const drug = this.v.drugs.drugs[drugId]!;
      const course = drug.course ?? (rng.int(14, 60));
      const end = day + course;
      const done = end < this.clock.nowDay;
      this.addMed(drugId, linked, day, done ? end : null, done ? (drug.course ? 'completed' : 'stopped') : 'active', provider);
    }
    // The note.
    sctx.labs = labs;
    sctx.problem = s.problem ?? linked;
    const control = this.control(reason, day, slots);
    const note = rng.chance(this.long ? 1 : 0.97) ? this.composeNote(reason, kind, slots, control, age) : null;
    const durations = this.v.enc.durations;
    const duration = durations[kind] ?? 20;
    const label = rng.pick(reason.labels).replace('{problem}', (s.problem ?? linked)?.description ?? 'chronic condition');
    const enc: Encounter = {
      id: '', patient_id: this.pid, occurred_at: localTime(day, minute), kind: this.v.enc.kinds[kind] ?? kind,
      provider, reason: rng.chance(0.98) ? label : null, note,
      updated_at: this.stamp(day, minute, duration + rng.int(10, 2880)),
    };
    const out: EncOut = { enc, kind, reason, day, minute, labs, duration };
    this.encounters.push(out);
    return out;
  }

  private control(reason: ReasonDef, day: number, slots: Slots): boolean {
    const rng = this.rng;
    const latest = (id: string): number | null => {
      const r = this.latest.get(id);
      return r && r.day <= day && r.num !== null ? r.num : null;
    };
    switch (reason.control) {
      case 'bp': {
        const bp = slots.get('bp');
        if (!bp) return rng.chance(0.6);
        const [s, d] = bp.split('/').map(Number);
        return (s ?? 0) < 140 && (d ?? 0) < 90;
      }
      case 'a1c': { const x = latest('a1c'); return x === null ? rng.chance(0.55) : x < 7.0; }
      case 'ldl': { const x = latest('ldl'); return x === null ? rng.chance(0.6) : x < 100; }
      case 'tsh': { const x = latest('tsh'); return x === null ? rng.chance(0.7) : x >= 0.45 && x <= 4.5; }
      case 'phq': return rng.chance(0.6);
      default: return rng.chance(0.65);
    }
  }

  private relevantMed(reason: ReasonDef, problem: ProblemState | null, day: number): MedState | null {
    const active = this.meds.filter((m) => m.startDay <= day && (m.endDay === null || day < m.endDay));
    let pool = problem ? active.filter((m) => m.problem === problem) : [];
    if (!pool.length && reason.needsMeds) pool = active.filter((m) => !m.drug.otc);
    return pool.length ? this.rng.pick(pool) : null;
  }

  /** A computed note slot (see encounters.json); undefined when the visit has no value for it. */
  private slotValue(name: string, c: SlotContext): string | undefined {
    const rng = this.rng;
    const day = c.day;
    const age = this.ageAt(day);
    const fills = this.v.enc.fills;
    const female = this.sex === 'female';
    const male = this.sex === 'male';
    const lab = (id: string, unit: string): string | undefined => {
      const r = this.latest.get(id);
      return r && r.day <= day && r.num !== null ? `${r.value}${unit}` : undefined;
    };
    const med = (): MedState | null => {
      if (c.med === undefined) c.med = this.relevantMed(c.reason, c.followed, day);
      return c.med;
    };
    switch (name) {
      case 'age_text': {
        const days = day - this.birthDay;
        if (days < 31) return `${Math.max(1, days)}-day-old`;
        if (age < 2) return `${Math.max(1, Math.floor(days / 30.44))}-month-old`;
        return `${Math.floor(age)}-year-old`;
      }
      case 'person': return age < 1 ? 'infant' : age < 13 ? (female ? 'girl' : male ? 'boy' : 'child') : age < 18 ? 'adolescent' : female ? 'woman' : male ? 'man' : 'patient';
      case 'he': return female ? 'she' : male ? 'he' : 'they';
      case 'his': return female ? 'her' : male ? 'his' : 'their';
      case 'him': return female ? 'her' : male ? 'him' : 'them';
      case 'He': case 'His': return upperFirst(this.slotValue(name.toLowerCase(), c)!);
      case 'duration': return rng.pick(fills.duration);
      case 'side': return rng.pick(fills.side);
      case 'pain': return String(rng.int(3, 8));
      case 'days': return String(rng.int(2, 5));
      case 'followup': return rng.pick(c.reason.followup ?? fills.followup);
      case 'pct': return rng.pick(['10th', '25th', '50th', '50th', '75th', '90th']);
      case 'med': { const m = med(); return m ? `${lowerFirst(m.drug.name)} ${m.dose}` : undefined; }
      case 'med_name': { const m = med(); return m ? lowerFirst(m.drug.name) : undefined; }
      case 'med_any': {
        const any = this.meds.filter((m) => !m.drug.otc && m.startDay <= day && (m.endDay === null || day < m.endDay));
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
      case 'pharmacy': return this.pharmacy?.name;
      case 'allergies':
        return this.allergyStatus === 'none' ? 'no known drug allergies'
          : this.allergyStatus === 'listed' ? this.allergies.map((a) => lowerFirst(a.substance)).join(', ') : undefined;
      case 'strep': {
        const strep = c.labs.find((l) => l.id === 'strep');
        return strep ? lowerFirst(strep.value) : undefined;
      }
      case 'interpreter': {
        const langName = this.language && this.language !== 'en' ? this.v.names.languageNames[this.language] : undefined;
        return langName && rng.chance(0.7) ? `Visit conducted with ${langName} interpreter (ID ${rng.int(100000, 999999)}).` : undefined;
      }
      case 'last_visit': {
        for (let i = this.encounters.length - 1; i >= 0; i--) {
          const e = this.encounters[i]!;
          if (e.day < day && e.kind !== 'phone' && e.kind !== 'portal') return isoDate(e.day);
        }
        return undefined;
      }
      default: return undefined;
    }
  }

  private composeNote(reason: ReasonDef, kind: string, slots: Slots, good: boolean, age: number): string {
    const rng = this.rng;
    const v = this.v.enc;
    const t = compiledReason(reason);
    if (reason.control === 'phq') {
      slots.set('phq9', String(good ? rng.int(2, 9) : rng.int(10, 20)));
      slots.set('gad7', String(good ? rng.int(1, 8) : rng.int(10, 17)));
    }
    const remote = REMOTE_KINDS.has(kind);
    const usable = (c: Compiled): boolean => {
      for (const cond of c.conds) {
        const ok = cond === 'good' ? good : cond === 'poor' ? !good : cond === 'old' ? age >= 65 : cond === 'young' ? age < 65
          : cond === 'female' ? this.sex === 'female' : cond === 'male' ? this.sex === 'male'
            : cond === 'phone' ? kind === 'phone' : cond === 'portal' ? kind === 'portal'
              : cond === 'remote' ? remote : cond === 'inperson' ? !remote
                : cond.startsWith('age<') ? age < Number(cond.slice(4)) : age >= Number(cond.slice(5));
        if (!ok) return false;
      }
      for (let i = 1; i < c.parts.length; i += 2) if (!slots.has(c.parts[i]!)) return false;
      return true;
    };
    const render = (c: Compiled): string => {
      let out = c.parts[0]!;
      for (let i = 1; i < c.parts.length; i += 2) {
        const name = c.parts[i]!;
        const val = slots.get(name)!;
        out += (name === 'problem' && out.length > 0 ? lowerFirst(val) : val) + c.parts[i + 1]!;
      }
      return upperFirst(out);
    };
    // Up to `max` (at least `min`) usable sentences, kept in their order in the vocabulary.
    const choose = (list: readonly Compiled[], min: number, max: number): string[] => {
      const ok = list.filter(usable);
      let need = Math.min(ok.length, rng.int(min, max));
      const out: string[] = [];
      for (let i = 0; i < ok.length && need > 0; i++) {
        if (rng.next() * (ok.length - i) < need) { out.push(render(ok[i]!)); need--; }
      }
      return out;
    };
    const S = choose(t.openers, 1, 1);
    const interpreter = slots.get('interpreter');
    if (interpreter && kind !== 'portal') S.push(interpreter);
    S.push(...choose(t.S, 1, this.long ? 3 : 2));
    if (!reason.acute && !reason.admin && rng.chance(0.25)) S.push(...choose(compiledList(v.generic.S), 1, 1));
    const O: string[] = [];
    const vit: string[] = [];
    for (const [key, label, unit] of VITALS_LINE) {
      const val = slots.get(key);
      if (val !== undefined) vit.push(`${label} ${val}${unit}`);
    }
    if (vit.length && !reason.nurse) O.push(`Vitals: ${vit.join(', ')}.`);
    // The reason's own findings (remote visits only those marked ?remote), then the exam by system;
    // an acute visit with its own findings adds only a general impression, so the two never disagree.
    const findings = choose(remote ? t.O.filter((c) => c.conds.includes('remote')) : t.O.filter((c) => !c.conds.includes('remote')), 1, 1);
    O.push(...findings);
    if (!remote && !reason.nurse) {
      const systems = reason.acute && findings.length ? ['general'] : (reason.exam ?? []).slice(0, 4);
      for (const sys of systems) {
        const list = v.exam[sys];
        if (list && list.length) O.push(...choose(compiledList(list), 1, 1));
      }
    }
    const A = choose(t.A, 1, 1);
    const P = choose(t.P, 2, 3);
    if (!reason.admin && rng.chance(0.3)) P.push(...choose(compiledList(v.generic.P), 1, 1));
    if (kind === 'phone' || kind === 'portal' || reason.nurse) return [...S, ...O, ...A, ...P].join(' ');
    const parts = [`S: ${S.join(' ')}`];
    if (O.length) parts.push(`O: ${O.join(' ')}`);
    if (A.length) parts.push(`A: ${A.join(' ')}`);
    if (P.length) parts.push(`P: ${P.join(' ')}`);
    return parts.join('\n');
  }

  // --- rows ----------------------------------------------------------------

  private medicationRows(): Medication[] {
    const rng = this.rng;
    const now = this.clock.nowDay;
    return this.meds.map((m) => {
      const d = m.drug;
      const active = m.status === 'active';
      const refillable = active && !d.otc;
      const lastFilled = active
        ? (d.otc && rng.chance(0.7) ? null : Math.max(m.startDay, now - rng.int(0, d.course ? 3 : 88)))
        : m.endDay !== null ? Math.max(m.startDay, m.endDay - rng.int(0, Math.min(60, m.endDay - m.startDay))) : null;
      const instructions = rng.chance(0.95) ? d.instructions.replace('{dose}', m.dose) : null;
      return {
        id: '', patient_id: this.pid, name: d.name, dose: m.dose, route: d.route, frequency: d.frequency,
        prescriber: m.prescriber, start_date: rng.chance(m.startDay < this.joinDay ? 0.85 : 0.99) ? isoDate(m.startDay) : null,
        end_date: m.endDay !== null && m.status !== 'active' ? isoDate(m.endDay) : null,
        status: m.status,
        refills_remaining: refillable ? rng.int(d.refills[0], d.refills[1]) : active && d.otc ? null : m.status === 'active' ? null : rng.chance(0.5) ? 0 : null,
        last_filled: lastFilled !== null && lastFilled <= now ? isoDate(lastFilled) : null,
        instructions,
        updated_at: this.stampDay(Math.min(now, Math.max(m.endDay ?? m.startDay, m.startDay, lastFilled ?? 0, this.joinDay))),
      };
    });
  }

  private problemRows(): Problem[] {
    const now = this.clock.nowDay;
    return this.problems.map((p) => ({
      id: '', patient_id: this.pid, description: p.description,
      code_system: p.code ? this.v.problems.codeSystem : null, code: p.code,
      onset_date: p.showOnset ? isoDate(p.onsetDay) : null,
      resolved_date: p.resolvedDay !== null ? isoDate(p.resolvedDay) : null,
      status: p.resolvedDay !== null ? 'resolved' as const : 'active' as const,
      updated_at: this.stampDay(Math.min(now, Math.max(p.resolvedDay ?? p.onsetDay, this.joinDay))),
    }));
  }

  private makeContacts(patientFamily: string): Contact[] {
    const rng = this.rng;
    const chart = this.v.chart.contacts;
    const age = this.ageNow;
    const child = age < 18;
    const n = child ? (rng.chance(0.55) ? 2 : 1) : rng.chance(chart.shareWithout) ? 0 : rng.chance(0.3) ? 2 : 1;
    const relations = child ? chart.childRelations : age >= 70 ? chart.elderRelations : chart.adultRelations;
    const out: Contact[] = [];
    const used = new Set<string>();
    const femaleRel = /^(Wife|Mother|Daughter|Sister|Grandmother|Aunt|Niece)$/;
    const maleRel = /^(Husband|Father|Son|Brother|Nephew)$/;
    const area = this.v.areaTable.pick(rng);
    // Who can be the contact at this age: no grown children before 40, no parents after 75.
    const fits = (rel: string): boolean => !((rel === 'Son' || rel === 'Daughter') && age < 40) && !((rel === 'Mother' || rel === 'Father') && !child && age > 75);
    const usable = relations.filter(([rel]) => fits(rel));
    for (let i = 0; i < n; i++) {
      let rel = rng.weightedPair(usable);
      if (used.has(rel) && (rel === 'Spouse' || rel === 'Mother' || rel === 'Father' || rel === 'Wife' || rel === 'Husband')) rel = child ? (rel === 'Mother' ? 'Father' : 'Mother') : 'Sister';
      used.add(rel);
      const gender: Gender = femaleRel.test(rel) ? 'female' : maleRel.test(rel) ? 'male'
        : rel === 'Spouse' ? (this.gender === 'female' ? (rng.chance(0.95) ? 'male' : 'female') : (rng.chance(0.95) ? 'female' : 'male'))
          : rng.chance(0.5) ? 'female' : 'male';
      // Blood relatives share the patient's background; partners and friends often do not.
      const kin = /^(Daughter|Son|Sister|Brother|Mother|Father|Grandmother|Aunt|Niece|Nephew)$/.test(rel);
      const partner = /^(Spouse|Wife|Husband|Partner)$/.test(rel);
      const group = kin || rng.chance(partner ? 0.85 : 0.6) ? this.group : this.v.groupTable.pick(rng);
      // Family names: children mostly take the father's; in some traditions wives keep their own.
      let share = 0;
      if (group === this.group) {
        const keeps = this.group.womenKeepName === true;
        if (rel === 'Father') share = child ? 0.95 : 0.85;
        else if (rel === 'Brother' || rel === 'Sister') share = 0.8;
        else if (rel === 'Mother') share = keeps ? 0.05 : 0.7;
        else if (rel === 'Son' || rel === 'Daughter') share = this.gender === 'male' ? 0.9 : keeps ? 0.05 : 0.65;
        else if (partner) share = keeps ? 0 : 0.6;
        else if (rel === 'Grandmother' || rel === 'Aunt' || rel === 'Niece' || rel === 'Nephew') share = 0.3;
      }
      let family: NameEntry | undefined;
      if (rng.chance(share)) {
        // Gendered surnames take the contact's own form.
        const entry = group.family.find((e) => typeof e === 'object' && !Array.isArray(e) && (native((e as { m: NameEntry }).m) === patientFamily || native((e as { f: NameEntry }).f) === patientFamily)) as { m: NameEntry; f: NameEntry } | undefined;
        family = entry ? (gender === 'female' ? entry.f : entry.m) : patientFamily;
      }
      const nm = this.personName(group, gender, family);
      out.push({
        id: '', patient_id: this.pid, name: this.fullName(group, nm.given, native(nm.family)).normalize('NFC'),
        relationship: rng.chance(0.97) ? rel : null,
        phone: rng.chance(0.95) ? phoneNumber(rng, rng.chance(0.7) ? area : this.v.areaTable.pick(rng)) : null,
        is_emergency: i === 0 ? (rng.chance(0.93) ? 1 : 0) : rng.chance(0.4) ? 1 : 0,
        priority: i + 1,
        updated_at: this.stampDay(rng.int(this.joinDay, this.clock.nowDay)),
      });
    }
    return out;
  }

  private makeCoverages(): Coverage[] {
    const rng = this.rng;
    const payers = this.v.clinic.payers;
    const age = this.ageNow;
    const of = (kinds: string[]): Payer => {
      const list = payers.filter((p) => kinds.includes(p.kind));
      return rng.weighted(list, list.map((p) => p.weight));
    };
    const picks: Payer[] = [];
    const x = rng.next();
    if (age >= 65) {
      if (x < 0.68) {
        picks.push(of(['medicare']));
        if (rng.chance(0.35)) picks.push(of(['medigap']));
        else if (rng.chance(0.1)) picks.push(of(['medicaid_secondary']));
      } else if (x < 0.97) picks.push(of(['medicare_advantage']));
    } else if (age < 19) {
      if (x < 0.45) picks.push(of(['medicaid']));
      else if (x < 0.95) picks.push(of(['commercial']));
    } else if (x < 0.62) {
      picks.push(of(['commercial']));
      if (rng.chance(0.07)) {
        const second = of(['commercial']);
        if (second.payer !== picks[0]!.payer) picks.push(second);
      }
    } else if (x < 0.9) picks.push(of(['medicaid']));
    else if (x < 0.95) picks.push(of(['selfpay']));
    return picks.map((p, i) => ({
      id: '', patient_id: this.pid, payer: p.payer, plan: rng.pick(p.plans),
      member_id: p.memberId ? fillPattern(rng, p.memberId) : null,
      group_number: p.group ? fillPattern(rng, p.group) : null,
      priority: i + 1,
      updated_at: this.stampDay(rng.int(Math.max(this.joinDay, this.clock.nowDay - 800), this.clock.nowDay)),
    }));
  }

  private makePatient(n: PatientNames, contacts: Contact[]): Patient {
    const rng = this.rng;
    const places = this.v.places;
    const age = this.ageNow;
    let address_line: string | null = null;
    let city: string | null = null;
    let region: string | null = null;
    let postal: string | null = null;
    let country: string | null = null;
    if (rng.chance(0.975)) {
      const c = this.v.cityTable.pick(rng);
      address_line = `${rng.int(c.numbers[0], c.numbers[1])} ${rng.pick(c.streets)}`;
      if (rng.chance(places.unitShare)) {
        address_line += ', ' + rng.pick(places.unitFormats).replace('{n}', String(rng.int(1, 420))).replace('{l}', 'ABCDEFGH'.charAt(rng.int(0, 7)));
      }
      city = c.name;
      region = places.region;
      postal = rng.pick(c.zips);
      country = places.country;
    }
    const phone = rng.chance(0.95) ? phoneNumber(rng, this.v.areaTable.pick(rng)) : null;
    let email: string | null = null;
    const emailShare = age < 13 ? 0 : age < 18 ? 0.3 : age < 65 ? 0.78 : age < 80 ? 0.5 : 0.25;
    if (rng.chance(emailShare)) {
      const tokens = n.givenLatin.toLowerCase().split(/\s+/);
      const g = (this.group.familyFirst ? tokens[tokens.length - 1] : tokens[0]) ?? 'patient';
      const f = n.familyLatin.toLowerCase().replace(/[^a-z]/g, '');
      const gg = g.replace(/[^a-z]/g, '');
      const yy = String(civilFromDays(this.birthDay)[0]).slice(2);
      const local = rng.pick([`${gg}.${f}`, `${gg}${f}${yy}`, `${gg.charAt(0)}${f}`, `${f}.${gg}${rng.int(1, 99)}`, `${gg}_${f}`]);
      email = `${local}@${rng.pick(this.v.names.emailDomains)}`;
    }
    // Code status and advance directive.
    const cs = this.v.chart.codeStatus;
    let band = cs.byAge[0]!;
    for (const b of cs.byAge) if (age >= b[0]!) band = b;
    const csIdx = rng.weighted([0, 1, 2, 3, 4], band.slice(1));
    const codeStatus = csIdx === 0 ? null : cs.values[csIdx - 1] ?? null;
    let directive: string | null = null;
    const ad = this.v.chart.advanceDirectives;
    if (age >= 18 && rng.chance(interp(ad.byAge, age, true) + (codeStatus && codeStatus !== 'Full code' ? 0.5 : 0))) {
      const agent = contacts.find((c) => c.relationship && c.relationship !== 'Neighbor');
      const dnr = codeStatus !== null && codeStatus !== 'Full code';
      const options = ad.texts.filter((t) => (agent || !t.includes('{name}')) && (!t.includes('POLST') || dnr) && !(dnr && t.includes('declined')));
      const day = rng.int(Math.max(this.dayAtAge(18), this.joinDay - 1000), this.clock.nowDay);
      directive = rng.pick(options).replace('{date}', isoDate(day)).replace('{code_status}', codeStatus ?? 'Full code')
        .replace('{name}', agent?.name ?? '').replace('{relationship}', lowerFirst(agent?.relationship ?? '')).replace('{phone}', agent?.phone ?? 'no phone on file');
    }
    const updDay = rng.int(Math.max(this.joinDay, this.clock.nowDay - 500), this.clock.nowDay);
    return {
      id: this.pid,
      mrn: '',
      family_name: n.family,
      given_names: n.given,
      preferred_name: n.preferred,
      birth_date: isoDate(this.birthDay),
      sex: this.sex,
      language: this.language,
      address_line, city, region, postal_code: postal, country,
      phone, email,
      primary_provider: this.primary,
      pharmacy_name: this.pharmacy?.name ?? null,
      pharmacy_phone: this.pharmacy?.phone ?? null,
      pharmacy_address: this.pharmacy?.address ?? null,
      code_status: codeStatus,
      advance_directive: directive ? directive.normalize('NFC') : null,
      allergy_status: this.allergyStatus,
      updated_at: this.stampDay(updDay),
    };
  }

  private makeAlerts(patient: Patient): Omit<Alert, 'id'>[] {
    const rng = this.rng;
    const age = this.ageNow;
    const now = this.clock.nowDay;
    const holds = (when: string): boolean => {
      switch (when) {
        case 'interpreter': return patient.language !== null && patient.language !== 'en';
        case 'latex': return this.latexAllergy;
        case 'epinephrine': return this.meds.some((m) => m.drugId.startsWith('epinephrine') && m.endDay === null);
        case 'fall_risk': return this.hasProblem('Z91.81') || (age >= 80 && rng.chance(0.35));
        case 'anticoagulant': return this.onDrug(['warfarin', 'apixaban', 'rivaroxaban'], now);
        case 'insulin': return this.onDrug(['insulin_glargine', 'insulin_lispro'], now);
        case 'dementia': return this.hasProblem('F03.90');
        case 'elderly': return age >= 70;
        case 'adult': return age >= 18;
        case 'child': return age < 18;
        default: return true;
      }
    };
    const out: Omit<Alert, 'id'>[] = [];
    for (const a of this.v.chart.alerts) {
      if (!holds(a.when) || !rng.chance(a.p)) continue;
      const lang = patient.language ? this.v.names.languageNames[patient.language] ?? patient.language : '';
      out.push({
        patient_id: this.pid, text: a.text.replace('{language}', lang), severity: a.severity,
        updated_at: this.stampDay(rng.int(this.joinDay, now)),
      });
    }
    return out;
  }

  private makeAppointments(): Appointment[] {
    const rng = this.rng;
    const now = this.clock.nowDay;
    const sched = this.ctx.scheduler;
    const age = this.ageNow;
    const locs = this.v.clinic.locations;
    const out: Appointment[] = [];
    const push = (day: number, minute: number, duration: number, provider: string | null, reason: string, location: string, status: Appointment['status'], bookedDay: number): void => {
      out.push({
        id: '', patient_id: this.pid, starts_at: localTime(day, minute), duration_minutes: duration, provider,
        reason: rng.chance(0.97) ? reason : null, location, status,
        updated_at: this.stampDay(Math.min(now, Math.max(bookedDay, this.joinDay))),
      });
    };
    // Past appointments: the recent scheduled visits, and a few that were cancelled.
    const scheduled = this.encounters.filter((e) => !['phone', 'portal', 'sameday'].includes(e.kind) && e.day >= now - 120);
    for (const e of scheduled.slice(-3)) {
      const loc = e.kind === 'telehealth' ? rng.pick(locs.telehealth!) : e.kind === 'nurse' ? rng.pick(locs.nurse!) : e.kind === 'procedure' ? rng.pick(locs.procedure!) : rng.pick(locs.office!);
      push(e.day, e.minute, e.duration, e.enc.provider, e.enc.reason ?? rng.pick(e.reason.labels), loc, 'booked', e.day - rng.int(1, 40));
    }
    if (rng.chance(0.08)) {
      const day = now - rng.int(1, 90);
      if (day > this.joinDay && weekday(day) !== 0 && weekday(day) !== 6) {
        push(day, 8 * 60 + 20 * rng.int(0, 23), 20, this.primary, rng.pick(['Follow-up visit', 'Medication check', 'Annual physical']), rng.pick(locs.office!), 'cancelled', day - rng.int(3, 30));
      }
    }
    // Upcoming.
    const p = this.long ? 0.6 : age >= 65 ? 0.45 : age < 2 ? 0.6 : 0.33;
    if (!rng.chance(p)) return out;
    const n = rng.chance(0.15) ? 2 : 1;
    for (let i = 0; i < n; i++) {
      const u = this.upcomingReason();
      const status: Appointment['status'] = rng.chance(0.06) ? 'cancelled' : 'booked';
      const lane = u.lane;
      const day0 = sched.upcomingDay(lane);
      const b = sched.book(day0, lane === 'provider' ? this.primary : null, u.duration, lane, status);
      const hours = sched.hours(b.day);
      const location = hours.location && lane === 'provider' && u.location === 'office' ? hours.location : rng.pick(locs[u.location] ?? locs.office!);
      push(b.day, b.minute, u.duration, b.provider, u.reason, location, status, now - rng.int(0, 75));
    }
    return out;
  }

  private upcomingReason(): { reason: string; duration: number; lane: 'provider' | 'nurse' | 'lab'; location: string } {
    const rng = this.rng;
    const age = this.ageNow;
    const d = this.v.enc.durations;
    const chronic = this.problems.filter((p) => p.resolvedDay === null && p.def.reason);
    const x = rng.next();
    if (this.onDrug(['warfarin'], this.clock.nowDay) && x < 0.3) return { reason: 'INR check', duration: 15, lane: 'nurse', location: 'nurse' };
    if (x < 0.08) return { reason: rng.pick(['Lab draw: fasting labs', 'Lab draw', 'Lab draw: A1c and BMP']), duration: 15, lane: 'lab', location: 'lab' };
    if (x < 0.13) return { reason: rng.pick(['Flu shot', 'Vaccine visit', 'Blood pressure check']), duration: 15, lane: 'nurse', location: 'nurse' };
    if (age < 18 && x < 0.6) return { reason: age < 2 ? 'Well-child visit (infant)' : `Well-child visit (${Math.floor(age)} years)`, duration: d.wellchild ?? 30, lane: 'provider', location: 'office' };
    if (chronic.length && x < 0.7) {
      const p = rng.pick(chronic);
      const r = this.reasonFor(p.def.reason);
      const tele = rng.chance(0.2);
      return { reason: rng.pick(r.labels).replace('{problem}', p.description), duration: tele ? 20 : 20 + 10 * rng.int(0, 1), lane: 'provider', location: tele ? 'telehealth' : 'office' };
    }
    if (age >= 65 && x < 0.8) return { reason: 'Medicare annual wellness visit', duration: d.awv ?? 40, lane: 'provider', location: 'office' };
    if (x < 0.85) return { reason: rng.pick(['Annual physical', 'Preventive visit']), duration: d.physical ?? 40, lane: 'provider', location: 'office' };
    const acute = this.pickAcute(this.clock.nowDay);
    if (acute?.kinds.some(([k]) => k === 'procedure')) return { reason: rng.pick(acute.labels), duration: 30, lane: 'provider', location: 'procedure' };
    return { reason: acute ? rng.pick(acute.labels) : 'Follow-up visit', duration: 20, lane: 'provider', location: 'office' };
  }
}

/** A note sentence template split into conditions, literal text and slot names. */
interface Compiled { conds: string[]; parts: string[] }

const compiledTemplates = new Map<string, Compiled>();
const compiledLists = new Map<readonly string[], Compiled[]>();
const compiledReasons = new WeakMap<ReasonDef, { openers: Compiled[]; S: Compiled[]; O: Compiled[]; A: Compiled[]; P: Compiled[] }>();
const COND_RE = /^\?(good|poor|old|young|female|male|phone|portal|remote|inperson|age<[\d.]+|age>=[\d.]+) /;

function compileTemplate(t: string): Compiled {
  let c = compiledTemplates.get(t);
  if (c) return c;
  const conds: string[] = [];
  let text = t;
  for (let m = COND_RE.exec(text); m; m = COND_RE.exec(text)) {
    conds.push(m[1]!);
    text = text.slice(m[0].length);
  }
  // parts: literal, slot, literal, slot, …, literal
  const parts = text.split(/\{(\w+)\}/);
  c = { conds, parts };
  compiledTemplates.set(t, c);
  return c;
}

function compiledList(list: readonly string[]): Compiled[] {
  let c = compiledLists.get(list);
  if (!c) { c = list.map(compileTemplate); compiledLists.set(list, c); }
  return c;
}

const OPENER_RE = /^(Here |\{age_text\}|Patient called|Portal message|Pharmacy fax|Called patient)/;

function compiledReason(r: ReasonDef): { openers: Compiled[]; S: Compiled[]; O: Compiled[]; A: Compiled[]; P: Compiled[] } {
  let c = compiledReasons.get(r);
  if (!c) {
    const strip = (t: string): string => t.replace(/^(\?\S+ )+/, '');
    const S = r.S ?? [];
    // Without an explicit opener, the first sentence (the chief complaint) opens the note.
    const explicit = S.filter((t) => OPENER_RE.test(strip(t)));
    const openers = explicit.length ? explicit : S.slice(0, 1);
    c = {
      openers: openers.map(compileTemplate),
      S: S.filter((t) => !openers.includes(t)).map(compileTemplate),
      O: (r.O ?? []).map(compileTemplate),
      A: (r.A ?? []).map(compileTemplate),
      P: (r.P ?? []).map(compileTemplate),
    };
    compiledReasons.set(r, c);
  }
  return c;
}

const rangeCache = new WeakMap<object, string | null>();

/** rangeText, remembered per vocabulary entry (a test's definition or its age/sex band). */
function rangeFor(owner: object, low: number | null, high: number | null, decimals: number): string | null {
  let r = rangeCache.get(owner);
  if (r === undefined) { r = rangeText(low, high, decimals); rangeCache.set(owner, r); }
  return r;
}

function rangeText(low: number | null, high: number | null, decimals: number): string | null {
  let out: string | null;
  const f = (x: number): string => x.toFixed(decimals);
  if (low === null && high === null) out = null;
  else if (low !== null && high !== null) out = `${f(low)}-${f(high)}`;
  else if (low !== null) out = `>=${f(low)}`;
  else out = `<=${f(high!)}`;
  return out;
}

/** "Cholesterol, total" → "total cholesterol"-like short labels for result summaries. */
function shortLabel(name: string): string {
  return name.replace(/ \(.*\)$/, '');
}

// ---------------------------------------------------------------------------
// Public API

/** MRNs: a bijection of the sequence onto 7-digit numbers, so they are unique and look unordered. */
function mrnFor(index: number, seed: number): string {
  const M = 9_000_000;
  // Multipliers coprime with 9,000,000 (= 2^6 · 3^2 · 5^6).
  const multipliers = [7_654_321, 1_234_567, 4_999_999, 2_718_281, 3_141_593];
  const a = multipliers[hashSeed(seed, 'mrn-a') % multipliers.length]!;
  const b = hashSeed(seed, 'mrn-b') % M;
  // Exact modular arithmetic: split the product to stay below 2^53.
  const prod = ((index % M) * a) % M;
  return String(1_000_000 + ((prod + b) % M));
}

/**
 * Generates the sample clinic's patient records one at a time, in id order.
 * Deterministic: the same options give identical records.
 */
export function* generateSampleClinic(opts: SampleClinicOptions): Generator<PatientRecord> {
  const { patients, seed, asOf } = opts;
  if (!Number.isInteger(patients) || patients < 0) throw new RangeError(`patients must be a whole number ≥ 0, got ${patients}`);
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a number, got ${seed}`);
  if (patients > 9_000_000) throw new RangeError('at most 9,000,000 patients (MRNs are 7 digits)');
  const v = vocab();
  const clock = makeClock(asOf, v.clinic.clinic.timezone);
  const scheduler = new Scheduler(new Random(hashSeed(seed, 'schedule')), clock, v);
  const ctx: Ctx = { v, clock, scheduler };
  for (let i = 0; i < patients; i++) {
    const record = new PatientBuilder(ctx, i, seed).build();
    record.patient.mrn = mrnFor(i, seed);
    yield record;
  }
}

/**
 * Creates a new store at `path` (which must not exist) and fills it with the
 * sample clinic: the clinic's facts in `meta`, then the patients in
 * transactions of BATCH records, under a temporary name until complete.
 * @throws NotAStoreError when `path` exists
 */
export async function writeSampleClinic(path: string, opts: SampleClinicOptions): Promise<{ patients: number }> {
  const v = vocab();
  const records = generateSampleClinic(opts);
  if (existsSync(path)) throw new NotAStoreError(path, 'file already exists; paperchart will not overwrite a store');
  // Written beside its name and renamed when complete: a killed run never leaves a store that looks whole.
  removeStaleTemporaryFiles(path);
  const tempPath = temporaryPathBeside(path);
  const forget = removeOnInterrupt(tempPath);
  const db = createStore(tempPath);
  let complete = false;
  try {
    // A bulk load into a new file: in WAL mode synchronous=NORMAL keeps the file consistent and skips an fsync per commit.
    db.pragma('synchronous = NORMAL');
    const c = v.clinic.clinic;
    writeMeta(db, { clinic_name: c.name, clinic_address: c.address, clinic_phone: c.phone, timezone: c.timezone });
    let written = 0;
    let batch: PatientRecord[] = [];
    for (const record of records) {
      batch.push(record);
      if (batch.length >= BATCH) {
        written += writeRecords(db, batch);
        batch = [];
        // Between transactions, Ctrl-C is heard: the interrupt removes the unfinished file.
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    if (batch.length) written += writeRecords(db, batch);
    backdateChanges(db, opts.asOf);
    db.close();
    commitFile(tempPath, path, { replace: false });
    complete = true;
    return { patients: written };
  } finally {
    if (!complete) {
      if (db.open) db.close();
      removeWithJournals(tempPath);
    }
    forget();
  }
}
