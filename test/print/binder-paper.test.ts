// Where the paper goes (issue 26): read a sample clinic's binder back, page by page and by its outline.
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { writeSampleClinic } from '../../src/sample/sample-clinic.js';
import { openStore } from '../../src/store/open-store.js';
import { readPatientSummaries, RecordReader } from '../../src/store/read-records.js';
import { drawBinder } from '../../src/print/print-binder.js';
import { loadTemplate } from '../../src/layout/template.js';
import { encodeDocument } from '../../src/codec/record-codec.js';
import { canonicalJson } from '../../src/record/canonical-json.js';
import { extractPageTexts } from '../_pdf-text.js';

const PRINTED_AT = '2026-11-25T15:00:00Z';

interface PatientPages { mrn: string; first: number; pages: string[] }

/** Each patient's pages, from their bookmark (the first page of their summary) to the next bookmark. */
async function patientPages(pdf: Buffer, texts: string[]): Promise<PatientPages[]> {
  const doc = await getDocument({ data: new Uint8Array(pdf), verbosity: 0 }).promise;
  const outline = (await doc.getOutline()) ?? [];
  const marks: { title: string; page: number }[] = [];
  for (const o of outline) marks.push({ title: o.title, page: (await doc.getPageIndex(o.dest![0] as never)) + 1 });
  await doc.destroy();
  // The schedule's, the index's and the decoder codes' bookmarks lead, the manifest's and the decoder listing's
  // end (issue 27); each patient's ends in their MRN.
  const patients = marks.slice(3, -2);
  const end = marks.at(-2)!.page;
  return patients.map((m, i) => ({
    mrn: /(\S+)$/.exec(m.title)![1]!, first: m.page,
    pages: texts.slice(m.page - 1, (patients[i + 1]?.page ?? end) - 1),
  }));
}

/** A patient's allergies and code status atop their pages after the first (issue 25): part of the running head. */
const BANNER = /^(ALLERGIES|NKA|no active allergies|ALERGIAS|Sin alergias|sin alergias)\b.* · /;
/** A page's body lines: without the running header's two lines, its banner and the footer's one. */
const bodyLines = (text: string): string[] => text.split('\n').slice(2, -1).filter((l) => l.trim() !== '' && !BANNER.test(l));

describe.each(['default', 'es-a4'])('a sample clinic binder (%s template)', (templateName) => {
  let patients: PatientPages[];
  let codeCounts: Map<string, number>;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'binder-paper-'));
    const store = join(dir, 'clinic.sqlite');
    await writeSampleClinic(store, { patients: 60, seed: 7, asOf: PRINTED_AT });
    const db = openStore(store);
    try {
      const template = loadTemplate(templateName);
      await drawBinder({ db, storePath: store, outPath: join(dir, 'binder.pdf'), template, printedAt: PRINTED_AT });
      const reader = new RecordReader(db);
      codeCounts = new Map(readPatientSummaries(db).map((s) => {
        const r = reader.read(s.id);
        const codes = encodeDocument('R', r.patient.id, canonicalJson(r), { runId: '20261125150000', printedAt: PRINTED_AT }).texts.length;
        return [r.patient.mrn, codes];
      }));
    } finally {
      db.close();
    }
    const pdf = readFileSync(join(dir, 'binder.pdf'));
    patients = await patientPages(pdf, await extractPageTexts(pdf));
  }, 120_000);

  it('starts every patient on the front of a sheet (an odd page)', () => {
    expect(patients).toHaveLength(60);
    for (const p of patients) expect(p.first % 2, `patient MRN ${p.mrn} starts on page ${p.first}`).toBe(1);
  });

  it("carries every one of a patient's codes on that patient's pages, each numbered under its code", () => {
    for (const p of patients) {
      const total = codeCounts.get(p.mrn)!;
      const own = p.pages.join('\n');
      for (let i = 1; i <= total; i++) expect(own, `MRN ${p.mrn}`).toMatch(new RegExp(`(code|código) ${i} (of|de) ${total}\\b`));
      expect(own).not.toMatch(new RegExp(`(code|código) ${total + 1} (of|de) ${total}\\b`));
    }
  });

  it('leaves no page holding a stray line or two: every page has codes, three lines or more, or is a blank back', () => {
    for (const p of patients) {
      p.pages.forEach((text, i) => {
        if (/intentionally blank|en blanco intencionadamente/.test(text)) return;
        const lines = bodyLines(text);
        const codes = /(code|código) \d+ (of|de) \d+/.test(text);
        expect(codes || lines.length >= 3, `MRN ${p.mrn}, page ${i + 1} of theirs holds only: ${lines.join(' | ')}`).toBe(true);
      });
    }
  });

  it('ends no page with a section heading', () => {
    const headings = loadTemplate(templateName);
    const titles = ['medications', 'problems', 'recent_encounters', 'vitals_by_visit', 'immunizations_latest', 'labs_latest']
      .map((k) => headings.labels[k]!);
    for (const p of patients) {
      for (const text of p.pages) {
        const last = bodyLines(text).at(-1) ?? '';
        expect(titles, `MRN ${p.mrn}: a page ends with its heading "${last}"`).not.toContain(last);
      }
    }
  });

  it('puts most patients on one sheet: summary on the front, codes on the back', () => {
    const sheets = patients.map((p) => Math.ceil(p.pages.length / 2));
    const one = sheets.filter((s) => s === 1).length;
    expect(one / patients.length).toBeGreaterThan(0.5);
  });
});
