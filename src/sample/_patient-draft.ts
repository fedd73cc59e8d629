/**
 * One sample patient while it is being made: the facts chosen so far (who, problems, medications, body)
 * and the rows gathered so far. The builders in the other files each fill in one part of it.
 */
import type { Allergy, Encounter, Immunization, Medication, Observation, Patient, Procedure, Sex } from '../record/record.js';
import type { AppointmentBook } from './_appointment-book.js';
import { type Clock, YEAR, stampAt } from './_calendar.js';
import { Random, hashSeed } from './_random.js';
import type { Drug, Flag, Gender, NameGroup, Pharmacy, ProblemDef, ReasonDef, Vocab } from './_vocabulary.js';

/** Years of visit history on the charts (the clinic's current records system went live then). */
export const CHART_YEARS = 5;

/** The whole clinic's shared state, the same for every patient. */
export interface ClinicContext { v: Vocab; clock: Clock; appointmentBook: AppointmentBook }

export interface ProblemState { def: ProblemDef; code: string | null; description: string; onsetDay: number; resolvedDay: number | null; showOnset: boolean }
export interface MedState {
  drugId: string; drug: Drug; dose: string; startDay: number; endDay: number | null; status: Medication['status'];
  problem: ProblemState | null; prescriber: string | null;
}
export interface LabResult { id: string; label: string; value: string; num: number | null; unit: string | null; flag: Flag; day: number }
/** A visit written to the chart, with what later visits and appointments look back at. */
export interface WrittenEncounter { enc: Encounter; kind: string; reason: ReasonDef; day: number; minute: number; labs: LabResult[]; duration: number }

export class PatientDraft {
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
  /** One of the ~5% long histories (40 to 80 visits). */
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
  allergyStatus: Patient['allergy_status'] = 'unknown';
  /** Drugs an active allergy rules out. */
  avoid = new Set<string>();
  epinephrineAllergy = false;
  latexAllergy = false;
  /** Vaccines given at a nurse visit of their own: the visit is written with the encounters. */
  nurseVaccineDays: { day: number; slots: Record<string, string> }[] = [];
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
  encounters: WrittenEncounter[] = [];

  constructor(readonly ctx: ClinicContext, readonly index: number, seed: number) {
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
}
