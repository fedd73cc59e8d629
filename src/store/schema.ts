/**
 * The records store's schema (docs/SCHEMA.md). The version lives in
 * `PRAGMA user_version`; MIGRATIONS[n] takes a store from version n to n+1.
 */

export const SCHEMA_VERSION = 3;

const stamp = `updated_at TEXT NOT NULL CHECK (updated_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z')`;
const child = `id TEXT PRIMARY KEY NOT NULL,
  patient_id TEXT NOT NULL REFERENCES patients(id) ON DELETE CASCADE`;
const date = (col: string, nullable: boolean): string =>
  `${col} TEXT ${nullable ? '' : 'NOT NULL '}CHECK (${nullable ? `${col} IS NULL OR ` : ''}${col} GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]')`;
const localTime = (col: string): string =>
  `${col} TEXT NOT NULL CHECK (${col} GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]')`;

/** Version 1: the whole schema, as a new store gets it. */
export const SCHEMA_V1 = `
CREATE TABLE meta (
  key TEXT PRIMARY KEY NOT NULL,
  value TEXT NOT NULL
);
CREATE TABLE patients (
  id TEXT PRIMARY KEY NOT NULL,
  mrn TEXT NOT NULL UNIQUE,
  family_name TEXT NOT NULL,
  given_names TEXT NOT NULL,
  preferred_name TEXT,
  ${date('birth_date', false)},
  sex TEXT NOT NULL CHECK (sex IN ('female','male','other','unknown')),
  language TEXT,
  address_line TEXT, city TEXT, region TEXT, postal_code TEXT, country TEXT,
  phone TEXT, email TEXT,
  primary_provider TEXT,
  pharmacy_name TEXT, pharmacy_phone TEXT, pharmacy_address TEXT,
  code_status TEXT,
  advance_directive TEXT,
  allergy_status TEXT NOT NULL DEFAULT 'unknown' CHECK (allergy_status IN ('unknown','none','listed')),
  ${stamp}
);
CREATE TABLE alerts (
  ${child},
  text TEXT NOT NULL,
  severity TEXT NOT NULL CHECK (severity IN ('info','warning','critical')),
  ${stamp}
);
CREATE TABLE allergies (
  ${child},
  substance TEXT NOT NULL,
  reaction TEXT,
  severity TEXT CHECK (severity IS NULL OR severity IN ('mild','moderate','severe')),
  status TEXT NOT NULL CHECK (status IN ('active','inactive','resolved')),
  ${date('recorded_on', true)},
  ${stamp}
);
CREATE TABLE medications (
  ${child},
  name TEXT NOT NULL,
  dose TEXT, route TEXT, frequency TEXT, prescriber TEXT,
  ${date('start_date', true)},
  ${date('end_date', true)},
  status TEXT NOT NULL CHECK (status IN ('active','stopped','completed')),
  refills_remaining INTEGER CHECK (refills_remaining IS NULL OR refills_remaining >= 0),
  ${date('last_filled', true)},
  instructions TEXT,
  ${stamp}
);
CREATE TABLE problems (
  ${child},
  description TEXT NOT NULL,
  code_system TEXT, code TEXT,
  ${date('onset_date', true)},
  ${date('resolved_date', true)},
  status TEXT NOT NULL CHECK (status IN ('active','resolved')),
  ${stamp}
);
CREATE TABLE contacts (
  ${child},
  name TEXT NOT NULL,
  relationship TEXT, phone TEXT,
  is_emergency INTEGER NOT NULL DEFAULT 0 CHECK (is_emergency IN (0,1)),
  priority INTEGER NOT NULL DEFAULT 1,
  ${stamp}
);
CREATE TABLE coverages (
  ${child},
  payer TEXT NOT NULL,
  plan TEXT, member_id TEXT, group_number TEXT,
  priority INTEGER NOT NULL DEFAULT 1,
  ${stamp}
);
CREATE TABLE immunizations (
  ${child},
  vaccine TEXT NOT NULL,
  ${date('given_on', false)},
  dose_number INTEGER, lot TEXT, site TEXT,
  ${stamp}
);
CREATE TABLE observations (
  ${child},
  category TEXT NOT NULL CHECK (category IN ('vital','lab')),
  code TEXT, name TEXT NOT NULL,
  value TEXT NOT NULL, unit TEXT, reference_range TEXT,
  abnormal_flag TEXT CHECK (abnormal_flag IS NULL OR abnormal_flag IN ('H','L','A')),
  ${localTime('effective_at')},
  ${stamp}
);
CREATE TABLE procedures (
  ${child},
  description TEXT NOT NULL, code TEXT,
  ${date('performed_on', false)},
  performer TEXT,
  ${stamp}
);
CREATE TABLE encounters (
  ${child},
  ${localTime('occurred_at')},
  kind TEXT NOT NULL, provider TEXT, reason TEXT, note TEXT,
  ${stamp}
);
CREATE TABLE appointments (
  ${child},
  ${localTime('starts_at')},
  duration_minutes INTEGER NOT NULL CHECK (duration_minutes > 0),
  provider TEXT, reason TEXT, location TEXT,
  status TEXT NOT NULL CHECK (status IN ('booked','cancelled')),
  ${stamp}
);
CREATE INDEX alerts_patient ON alerts(patient_id);
CREATE INDEX allergies_patient ON allergies(patient_id);
CREATE INDEX medications_patient ON medications(patient_id);
CREATE INDEX problems_patient ON problems(patient_id);
CREATE INDEX contacts_patient ON contacts(patient_id);
CREATE INDEX coverages_patient ON coverages(patient_id);
CREATE INDEX immunizations_patient ON immunizations(patient_id);
CREATE INDEX observations_patient ON observations(patient_id);
CREATE INDEX procedures_patient ON procedures(patient_id);
CREATE INDEX encounters_patient ON encounters(patient_id);
CREATE INDEX appointments_patient ON appointments(patient_id);
CREATE INDEX appointments_start ON appointments(starts_at);
`;

/** The tables whose rows belong to a patient, each logged in patient_changes by its own triggers. */
const PATIENT_CHILD_TABLES = ['alerts', 'allergies', 'medications', 'problems', 'contacts', 'coverages',
  'immunizations', 'observations', 'procedures', 'encounters', 'appointments'] as const;

/** Logs `patient` (an OLD. or NEW. column) as changed now; a later time already logged is kept. */
const logChange = (patient: string): string =>
  `INSERT INTO patient_changes (patient_id, changed_at) VALUES (${patient}, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
    ON CONFLICT (patient_id) DO UPDATE SET changed_at = max(changed_at, excluded.changed_at);`;

const changeTriggers = (table: string, patientColumn: string): string => `
CREATE TRIGGER ${table}_inserted AFTER INSERT ON ${table} BEGIN ${logChange(`NEW.${patientColumn}`)} END;
CREATE TRIGGER ${table}_updated AFTER UPDATE ON ${table} BEGIN ${logChange(`OLD.${patientColumn}`)} ${logChange(`NEW.${patientColumn}`)} END;
CREATE TRIGGER ${table}_deleted AFTER DELETE ON ${table} BEGIN ${logChange(`OLD.${patientColumn}`)} END;`;

/**
 * Version 2: `patient_changes`, when each patient's data last changed in this store, deletions included,
 * kept by triggers on every table. A restore with --on-conflict keep never lets paper printed before that
 * time replace the store's record: a deleted row leaves no updated_at, so without the log older paper
 * would bring it back. Existing patients are logged at their record's latest updated_at.
 */
export const SCHEMA_V2 = `
CREATE TABLE patient_changes (
  patient_id TEXT PRIMARY KEY NOT NULL,
  changed_at TEXT NOT NULL CHECK (changed_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z')
) WITHOUT ROWID;
INSERT INTO patient_changes (patient_id, changed_at)
  SELECT patient_id, max(updated_at) FROM (
    SELECT id AS patient_id, updated_at FROM patients
    ${PATIENT_CHILD_TABLES.map((t) => `UNION ALL SELECT patient_id, updated_at FROM ${t}`).join('\n    ')}
  ) GROUP BY patient_id;
${changeTriggers('patients', 'id')}
${PATIENT_CHILD_TABLES.map((t) => changeTriggers(t, 'patient_id')).join('\n')}
`;

/**
 * Version 3: what FHIR import and IPS export need (docs/SCHEMA.md, "FHIR"). A name's Latin alias, for a
 * name written in another script; the code system of every coded row (a problem keeps a second coding, so
 * SNOMED CT and ICD-10 both survive); every new column is nullable, so existing rows need nothing.
 */
export const SCHEMA_V3 = `
ALTER TABLE patients ADD COLUMN family_name_latin TEXT;
ALTER TABLE patients ADD COLUMN given_names_latin TEXT;
ALTER TABLE problems ADD COLUMN alt_code_system TEXT;
ALTER TABLE problems ADD COLUMN alt_code TEXT;
ALTER TABLE allergies ADD COLUMN code_system TEXT;
ALTER TABLE allergies ADD COLUMN code TEXT;
ALTER TABLE medications ADD COLUMN code_system TEXT;
ALTER TABLE medications ADD COLUMN code TEXT;
ALTER TABLE immunizations ADD COLUMN code_system TEXT;
ALTER TABLE immunizations ADD COLUMN code TEXT;
ALTER TABLE procedures ADD COLUMN code_system TEXT;
`;

/**
 * MIGRATIONS[v] upgrades a store at user_version v to v+1. Version 0 is an
 * empty file; later entries are added with each schema change and never edited.
 */
export const MIGRATIONS: readonly string[] = [SCHEMA_V1, SCHEMA_V2, SCHEMA_V3];
