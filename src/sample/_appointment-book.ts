/** The appointment book shared by all patients of one clinic: upcoming days and free 15-minute slots per provider, nurse and lab. */
import type { Appointment } from '../record/record.js';
import { type Clock, hm, weekday } from './_calendar.js';
import { Random } from './_random.js';
import type { Hours, Vocab } from './_vocabulary.js';

interface Booking { day: number; minute: number; provider: string | null }

/** One per generated clinic, filled in patient order with its own random sequence: the same seed books the same slots. */
export class AppointmentBook {
  private readonly taken = new Map<string, Uint8Array>();
  /** Appointments asked for on each of the next NEAR_DAYS days (a full day spills to the next). */
  private readonly nearDemand: number[];
  private readonly nearWeights: number[];
  private forcedNear = 0;
  static readonly NEAR_DAYS = 15;
  static readonly MIN_PER_DAY = 3;

  constructor(private readonly rng: Random, private readonly clock: Clock, private readonly v: Vocab) {
    this.nearDemand = new Array<number>(AppointmentBook.NEAR_DAYS).fill(0);
    this.nearWeights = [];
    for (let i = 0; i < AppointmentBook.NEAR_DAYS; i++) {
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
      for (let i = 0; i < AppointmentBook.NEAR_DAYS; i++) {
        const wd = weekday(now + i);
        if (lane !== 'provider' && (wd === 0 || wd === 6)) continue;
        const demand = this.nearDemand[i]!;
        const score = (demand < AppointmentBook.MIN_PER_DAY ? demand - 1000 : (demand + 1) / this.nearWeights[i]!) + this.rng.next() * 1e-6;
        if (score < bestScore) { bestScore = score; best = i; }
      }
      this.nearDemand[best]!++;
      return now + best;
    }
    let day = now + this.rng.int(AppointmentBook.NEAR_DAYS, 120);
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
