// The template's words as printed (issue 25): the footer at 7.5 pt or more on every page, Letter and A4, and the
// es-a4 binder's restore recipe in Spanish around commands that are the same, byte for byte, in both.
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSampleClinic } from '../../src/sample/sample-clinic.js';
import { openStore } from '../../src/store/open-store.js';
import { drawBinder } from '../../src/print/print-binder.js';
import { loadTemplate } from '../../src/layout/template.js';
import { recipeCommands } from '../../src/layout/recipe-page.js';
import { pageTextItems, extractPageTexts, type TextItem } from '../_pdf-text.js';

const PRINTED_AT = '2026-12-06T15:00:00Z';

describe.each(['default', 'es-a4'])('the %s template\'s words', (name) => {
  let items: TextItem[][];
  let texts: string[];

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'template-words-'));
    const store = join(dir, 'clinic.sqlite');
    await writeSampleClinic(store, { patients: 12, seed: 7, asOf: '2026-12-06T12:00:00Z' });
    const db = openStore(store);
    try {
      await drawBinder({ db, storePath: store, outPath: join(dir, 'binder.pdf'), template: loadTemplate(name), printedAt: PRINTED_AT });
    } finally {
      db.close();
    }
    items = await pageTextItems(join(dir, 'binder.pdf'));
    texts = await extractPageTexts(join(dir, 'binder.pdf'));
  }, 120_000);

  it('prints the footer\'s confidentiality line at 7.5 pt or more on every page', () => {
    const word = loadTemplate(name).labels.confidential!.split(' ')[0]!;
    const sizes = items.map((page, i) => {
      const footer = page.filter((it) => it.str.includes(word));
      expect(footer.length, `footer of page ${i + 1}`).toBeGreaterThan(0);
      return Math.min(...footer.map((it) => it.height));
    });
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(7.5 - 0.01);
  });

  it('prints the recipe in the template\'s language around the exact commands', () => {
    const template = loadTemplate(name);
    const recipe = texts.find((t) => t.includes(template.labels.restore_recipe_text!.slice(0, 40)));
    expect(recipe, 'the recipe page').toBeDefined();
    for (const key of ['recipe_step_pages', 'recipe_step_read', 'recipe_step_run']) expect(recipe).toContain(template.labels[key]!.slice(0, 30));
    const commands = recipeCommands({ fingerprint: null, publicKey: null, encrypted: false });
    for (const command of [commands.pages, commands.read, commands.run]) expect(recipe).toContain(command);
    if (name === 'es-a4') {
      const english = loadTemplate('default').labels;
      for (const key of ['restore_recipe_text', 'recipe_step_pages', 'recipe_step_read', 'recipe_step_decoder', 'recipe_step_run', 'recipe_lost', 'recipe_unsigned']) {
        expect(recipe, key).not.toContain(english[key]!.slice(0, 30));
      }
    }
  });
});
