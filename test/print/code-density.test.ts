import { describe, it, expect } from 'vitest';
import { generateSampleClinic } from '../../src/sample/sample-clinic.js';
import { codeDensity } from '../../src/print/patient-pages.js';
import { codesPerPage } from '../../src/layout/code-pages.js';
import { bodyBox, pageFrame } from '../../src/pdf/draw-page.js';
import { PAPER } from '../../src/layout/template.js';

// Issue 26: at least 24 KB of canonical record per full page of codes (1,000 patients, seed 7: 28.1 KB; with six
// codes a page it was 18.7 KB). 200 patients of the same clinic keep the test quick and give 29.2 KB.
describe('the density of a page of codes', () => {
  it('holds nine codes on a Letter and on an A4 page', () => {
    for (const [w, h] of [PAPER.LETTER, PAPER.A4]) expect(codesPerPage(bodyBox(pageFrame(w, h)))).toEqual({ columns: 3, rows: 3 });
  });

  it('carries at least 24 KB of record per full page of codes on the sample clinic', () => {
    const records = generateSampleClinic({ patients: 200, seed: 7, asOf: '2026-11-25T15:00:00Z' });
    const d = codeDensity(records, { runId: '20261125150000', printedAt: '2026-11-25T15:00:00Z' }, bodyBox(pageFrame(...PAPER.LETTER)));
    expect(d.patients).toBe(200);
    expect(d.codesPerFullPage).toBe(9);
    expect(d.bytesPerCodePage).toBeGreaterThanOrEqual(24_000);
  });
});
