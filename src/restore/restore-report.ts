// What a restore tells a person: one outcome per patient and a summary.
import { compareCodePoints } from '../record/id-order.js';

export type OnConflict = 'keep' | 'replace' | 'fail';
/**
 * kept-unsigned: the store holds the patient and the paper's record is not signed with the given key, so under
 * --on-conflict keep it never replaces the store's record (an unsigned record's times prove nothing).
 */
export type PatientStatus = 'restored' | 'already-current' | 'kept-newer' | 'kept-unsigned' | 'missing' | 'incomplete' | 'refused';

/** A patient as printed on the paper (FORMAT §11 manifest; absent from older manifests). */
export interface PatientIdentity {
  /** "Family, Given", as the binder prints it. */
  name?: string;
  /** The record number, as the binder prints it. */
  mrn?: string;
}

export interface PatientOutcome extends PatientIdentity {
  patientId: string;
  status: PatientStatus;
  /** One line for a person: why, or what to do. */
  detail: string;
  /** Print run the outcome is about, when known. */
  runId?: string;
  /** incomplete: code numbers (1-based) not read. */
  missingCodes?: number[];
  /** The record was rebuilt from its group's cross parity codes (FORMAT §17.3): its own codes were not read. */
  rebuiltFromParity?: boolean;
  /** missing: binder pages holding the patient's codes; incomplete: those holding the codes not read (all the patient's code pages when the manifest cannot place them); from the run's manifest. */
  pages?: number[];
}

export interface RestoreReport {
  store: string;
  dryRun: boolean;
  /** True when the store file did not exist before (and, unless dry run, was created). */
  newStore: boolean;
  /** Records written (or that would be, in a dry run). */
  written: number;
  /** Sorted by patient id. */
  patients: PatientOutcome[];
  /** Run ids of the manifests read. */
  manifests: string[];
  /** Texts that are not paperchart codes or are damaged. */
  rejectedTexts: number;
  /** Problems not tied to a patient (an unreadable manifest, no manifest at all). */
  notes: string[];
  counts: Record<PatientStatus, number>;
}

/** The outcomes sorted by patient id in code point order (FORMAT §5.4, as export lists them), and counted by status. */
export function sortAndCount(outcomes: Iterable<PatientOutcome>): Pick<RestoreReport, 'patients' | 'counts'> {
  const patients = [...outcomes].sort((a, b) => compareCodePoints(a.patientId, b.patientId));
  const counts: Record<PatientStatus, number> = { restored: 0, 'already-current': 0, 'kept-newer': 0, 'kept-unsigned': 0, missing: 0, incomplete: 0, refused: 0 };
  for (const p of patients) counts[p.status]++;
  return { patients, counts };
}

/** Called as records are decoded and written (done of total), at least at the start and the end of each phase. */
export type RestoreProgress = (done: number, total: number, phase: 'decode' | 'write') => void;
