/** Dates as day numbers (days since 1970-01-01) and minutes of the day, local to the clinic; the clinic's clock at asOf. */
import { Random } from './_random.js';

/** Days in a mean Gregorian year. */
export const YEAR = 365.2425;

/** Day number of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const mp = (m + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** [year, month, day] of a day number (H. Hinnant's civil_from_days). */
export function civilFromDays(day: number): [number, number, number] {
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

/** Two digits, zero-padded. */
export const pad2 = (n: number): string => (n < 10 ? '0' : '') + n;
/** Formatted dates by day number, 1850 to 2199 (a plain array: this is on every row's path). */
const DATE_BASE = -44000;
const dateCache: (string | undefined)[] = new Array<string | undefined>(128000);

/** YYYY-MM-DD of a day number. */
export function isoDate(day: number): string {
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

/** Day number of a YYYY-MM-DD date (remembered: vocabularies repeat a few dates). */
export function parseDay(iso: string): number {
  let d = parsedDays.get(iso);
  if (d === undefined) {
    d = daysFromCivil(+iso.slice(0, 4), +iso.slice(5, 7), +iso.slice(8, 10));
    parsedDays.set(iso, d);
  }
  return d;
}

/** YYYY-MM-DDTHH:MM, the clinic's local time of a day and minute. */
export const localTime = (day: number, minute: number): string => `${isoDate(day)}T${pad2(Math.floor(minute / 60))}:${pad2(minute % 60)}`;
/** 0 = Sunday … 6 = Saturday. */
export const weekday = (day: number): number => (((day + 4) % 7) + 7) % 7;
/** Minutes of the day of "HH:MM". */
export const hm = (s: string): number => +s.slice(0, 2) * 60 + +s.slice(3, 5);

export interface Clock {
  /** The clinic's local date and minute of the day at asOf. */
  nowDay: number;
  nowMin: number;
  /** Local wall time minus UTC, in minutes. */
  offsetMin: number;
  /** asOf in seconds since the epoch. */
  nowSec: number;
}

const UTC_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/;

/**
 * The clinic's clock at asOf in its time zone.
 * @throws RangeError when asOf is not a real UTC instant YYYY-MM-DDTHH:MM:SSZ
 */
export function makeClock(asOf: string, timeZone: string): Clock {
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
export function stampAt(clock: Clock, rng: Random, day: number, minute: number, delayMin: number): string {
  let sec = (day * 1440 + minute - clock.offsetMin + delayMin) * 60 + rng.int(0, 59);
  if (sec > clock.nowSec) sec = clock.nowSec;
  const d = Math.floor(sec / 86400);
  const r = sec - d * 86400;
  return `${isoDate(d)}T${pad2(Math.floor(r / 3600))}:${pad2(Math.floor(r / 60) % 60)}:${pad2(r % 60)}Z`;
}

