import { InvalidRecordError, MalformedRecordError } from '../errors.js';
import type { PatientRecord } from './record.js';
import { CHILD_TABLES, RECORD_COLUMNS, type ColumnType } from './record.js';

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

/** A key or id as a message may show it: quoted, and cut short, since it came from the paper. */
function shown(name: string): string {
  return JSON.stringify(name.length > 40 ? `${name.slice(0, 40)}…` : name);
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return Number.isSafeInteger(value) ? 'an integer' : 'a non-integer number';
  return `a${typeof value === 'object' || typeof value === 'undefined' ? 'n' : ''} ${typeof value}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkRow(patientId: string, where: string, row: unknown, columns: Record<string, ColumnType>): void {
  if (!isPlainObject(row)) throw new MalformedRecordError(patientId, where, `is ${jsonType(row)}, expected an object`);
  for (const key of Object.keys(row)) {
    if (!Object.hasOwn(columns, key)) throw new MalformedRecordError(patientId, where, `has a field the schema lacks: ${shown(key)}`);
  }
  for (const [column, t] of Object.entries(columns)) {
    if (!Object.hasOwn(row, column)) {
      if (t.optional) continue; // schema 3's columns: a record printed at version 2 has none of them
      throw new MalformedRecordError(patientId, where, `lacks the field ${column}`);
    }
    const value = row[column];
    if (value === null) {
      if (!t.nullable) throw new MalformedRecordError(patientId, `${where}.${column}`, 'is null, expected a value');
      continue;
    }
    const ok = t.type === 'text' ? typeof value === 'string' : Number.isSafeInteger(value);
    if (!ok) throw new MalformedRecordError(patientId, `${where}.${column}`, `is ${jsonType(value)}, expected ${t.type === 'text' ? 'text' : 'an integer'}`);
    if (t.values && !t.values.includes(value as string)) {
      throw new MalformedRecordError(patientId, `${where}.${column}`, `is not one of ${t.values.join(', ')}`);
    }
  }
}

/**
 * Checks that a decoded value is a patient record of exactly the schema's
 * shape (RECORD_COLUMNS): the patient and every table, as an array, no other
 * member; every row an object with exactly its table's fields, each of the
 * right JSON type (and one of the allowed values for an enumeration); every
 * row naming `patientId`. Only then may any of it reach the store.
 * @throws MalformedRecordError naming the patient, where and what is wrong (never a value)
 */
export function checkRecordShape(value: unknown, patientId: string): asserts value is PatientRecord {
  if (!isPlainObject(value)) throw new MalformedRecordError(patientId, 'the record', `is ${jsonType(value)}, expected an object`);
  const members = new Set<string>(['patient', ...CHILD_TABLES]);
  for (const key of Object.keys(value)) {
    if (!members.has(key)) throw new MalformedRecordError(patientId, 'the record', `has a table the schema lacks: ${shown(key)}`);
  }
  if (!Object.hasOwn(value, 'patient')) throw new MalformedRecordError(patientId, 'the record', 'lacks the patient');
  checkRow(patientId, 'patient', value.patient, RECORD_COLUMNS.patients);
  if ((value.patient as Record<string, unknown>).id !== patientId) {
    throw new MalformedRecordError(patientId, 'patient.id', 'names another patient than its codes');
  }
  for (const table of CHILD_TABLES) {
    if (!Object.hasOwn(value, table)) throw new MalformedRecordError(patientId, 'the record', `lacks the table ${table}`);
    const rows = value[table];
    if (!Array.isArray(rows)) throw new MalformedRecordError(patientId, table, `is ${jsonType(rows)}, expected an array`);
    rows.forEach((row, i) => {
      checkRow(patientId, `${table}[${i}]`, row, RECORD_COLUMNS[table]);
      if ((row as Record<string, unknown>).patient_id !== patientId) {
        throw new MalformedRecordError(patientId, `${table}[${i}].patient_id`, 'names another patient');
      }
    });
  }
}
