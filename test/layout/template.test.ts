import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../_run-cli.js';
import { writeHandmadeClinic } from '../fixtures/handmade-clinic.js';
import { extractPageTexts } from '../_pdf-text.js';
import { loadTemplate, TEMPLATES_DIR } from '../../src/layout/template.js';
import { TemplateError } from '../../src/errors.js';

let dir: string;
const base = (): Record<string, unknown> => JSON.parse(readFileSync(join(TEMPLATES_DIR, 'default.json'), 'utf8')) as Record<string, unknown>;
function templateFile(name: string, change: (t: Record<string, unknown>) => void): string {
  const t = base();
  change(t);
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(t));
  return path;
}

beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'template-')); });

describe('a clinic template given by path', () => {
  it('chooses the sections, their labels and the clinic header, and says when it limits a list', async () => {
    const store = join(dir, 'clinic.sqlite');
    writeHandmadeClinic(store);
    const path = templateFile('custom.json', (t) => {
      t.sections = ['allergies', 'medications', 'encounters'];
      t.limits = { vitals: null, labs: null, procedures: null, encounters: 5 };
      t.clinic = { name: 'Northside Walk-in', address: null, phone: null };
      t.labels = { medications: 'Current prescriptions' };
    });
    const r = await runCli('print', '--db', store, '--out', join(dir, 'custom.pdf'), '--template', path, '--as-of', '2026-11-25');
    expect(r.code).toBe(0);
    const text = (await extractPageTexts(join(dir, 'custom.pdf'))).join('\n');
    expect(text).toContain('Northside Walk-in');
    expect(text).toContain('Current prescriptions');
    expect(text).not.toContain('Active medications');
    expect(text).not.toContain('Immunizations');
    expect(text).toContain('Showing the 5 most recent of 60.');
    expect(text).toContain('(visit 60)');
    expect(text).not.toContain('(visit 55)');
  });

  it('is refused when allergies do not come first', () => {
    const path = templateFile('bad-order.json', (t) => { t.sections = ['medications', 'allergies']; });
    expect(() => loadTemplate(path)).toThrow(/sections: allergies must come first/);
  });

  it('is refused with the bad field named', () => {
    const paper = templateFile('bad-paper.json', (t) => { t.paper = 'A5'; });
    expect(() => loadTemplate(paper)).toThrow(TemplateError);
    expect(() => loadTemplate(paper)).toThrow(/paper: /);
    const label = templateFile('bad-label.json', (t) => { t.labels = { alergies: 'x' }; });
    expect(() => loadTemplate(label)).toThrow(/unknown label\(s\) alergies/);
    writeFileSync(join(dir, 'broken.json'), '{ "name": ');
    expect(() => loadTemplate(join(dir, 'broken.json'))).toThrow(/not valid JSON/);
  });
});
