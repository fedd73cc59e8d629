import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { runCli } from '../_run-cli.js';
import { extractPageTexts } from '../_pdf-text.js';

interface Row { id: string; mrn: string; family_name: string; given_names: string; birth_date: string }

describe('a binder printed from the sample clinic through the CLI', () => {
  let patients: Row[];
  let pages: string[];
  let summary: string;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sample-binder-'));
    const store = join(dir, 'clinic.sqlite');
    const made = await runCli('sample', '--db', store, '--patients', '80', '--seed', '11', '--as-of', '2026-11-25T16:00Z');
    expect(made.code).toBe(0);
    const printed = await runCli('print', '--db', store, '--out', join(dir, 'binder.pdf'), '--as-of', '2026-11-25T16:00Z');
    expect(printed.code).toBe(0);
    summary = printed.out;
    const db = new Database(store, { readonly: true });
    patients = db.prepare('SELECT id, mrn, family_name, given_names, birth_date FROM patients').all() as Row[];
    db.close();
    pages = await extractPageTexts(join(dir, 'binder.pdf'));
  });

  it('ends with a one-line summary of patients, pages, seconds and output', () => {
    expect(summary).toMatch(new RegExp(`^printed 80 patients, ${pages.length} pages in \\d+\\.\\d s → .*binder\\.pdf \\([\\d.]+ MB\\)\\n$`));
  });

  it("opens each indexed page on that patient's name, exactly as stored, in whatever script", () => {
    const index = pages.filter((t) => t.includes('Patient index')).join('\n');
    const scripts = new Set<string>();
    for (const p of patients) {
      const m = new RegExp(`${p.birth_date} ${p.mrn} (\\d+)$`, 'm').exec(index);
      expect(m, `index row for ${p.id}`).not.toBeNull();
      const page = pages[Number(m![1]) - 1]!;
      const name = p.given_names ? `${p.family_name}, ${p.given_names}` : p.family_name;
      expect(page.split('\n')[0], `page header of ${p.id}`).toContain(name);
      expect(page).toContain(`MRN ${p.mrn}`);
      for (const s of ['Latin', 'Greek', 'Cyrillic', 'Arabic', 'Hebrew', 'Han', 'Hangul']) {
        if (new RegExp(`\\p{Script=${s}}`, 'u').test(name)) scripts.add(s);
      }
    }
    // The sample mixes scripts at realistic rates: 80 patients reach well beyond Latin.
    expect(scripts.size).toBeGreaterThanOrEqual(3);
  });
});
