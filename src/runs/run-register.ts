// The run register: every print, verify and restore, in a SQLite file of its own beside the store.
// Not inside the store: the store is the clinic's (paperchart writes into it only on a restore the clinic asks
// for), print opens it read-only, and a restore that replaces a store would take the audit trail with it. Not
// in the binder: a lost binder must not take the record of who printed whom along. An auditor opens it with
// any SQLite tool (`sqlite3 clinic.runs.sqlite 'SELECT * FROM runs'`).
import Database from 'better-sqlite3';
import { basename, dirname, extname, join } from 'node:path';
import { RegisterError } from '../errors.js';

export type RunKind = 'print' | 'verify' | 'restore';
/**
 * running: begun and not finished (a run killed with -9 stays so); never shown as complete. interrupted: stopped
 * by SIGINT, SIGTERM or SIGHUP, its output removed.
 */
export type RunOutcome = 'running' | 'complete' | 'failed' | 'interrupted';

export interface RunRow {
  /** Row number in the register: runs in the order they began. */
  seq: number;
  /** A print's run id is its codes' (FORMAT §4.2); a verify's or a restore's is its kind and start time. */
  run_id: string;
  kind: RunKind;
  started_at: string;
  ended_at: string | null;
  data_as_of: string | null;
  os_user: string;
  store_path: string;
  schema_version: number | null;
  patients: number | null;
  pages: number | null;
  /** The binder printed or verified, and its SHA-256. */
  pdf_path: string | null;
  pdf_sha256: string | null;
  key_fingerprint: string | null;
  /** JSON: how the patients were chosen (all, a list, the scheduled days) and the ids of a partial print. */
  selection: string | null;
  /** A print's: the run id of the previous complete full print of the same store that this binder replaces. */
  supersedes: string | null;
  outcome: RunOutcome;
  /** A failure's code and message, or a restore's counts. */
  detail: string | null;
}

export type RunStart = Pick<RunRow, 'run_id' | 'kind' | 'started_at' | 'store_path'> & Partial<Pick<RunRow, 'pdf_path' | 'key_fingerprint' | 'selection' | 'supersedes'>>;
export type RunEnd = Partial<Pick<RunRow, 'data_as_of' | 'schema_version' | 'patients' | 'pages' | 'pdf_path' | 'pdf_sha256' | 'key_fingerprint' | 'selection' | 'detail'>>;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS runs (
  seq INTEGER PRIMARY KEY,
  run_id TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('print', 'verify', 'restore')),
  started_at TEXT NOT NULL,
  ended_at TEXT,
  data_as_of TEXT,
  os_user TEXT NOT NULL,
  store_path TEXT NOT NULL,
  schema_version INTEGER,
  patients INTEGER,
  pages INTEGER,
  pdf_path TEXT,
  pdf_sha256 TEXT,
  key_fingerprint TEXT,
  selection TEXT,
  supersedes TEXT,
  outcome TEXT NOT NULL CHECK (outcome IN ('running', 'complete', 'failed', 'interrupted')),
  detail TEXT
);
CREATE INDEX IF NOT EXISTS runs_by_kind ON runs (kind, outcome, seq);
CREATE TABLE IF NOT EXISTS run_files (
  seq INTEGER NOT NULL REFERENCES runs (seq),
  path TEXT NOT NULL,
  role TEXT NOT NULL,
  volume INTEGER,
  pages INTEGER,
  bytes INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  PRIMARY KEY (seq, path)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS run_patients (
  seq INTEGER NOT NULL REFERENCES runs (seq),
  patient_id TEXT NOT NULL,
  first_page INTEGER NOT NULL,
  last_page INTEGER NOT NULL,
  name TEXT NOT NULL,
  mrn TEXT NOT NULL,
  volume INTEGER,
  PRIMARY KEY (seq, patient_id)
) WITHOUT ROWID;
`;

/** A register made before 'interrupted' was an outcome: its table is rebuilt once, rows kept (CHECK cannot be altered). */
const ADD_INTERRUPTED = `
ALTER TABLE runs RENAME TO runs_before_interrupted;
DROP INDEX IF EXISTS runs_by_kind;
${SCHEMA}
INSERT INTO runs SELECT * FROM runs_before_interrupted;
DROP TABLE runs_before_interrupted;
`;

/** A register made before binders in volumes kept their patients' pages: the volume (null: a binder of one PDF) is added, rows kept. */
const ADD_PATIENT_VOLUME = 'ALTER TABLE run_patients ADD COLUMN volume INTEGER';

/**
 * Where one patient's pages are in a printed run: a replace-and-shred sheet names them (issue 28). `volume`: in a
 * binder printed in volumes, whose pages restart at 1 in each; absent in one PDF.
 */
export interface RunPatient { patient_id: string; first_page: number; last_page: number; name: string; mrn: string; volume?: number | null }

/**
 * One file a print wrote: each volume, the labels PDF, or the binder when it is one PDF, with its SHA-256, so an
 * auditor (and the next print, which removes an earlier run's volumes) can tell which files belong to which run.
 */
export interface RunFile { path: string; role: 'binder' | 'volume' | 'labels'; volume: number | null; pages: number | null; bytes: number; sha256: string }

function hasPatientVolume(db: Database.Database): boolean {
  return (db.prepare("SELECT name FROM pragma_table_info('run_patients')").pluck().all() as string[]).includes('volume');
}

/** The register a store's runs go to by default: `clinic.sqlite` → `clinic.runs.sqlite` in the same folder. */
export function registerPathFor(storePath: string): string {
  const name = basename(storePath);
  const ext = extname(name);
  return join(dirname(storePath), `${ext ? name.slice(0, -ext.length) : name}.runs.sqlite`);
}

/**
 * SQLite's error on the register, with what to do by its cause: a damaged file is the clinic's audit record of
 * past runs, kept rather than replaced, and a register in use or on a full disk is nothing to move.
 */
function registerError(path: string, e: unknown): RegisterError {
  const code = String((e as { code?: unknown }).code ?? '');
  const remedy = code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB'
    ? 'it is damaged or not a run register: move it aside and keep it (it records past runs), or name another register file with --register FILE; a supplement then needs a full print first'
    : code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED') ? 'another paperchart run is using it: run again when that run has ended'
    : code === 'SQLITE_FULL' ? 'free space on its disk, or name a register file on another disk with --register FILE'
    : undefined;
  return new RegisterError(path, (e as Error).message, remedy);
}

/** The register of runs: one SQLite file, rows added when a run begins and completed when it ends. */
export class RunRegister {
  private placement?: Database.Statement;

  private constructor(readonly path: string, private readonly db: Database.Database) {}

  /**
   * Opens (creating if needed) the register at `path`.
   * @throws RegisterError when it cannot be opened or written, or is not a register
   */
  static open(path: string): RunRegister {
    let db: Database.Database | undefined;
    try {
      db = new Database(path, { timeout: 5_000 });
      const table = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'runs'").pluck().get() as string | undefined;
      if (table !== undefined && !table.includes("'interrupted'")) db.transaction(() => db!.exec(ADD_INTERRUPTED))();
      db.exec(SCHEMA);
      if (!hasPatientVolume(db)) db.exec(ADD_PATIENT_VOLUME);
      return new RunRegister(path, db);
    } catch (e) {
      db?.close();
      throw registerError(path, e);
    }
  }

  /** Opens an existing register to read, or null when there is none. */
  static read(path: string): RunRegister | null {
    let db: Database.Database | undefined;
    try {
      db = new Database(path, { readonly: true, fileMustExist: true, timeout: 5_000 });
      db.prepare('SELECT 1 FROM runs LIMIT 1').all();
      return new RunRegister(path, db);
    } catch (e) {
      db?.close();
      if ((e as { code?: string }).code === 'SQLITE_CANTOPEN') return null;
      throw registerError(path, e);
    }
  }

  /** Records a run as begun (outcome running); returns its row number. */
  begin(start: RunStart, osUser: string): number {
    const row = { pdf_path: null, key_fingerprint: null, selection: null, supersedes: null, ...start, os_user: osUser };
    try {
      return Number(this.db.prepare(`INSERT INTO runs (run_id, kind, started_at, os_user, store_path, pdf_path, key_fingerprint, selection, supersedes, outcome)
        VALUES (@run_id, @kind, @started_at, @os_user, @store_path, @pdf_path, @key_fingerprint, @selection, @supersedes, 'running')`).run(row).lastInsertRowid);
    } catch (e) {
      throw registerError(this.path, e);
    }
  }

  /**
   * Records how a run ended; fields left out keep what begin wrote.
   * @throws RegisterError when the register cannot be written
   */
  finish(seq: number, outcome: Exclude<RunOutcome, 'running'>, endedAt: string, end: RunEnd): void {
    const fields = Object.entries(end).filter(([, v]) => v !== undefined);
    const set = ['outcome = @outcome', 'ended_at = @ended_at', ...fields.map(([k]) => `${k} = @${k}`)].join(', ');
    try {
      this.db.prepare(`UPDATE runs SET ${set} WHERE seq = @seq`).run({ ...Object.fromEntries(fields), outcome, ended_at: endedAt, seq });
    } catch (e) {
      throw registerError(this.path, e);
    }
  }

  /**
   * Records where each patient's pages are in a completed print, for the replace-and-shred sheet of a later
   * supplement: about 10,000 rows for a 10,000-patient binder, in one transaction.
   * @throws RegisterError when the register cannot be written
   */
  recordPatients(seq: number, patients: Iterable<RunPatient>): void {
    try {
      const insert = this.db.prepare('INSERT OR REPLACE INTO run_patients (seq, patient_id, first_page, last_page, name, mrn, volume) VALUES (?, ?, ?, ?, ?, ?, ?)');
      this.db.transaction(() => { for (const p of patients) insert.run(seq, p.patient_id, p.first_page, p.last_page, p.name, p.mrn, p.volume ?? null); })();
    } catch (e) {
      throw registerError(this.path, e);
    }
  }

  /** Where each patient's pages are in run `seq`, in binder order; empty for a run recorded before the register kept them. */
  patientsOf(seq: number): RunPatient[] {
    return this.db.prepare(`SELECT patient_id, first_page, last_page, name, mrn, ${this.volumeColumn()} FROM run_patients WHERE seq = ? ORDER BY volume, first_page`).all(seq) as RunPatient[];
  }

  /**
   * The patients run `seq` printed, by id alone, in binder order: a supplement's plan goes through every patient of the
   * binder it follows, and reads whole only the few it names (placementOf). 10,000 rows whole took 60-100 ms, cold.
   */
  patientIdsOf(seq: number): string[] {
    return this.db.prepare(`SELECT patient_id, ${this.volumeColumn()} FROM run_patients WHERE seq = ? ORDER BY volume, first_page`).pluck().all(seq) as string[];
  }

  /** Where run `seq` printed the patient `id`, or undefined when it did not. */
  placementOf(seq: number, id: string): RunPatient | undefined {
    this.placement ??= this.db.prepare(`SELECT patient_id, first_page, last_page, name, mrn, ${this.volumeColumn()} FROM run_patients WHERE seq = ? AND patient_id = ?`);
    return this.placement.get(seq, id) as RunPatient | undefined;
  }

  /** A register opened read-only is not brought up to date: one from before volumes were kept reads without them. */
  private volumeColumn(): string {
    return hasPatientVolume(this.db) ? 'volume' : 'NULL AS volume';
  }

  /**
   * Records the files a completed print wrote, with their SHA-256.
   * @throws RegisterError when the register cannot be written
   */
  recordFiles(seq: number, files: readonly RunFile[]): void {
    try {
      const insert = this.db.prepare('INSERT OR REPLACE INTO run_files (seq, path, role, volume, pages, bytes, sha256) VALUES (@seq, @path, @role, @volume, @pages, @bytes, @sha256)');
      this.db.transaction(() => { for (const f of files) insert.run({ ...f, seq }); })();
    } catch (e) {
      throw registerError(this.path, e);
    }
  }

  /** The files run `seq` wrote, volumes in order; empty for a run recorded before the register kept them (its pdf_path and pdf_sha256 say the first). */
  filesOf(seq: number): RunFile[] {
    const exists = this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'run_files'").get();
    return exists ? this.db.prepare('SELECT path, role, volume, pages, bytes, sha256 FROM run_files WHERE seq = ? ORDER BY role, volume, path').all(seq) as RunFile[] : [];
  }

  /** The completed print of `storePath` with this run id (the latest recorded, if printed twice), or null. */
  completePrint(storePath: string, runId: string): RunRow | null {
    return (this.db.prepare(`SELECT * FROM runs WHERE kind = 'print' AND outcome = 'complete' AND store_path = ? AND run_id = ? ORDER BY seq DESC LIMIT 1`)
      .get(storePath, runId) as RunRow | undefined) ?? null;
  }

  /** The completed prints of `storePath` (full, partial and supplements), by print time then record order. */
  completePrints(storePath: string): RunRow[] {
    return this.db.prepare(`SELECT * FROM runs WHERE kind = 'print' AND outcome = 'complete' AND store_path = ? ORDER BY run_id, seq`).all(storePath) as RunRow[];
  }

  /** Every run, oldest first. */
  list(): RunRow[] {
    return this.db.prepare('SELECT * FROM runs ORDER BY seq').all() as RunRow[];
  }

  /**
   * The complete print of every patient of `storePath` (no selection) printed last before run `runId`, which
   * that run supersedes. By print time, not by when it was recorded: a binder reprinted with the same --as-of
   * names the same predecessor, so its bytes do not depend on what else was printed since.
   */
  lastFullPrintBefore(storePath: string, runId: string): RunRow | null {
    const row = this.db.prepare(`SELECT * FROM runs WHERE kind = 'print' AND outcome = 'complete' AND store_path = ? AND run_id < ?
      AND (selection IS NULL OR json_extract(selection, '$.kind') = 'all') ORDER BY run_id DESC, seq DESC LIMIT 1`).get(storePath, runId);
    return (row as RunRow | undefined) ?? null;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
