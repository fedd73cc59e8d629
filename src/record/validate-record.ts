import { InvalidRecordError } from '../errors.js';
import type { PatientRecord } from './record.js';
import { CHILD_TABLES } from './record.js';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const LOCAL_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;
const UTC_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/;

/** Columns holding a calendar date, a local wall time, or a UTC instant. */
const DATE_COLUMNS = new Set(['birth_date', 'recorded_on', 'onset_date', 'resolved_date', 'start_date', 'end_date',
  'last_filled', 'given_on', 'performed_on']);
const LOCAL_TIME_COLUMNS = new Set(['effective_at', 'occurred_at', 'starts_at']);

/** True when y-m-d names a day that exists (no 30 February, no month 13). */
export function isRealDate(y: number, m: number, d: number): boolean {
  if (y < 1850 || m < 1 || m > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
  return d <= days;
}

function checkDate(value: string): boolean {
  const m = DATE.exec(value);
  return m !== null && isRealDate(+m[1]!, +m[2]!, +m[3]!);
}

function checkTime(value: string, re: RegExp): boolean {
  const m = re.exec(value);
  if (!m || !isRealDate(+m[1]!, +m[2]!, +m[3]!)) return false;
  return +m[4]! < 24 && +m[5]! < 60 && (m[6] === undefined || +m[6] < 60);
}

/**
 * Checks what the schema's CHECK constraints cannot: that every date is a
 * real calendar day and that nobody is born after the data was taken.
 * The store's own constraints already hold the shapes and enumerations.
 * @throws InvalidRecordError naming the patient, the field and the value
 */
export function validateRecord(record: PatientRecord, dataAsOf: string | null): void {
  const pid = record.patient.id;
  const rows: Record<string, unknown>[] = [record.patient as unknown as Record<string, unknown>];
  for (const table of CHILD_TABLES) for (const row of record[table] as unknown as Record<string, unknown>[]) rows.push(row); // a spread overflows the stack past ~125,000 rows
  for (const row of rows) {
    for (const [column, value] of Object.entries(row)) {
      if (typeof value !== 'string') continue;
      if (DATE_COLUMNS.has(column) && !checkDate(value)) {
        throw new InvalidRecordError(pid, column, value, 'a real calendar date YYYY-MM-DD');
      }
      if (LOCAL_TIME_COLUMNS.has(column) && !checkTime(value, LOCAL_TIME)) {
        throw new InvalidRecordError(pid, column, value, 'a real local time YYYY-MM-DDTHH:MM');
      }
      if (column === 'updated_at' && !checkTime(value, UTC_TIME)) {
        throw new InvalidRecordError(pid, column, value, 'a real UTC time YYYY-MM-DDTHH:MM:SSZ');
      }
    }
  }
  if (dataAsOf !== null && record.patient.birth_date > dataAsOf.slice(0, 10)) {
    throw new InvalidRecordError(pid, 'birth_date', record.patient.birth_date, `a date on or before the data's date ${dataAsOf.slice(0, 10)}`);
  }
}
