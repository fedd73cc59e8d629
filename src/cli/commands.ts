import type { CommandModule } from 'yargs';
import { BinderNotVerifiedError, UsageError } from '../errors.js';
import { isReaderGone, type Io } from './io.js';
import { progressReporter } from './progress.js';
import { openStore, openStoreForMigration, migrate } from '../store/open-store.js';
import { exportRecords } from '../store/export-store.js';
import { printRecorded, verifyRecorded } from '../runs/recorded-runs.js';
import { loadTemplate } from '../layout/template.js';
import { readPatientList } from '../print/patient-selection.js';
import { runIdFor } from '../codec/run-id.js';
import { DEFAULT_VOLUME_SHEETS } from '../print/volume-sheets.js';
import { archiveTarget, readPassphraseFile, type ArchiveTarget } from '../archive/archive-file.js';
import { asDiskFilled } from '../print/disk-space.js';
import { DEFAULT_MAX_CODES } from '../codec/record-codec.js';
import { readEncryptKeyFile, readPublicKeyFile, readSigningKeyFile, writeKeyFiles } from '../keys/key-files.js';
// sample/ is imported where used: its 28 modules were a sixth of every command's start, print's too.
// verify-binder is imported where used: it loads pdfjs and the zxing wasm (about a second), which print need not pay.
import type { VerifyReport } from '../restore/verify-binder.js';
import { binderNameWarning } from '../_output-guard.js';
// fhir/ is imported where used: Medplum's validator and its definitions load in about 2 s, which print need not pay.
import type { ImportReport } from '../fhir/import-fhir.js';

/** `--as-of` accepts a day or a UTC minute/second; the binder and sample store use whole seconds in UTC. */
export function parseAsOf(value: string | undefined, now: Date = new Date()): string {
  if (value === undefined) return now.toISOString().slice(0, 19) + 'Z';
  const m = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2})(:\d{2})?Z)?$/.exec(value);
  const t = m ? `${m[1]}T${m[2] ?? '00:00'}${m[3] ?? ':00'}Z` : '';
  if (!m || Number.isNaN(Date.parse(t)) || new Date(t).toISOString().slice(0, 19) + 'Z' !== t) {
    throw new UsageError(`--as-of=${value} is not a date, expected YYYY-MM-DD or YYYY-MM-DDTHH:MMZ (UTC)`);
  }
  return t;
}

/**
 * A whole-number option as typed: yargs would turn `--jobs two` into NaN and the message would
 * show `--jobs=NaN`, so these options are read as text and the refusal repeats what was typed.
 */
export function parseWholeNumber(option: string, typed: string | number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const text = String(typed).trim();
  const n = /^[+-]?\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? (min === Number.MIN_SAFE_INTEGER ? '' : ` ≥ ${min}`) : ` from ${min} to ${max}`;
    throw new UsageError(`--${option}=${text === '' ? '""' : String(typed)}, expected a whole number${range}`);
  }
  return n;
}

/** `--jobs`: auto, or a number of threads from 1 to 64. */
function parseJobs(typed: string): number | 'auto' {
  if (typed === 'auto') return 'auto';
  try {
    return parseWholeNumber('jobs', typed, 1, 64);
  } catch {
    throw new UsageError(`--jobs=${typed === '' ? '""' : typed}, expected auto or a whole number from 1 to 64`);
  }
}

const seconds = (start: bigint): string => (Number(process.hrtime.bigint() - start) / 1e9).toFixed(1);

interface SampleArgs { db: string; patients: string; seed: string; 'as-of'?: string }
export const sampleCommand = (io: Io): CommandModule<object, SampleArgs> => ({
  command: 'sample',
  describe: 'Write a deterministic synthetic clinic to a new store',
  builder: (y) => y
    .option('db', { type: 'string', demandOption: true, describe: 'store file to create (must not exist)' })
    .option('patients', { type: 'string', default: '200', describe: 'number of patients' })
    .option('seed', { type: 'string', default: '1', describe: 'random seed: the same seed gives the same clinic' })
    .option('as-of', { type: 'string', describe: 'the clinic\'s "now" (UTC); default: the current time' })
    .example('$0 sample --db clinic.sqlite --patients 1000 --seed 7', '') as never,
  handler: async (a) => {
    const count = parseWholeNumber('patients', a.patients, 1);
    const seed = parseWholeNumber('seed', a.seed, Number.MIN_SAFE_INTEGER);
    const start = process.hrtime.bigint();
    const { writeSampleClinic } = await import('../sample/sample-clinic.js');
    const { patients } = await writeSampleClinic(a.db, { patients: count, seed, asOf: parseAsOf(a['as-of']) });
    io.out(`sample: ${patients} patients written to ${a.db} in ${seconds(start)} s`);
  },
});

interface PrintArgs {
  db: string; out: string; force: boolean; template: string; 'as-of'?: string; key?: string; 'encrypt-key'?: string; 'max-codes': string; verify: boolean;
  jobs: string; 'time-zone'?: string; register?: string; patients?: string; 'scheduled-within'?: string; archive?: string; 'passphrase-file'?: string; since?: string;
  'volume-sheets': string;
}

/** `--time-zone` names an IANA zone; checked here so a typo is a usage error, not a failure inside the print. */
function parseTimeZone(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    return new Intl.DateTimeFormat('en', { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    throw new UsageError(`--time-zone=${value} is not a time zone, expected an IANA name such as America/Chicago`);
  }
}

/** The run register's option (issue 28), on every command that records a run. */
export const REGISTER_OPTION = { type: 'string', describe: 'the run register (SQLite) to record this run in; default: beside the store, STORE.runs.sqlite' } as const;
/** Register warnings go to stderr; the run's own outcome stands. */
export const registerChoice = (io: Io, path: string | undefined) => ({ ...(path !== undefined ? { registerPath: path } : {}),
  onWarning: (m: string) => io.err(`paperchart: warning: ${m}`) });

/** The verification's outcome for a person: every problem, then one summary line. */
function reportVerification(io: Io, r: VerifyReport): void {
  for (const p of r.problems) io.out(`problem  ${p.patientId ?? '(binder)'}  ${p.problem}`);
  io.out(`verify: ${r.verified} of ${r.patients} patients restore exactly from ${r.codes} codes on ${r.pages} pages of ${r.binder}` +
    (r.problems.length ? `; ${r.problems.length} problem${r.problems.length === 1 ? '' : 's'}` : ''));
}
/** The archive print --archive writes: under the passphrase when one is given, else under the record key. */
function printArchive(path: string, passphraseFile: string | undefined, recordKey: Uint8Array | undefined, printedAt: string): ArchiveTarget {
  if (passphraseFile === undefined && recordKey === undefined) throw new UsageError('--archive needs a key: add --passphrase-file FILE, or --encrypt-key FILE to use the clinic\'s record key');
  const secret = passphraseFile !== undefined ? { passphrase: readPassphraseFile(passphraseFile, true) } : { recordKey: recordKey! };
  return archiveTarget(path, runIdFor(printedAt), printedAt, secret);
}

export const printCommand = (io: Io): CommandModule<object, PrintArgs> => ({
  command: 'print',
  describe: 'Print the binder PDF from a records store',
  builder: (y) => y
    .option('db', { type: 'string', demandOption: true, describe: 'records store (SQLite)' })
    .option('out', { type: 'string', demandOption: true, describe: 'PDF to write' })
    .option('template', { type: 'string', default: 'default', describe: 'template name (default, es-a4) or path to a template JSON' })
    .option('as-of', { type: 'string', describe: 'print time (UTC) shown on the binder; default: now. Pin it for identical PDFs' })
    .option('time-zone', { type: 'string', describe: 'IANA zone every time is printed in, named (default: the store\'s meta.timezone, else UTC)' })
    .option('key', { type: 'string', describe: 'sign the codes with this Ed25519 private key (from `paperchart keygen`)' })
    .option('encrypt-key', { type: 'string', describe: 'encrypt the records inside the codes with this 32-byte key file (hex)' })
    .option('max-codes', { type: 'string', default: String(DEFAULT_MAX_CODES), describe: 'refuse (never cut) a record that needs more codes than this' })
    .option('jobs', { type: 'string', default: 'auto', describe: 'threads to print with (default auto: one a core, one more only for each 500 patients printed): one draws, the others lay out and encode patients; the PDF is the same for any number' })
    .option('verify', { type: 'boolean', default: false, describe: 'then scan the PDF at 200 dpi and check that it restores the store exactly; a binder that does not is removed' })
    .option('force', { type: 'boolean', default: false, describe: 'replace an existing --out file that is not a binder paperchart printed (never the store or a key)' })
    .option('register', REGISTER_OPTION)
    .option('patients', { type: 'string', describe: 'a partial binder of the patients listed in this file, one patient id or MRN a line' })
    .option('archive', { type: 'string', describe: 'also write the run\'s codes to this encrypted file for an off-site copy (needs --passphrase-file or --encrypt-key)' })
    .option('passphrase-file', { type: 'string', describe: 'the archive\'s passphrase: the first line of this file (at least 12 characters)' })
    .option('since', { type: 'string', describe: 'a supplement: only the patients changed since that run (a run id, last, or a date YYYY-MM-DD), with a replace-and-shred sheet' })
    .option('scheduled-within', { type: 'string', describe: 'a partial binder of the patients booked in the next DAYS days (with --patients: either)' })
    .option('volume-sheets', { type: 'string', default: String(DEFAULT_VOLUME_SHEETS), describe: 'sheets a volume holds (default: a 3-inch ring binder\'s worth); a longer binder is written as BINDER-vol1.pdf, BINDER-vol2.pdf … with BINDER-labels.pdf' })
    .example('$0 print --db clinic.sqlite --out binder.pdf --key keys/paperchart-signing.key', '')
    .example('$0 print --db clinic.sqlite --out binder-a4.pdf --template es-a4', '') as never,
  handler: async (a) => {
    const start = process.hrtime.bigint();
    const maxCodes = parseWholeNumber('max-codes', a['max-codes'], 1);
    const jobs = parseJobs(a.jobs);
    const template = loadTemplate(a.template);
    const printedAt = parseAsOf(a['as-of']);
    const timeZone = parseTimeZone(a['time-zone']);
    const signingKey = a.key === undefined ? undefined : readSigningKeyFile(a.key);
    const encryptKey = a['encrypt-key'] === undefined ? undefined : readEncryptKeyFile(a['encrypt-key']);
    const progress = progressReporter(io, 'print');
    const list = a.patients === undefined ? undefined : readPatientList(a.patients);
    const days = a['scheduled-within'] === undefined ? undefined : parseWholeNumber('scheduled-within', a['scheduled-within'], 1, 366);
    const archive = a.archive === undefined ? undefined : printArchive(a.archive, a['passphrase-file'], encryptKey, printedAt);
    const volumeSheets = parseWholeNumber('volume-sheets', a['volume-sheets'], 10, 10_000);
    const selection = list || days !== undefined ? { ...(list ? { list } : {}), ...(days !== undefined ? { scheduledWithinDays: days } : {}) } : undefined;
    if (a.since !== undefined && selection) throw new UsageError('--since prints a supplement of the whole binder: leave out --patients and --scheduled-within');
    await printRecorded({
      storePath: a.db, outPath: a.out, force: a.force, template, printedAt, ...(timeZone ? { timeZone } : {}),
      ...(signingKey ? { signingKey } : {}), ...(encryptKey ? { encryptKey } : {}), maxCodes, jobs,
      ...(selection ? { selection } : {}), ...(archive ? { archive } : {}), volumeSheets,
    }, {
      verify: a.verify,
      onProgress: (p) => progress(p.done, p.total, p.phase),
      onPrinted: (s) => {
        io.out(`printed ${s.patients} patient${s.patients === 1 ? '' : 's'}, ${s.pages} pages in ${seconds(start)} s → ${s.volumes ? `${s.volumes.length} volumes` : s.outPath} (${(s.bytes / 1e6).toFixed(1)} MB)`);
        for (const [k, v] of (s.volumes ?? []).entries()) io.out(`  volume ${k + 1}: ${v.path}, ${v.pages} pages, ${v.patients} patients, ${v.first} – ${v.last}`);
        if (s.labelsPath) io.out(`  spine and cover labels: ${s.labelsPath}`);
        const nameWarning = binderNameWarning(a.out);
        if (nameWarning) io.err(`paperchart: warning: ${nameWarning}`);
        for (const warning of s.warnings) io.err(`paperchart: warning: ${warning}`);
      },
      onVerified: (report) => reportVerification(io, report),
    }, registerChoice(io, a.register), a.since);
  },
});

interface ExportArgs { db: string; patient?: string; fhir: boolean; out?: string }
export const exportCommand = (io: Io): CommandModule<object, ExportArgs> => ({
  command: 'export',
  describe: 'Print the store (or one patient) as canonical JSON on stdout',
  builder: (y) => y
    .option('db', { type: 'string', demandOption: true, describe: 'records store (SQLite)' })
    .option('patient', { type: 'string', describe: 'export only the patient with this id' })
    .option('fhir', { type: 'boolean', default: false, describe: 'write each patient as an International Patient Summary (FHIR R4 document Bundle) into --out' })
    .option('out', { type: 'string', describe: 'with --fhir: the folder for the Bundles' })
    .example('$0 export --fhir --db clinic.sqlite --out ips/', '')
    .example('$0 export --db clinic.sqlite > clinic.json', '')
    .example('$0 export --db clinic.sqlite --patient P000042', '') as never,
  handler: async (a) => {
    if (a.patient === '') throw new UsageError('--patient needs a patient id, e.g. --patient P000042');
    if (a.fhir || a.out !== undefined) {
      if (!a.fhir || !a.out) throw new UsageError('--fhir and --out go together: export --fhir --db STORE --out FOLDER');
      const { exportFhir } = await import('../fhir/export-fhir.js');
      const r = await exportFhir(a.db, a.out, a.patient === undefined ? {} : { patientId: a.patient });
      io.out(`export: ${r.patients} IPS Bundle${r.patients === 1 ? '' : 's'} written to ${a.out}`);
      return;
    }
    const db = openStore(a.db);
    try {
      await exportRecords(db, io.stdout, a.patient === undefined ? {} : { patientId: a.patient });
    } catch (e) {
      if (!isReaderGone(e)) throw asDiskFilled(e, 'standard output', true);
    } finally {
      db.close();
    }
  },
});

interface MigrateArgs { db: string }
export const migrateCommand = (io: Io): CommandModule<object, MigrateArgs> => ({
  command: 'migrate',
  describe: 'Upgrade a store to the schema version this paperchart reads',
  builder: (y) => y.option('db', { type: 'string', demandOption: true, describe: 'records store (SQLite)' }) as never,
  handler: (a) => {
    const db = openStoreForMigration(a.db);
    try {
      const { from, to } = migrate(db);
      io.out(from === to ? `${a.db} is already at schema version ${to}` : `${a.db} migrated from schema version ${from} to ${to}`);
    } finally {
      db.close();
    }
  },
});

interface KeygenArgs { out: string; sheet?: string }
export const keygenCommand = (io: Io): CommandModule<object, KeygenArgs> => ({
  command: 'keygen',
  describe: 'Make the clinic\'s signing key pair and record encryption key',
  builder: (y) => y
    .option('out', { type: 'string', demandOption: true, describe: 'folder for the key files (never overwritten)' })
    .option('sheet', { type: 'string', describe: 'also print the three keys on a one-page PDF backup sheet for the safe' })
    .example('$0 keygen --out keys/', '')
    .example('$0 keygen --out keys/ --sheet key-sheet.pdf', '') as never,
  handler: async (a) => {
    const k = writeKeyFiles(a.out);
    if (a.sheet !== undefined) {
      // Imported here: it loads the PDF and font code, which the other commands' start need not pay.
      const { writeKeySheet } = await import('../print/key-sheet.js');
      await writeKeySheet(a.sheet, k, new Date());
      io.out(`key backup sheet: ${a.sheet} (secret: print it, put it in the safe, then delete the file)`);
    }
    io.out(`keys written: ${k.signingKey} (keep secret), ${k.publicKey}, ${k.recordKey} (keep secret)\nfingerprint: ${k.fingerprint}`);
    io.out('Keep copies of all three files off this server (e.g. a USB stick in the clinic\'s safe), and note on the template\'s\n'
      + 'clinic.keys_kept_at where: binders encrypted with a lost record key cannot be restored by anyone, and after a\n'
      + 'ransomware week the server\'s copies may be gone.');
  },
});

interface VerifyArgs { binder: string[]; db: string; pubkey?: string; 'decrypt-key'?: string; register?: string }
export const verifyCommand = (io: Io): CommandModule<object, VerifyArgs> => ({
  command: 'verify <binder..>',
  describe: 'Scan a binder PDF at 200 dpi and check it restores the store exactly',
  builder: (y) => y
    .positional('binder', { type: 'string', array: true, demandOption: true, describe: 'the binder PDF (a binder in volumes: every volume\'s PDF)' })
    .option('db', { type: 'string', demandOption: true, describe: 'the records store it was printed from' })
    .option('pubkey', { type: 'string', describe: 'check the signatures with this public key (from keygen)' })
    .option('decrypt-key', { type: 'string', describe: 'record key file for an encrypted binder' })
    .option('register', REGISTER_OPTION)
    .example('$0 verify binder.pdf --db clinic.sqlite --pubkey keys/paperchart-signing.pub', '') as never,
  handler: async (a) => {
    const publicKey = a.pubkey === undefined ? undefined : readPublicKeyFile(a.pubkey);
    const decryptKey = a['decrypt-key'] === undefined ? undefined : readEncryptKeyFile(a['decrypt-key']);
    const report = await verifyRecorded({ binderPath: a.binder[0]!, ...(a.binder.length > 1 ? { binderPaths: a.binder } : {}), storePath: a.db, ...(publicKey ? { publicKey, publicKeyFile: a.pubkey! } : {}),
      ...(decryptKey ? { decryptKey, decryptKeyFile: a['decrypt-key']! } : {}) }, registerChoice(io, a.register));
    reportVerification(io, report);
    if (report.problems.length) throw new BinderNotVerifiedError(a.binder[0]!, report.problems.length);
  },
});

interface StationArgs { out?: string; binder?: string; pubkey?: string; force: boolean; serve: boolean; port?: string; host?: string; collect?: string }
export const stationCommand = (io: Io): CommandModule<object, StationArgs> => ({
  command: 'station',
  describe: 'Write a scan station: one offline HTML file that reads the binder\'s codes through a camera (or --serve it to phones)',
  builder: (y) => y
    .option('out', { type: 'string', describe: 'the HTML file to write (open it in a browser)' })
    .option('binder', { type: 'string', describe: 'carry this binder PDF\'s manifest, so the page lists every patient from the start' })
    .option('pubkey', { type: 'string', describe: 'check the codes\' signatures in the page with this public key (from keygen)' })
    .option('force', { type: 'boolean', default: false, describe: 'replace an existing file that is not a scan station' })
    .option('serve', { type: 'boolean', default: false, describe: 'serve the page over https on this network for phones, until Ctrl-C' })
    .option('port', { type: 'string', describe: 'with --serve: the port (default 8443; 0 for any free one)' })
    .option('host', { type: 'string', describe: 'with --serve: the one address to listen on (default: every network address of this machine)' })
    .option('collect', { type: 'string', describe: 'with --serve: the file "send to laptop" appends the codes to (default: beside the binder)' })
    .example('$0 station --out scan-station.html --binder binder.pdf', '')
    .example('$0 station --serve --binder binder.pdf', '') as never,
  handler: async (a) => {
    if (a.serve === (a.out !== undefined)) throw new UsageError('name either --out FILE (an offline HTML file) or --serve (a page for phones on this network)');
    if (!a.serve && (a.port !== undefined || a.host !== undefined || a.collect !== undefined)) throw new UsageError('--port, --host and --collect go with --serve');
    if (a.serve) { await serveStationCommand(io, a); return; }
    // Imported where used: esbuild and the binder scan are for this command only.
    const { writeStation } = await import('../station/write-station.js');
    const s = await writeStation({ out: a.out!, force: a.force, ...(a.binder ? { binder: a.binder } : {}), ...(a.pubkey ? { publicKey: a.pubkey } : {}) });
    io.out(`scan station written: ${s.out} (${(s.bytes / 1e6).toFixed(1)} MB${s.manifestCodes ? `, the binder's manifest in ${s.manifestCodes} codes` : ', no manifest: scan the binder\'s manifest page first'}` +
      `${s.signatureCheck ? ', signatures checked in the page' : ''}); open it in a browser with a camera`);
  },
});

/** `station --serve`: serves until Ctrl-C (bin/paperchart.js leaves a signal to a command listening for it). */
async function serveStationCommand(io: Io, a: StationArgs): Promise<void> {
  const { serveStation } = await import('../station/serve-station.js');
  const s = await serveStation({ ...(a.binder ? { binder: a.binder } : {}), ...(a.pubkey ? { publicKey: a.pubkey } : {}),
    ...(a.port !== undefined ? { port: parseWholeNumber('port', a.port, 0, 65535) } : {}), ...(a.host ? { host: a.host } : {}), ...(a.collect ? { collect: a.collect } : {}) },
  (r) => io.out(`received ${r.texts} codes from ${r.from}: ${r.fresh} new, ${r.total} in ${s.collect}`));
  const stopped = new Promise<string>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => resolve(signal));
  });
  io.out(`scan station served (${s.manifestCodes ? `the binder's manifest in ${s.manifestCodes} codes` : 'no manifest: scan the binder\'s manifest page first'}` +
    `${s.signatureCheck ? ', signatures checked in the page' : ''}). On a phone on this network, open:\n${s.urls.map((u) => `  ${u}`).join('\n')}\n` +
    `or scan this code:\n${s.qr}\nThe browser warns that the certificate is not trusted: it was made just now on this laptop. Check that its SHA-256 fingerprint is\n` +
    `  ${s.fingerprint256}\nthen go on to the page. "Send to laptop" appends the codes to ${s.collect}; restore with\n` +
    `  paperchart restore ${s.collect} --db STORE\nCtrl-C stops the station.`);
  const signal = await stopped;
  const codes = await s.close();
  io.out(`scan station stopped (${signal}): ${codes} codes in ${s.collect}`);
}

interface ImportArgs { db: string; inputs: string[]; report?: string; json: boolean; 'dry-run': boolean; 'skip-invalid': boolean }
export const importCommand = (io: Io): CommandModule<object, ImportArgs> => ({
  command: 'import <inputs..>',
  describe: 'Fill the store from FHIR R4: Bulk export folders or manifests, NDJSON, Bundles, single resources',
  builder: (y) => y
    .positional('inputs', { type: 'string', array: true, demandOption: true, describe: 'folders and files to import' })
    .option('db', { type: 'string', demandOption: true, describe: 'records store (made when it does not exist)' })
    .option('report', { type: 'string', describe: 'write the report (what was imported, and what not and why) to this JSON file' })
    .option('json', { type: 'boolean', default: false, describe: 'print the report as JSON instead of the summary line' })
    .option('dry-run', { type: 'boolean', default: false, describe: 'map and check everything, write nothing' })
    .option('skip-invalid', { type: 'boolean', default: false, describe: 'skip invalid resources (listed in the report) instead of stopping' })
    .example('$0 import --db clinic.sqlite export/ --report import-report.json', '') as never,
  handler: async (a) => {
    const { importFhirWithReport, importSummary } = await import('../fhir/import-fhir.js');
    const report: ImportReport = importFhirWithReport(a.db, a.inputs, { dryRun: a['dry-run'], skipInvalid: a['skip-invalid'],
      ...(a.report !== undefined ? { reportFile: a.report } : {}) });
    io.out(a.json ? JSON.stringify(report, null, 2) : importSummary(report));
  },
});
