import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSampleClinic, writeSampleClinic } from '../../src/sample/sample-clinic.js';
import type { PatientRecord } from '../../src/record/record.js';

/** A Tuesday, 09:30 in the clinic's time zone (America/Los_Angeles). */
const AS_OF = '2025-11-25T17:30:00Z';
const PATIENTS = 300;

type Row = Record<string, unknown>;

const DATE_COLUMNS: Record<string, string[]> = {
  patients: ['birth_date'],
  allergies: ['recorded_on'],
  problems: ['onset_date', 'resolved_date'],
  medications: ['start_date', 'end_date', 'last_filled'],
  immunizations: ['given_on'],
  procedures: ['performed_on'],
};
const LOCAL_TIME_COLUMNS: Record<string, string> = { observations: 'effective_at', encounters: 'occurred_at', appointments: 'starts_at' };
const TABLES = ['patients', 'alerts', 'allergies', 'medications', 'problems', 'contacts', 'coverages', 'immunizations', 'observations', 'procedures', 'encounters', 'appointments'];

function isRealDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!));
  return d.toISOString().slice(0, 10) === s;
}

function isRealLocalTime(s: string): boolean {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})$/.exec(s);
  return m !== null && isRealDate(m[1]!) && +m[2]! < 24 && +m[3]! < 60;
}

function isRealUtc(s: string): boolean {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/.exec(s);
  return m !== null && isRealDate(m[1]!) && +m[2]! < 24 && +m[3]! < 60 && +m[4]! < 60;
}

/** The clinic's local wall time at AS_OF, 'YYYY-MM-DDTHH:MM'. */
function clinicNow(timeZone: string): string {
  return new Intl.DateTimeFormat('sv-SE', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
    .format(new Date(AS_OF)).replace(' ', 'T');
}

function allStrings(record: PatientRecord): string[] {
  const out: string[] = [];
  for (const v of Object.values(record.patient)) if (typeof v === 'string') out.push(v);
  for (const [key, rows] of Object.entries(record)) {
    if (key === 'patient') continue;
    for (const row of rows as Row[]) for (const v of Object.values(row)) if (typeof v === 'string') out.push(v);
  }
  return out;
}

describe('sample clinic generator', () => {
  it('gives identical records for the same options', () => {
    const opts = { patients: 120, seed: 7, asOf: AS_OF };
    const a = [...generateSampleClinic(opts)];
    const b = [...generateSampleClinic(opts)];
    expect(a).toHaveLength(120);
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });

  it('gives the same clinic for a seed as it always has (change the fingerprint only on purpose)', () => {
    const hash = createHash('sha256');
    for (const r of generateSampleClinic({ patients: 200, seed: 1, asOf: '2026-11-25T15:00:00Z' })) hash.update(JSON.stringify(r) + '\n');
    expect(hash.digest('hex')).toBe('9ee0f747e9acdf09cb596c2f6df578065640e2e2f52f60c021337358ab31fe73');
  });

  it('gives a different clinic for a different seed', () => {
    const a = [...generateSampleClinic({ patients: 50, seed: 7, asOf: AS_OF })];
    const b = [...generateSampleClinic({ patients: 50, seed: 8, asOf: AS_OF })];
    const names = (rs: PatientRecord[]): string[] => rs.map((r) => `${r.patient.family_name}|${r.patient.given_names}|${r.patient.birth_date}`);
    const same = names(a).filter((n, i) => n === names(b)[i]).length;
    expect(same).toBeLessThan(5);
    expect(a.map((r) => r.patient.mrn)).not.toEqual(b.map((r) => r.patient.mrn));
  });

  it('rejects an asOf that is not a UTC instant', () => {
    expect(() => [...generateSampleClinic({ patients: 1, seed: 1, asOf: '2025-11-25 17:30' })]).toThrow(RangeError);
    expect(() => [...generateSampleClinic({ patients: 1, seed: 1, asOf: '2025-02-30T10:00:00Z' })]).toThrow(RangeError);
  });

  describe('across 1,000 patients', () => {
    let records: PatientRecord[];
    beforeAll(() => { records = [...generateSampleClinic({ patients: 1000, seed: 2024, asOf: AS_OF })]; });

    it('writes names in every script group of a diverse clinic, mostly plain Latin', () => {
      const vocab = JSON.parse(readFileSync(new URL('../../samples/vocab/names.json', import.meta.url), 'utf8')) as {
        groups: { id: string; family: unknown[] }[];
      };
      const familyNames = (id: string): Set<string> => {
        const g = vocab.groups.find((x) => x.id === id)!;
        const out = new Set<string>();
        for (const e of g.family) {
          if (typeof e === 'string') out.add(e.normalize('NFC'));
          else if (Array.isArray(e)) out.add(String(e[0]).normalize('NFC'));
          else for (const form of Object.values(e as Record<string, unknown>)) out.add((Array.isArray(form) ? String(form[0]) : String(form)).normalize('NFC'));
        }
        return out;
      };
      const chinese = familyNames('chinese');
      const japanese = familyNames('japanese');
      const full = records.map((r) => `${r.patient.given_names} ${r.patient.family_name}`);
      const count = (re: RegExp): number => full.filter((n) => re.test(n)).length;
      const plainLatin = count(/^[A-Za-z' .-]+$/);
      const latinDiacritics = full.filter((n) => /^[\p{Script=Latin}\p{M}' .-]+$/u.test(n) && /[^\x00-\x7F]/.test(n)).length;
      const counts = {
        greek: count(/\p{Script=Greek}/u),
        cyrillic: count(/\p{Script=Cyrillic}/u),
        arabic: count(/\p{Script=Arabic}/u),
        hebrew: count(/\p{Script=Hebrew}/u),
        chinese: records.filter((r) => chinese.has(r.patient.family_name)).length,
        japanese: records.filter((r) => japanese.has(r.patient.family_name)).length,
        korean: count(/\p{Script=Hangul}/u),
      };
      expect(plainLatin / records.length).toBeGreaterThan(0.6);
      expect(plainLatin / records.length).toBeLessThan(0.8);
      expect(latinDiacritics / records.length).toBeGreaterThan(0.07);
      for (const [script, n] of Object.entries(counts)) expect(n, script).toBeGreaterThanOrEqual(5);
      // Vietnamese and Yoruba names need their diacritics, stored composed.
      expect(full.some((n) => /[ạ-ỹ]/u.test(n))).toBe(true);
      expect(full.some((n) => /[ọẹṣ]/u.test(n))).toBe(true);
    });

    it('stores every string NFC-normalised', () => {
      const bad = records.flatMap((r) => allStrings(r).filter((s) => s.normalize('NFC') !== s));
      expect(bad).toEqual([]);
    });

    it('gives each patient a language, and interpreter alerts only to non-English speakers', () => {
      const languages = new Set(records.map((r) => r.patient.language));
      for (const code of ['en', 'es', 'vi', 'ar', 'he', 'zh', 'ja', 'ko', 'el', 'ru']) expect(languages.has(code), code).toBe(true);
      for (const r of records) {
        if (r.alerts.some((a) => a.text.startsWith('Interpreter needed'))) expect(r.patient.language).not.toBe('en');
      }
    });

    it('spreads ages from newborns to over 100, weighted to adults', () => {
      const ages = records.map((r) => (Date.parse(AS_OF) - Date.parse(r.patient.birth_date)) / (365.2425 * 86400000));
      expect(ages.some((a) => a < 1)).toBe(true);
      expect(ages.some((a) => a >= 100)).toBe(true);
      expect(ages.filter((a) => a >= 18).length / ages.length).toBeGreaterThan(0.65);
    });

    it('gives MRNs that are unique 7-8 digit numbers and ids that follow the sequence', () => {
      const mrns = records.map((r) => r.patient.mrn);
      expect(new Set(mrns).size).toBe(mrns.length);
      for (const m of mrns) expect(m).toMatch(/^\d{7,8}$/);
      expect(records[0]!.patient.id).toBe('P000001');
      expect(records[122]!.patient.id).toBe('P000123');
      const strays: string[] = [];
      for (const r of records) {
        for (const [key, rows] of Object.entries(r)) {
          if (key === 'patient') continue;
          for (const row of rows as { id: string; patient_id: string }[]) {
            if (row.patient_id !== r.patient.id || !row.id.startsWith(`${r.patient.id}-`)) strays.push(row.id);
          }
        }
      }
      expect(strays).toEqual([]);
    });

    it('flags a numeric result H or L exactly when it is outside its reference range', () => {
      let checked = 0;
      for (const r of records) {
        for (const o of r.observations) {
          const range = o.reference_range ? /^(-?[\d.]+)-([\d.]+)$/.exec(o.reference_range) : null;
          const v = Number(o.value);
          if (!range || Number.isNaN(v)) continue;
          const expected = v < Number(range[1]) ? 'L' : v > Number(range[2]) ? 'H' : null;
          expect(o.abnormal_flag, `${o.name} ${o.value} ${o.reference_range}`).toBe(expected);
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(10000);
      const flags = new Set(records.flatMap((r) => r.observations.map((o) => o.abnormal_flag)));
      expect(flags).toEqual(new Set(['H', 'L', 'A', null]));
    });

    it('leaves some optional fields unrecorded', () => {
      const p = records.map((r) => r.patient);
      expect(p.some((x) => x.email === null)).toBe(true);
      expect(p.some((x) => x.phone === null)).toBe(true);
      expect(p.some((x) => x.address_line === null)).toBe(true);
      expect(p.some((x) => x.preferred_name !== null)).toBe(true);
      expect(p.some((x) => x.pharmacy_name === null)).toBe(true);
      expect(p.some((x) => x.code_status === 'DNR' || x.code_status === 'DNR/DNI')).toBe(true);
      expect(p.some((x) => x.advance_directive !== null)).toBe(true);
      expect(records.some((r) => r.medications.length === 0)).toBe(true);
      expect(records.some((r) => r.problems.length === 0)).toBe(true);
      expect(records.some((r) => r.coverages.length === 0)).toBe(true);
      expect(records.some((r) => r.encounters.some((e) => e.note === null))).toBe(true);
    });

    it('keeps medications mostly active, with stopped and completed ones that have an end date', () => {
      const meds = records.flatMap((r) => r.medications);
      const active = meds.filter((m) => m.status === 'active');
      expect(active.length / meds.length).toBeGreaterThan(0.6);
      for (const m of meds.filter((x) => x.status !== 'active')) expect(m.end_date).not.toBeNull();
      expect(meds.some((m) => m.status === 'stopped')).toBe(true);
      expect(meds.some((m) => m.status === 'completed')).toBe(true);
    });
  });

  describe('writing 300 patients to a store', () => {
    let dir: string;
    let db: Database.Database;
    let result: { patients: number };

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'paperchart-sample-'));
      const path = join(dir, 'clinic.sqlite');
      result = await writeSampleClinic(path, { patients: PATIENTS, seed: 42, asOf: AS_OF });
      db = new Database(path, { readonly: true });
    });
    afterAll(() => {
      db?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    const all = (sql: string): Row[] => db.prepare(sql).all() as Row[];
    const meta = (): Record<string, string> => Object.fromEntries(all('SELECT key, value FROM meta').map((r) => [r.key, r.value])) as Record<string, string>;

    it('writes every patient, with the clinic facts in meta and no dangling rows', () => {
      expect(result.patients).toBe(PATIENTS);
      expect(all('SELECT count(*) AS n FROM patients')[0]!.n).toBe(PATIENTS);
      const m = meta();
      expect(m.clinic_name).toBeTruthy();
      expect(m.clinic_address).toBeTruthy();
      expect(m.clinic_phone).toBeTruthy();
      expect(m.timezone).toBe('America/Los_Angeles');
      expect(all('PRAGMA foreign_key_check')).toEqual([]);
      expect(all('PRAGMA integrity_check')[0]!.integrity_check).toBe('ok');
    });

    it('refuses to overwrite an existing store', async () => {
      await expect(writeSampleClinic(join(dir, 'clinic.sqlite'), { patients: 1, seed: 1, asOf: AS_OF })).rejects.toThrow(/exists/);
    });

    it('stores only real calendar dates, none after asOf but upcoming appointments, none before birth', () => {
      const asOfDate = AS_OF.slice(0, 10);
      const now = clinicNow(meta().timezone!);
      for (const [table, columns] of Object.entries(DATE_COLUMNS)) {
        for (const column of columns) {
          const rows = all(`SELECT t.${column} AS d, p.birth_date AS birth FROM ${table} t JOIN patients p ON p.id = ${table === 'patients' ? 't.id' : 't.patient_id'} WHERE t.${column} IS NOT NULL`);
          for (const { d, birth } of rows as { d: string; birth: string }[]) {
            expect(isRealDate(d), `${table}.${column} ${d}`).toBe(true);
            expect(d <= asOfDate, `${table}.${column} ${d}`).toBe(true);
            expect(d >= birth, `${table}.${column} ${d} < ${birth}`).toBe(true);
          }
        }
      }
      for (const [table, column] of Object.entries(LOCAL_TIME_COLUMNS)) {
        const rows = all(`SELECT t.${column} AS t, p.birth_date AS birth FROM ${table} t JOIN patients p ON p.id = t.patient_id`) as { t: string; birth: string }[];
        for (const { t, birth } of rows) {
          expect(isRealLocalTime(t), `${table}.${column} ${t}`).toBe(true);
          expect(t.slice(0, 10) >= birth).toBe(true);
          if (table !== 'appointments') expect(t <= now, `${table}.${column} ${t} after ${now}`).toBe(true);
        }
      }
      for (const table of TABLES) {
        for (const { u } of all(`SELECT updated_at AS u FROM ${table}`) as { u: string }[]) {
          expect(isRealUtc(u), `${table}.updated_at ${u}`).toBe(true);
          expect(u <= AS_OF, `${table}.updated_at ${u}`).toBe(true);
        }
      }
    });

    it("lists allergies exactly when allergy_status is 'listed', with some 'none' and some 'unknown'", () => {
      const rows = all(`SELECT p.allergy_status AS status, count(a.id) AS n FROM patients p LEFT JOIN allergies a ON a.patient_id = p.id GROUP BY p.id`) as { status: string; n: number }[];
      for (const { status, n } of rows) expect(status === 'listed').toBe(n > 0);
      const statuses = new Set(rows.map((r) => r.status));
      expect(statuses).toEqual(new Set(['listed', 'none', 'unknown']));
    });

    it('gives about 5% of patients long histories of dozens of encounters, each with a note', () => {
      const counts = all('SELECT patient_id, count(*) AS n, sum(note IS NOT NULL) AS notes FROM encounters GROUP BY patient_id') as { n: number; notes: number }[];
      const long = counts.filter((c) => c.n >= 30);
      expect(long.length).toBeGreaterThanOrEqual(PATIENTS * 0.025);
      expect(long.length).toBeLessThanOrEqual(PATIENTS * 0.09);
      for (const c of long) {
        expect(c.n).toBeLessThanOrEqual(90);
        expect(c.notes).toBe(c.n);
      }
      // Notes are several sentences.
      const notes = all('SELECT note FROM encounters WHERE note IS NOT NULL') as { note: string }[];
      const sentences = notes.map((n) => n.note.split(/[.!?](\s|$)/).filter((s) => s.trim().length > 1).length);
      expect(sentences.reduce((a, b) => a + b, 0) / sentences.length).toBeGreaterThanOrEqual(4);
      // And some patients have no visits yet.
      expect(counts.length).toBeLessThan(PATIENTS);
    });

    it('books several appointments on every weekday of the next 14 days, in clinic hours', () => {
      const today = clinicNow(meta().timezone!).slice(0, 10);
      const booked = all(`SELECT starts_at, duration_minutes FROM appointments WHERE status = 'booked' AND starts_at >= '${today}'`) as { starts_at: string; duration_minutes: number }[];
      const perDay = new Map<string, number>();
      for (const a of booked) perDay.set(a.starts_at.slice(0, 10), (perDay.get(a.starts_at.slice(0, 10)) ?? 0) + 1);
      const start = Date.parse(`${today}T00:00:00Z`);
      for (let i = 0; i < 14; i++) {
        const day = new Date(start + i * 86400000);
        const iso = day.toISOString().slice(0, 10);
        const weekend = day.getUTCDay() === 0 || day.getUTCDay() === 6;
        expect(perDay.get(iso) ?? 0, iso).toBeGreaterThanOrEqual(weekend ? 1 : 3);
      }
      for (const a of booked) {
        const minute = +a.starts_at.slice(11, 13) * 60 + +a.starts_at.slice(14, 16);
        expect(minute, a.starts_at).toBeGreaterThanOrEqual(8 * 60);
        expect(minute + a.duration_minutes, a.starts_at).toBeLessThanOrEqual(17 * 60);
      }
      const patientsWithUpcoming = all(`SELECT count(DISTINCT patient_id) AS n FROM appointments WHERE starts_at >= '${today}'`)[0]!.n as number;
      expect(patientsWithUpcoming / PATIENTS).toBeGreaterThan(0.25);
      expect(patientsWithUpcoming / PATIENTS).toBeLessThan(0.5);
      expect(all(`SELECT count(*) AS n FROM appointments WHERE status = 'cancelled'`)[0]!.n).toBeGreaterThan(0);
      expect(all(`SELECT count(*) AS n FROM appointments WHERE starts_at < '${today}'`)[0]!.n).toBeGreaterThan(0);
    });

    it('gives most patients an emergency contact, insurance and a pharmacy, and a few alerts', () => {
      const share = (sql: string): number => (all(sql)[0]!.n as number) / PATIENTS;
      expect(share('SELECT count(DISTINCT patient_id) AS n FROM contacts WHERE is_emergency = 1')).toBeGreaterThan(0.7);
      expect(share('SELECT count(DISTINCT patient_id) AS n FROM coverages')).toBeGreaterThan(0.8);
      expect(share('SELECT count(*) AS n FROM patients WHERE pharmacy_name IS NOT NULL')).toBeGreaterThan(0.75);
      const alerts = share('SELECT count(DISTINCT patient_id) AS n FROM alerts');
      expect(alerts).toBeGreaterThan(0.01);
      expect(alerts).toBeLessThan(0.3);
    });
  });
});
