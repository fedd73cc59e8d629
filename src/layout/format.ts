import type { Patient } from '../record/record.js';
import { inJapanese, isJapaneseName } from '../text/han-language.js';
import { visibleIdentity } from './visible-identity.js';

/**
 * "Family, Given" — how a binder lists a person; never reordered or re-cased, so copied text matches the record,
 * except that an invisible or bidi-control character prints as its mark (visibleIdentity).
 */
export function displayName(p: Pick<Patient, 'family_name' | 'given_names'>): string {
  const family = visibleIdentity(p.family_name);
  return p.given_names ? `${family}, ${visibleIdentity(p.given_names)}` : family;
}

/**
 * displayName, tagged as Japanese when the name is (text/han-language.ts), so that its Han characters
 * print in Japanese glyph forms; the tag draws nothing and extracts as nothing.
 */
export function printedName(p: NamedPatient): string {
  return inNameLanguage(p, displayName(p));
}

type NamedPatient = Pick<Patient, 'family_name' | 'given_names' | 'language' | 'family_name_latin' | 'given_names_latin'>;

/** `text` tagged as Japanese when the patient's name is Japanese: their name, or their family's (contacts). */
export function inNameLanguage(p: NamedPatient, text: string): string {
  const japanese = isJapaneseName({ language: p.language, family: p.family_name, given: p.given_names, latinFamily: p.family_name_latin, latinGiven: p.given_names_latin });
  return japanese ? inJapanese(text) : text;
}

/** Whole years between a birth date and a day, both YYYY-MM-DD. */
export function ageOn(birthDate: string, day: string): number {
  const [by, bm, bd] = birthDate.split('-').map(Number) as [number, number, number];
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

/** "2026-11-25 14:05" from a local wall time. */
export function localTime(t: string): string {
  return t.replace('T', ' ');
}

/** A UTC instant as "2026-11-25 14:05 UTC". */
export function utcMinute(t: string): string {
  return `${t.slice(0, 10)} ${t.slice(11, 16)} UTC`;
}

/** Formatters by their options: making one costs about 0.5 ms (measured), and a supplement's sheet asks two a line. */
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale} ${JSON.stringify(options)}`;
  let f = formatters.get(key);
  if (!f) formatters.set(key, f = new Intl.DateTimeFormat(locale, options));
  return f;
}

/** The wall-clock date and time of a UTC instant in the clinic's time zone. */
export function clinicNow(instant: string, timeZone: string): { date: string; time: string } {
  const parts = formatter('en-CA', {
    timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(new Date(instant));
  const get = (type: string): string => parts.find((p) => p.type === type)!.value;
  return { date: `${get('year')}-${get('month')}-${get('day')}`, time: `${get('hour')}:${get('minute')}` };
}

/** YYYY-MM-DD plus n days. */
export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** Skips nulls and empties: `joinPresent([' — ', a, b])`. */
export function joinPresent(sep: string, parts: readonly (string | null | undefined | false)[]): string {
  return parts.filter((p): p is string => typeof p === 'string' && p !== '').join(sep);
}

/**
 * A UTC instant as the clinic's wall clock, naming the zone: "2026-12-06 07:00 PST" (the zone's short name in
 * the locale, "GMT+1" where it has none), so the cover, the running head and the schedule read in one zone.
 */
export function zonedMinute(instant: string, timeZone: string, locale: string): string {
  const { date, time } = clinicNow(instant, timeZone);
  const zone = formatter(locale, { timeZone, timeZoneName: 'short' }).formatToParts(new Date(instant))
    .find((p) => p.type === 'timeZoneName')?.value ?? timeZone;
  return `${date} ${time} ${zone}`;
}

/**
 * A wall time "YYYY-MM-DDTHH:MM" of zone `from` as the wall time of zone `to` (the store keeps appointments in its
 * own zone; the binder may print in another). In a DST gap or overlap it takes the offset in force an hour later.
 */
export function rezoneWallTime(wall: string, from: string, to: string): string {
  if (from === to) return wall;
  const asUtc = Date.parse(`${wall}:00Z`);
  const offset = (t: number): number => {
    const { date, time } = clinicNow(new Date(t).toISOString(), from);
    return Date.parse(`${date}T${time}:00Z`) - t;
  };
  const instant = asUtc - offset(asUtc - offset(asUtc));
  const { date, time } = clinicNow(new Date(instant).toISOString(), to);
  return `${date}T${time}`;
}
