/** Writes a patient's planned visits to the chart: vitals, labs, procedures, prescriptions and the note of each, then result calls. */
import type { Encounter } from '../record/record.js';
import { isoDate, localTime } from './_calendar.js';
import { drawPanels } from './_labs.js';
import { addMed, drugOk } from './_medications.js';
import { type SlotContext, Slots, slotValue } from './_note-slots.js';
import { REMOTE_KINDS, composeNote } from './_notes.js';
import type { LabResult, PatientDraft, ProblemState, WrittenEncounter } from './_patient-draft.js';
import { addProblem } from './_problems.js';
import { type PlannedVisit, placeInPast, planVisits } from './_visit-history.js';
import { takeVitals } from './_vitals.js';
import type { ReasonDef } from './_vocabulary.js';

function providerFor(pt: PatientDraft, kind: string, reason: ReasonDef, day: number): string | null {
  const rng = pt.rng;
  if (kind === 'nurse' || reason.nurse) return rng.pick(pt.v.clinic.nurses);
  if ((kind === 'phone' || kind === 'portal') && rng.chance(0.35)) return rng.pick(pt.v.clinic.nurses);
  if (pt.primary && rng.chance(kind === 'sameday' ? 0.35 : 0.78)) return pt.primary;
  return (pt.ageAt(day) < 18 ? pt.v.pedsProviderTable : pt.v.providerTable).pick(rng).name;
}

/** Places the planned visits in clinic hours and writes them in date order, then calls about results (at most two outside the long histories). */
export function makeEncounters(pt: PatientDraft): void {
  const skels = planVisits(pt);
  const placed: PlannedVisit[] = [];
  for (const s of skels) {
    const t = placeInPast(pt, s.day, s.kind);
    if (!t) continue;
    s.day = t[0];
    s.minute = t[1];
    placed.push(s);
  }
  placed.sort((a, b) => a.day - b.day || a.minute - b.minute);
  const resultsCalls: { after: WrittenEncounter }[] = [];
  for (const s of placed) {
    const out = writeEncounter(pt, s);
    if (!out) continue;
    if (out.labs.length && !out.reason.nurse && pt.rng.chance(0.18) && (pt.long || resultsCalls.length < 2)) resultsCalls.push({ after: out });
  }
  const results = pt.v.reasonById.get('results')!;
  for (const { after } of resultsCalls) {
    const t = placeInPast(pt, after.day + pt.rng.int(1, 5), pt.rng.chance(0.6) ? 'phone' : 'portal');
    if (!t || t[0] < after.day || (t[0] === after.day && t[1] <= after.minute)) continue;
    const summary = after.labs.slice(0, 5).map((l) => `${l.label} ${l.value}${l.unit && l.num !== null ? (l.unit === '%' ? '' : ' ') + l.unit : ''}${l.flag ? ` (${l.flag})` : ''}`).join(', ');
    writeEncounter(pt, { day: t[0], minute: t[1], kind: pt.rng.weightedPair(results.kinds), reason: results, problem: null, extra: { lab_summary: summary } });
  }
}

function writeEncounter(pt: PatientDraft, s: PlannedVisit): WrittenEncounter | null {
  const rng = pt.rng;
  const { day, minute, kind, reason } = s;
  const age = pt.ageAt(day);
  if (reason.needsMeds && !pt.activeMeds(day).some((m) => !m.drug.otc)) return null;
  const provider = providerFor(pt, kind, reason, day);
  const sctx: SlotContext = { reason, day, labs: [], followed: s.problem, problem: s.problem };
  const slots = new Slots((name) => slotValue(pt, name, sctx));
  if (s.extra) for (const k in s.extra) slots.set(k, s.extra[k]!);
  // Vitals.
  const inPerson = !REMOTE_KINDS.has(kind);
  const mode = reason.vitals ?? (inPerson ? 'full' : 'none');
  const febrile = rng.chance(reason.fever ?? 0);
  if (mode !== 'none' && inPerson) takeVitals(pt, slots, day, minute, mode, kind, reason, febrile);
  const labs = visitLabs(pt, s, age);
  doVisitProcedures(pt, s, provider);
  // Problems the visit adds to the list.
  const linked = addVisitProblem(pt, s) ?? s.problem;
  prescribeAtVisit(pt, s, labs, linked, provider);
  // The note.
  sctx.labs = labs;
  sctx.problem = s.problem ?? linked;
  const control = isUnderControl(pt, reason, day, slots);
  const note = rng.chance(pt.long ? 1 : 0.97) ? composeNote(pt, reason, kind, slots, control, age) : null;
  const durations = pt.v.enc.durations;
  const duration = durations[kind] ?? 20;
  const label = rng.pick(reason.labels).replace('{problem}', (s.problem ?? linked)?.description ?? 'chronic condition');
  const enc: Encounter = {
    id: '', patient_id: pt.pid, occurred_at: localTime(day, minute), kind: pt.v.enc.kinds[kind] ?? kind,
    provider, reason: rng.chance(0.98) ? label : null, note,
    updated_at: pt.stamp(day, minute, duration + rng.int(10, 2880)),
  };
  const out: WrittenEncounter = { enc, kind, reason, day, minute, labs, duration };
  pt.encounters.push(out);
  return out;
}

/** Labs drawn at a visit: the reason's own panels, then the followed problem's monitoring panels. */
function visitLabs(pt: PatientDraft, s: PlannedVisit, age: number): LabResult[] {
  const rng = pt.rng;
  const { day, minute, kind, reason } = s;
  const panels: string[] = [];
  for (const [panel, p] of reason.panels ?? []) if (rng.chance(p)) panels.push(panel);
  if (s.problem) for (const [panel, p] of s.problem.def.panels ?? []) if (rng.chance(p * (kind === 'telehealth' ? 0.3 : 0.55))) panels.push(panel);
  if (reason.preventive === 'adult' && age < 20) panels.length = 0;
  return panels.length && kind !== 'portal' && kind !== 'phone' ? drawPanels(pt, panels, day, minute, reason.id) : [];
}

/** Procedures done in the clinic at the visit (a procedure visit does one of its reason's). */
function doVisitProcedures(pt: PatientDraft, s: PlannedVisit, provider: string | null): void {
  const rng = pt.rng;
  const procs = s.reason.procedures ?? [];
  const doProcs: string[] = [];
  if (s.kind === 'procedure' && procs.length) doProcs.push(rng.weightedPair(procs));
  else for (const [code, p] of procs) if (rng.chance(p)) doProcs.push(code);
  for (const code of doProcs) {
    const def = pt.v.procs.procedures[code];
    if (!def) continue;
    pt.procedures.push({
      id: '', patient_id: pt.pid, description: def.description, code, performed_on: isoDate(s.day),
      performer: provider, updated_at: pt.stamp(s.day, s.minute, rng.int(20, 600)),
    });
  }
}

/** At most one problem the visit adds to the list (an acute one, resolved a few weeks later); null when none. */
function addVisitProblem(pt: PatientDraft, s: PlannedVisit): ProblemState | null {
  for (const [code, p] of s.reason.adds ?? []) {
    if (!pt.rng.chance(p)) continue;
    const def = pt.v.problemByCode.get(code);
    if (!def) return null;
    const resolved = s.day + pt.rng.int(7, 28);
    return addProblem(pt, def, s.day, resolved < pt.clock.nowDay ? resolved : null);
  }
  return null;
}

/** Prescriptions from the visit, some only after a positive test (a strep test). */
function prescribeAtVisit(pt: PatientDraft, s: PlannedVisit, labs: LabResult[], linked: ProblemState | null, provider: string | null): void {
  const rng = pt.rng;
  const day = s.day;
  const positive = (test: string): boolean => labs.some((l) => l.id === test && l.flag === 'A');
  for (const [drugId, p, needs] of s.reason.meds ?? []) {
    if (needs && !positive(needs)) continue;
    if (!rng.chance(p) || !drugOk(pt, drugId, day)) continue;
    const drug = pt.v.drugs.drugs[drugId]!;
    const course = drug.course ?? (rng.int(14, 60));
    const end = day + course;
    const done = end < pt.clock.nowDay;
    addMed(pt, drugId, linked, day, done ? end : null, done ? (drug.course ? 'completed' : 'stopped') : 'active', provider);
  }
}

function isUnderControl(pt: PatientDraft, reason: ReasonDef, day: number, slots: Slots): boolean {
  const rng = pt.rng;
  const latest = (id: string): number | null => {
    const r = pt.latest.get(id);
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
