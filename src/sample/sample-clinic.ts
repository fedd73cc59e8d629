/**
 * A deterministic synthetic clinic: realistic-looking patient records for
 * demos, tests and benchmarks, generated from the vocabularies in
 * samples/vocab/*.json and a seed. The same options always give the same
 * records (no clock, no Math.random: see _random.ts). Everybody in it is
 * invented; phone numbers use the 555-01xx block reserved for fiction and
 * e-mail addresses the example.* domains.
 */
import { existsSync } from 'node:fs';
import type { PatientRecord } from '../record/record.js';
import { createStore } from '../store/open-store.js';
import { writeMeta, writeRecords } from '../store/write-records.js';
import { backdateChanges } from '../store/patient-changes.js';
import { commitFile, removeOnInterrupt, removeStaleTemporaryFiles, removeWithJournals, temporaryPathBeside } from '../_temporary-file.js';
import { NotAStoreError } from '../errors.js';
import { nextTurn } from '../_next-turn.js';
import { AppointmentBook } from './_appointment-book.js';
import { makeClock } from './_calendar.js';
import { mrnFor } from './_identifiers.js';
import type { ClinicContext } from './_patient-draft.js';
import { buildPatientRecord } from './_patient-record.js';
import { Random, hashSeed } from './_random.js';
import { vocab } from './_vocabulary.js';

export interface SampleClinicOptions {
  /** How many patients to generate. */
  patients: number;
  /** Any whole number; the same seed gives the same clinic. */
  seed: number;
  /** UTC instant 'YYYY-MM-DDTHH:MM:SSZ' that is "now" for the clinic. */
  asOf: string;
}

/** Patients written per transaction by writeSampleClinic. */
const BATCH = 500;

/**
 * Generates the sample clinic's patient records one at a time, in id order.
 * Deterministic: the same options give identical records.
 */
export function* generateSampleClinic(opts: SampleClinicOptions): Generator<PatientRecord> {
  const { patients, seed, asOf } = opts;
  if (!Number.isInteger(patients) || patients < 0) throw new RangeError(`patients must be a whole number ≥ 0, got ${patients}`);
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a number, got ${seed}`);
  if (patients > 9_000_000) throw new RangeError('at most 9,000,000 patients (MRNs are 7 digits)');
  const v = vocab();
  const clock = makeClock(asOf, v.clinic.clinic.timezone);
  const appointmentBook = new AppointmentBook(new Random(hashSeed(seed, 'schedule')), clock, v);
  const ctx: ClinicContext = { v, clock, appointmentBook };
  for (let i = 0; i < patients; i++) {
    const record = buildPatientRecord(ctx, i, seed);
    record.patient.mrn = mrnFor(i, seed);
    yield record;
  }
}

/**
 * Creates a new store at `path` (which must not exist) and fills it with the
 * sample clinic: the clinic's facts in `meta`, then the patients in
 * transactions of BATCH records, under a temporary name until complete.
 * @throws NotAStoreError when `path` exists
 */
export async function writeSampleClinic(path: string, opts: SampleClinicOptions): Promise<{ patients: number }> {
  const v = vocab();
  const records = generateSampleClinic(opts);
  if (existsSync(path)) throw new NotAStoreError(path, 'file already exists; paperchart will not overwrite a store');
  // Written beside its name and renamed when complete: a killed run never leaves a store that looks whole.
  removeStaleTemporaryFiles(path);
  const tempPath = temporaryPathBeside(path);
  const forget = removeOnInterrupt(tempPath);
  const db = createStore(tempPath);
  let complete = false;
  try {
    // A bulk load into a new file: in WAL mode synchronous=NORMAL keeps the file consistent and skips an fsync per commit.
    db.pragma('synchronous = NORMAL');
    const c = v.clinic.clinic;
    writeMeta(db, { clinic_name: c.name, clinic_address: c.address, clinic_phone: c.phone, timezone: c.timezone });
    let written = 0;
    let batch: PatientRecord[] = [];
    for (const record of records) {
      batch.push(record);
      if (batch.length >= BATCH) {
        written += writeRecords(db, batch);
        batch = [];
        // Between transactions, Ctrl-C is heard: the interrupt removes the unfinished file.
        await nextTurn();
      }
    }
    if (batch.length) written += writeRecords(db, batch);
    backdateChanges(db, opts.asOf);
    db.close();
    commitFile(tempPath, path, { replace: false });
    complete = true;
    return { patients: written };
  } finally {
    if (!complete) {
      if (db.open) db.close();
      removeWithJournals(tempPath);
    }
    forget();
  }
}
