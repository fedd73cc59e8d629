/**
 * One patient's complete record, as the store holds it and as `export` prints it.
 * Field names are the store's column names (docs/SCHEMA.md) so that a row and its
 * JSON form never need a mapping table. Absent values are `null`, never omitted:
 * "not recorded" must stay distinguishable from "empty". The optional columns of
 * schema version 3 (OPTIONAL_COLUMNS) are the one exception: a record carries them
 * only when they hold a value, so a record without them reads, prints and
 * compares exactly as it did at version 2 (paper printed before stays current).
 */

/** Calendar date `YYYY-MM-DD` (no time zone: a birth date is not an instant). */
export type IsoDate = string;
/** Local clinic wall time `YYYY-MM-DDTHH:MM` (appointments, encounters). */
export type LocalDateTime = string;
/** Instant in UTC `YYYY-MM-DDTHH:MM:SSZ` (row change times). */
export type UtcTimestamp = string;

export type Sex = 'female' | 'male' | 'other' | 'unknown';
/** `unknown`: nobody asked. `none`: asked, no known allergies. `listed`: see the allergies. */
export type AllergyStatus = 'unknown' | 'none' | 'listed';

export interface Patient {
  id: string;
  mrn: string;
  family_name: string;
  given_names: string;
  preferred_name: string | null;
  birth_date: IsoDate;
  sex: Sex;
  language: string | null;
  address_line: string | null;
  city: string | null;
  region: string | null;
  postal_code: string | null;
  country: string | null;
  phone: string | null;
  email: string | null;
  primary_provider: string | null;
  pharmacy_name: string | null;
  pharmacy_phone: string | null;
  pharmacy_address: string | null;
  code_status: string | null;
  advance_directive: string | null;
  allergy_status: AllergyStatus;
  updated_at: UtcTimestamp;
  /** Schema 3: the name in Latin letters, when the name above is written in another script. */
  family_name_latin?: string | null;
  given_names_latin?: string | null;
}

export interface Contact {
  id: string; patient_id: string;
  name: string; relationship: string | null; phone: string | null;
  is_emergency: 0 | 1; priority: number;
  updated_at: UtcTimestamp;
}

export interface Coverage {
  id: string; patient_id: string;
  payer: string; plan: string | null; member_id: string | null; group_number: string | null;
  priority: number;
  updated_at: UtcTimestamp;
}

export interface Alert {
  id: string; patient_id: string;
  text: string; severity: 'info' | 'warning' | 'critical';
  updated_at: UtcTimestamp;
}

export interface Allergy {
  id: string; patient_id: string;
  substance: string; reaction: string | null;
  severity: 'mild' | 'moderate' | 'severe' | null;
  status: 'active' | 'inactive' | 'resolved';
  recorded_on: IsoDate | null;
  updated_at: UtcTimestamp;
  /** Schema 3: the substance's coding (`RxNorm`, `SNOMED CT`, or the system's URI). */
  code_system?: string | null; code?: string | null;
}

export interface Problem {
  id: string; patient_id: string;
  description: string; code_system: string | null; code: string | null;
  onset_date: IsoDate | null; resolved_date: IsoDate | null;
  status: 'active' | 'resolved';
  updated_at: UtcTimestamp;
  /** Schema 3: a second coding of the same problem (SNOMED CT beside ICD-10, or the reverse). */
  alt_code_system?: string | null; alt_code?: string | null;
}

export interface Medication {
  id: string; patient_id: string;
  name: string; dose: string | null; route: string | null; frequency: string | null;
  prescriber: string | null; start_date: IsoDate | null; end_date: IsoDate | null;
  status: 'active' | 'stopped' | 'completed';
  refills_remaining: number | null; last_filled: IsoDate | null;
  instructions: string | null;
  updated_at: UtcTimestamp;
  /** Schema 3: the medicine's coding (`RxNorm`). */
  code_system?: string | null; code?: string | null;
}

export interface Immunization {
  id: string; patient_id: string;
  vaccine: string; given_on: IsoDate; dose_number: number | null;
  lot: string | null; site: string | null;
  updated_at: UtcTimestamp;
  /** Schema 3: the vaccine's coding (`CVX`). */
  code_system?: string | null; code?: string | null;
}

/** A vital sign or a lab result: one table, told apart by `category`. */
export interface Observation {
  id: string; patient_id: string;
  category: 'vital' | 'lab';
  code: string | null; name: string;
  value: string; unit: string | null; reference_range: string | null;
  /** `H` high, `L` low, `A` abnormal (non-numeric), null normal or not flagged. */
  abnormal_flag: 'H' | 'L' | 'A' | null;
  effective_at: LocalDateTime;
  updated_at: UtcTimestamp;
}

export interface Procedure {
  id: string; patient_id: string;
  description: string; code: string | null;
  performed_on: IsoDate; performer: string | null;
  updated_at: UtcTimestamp;
  /** Schema 3: the system of `code` (`CPT`, `SNOMED CT`); null for CPT, as before version 3. */
  code_system?: string | null;
}

export interface Encounter {
  id: string; patient_id: string;
  occurred_at: LocalDateTime; kind: string; provider: string | null;
  reason: string | null; note: string | null;
  updated_at: UtcTimestamp;
}

export interface Appointment {
  id: string; patient_id: string;
  starts_at: LocalDateTime; duration_minutes: number;
  provider: string | null; reason: string | null; location: string | null;
  status: 'booked' | 'cancelled';
  updated_at: UtcTimestamp;
}

/** Child tables in the order of the International Patient Summary. */
export interface PatientRecord {
  patient: Patient;
  alerts: Alert[];
  allergies: Allergy[];
  medications: Medication[];
  problems: Problem[];
  contacts: Contact[];
  coverages: Coverage[];
  immunizations: Immunization[];
  observations: Observation[];
  procedures: Procedure[];
  encounters: Encounter[];
  appointments: Appointment[];
}

export type ChildTable = Exclude<keyof PatientRecord, 'patient'>;

/** Every child table, in IPS order; the store, export and renderer all walk this list. */
export const CHILD_TABLES: readonly ChildTable[] = [
  'alerts', 'allergies', 'medications', 'problems', 'contacts', 'coverages',
  'immunizations', 'observations', 'procedures', 'encounters', 'appointments',
];

/** A column's JSON type in a record: text or a safe integer, nullable or not, optionally one of fixed values. */
export interface ColumnType {
  type: 'text' | 'integer';
  nullable: boolean;
  /** The values the schema's CHECK allows, for an enumeration. */
  values?: readonly string[];
  /** Added in schema 3 (OPTIONAL_COLUMNS): nullable, and a record omits it rather than hold null. */
  optional?: true;
}

const text: ColumnType = { type: 'text', nullable: false };
const textOrNull: ColumnType = { type: 'text', nullable: true };
const integer: ColumnType = { type: 'integer', nullable: false };
const integerOrNull: ColumnType = { type: 'integer', nullable: true };
const oneOf = (...values: string[]): ColumnType => ({ type: 'text', nullable: false, values });
const oneOfOrNull = (...values: string[]): ColumnType => ({ type: 'text', nullable: true, values });
const childKeys = { id: text, patient_id: text } as const;
const optional: ColumnType = { type: 'text', nullable: true, optional: true };

/**
 * Every table's columns with their JSON types, as docs/SCHEMA.md and src/store/schema.ts define them
 * (a test holds the two together). Statements that write a record are built from these names alone,
 * never from a record's keys, and a decoded record is checked against them before anything is written.
 */
export const RECORD_COLUMNS = {
  patients: {
    id: text, mrn: text, family_name: text, given_names: text, preferred_name: textOrNull, birth_date: text,
    sex: oneOf('female', 'male', 'other', 'unknown'), language: textOrNull, address_line: textOrNull, city: textOrNull,
    region: textOrNull, postal_code: textOrNull, country: textOrNull, phone: textOrNull, email: textOrNull,
    primary_provider: textOrNull, pharmacy_name: textOrNull, pharmacy_phone: textOrNull, pharmacy_address: textOrNull,
    code_status: textOrNull, advance_directive: textOrNull, allergy_status: oneOf('unknown', 'none', 'listed'), updated_at: text,
    family_name_latin: optional, given_names_latin: optional,
  } satisfies Record<keyof Patient, ColumnType>,
  alerts: { ...childKeys, text, severity: oneOf('info', 'warning', 'critical'), updated_at: text } satisfies Record<keyof Alert, ColumnType>,
  allergies: {
    ...childKeys, substance: text, reaction: textOrNull, severity: oneOfOrNull('mild', 'moderate', 'severe'),
    status: oneOf('active', 'inactive', 'resolved'), recorded_on: textOrNull, updated_at: text,
    code_system: optional, code: optional,
  } satisfies Record<keyof Allergy, ColumnType>,
  medications: {
    ...childKeys, name: text, dose: textOrNull, route: textOrNull, frequency: textOrNull, prescriber: textOrNull,
    start_date: textOrNull, end_date: textOrNull, status: oneOf('active', 'stopped', 'completed'),
    refills_remaining: integerOrNull, last_filled: textOrNull, instructions: textOrNull, updated_at: text,
    code_system: optional, code: optional,
  } satisfies Record<keyof Medication, ColumnType>,
  problems: {
    ...childKeys, description: text, code_system: textOrNull, code: textOrNull, onset_date: textOrNull,
    resolved_date: textOrNull, status: oneOf('active', 'resolved'), updated_at: text,
    alt_code_system: optional, alt_code: optional,
  } satisfies Record<keyof Problem, ColumnType>,
  contacts: {
    ...childKeys, name: text, relationship: textOrNull, phone: textOrNull, is_emergency: integer, priority: integer, updated_at: text,
  } satisfies Record<keyof Contact, ColumnType>,
  coverages: {
    ...childKeys, payer: text, plan: textOrNull, member_id: textOrNull, group_number: textOrNull, priority: integer, updated_at: text,
  } satisfies Record<keyof Coverage, ColumnType>,
  immunizations: {
    ...childKeys, vaccine: text, given_on: text, dose_number: integerOrNull, lot: textOrNull, site: textOrNull, updated_at: text,
    code_system: optional, code: optional,
  } satisfies Record<keyof Immunization, ColumnType>,
  observations: {
    ...childKeys, category: oneOf('vital', 'lab'), code: textOrNull, name: text, value: text, unit: textOrNull,
    reference_range: textOrNull, abnormal_flag: oneOfOrNull('H', 'L', 'A'), effective_at: text, updated_at: text,
  } satisfies Record<keyof Observation, ColumnType>,
  procedures: {
    ...childKeys, description: text, code: textOrNull, performed_on: text, performer: textOrNull, updated_at: text,
    code_system: optional,
  } satisfies Record<keyof Procedure, ColumnType>,
  encounters: {
    ...childKeys, occurred_at: text, kind: text, provider: textOrNull, reason: textOrNull, note: textOrNull, updated_at: text,
  } satisfies Record<keyof Encounter, ColumnType>,
  appointments: {
    ...childKeys, starts_at: text, duration_minutes: integer, provider: textOrNull, reason: textOrNull, location: textOrNull,
    status: oneOf('booked', 'cancelled'), updated_at: text,
  } satisfies Record<keyof Appointment, ColumnType>,
} as const satisfies Record<'patients' | ChildTable, Record<string, ColumnType>>;

export type RecordTable = keyof typeof RECORD_COLUMNS;

/** Each table's optional columns (schema 3): absent from a record, or holding a value, never null in one. */
export const OPTIONAL_COLUMNS: Readonly<Record<RecordTable, readonly string[]>> = Object.fromEntries(
  Object.entries(RECORD_COLUMNS).map(([table, columns]) => [table,
    Object.entries(columns as Record<string, ColumnType>).filter(([, t]) => t.optional).map(([c]) => c)]),
) as unknown as Record<RecordTable, readonly string[]>;

/** Removes the optional columns that hold null from one row, in place: the one form a record has with them. */
export function dropEmptyOptional(table: RecordTable, row: Record<string, unknown>): void {
  for (const c of OPTIONAL_COLUMNS[table]) if (row[c] === null || row[c] === undefined) delete row[c];
}
