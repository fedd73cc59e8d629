// A supplement's cover and replace-and-shred sheet in the es-a4 template (issue 28): every word the template
// carries in Spanish, none left in the default template's English; a binder in volumes named "Tomo 2 · páginas …".
// Laid out with the real shaper and fonts and read back from the laid-out lines.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { loadTemplate, PAPER } from '../../src/layout/template.js';
import { TextShaper } from '../../src/text/shape-text.js';
import { bodyBox, pageFrame } from '../../src/pdf/draw-page.js';
import { layoutCover } from '../../src/layout/front-matter.js';
import { layoutReplaceSheet } from '../../src/layout/supplement-pages.js';
import type { PageBody } from '../../src/layout/flow.js';

const english = (JSON.parse(readFileSync(new URL('../../templates/default.json', import.meta.url), 'utf8')) as { labels: Record<string, string> }).labels;

/** Every line of text laid out, in order. */
const textOf = (pages: readonly PageBody[]): string => pages.flatMap((p) => p.ops.flatMap((op) => (op.kind === 'text' ? [op.line.text] : []))).join('\n');

describe('a supplement in the es-a4 template', () => {
  const template = loadTemplate('es-a4');
  const [width, height] = PAPER[template.paper];
  const shaper = new TextShaper();
  const ctx = { shaper, template, box: bodyBox(pageFrame(width, height)), today: '2026-12-02' };

  it('has a Spanish label for every word of the supplement\'s cover and sheet', () => {
    const keys = Object.keys(english).filter((k) => k.startsWith('supplement_') || k.startsWith('sheet_'));
    expect(keys.length).toBeGreaterThanOrEqual(30);
    for (const k of keys) expect(template.labels[k], k).not.toBe(english[k]);
  });

  it('lays the cover and the sheet out in Spanish, a volume\'s pages as "Tomo 2 · páginas"', () => {
    const at = (t: string): { runId: string; printedAt: string } => ({ runId: t.replace(/\D/g, ''), printedAt: t });
    const cover = textOf(layoutCover({
      clinicName: 'Clínica', clinicAddress: null, clinicPhone: null, printedAt: '2026-12-02T14:00:00Z', dataAsOf: '2026-12-01T18:00:00Z',
      patients: 2, pages: 12, fingerprint: null, encrypted: false, timeZone: 'Europe/Madrid', schedulePage: 5, indexPage: 6, runId: '20261202140000',
      supplement: { of: { ...at('2026-12-01T14:00:00Z'), kind: 'binder' }, base: at('2026-12-01T14:00:00Z'), since: at('2026-12-01T14:00:00Z'), changed: 1, added: 1, removed: 1, sheetPage: 3 },
    }, ctx)).replace(/\s+/g, ' ');
    expect(cover).toContain('SUPLEMENTO de la carpeta del 2026-12-01');
    expect(cover).toContain('Hoja de sustitución y destrucción: página 3');
    expect(cover).toContain('1 pacientes modificados y 1 nuevos; 1 eliminados del registro');
    const pages: PageBody[] = [];
    const pull = { kind: 'binder' as const, printedAt: '2026-12-01T14:00:00Z', pages: { first: 17, last: 18, volume: 2 } };
    layoutReplaceSheet({ timeZone: 'Europe/Madrid', lines: [
      { name: 'García, Ana', mrn: '1001', pull, now: { first: 5, last: 8 } },
      { name: 'Aaronson, Eli', mrn: '1002', pull: null, now: { first: 9, last: 10 } },
    ], removed: [{ name: 'Pérez, Luis', mrn: '1003', pull: { ...pull, pages: { first: 41, last: 44, volume: 3 } }, now: null }] }, ctx, (p) => pages.push(p));
    const sheet = textOf(pages).replace(/\s+/g, ' ');
    for (const words of ['Sustituir y destruir', 'Sacar y destruir', 'carpeta del 2026-12-01', 'Tomo 2 · páginas 17–18 (1 hoja)', 'Tomo 3 · páginas 41–44 (2 hojas)',
      'páginas 5–8 (2 hojas), en su lugar', 'nada (paciente nuevo)', 'Eliminados del registro']) expect(sheet).toContain(words);
    for (const k of ['sheet_title', 'sheet_pull', 'sheet_put', 'sheet_new_patient', 'sheet_keep']) expect(sheet).not.toContain(english[k]);
  });
});
