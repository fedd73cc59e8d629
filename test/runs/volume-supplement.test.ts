// A supplement of a binder printed in volumes (issue 28): the register keeps each patient's volume and pages, so the
// replace-and-shred sheet says "Vol 2 · pages 17–18" where it used to send the person to the index; the register
// keeps every volume's and the labels' SHA-256; a later one-volume print to the same --out removes the volumes of
// the earlier one that paperchart printed, and nothing else. Read back with positions by poppler's pdftotext -bbox.
import { describe, it, expect, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { runCli } from '../_run-cli.js';
import { changePatients, NEW_PATIENT } from './_day-of-changes.js';
import { RunRegister } from '../../src/runs/run-register.js';

const hasPoppler = spawnSync('pdftotext', ['-v']).status === 0;
if (!hasPoppler) console.warn('pdftotext (poppler-utils) missing: skipping the supplement-of-volumes checks');

interface Word { x: number; y: number; text: string }

/** Every page's words with their top-left corner, as pdftotext -bbox gives them. */
function pageWords(pdf: string): Word[][] {
  const run = spawnSync('pdftotext', ['-bbox', pdf, '-'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (run.status !== 0) throw new Error(`pdftotext failed: ${run.stderr}`);
  const entity = (s: string): string => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
  return run.stdout.split('<page ').slice(1).map((chunk) => [...chunk.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="[\d.]+">([^<]*)<\/word>/g)]
    .map((m) => ({ x: Number(m[1]), y: Number(m[2]), text: entity(m[3]!) })));
}

/** Words as lines, top to bottom, each left to right. */
function lines(words: readonly Word[]): string[] {
  const rows: Word[][] = [];
  for (const w of [...words].sort((a, b) => a.y - b.y || a.x - b.x)) {
    const row = rows.find((r) => Math.abs(r[0]!.y - w.y) < 2.5);
    if (row) row.push(w); else rows.push([w]);
  }
  return rows.map((r) => r.sort((a, b) => a.x - b.x).map((w) => w.text).join(' '));
}

/** The pages (from 1) of a binder whose running header (its first lines) gives this record number: one patient's. */
function pagesOf(pages: readonly Word[][], mrn: string): number[] {
  return pages.flatMap((words, i) => (lines(words).slice(0, 3).some((l) => l.includes(`MRN ${mrn}`)) ? [i + 1] : []));
}

/**
 * The replace-and-shred sheet's rows, by record number: the text of each column. A row runs from the line after the
 * previous row's "MRN …" line (its patient column's last) to its own; the columns start at their headings.
 */
function sheetRows(words: readonly Word[]): Map<string, { pull: string; put: string }> {
  const heading = (text: string): number => words.find((w) => w.text === text)!.x - 1;
  const pullX = heading('Pull');
  const putX = words.filter((w) => w.text === 'Put').find((w) => w.x > pullX)!.x - 1;
  const headY = words.find((w) => w.text === 'Pull')!.y + 4;
  const patient = lines(words.filter((w) => w.x < pullX && w.y > headY));
  const ys = [...new Set(words.filter((w) => w.x < pullX && w.y > headY).map((w) => Math.round(w.y)))].sort((a, b) => a - b);
  const rows = new Map<string, { pull: string; put: string }>();
  let top = headY;
  patient.forEach((line, k) => {
    const mrn = /^MRN (\S+)$/.exec(line);
    if (!mrn) return;
    const bottom = ys[k]! + 4;
    const cell = (x0: number, x1: number): string => lines(words.filter((w) => w.x >= x0 && w.x < x1 && w.y > top && w.y < bottom)).join(' ');
    rows.set(mrn[1]!, { pull: cell(pullX, putX), put: cell(putX, Infinity) });
    top = bottom;
  });
  return rows;
}

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

describe.skipIf(!hasPoppler)('a supplement of a binder in volumes', () => {
  let dir: string;
  let store: string;
  let register: string;
  const out = (): string => join(dir, 'binder.pdf');
  const vol = (k: number): string => join(dir, `binder-vol${k}.pdf`);
  const labels = (): string => join(dir, 'binder-labels.pdf');
  let placed: { patient_id: string; first_page: number; last_page: number; mrn: string; volume: number | null }[];
  let edited: (typeof placed)[number];
  let deleted: (typeof placed)[number];
  let volumeHashes: string[];
  let volumes: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'volume-supplement-'));
    store = join(dir, 'clinic.sqlite');
    register = join(dir, 'clinic.runs.sqlite');
    expect((await runCli('sample', '--db', store, '--patients', '40', '--seed', '3', '--as-of', '2026-11-25')).code).toBe(0);
    const p = await runCli('print', '--db', store, '--out', out(), '--volume-sheets', '30', '--as-of', '2026-12-01T14:00Z', '--jobs', '1');
    expect(p.code, p.err).toBe(0);
    volumes = Number(/→ (\d+) volumes/.exec(p.out)?.[1]);
    expect(volumes).toBeGreaterThanOrEqual(2);
    volumeHashes = Array.from({ length: volumes }, (_, k) => sha256(vol(k + 1)));
    const reg = new Database(register, { readonly: true });
    placed = reg.prepare("SELECT patient_id, first_page, last_page, mrn, volume FROM run_patients WHERE seq = (SELECT max(seq) FROM runs WHERE kind = 'print')").all() as typeof placed;
    reg.close();
    // Two patients of the second volume, pages past its front matter: one edited, one deleted; and a new one.
    const second = placed.filter((r) => r.volume === 2).sort((a, b) => a.first_page - b.first_page);
    expect(second.length).toBeGreaterThan(3);
    [edited, deleted] = [second[1]!, second[second.length - 1]!];
    await changePatients(store, { edited: [edited.patient_id], deleted: deleted.patient_id, copyOf: second[0]!.patient_id, at: '2026-12-01T18:00:00Z' });
  }, 600_000);

  it('keeps each patient\'s volume and pages, and every file\'s SHA-256, in the register', async () => {
    expect(existsSync(vol(2)) && existsSync(labels()) && !existsSync(out())).toBe(true);
    const pages = Array.from({ length: volumes }, (_, k) => pageWords(vol(k + 1)));
    for (const r of placed) {
      expect(r.volume, r.patient_id).not.toBeNull();
      const found = pagesOf(pages[r.volume! - 1]!, r.mrn);
      expect([found[0], found[found.length - 1]], r.patient_id).toEqual([r.first_page, r.last_page]);
    }
    const reg = RunRegister.read(register)!;
    try {
      const run = reg.list().find((r) => r.kind === 'print')!;
      expect(run.pdf_sha256).toBe(volumeHashes[0]);
      const files = reg.filesOf(run.seq);
      expect(files.map((f) => [f.role, f.volume, f.path, f.sha256])).toEqual([
        ['labels', null, labels(), sha256(labels())], ...volumeHashes.map((h, k) => ['volume', k + 1, vol(k + 1), h])]);
    } finally {
      reg.close();
    }
    // The same files, as `runs --json` lists them for an auditor.
    const listed = (JSON.parse((await runCli('runs', '--db', store, '--json')).out) as { runs: { kind: string; files: unknown[] }[] }).runs.find((r) => r.kind === 'print')!;
    const reread = RunRegister.read(register)!;
    try { expect(listed.files).toEqual(reread.filesOf(reread.list().find((r) => r.kind === 'print')!.seq)); } finally { reread.close(); }
  });

  it('names the volume and its pages on the replace-and-shred sheet', async () => {
    const s = await runCli('print', '--db', store, '--out', join(dir, 'supplement.pdf'), '--since', 'last', '--volume-sheets', '30', '--as-of', '2026-12-02T14:00Z', '--jobs', '1');
    expect(s.code, s.err).toBe(0);
    expect(s.out).toMatch(/^printed 2 patients/);
    // Its "data as of", from the patients it prints and the binder's own (no scan of the store): their latest change.
    const run = (JSON.parse((await runCli('runs', '--db', store, '--json')).out) as { runs: { run_id: string; data_as_of: string }[] }).runs.find((r) => r.run_id === '20261202140000')!;
    expect(run.data_as_of).toBe('2026-12-01T18:00:00Z');
    const supplement = pageWords(join(dir, 'supplement.pdf'));
    const sheetPage = Number(/Replace-and-shred sheet: page (\d+)/.exec(lines(supplement[0]!).join(' '))![1]);
    const rows = sheetRows(supplement[sheetPage - 1]!);
    const volume2 = pageWords(vol(2));
    for (const r of [edited, deleted]) {
      const was = pagesOf(volume2, r.mrn);
      const range = was.length === 1 ? `Vol 2 · page ${was[0]} (1 sheet)` : `Vol 2 · pages ${was[0]}–${was[was.length - 1]} (`;
      expect(rows.get(r.mrn)?.pull, r.mrn).toContain(range);
      expect(rows.get(r.mrn)!.pull).toContain('binder of 2026-12-01');
    }
    // The divider above the removed patients spans the columns: its last words fall in this one.
    expect(rows.get(deleted.mrn)!.put).toMatch(/(^| )nothing$/);
    const now = pagesOf(supplement, edited.mrn);
    expect(rows.get(edited.mrn)!.put).toContain(`pages ${now[0]}–${now[now.length - 1]}`);
    expect(rows.get(edited.mrn)!.put).not.toContain('Vol');
    expect(rows.get(NEW_PATIENT.mrn)!.pull).toMatch(/(^| )nothing \(new patient\)$/);
    expect(lines(supplement[sheetPage - 1]!).join(' ')).not.toContain('not recorded');
  }, 300_000);

  it('reads a register from before volumes were kept, and brings it up to date when opened to write', () => {
    const old = join(dir, 'old.runs.sqlite');
    copyFileSync(register, old);
    const db = new Database(old);
    db.exec('ALTER TABLE run_patients DROP COLUMN volume; DROP TABLE run_files');
    db.close();
    const read = RunRegister.read(old)!;
    const seq = read.list().find((r) => r.kind === 'print')!.seq;
    try {
      expect(read.patientsOf(seq).length).toBe(placed.length);
      expect(read.patientsOf(seq).every((p) => p.volume === null)).toBe(true);
      expect(read.filesOf(seq)).toEqual([]);
    } finally {
      read.close();
    }
    const opened = RunRegister.open(old);
    try {
      opened.recordPatients(seq, [{ patient_id: edited.patient_id, first_page: 5, last_page: 6, name: 'x', mrn: edited.mrn, volume: 2 }]);
      expect(opened.patientsOf(seq).find((p) => p.patient_id === edited.patient_id)).toMatchObject({ first_page: 5, volume: 2 });
    } finally {
      opened.close();
    }
  });

  it('a one-volume print to the same name removes the earlier volumes and labels it printed, and nothing else', async () => {
    // A file of the user's under the next volume's name: not paperchart's, so it stays.
    const mine = vol(volumes + 1);
    writeFileSync(mine, '%PDF-1.4 a scan the office made\n');
    const p = await runCli('print', '--db', store, '--out', out(), '--volume-sheets', '10000', '--as-of', '2026-12-03T14:00Z', '--jobs', '1');
    expect(p.code, p.err).toBe(0);
    expect(existsSync(out())).toBe(true);
    for (const path of [...volumeHashes.map((_, k) => vol(k + 1)), labels()]) {
      expect(existsSync(path), path).toBe(false);
      expect(p.err + p.out).toContain(`removed ${path}`);
    }
    expect(readFileSync(mine, 'utf8')).toContain('a scan the office made');
    const reg = RunRegister.read(register)!;
    try {
      const run = reg.list().filter((r) => r.kind === 'print').pop()!;
      expect(reg.filesOf(run.seq)).toEqual([{ path: out(), role: 'binder', volume: null, pages: run.pages, bytes: readFileSync(out()).length, sha256: sha256(out()) }]);
      expect(reg.patientsOf(run.seq).every((r) => r.volume === null)).toBe(true);
    } finally {
      reg.close();
    }
  }, 300_000);
});
