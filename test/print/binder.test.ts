import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { writeHandmadeClinic, HANDMADE_NAMES } from '../fixtures/handmade-clinic.js';
import { openStore } from '../../src/store/open-store.js';
import { drawBinder, type BinderSummary } from '../../src/print/print-binder.js';
import { loadTemplate } from '../../src/layout/template.js';
import { extractPageTexts } from '../_pdf-text.js';
import type { PatientRecord } from '../../src/record/record.js';

const PRINTED_AT = '2026-11-25T15:00:00Z';

async function printTo(dir: string, store: string, name: string, template = 'default'): Promise<BinderSummary> {
  const db = openStore(store);
  try {
    return await drawBinder({ db, storePath: store, outPath: join(dir, name), template: loadTemplate(template), printedAt: PRINTED_AT });
  } finally {
    db.close();
  }
}

/** Index rows as the reader sees them: "... DOB MRN PAGE" at the end of a line. */
function indexRows(pages: string[]): Map<string, number> {
  const rows = new Map<string, number>();
  for (const text of pages.filter((t) => t.includes('Patient index'))) {
    for (const m of text.matchAll(/(\d{4}-\d{2}-\d{2}) (\d{7}) (\d+)$/gm)) rows.set(m[2]!, Number(m[3]));
  }
  return rows;
}

describe('the printed binder', () => {
  let dir: string;
  let records: PatientRecord[];
  let summary: BinderSummary;
  let pages: string[];
  let pdf: Buffer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'binder-'));
    records = writeHandmadeClinic(join(dir, 'clinic.sqlite'));
    summary = await printTo(dir, join(dir, 'clinic.sqlite'), 'binder.pdf');
    pdf = readFileSync(join(dir, 'binder.pdf'));
    pages = await extractPageTexts(pdf);
  });

  it('reports the patients and pages it wrote', () => {
    expect(summary.patients).toBe(records.length);
    expect(pages.length).toBe(summary.pages);
  });

  it('opens with a cover giving the clinic, the data time and the counts', () => {
    expect(pages[0]).toContain('Springfield Family Practice');
    // The store's clinic is in America/Chicago: every time is printed in its zone, named (10:00 UTC).
    expect(pages[0]).toMatch(/Data as of 2026-11-20 04:00 CST/);
    expect(pages[0]).toContain('Times in America/Chicago');
    expect(pages[0]).toMatch(new RegExp(`Patients ${records.length}`));
    expect(pages[0]).toMatch(new RegExp(`Pages ${summary.pages}`));
  });

  it('numbers every page in the footer', () => {
    pages.forEach((text, i) => expect(text).toContain(`Binder page ${i + 1}`));
  });

  it('indexes every patient at the page where their summary starts, on a right-hand page', () => {
    const rows = indexRows(pages);
    expect(rows.size).toBe(records.length);
    for (const r of records) {
      const page = rows.get(r.patient.mrn)!;
      expect(page % 2, `patient ${r.patient.id} starts on page ${page}`).toBe(1);
      const text = pages[page - 1]!;
      expect(text).toContain(`MRN ${r.patient.mrn}`);
      expect(text).toMatch(/Page 1 of \d+/);
    }
  });

  it('puts the identity header and "data as of" on every page of a patient', () => {
    const rows = indexRows(pages);
    for (const r of records) {
      const first = rows.get(r.patient.mrn)!;
      const count = Number(/Page 1 of (\d+)/.exec(pages[first - 1]!)![1]);
      for (let i = 0; i < count; i++) {
        const text = pages[first - 1 + i]!;
        expect(text).toContain(`DOB ${r.patient.birth_date}`);
        expect(text).toContain(`MRN ${r.patient.mrn}`);
        expect(text).toContain(`Page ${i + 1} of ${count}`);
        expect(text).toContain('Data as of 2026-11-20 04:00 CST');
      }
    }
  });

  it("prints each patient's allergies and medications on that patient's pages only", () => {
    const rows = indexRows(pages);
    for (const r of records) {
      const first = rows.get(r.patient.mrn)!;
      const count = Number(/Page 1 of (\d+)/.exec(pages[first - 1]!)![1]);
      const own = pages.slice(first - 1, first - 1 + count).join('\n');
      const others = [...pages.slice(0, first - 1), ...pages.slice(first - 1 + count)].join('\n');
      const drug = r.medications[0]!.name;
      expect(own).toContain(drug);
      expect(others).not.toContain(drug);
      if (r.allergies.length) {
        expect(own).toContain(r.allergies[0]!.substance);
        expect(others).not.toContain(r.allergies[0]!.substance);
      } else {
        expect(own).toContain(r.patient.allergy_status === 'none' ? 'NO KNOWN ALLERGIES' : 'ALLERGIES NOT RECORDED');
      }
    }
  });

  it('flows a long history onto further pages without losing an encounter, with the full-history template', async () => {
    await printTo(dir, join(dir, 'clinic.sqlite'), 'full.pdf', 'full-history');
    const full = await extractPageTexts(join(dir, 'full.pdf'));
    const long = records.find((r) => r.encounters.length >= 60)!;
    const first = indexRows(full).get(long.patient.mrn)!;
    const count = Number(/Page 1 of (\d+)/.exec(full[first - 1]!)![1]);
    expect(count).toBeGreaterThanOrEqual(4);
    const own = full.slice(first - 1, first - 1 + count).join('\n');
    for (let k = 1; k <= 60; k++) expect(own).toContain(`(visit ${k})`);
  });

  it('keeps the last three encounters of a long history in the default summary and says the codes hold the rest', () => {
    const long = records.find((r) => r.encounters.length >= 60)!;
    const first = indexRows(pages).get(long.patient.mrn)!;
    const count = Number(/Page 1 of (\d+)/.exec(pages[first - 1]!)![1]);
    const own = pages.slice(first - 1, first - 1 + count).join('\n');
    expect(own).toContain(`Earlier encounters, in the codes: ${long.encounters.length - 3}.`);
    const latest = [...long.encounters].sort((a, b) => (a.occurred_at < b.occurred_at ? 1 : -1)).slice(0, 4);
    // The latest is page 1's "Last visit" line (issue 25), the two before it under Recent encounters.
    for (const e of latest.slice(0, 3)) expect(own).toMatch(new RegExp(`^(Last visit )?${e.occurred_at.slice(0, 10)} — .* — ${e.reason}$`, 'm'));
    expect(own).toMatch(new RegExp(`^Last visit ${latest[0]!.occurred_at.slice(0, 10)} — `, 'm'));
    expect(own).not.toMatch(new RegExp(`— ${latest[3]!.reason}$`, 'm'));
  });

  it('gives back every name as the same text, whatever its script', () => {
    const all = pages.join('\n');
    for (const [family, given] of HANDMADE_NAMES) {
      expect(all).toContain(`${family}, ${given}`.normalize('NFC'));
    }
  });

  it('lists the next fortnight of appointments with each patient\'s binder page', () => {
    const schedule = pages.find((t) => t.includes('Appointments from 2026-11-25 to 2026-12-08'))!;
    expect(schedule).toBeDefined();
    const rows = indexRows(pages);
    const smith = records.find((r) => r.patient.family_name === 'Smith')!;
    expect(schedule).toContain('Smith, Jane');
    expect(schedule).toMatch(new RegExp(`Follow-up ${rows.get(smith.patient.mrn)}`));
  });

  it("follows each patient's summary with pages of codes, labelled for a person, inside the patient's page count", () => {
    const rows = indexRows(pages);
    for (const r of records) {
      const first = rows.get(r.patient.mrn)!;
      const count = Number(/Page 1 of (\d+)/.exec(pages[first - 1]!)![1]);
      const own = pages.slice(first - 1, first - 1 + count);
      const name = `${r.patient.family_name}, ${r.patient.given_names}`.normalize('NFC');
      const codePages = own.filter((t) => t.includes('Machine-readable copy of'));
      expect(codePages.length).toBeGreaterThanOrEqual(1);
      expect(own.at(-1)).toContain('Machine-readable copy of');
      const m = new RegExp(`codes 1–(\\d+) of (\\d+), page 1 of ${codePages.length} — do not discard`).exec(codePages[0]!.replace(/\n/g, ' '));
      expect(m, `code heading of ${r.patient.id}`).not.toBeNull();
      const total = Number(m![2]);
      // A line mixing right-to-left and left-to-right text never extracts in logical order
      // (pdfjs, poppler and mupdf all reorder it); for RTL names check the code numbers alone.
      const rtl = /[\p{Script=Arabic}\p{Script=Hebrew}]/u.test(name);
      for (let i = 1; i <= total; i++) expect(codePages.join('\n')).toContain(rtl ? `code ${i} of ${total}` : `${name} · code ${i} of ${total}`);
    }
  });

  it('carries the manifest codes after the last patient and the recipe on the back of the cover', () => {
    expect(pages[1]).toContain('Restoring records from this binder');
    expect(pages[1]).toContain('zbarimg --raw -q -Sdisable -Sqrcode.enable page-*.png > codes.txt');
    const manifest = pages.findIndex((t) => t.includes('Manifest of this print run: every patient'));
    const lastPatient = Math.max(...indexRows(pages).values());
    // indexRows gives 1-based binder pages; the manifest starts on a right-hand page after the last patient's codes.
    expect(manifest + 1).toBeGreaterThan(lastPatient);
    expect((manifest + 1) % 2).toBe(1);
    // The last group's parity codes (FORMAT §17) follow the last patient, before the manifest.
    expect(pages[manifest - 1]).toMatch(/Machine-readable copy of|Parity codes for binder pages|This page is intentionally blank/);
    expect(pages[manifest]).toContain('Manifest · code 1 of');
    // The decoder's listing follows the manifest on a right-hand page of its own (issue 27).
    const listing = pages.findIndex((t) => t.includes('Decoder program listing'));
    expect(listing).toBeGreaterThan(manifest);
    expect(pages.slice(manifest, listing).every((t) => t.includes('Manifest of this print run') || t.includes('This page is intentionally blank'))).toBe(true);
    expect(pages.slice(listing).every((t) => t.includes('Decoder program listing'))).toBe(true);
  });

  it('has one bookmark per patient', async () => {
    const doc = await getDocument({ data: new Uint8Array(pdf), verbosity: 0 }).promise;
    const outline = (await doc.getOutline()) ?? [];
    const titles = outline.map((o) => o.title);
    for (const r of records) expect(titles.filter((t) => t.includes(`MRN ${r.patient.mrn}`))).toHaveLength(1);
    // The front matter is drawn last but read first: its bookmarks lead, in binder order, the manifest's ends.
    // The schedule comes right after the cover (and the recipe on its back), before the index.
    // The decoder's codes follow the index, its listing the manifest (issue 27).
    expect(titles.slice(0, 3)).toEqual(['Schedule', 'Patient index', 'Decoder program']);
    expect(titles.slice(-2)).toEqual(['Manifest of this print run', 'Decoder program listing (decode.py)']);
    const pageOf = async (o: (typeof outline)[number]): Promise<number> => doc.getPageIndex(o.dest![0] as never);
    const order = await Promise.all(outline.map(pageOf));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(order[0]).toBe(2);
    await doc.destroy();
  });

  it('prints the same bytes for the same store and print time', async () => {
    await printTo(dir, join(dir, 'clinic.sqlite'), 'again.pdf');
    expect(readFileSync(join(dir, 'again.pdf')).equals(pdf)).toBe(true);
  });

  it('prints on A4 with Spanish labels from the es-a4 template', async () => {
    await printTo(dir, join(dir, 'clinic.sqlite'), 'es.pdf', 'es-a4');
    const doc = await getDocument({ data: new Uint8Array(readFileSync(join(dir, 'es.pdf'))), verbosity: 0 }).promise;
    const page = await doc.getPage(1);
    expect(page.view.map(Math.round)).toEqual([0, 0, 595, 842]);
    await doc.destroy();
    const text = (await extractPageTexts(join(dir, 'es.pdf'))).join('\n');
    expect(text).toContain('Índice de pacientes');
    expect(text).toContain('SIN ALERGIAS CONOCIDAS');
    expect(text).toContain('Medicación activa');
  });
});
