/** A patient's appointments: recent booked and cancelled ones, and up to two upcoming ones booked in the clinic's book. */
import type { Appointment } from '../record/record.js';
import { localTime, weekday } from './_calendar.js';
import type { PatientDraft } from './_patient-draft.js';
import { pickAcute, reasonFor } from './_visit-history.js';

/** Recent scheduled visits as booked appointments, a few cancelled ones, and sometimes one or two upcoming. */
export function makeAppointments(pt: PatientDraft): Appointment[] {
  const rng = pt.rng;
  const now = pt.clock.nowDay;
  const book = pt.ctx.appointmentBook;
  const age = pt.ageNow;
  const locs = pt.v.clinic.locations;
  const out: Appointment[] = [];
  const push = (day: number, minute: number, duration: number, provider: string | null, reason: string, location: string, status: Appointment['status'], bookedDay: number): void => {
    out.push({
      id: '', patient_id: pt.pid, starts_at: localTime(day, minute), duration_minutes: duration, provider,
      reason: rng.chance(0.97) ? reason : null, location, status,
      updated_at: pt.stampDay(Math.min(now, Math.max(bookedDay, pt.joinDay))),
    });
  };
  // Past appointments: the recent scheduled visits, and a few that were cancelled.
  const scheduled = pt.encounters.filter((e) => !['phone', 'portal', 'sameday'].includes(e.kind) && e.day >= now - 120);
  for (const e of scheduled.slice(-3)) {
    const loc = e.kind === 'telehealth' ? rng.pick(locs.telehealth!) : e.kind === 'nurse' ? rng.pick(locs.nurse!) : e.kind === 'procedure' ? rng.pick(locs.procedure!) : rng.pick(locs.office!);
    push(e.day, e.minute, e.duration, e.enc.provider, e.enc.reason ?? rng.pick(e.reason.labels), loc, 'booked', e.day - rng.int(1, 40));
  }
  if (rng.chance(0.08)) {
    const day = now - rng.int(1, 90);
    if (day > pt.joinDay && weekday(day) !== 0 && weekday(day) !== 6) {
      push(day, 8 * 60 + 20 * rng.int(0, 23), 20, pt.primary, rng.pick(['Follow-up visit', 'Medication check', 'Annual physical']), rng.pick(locs.office!), 'cancelled', day - rng.int(3, 30));
    }
  }
  // Upcoming.
  const p = pt.long ? 0.6 : age >= 65 ? 0.45 : age < 2 ? 0.6 : 0.33;
  if (!rng.chance(p)) return out;
  const n = rng.chance(0.15) ? 2 : 1;
  for (let i = 0; i < n; i++) {
    const u = upcomingReason(pt);
    const status: Appointment['status'] = rng.chance(0.06) ? 'cancelled' : 'booked';
    const lane = u.lane;
    const day0 = book.upcomingDay(lane);
    const b = book.book(day0, lane === 'provider' ? pt.primary : null, u.duration, lane, status);
    const hours = book.hours(b.day);
    const location = hours.location && lane === 'provider' && u.location === 'office' ? hours.location : rng.pick(locs[u.location] ?? locs.office!);
    push(b.day, b.minute, u.duration, b.provider, u.reason, location, status, now - rng.int(0, 75));
  }
  return out;
}

function upcomingReason(pt: PatientDraft): { reason: string; duration: number; lane: 'provider' | 'nurse' | 'lab'; location: string } {
  const rng = pt.rng;
  const age = pt.ageNow;
  const d = pt.v.enc.durations;
  const chronic = pt.problems.filter((p) => p.resolvedDay === null && p.def.reason);
  const x = rng.next();
  if (pt.onDrug(['warfarin'], pt.clock.nowDay) && x < 0.3) return { reason: 'INR check', duration: 15, lane: 'nurse', location: 'nurse' };
  if (x < 0.08) return { reason: rng.pick(['Lab draw: fasting labs', 'Lab draw', 'Lab draw: A1c and BMP']), duration: 15, lane: 'lab', location: 'lab' };
  if (x < 0.13) return { reason: rng.pick(['Flu shot', 'Vaccine visit', 'Blood pressure check']), duration: 15, lane: 'nurse', location: 'nurse' };
  if (age < 18 && x < 0.6) return { reason: age < 2 ? 'Well-child visit (infant)' : `Well-child visit (${Math.floor(age)} years)`, duration: d.wellchild ?? 30, lane: 'provider', location: 'office' };
  if (chronic.length && x < 0.7) {
    const p = rng.pick(chronic);
    const r = reasonFor(pt, p.def.reason);
    const tele = rng.chance(0.2);
    return { reason: rng.pick(r.labels).replace('{problem}', p.description), duration: tele ? 20 : 20 + 10 * rng.int(0, 1), lane: 'provider', location: tele ? 'telehealth' : 'office' };
  }
  if (age >= 65 && x < 0.8) return { reason: 'Medicare annual wellness visit', duration: d.awv ?? 40, lane: 'provider', location: 'office' };
  if (x < 0.85) return { reason: rng.pick(['Annual physical', 'Preventive visit']), duration: d.physical ?? 40, lane: 'provider', location: 'office' };
  const acute = pickAcute(pt, pt.clock.nowDay);
  if (acute?.kinds.some(([k]) => k === 'procedure')) return { reason: rng.pick(acute.labels), duration: 30, lane: 'provider', location: 'procedure' };
  return { reason: acute ? rng.pick(acute.labels) : 'Follow-up visit', duration: 20, lane: 'provider', location: 'office' };
}
