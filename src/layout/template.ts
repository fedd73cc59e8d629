import { readFileSync, existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import type { z as Zod } from 'zod';
import { TemplateError, fileProblem } from '../errors.js';

/** Where the shipped templates live, from src/layout and from dist/layout alike. */
export const TEMPLATES_DIR = fileURLToPath(new URL('../../templates/', import.meta.url));

export const SECTIONS = ['allergies', 'status', 'medications', 'problems', 'pharmacy', 'contacts', 'insurance',
  'immunizations', 'vitals', 'labs', 'appointments', 'procedures', 'encounters',
  // The concise forms (templates/default.json): the codes carry the rest of the record.
  'recent_encounters', 'vitals_by_visit', 'immunizations_latest', 'labs_latest'] as const;
export type Section = (typeof SECTIONS)[number];

/** Paper sizes in PDF points (1/72 inch). */
export const PAPER = { LETTER: [612, 792], A4: [595.28, 841.89] } as const;

// zod checks a clinic's hand-edited template and names the bad field, which
// a hand-written checker would do less completely for more code.
function buildSchema(z: typeof Zod) {
  const limit = z.number().int().positive().nullable();
  return z.object({
    name: z.string().min(1),
    locale: z.string().min(2),
    paper: z.enum(['LETTER', 'A4']),
    clinic: z.object({
      name: z.string().nullable(),
      address: z.string().nullable(),
      phone: z.string().nullable(),
      /** Where the clinic keeps copies of its keys, printed on the cover (issue 27). */
      keys_kept_at: z.string().nullable().optional(),
    }).strict(),
    schedule_days: z.number().int().min(1).max(62),
    sections: z.array(z.enum(SECTIONS)).min(1)
      .refine((s) => s[0] === 'allergies', { message: 'allergies must come first: a reader must never miss them' }),
    limits: z.object({ vitals: limit, labs: limit, encounters: limit, procedures: limit }).strict(),
    /** Smaller headings, and pharmacy, contacts, insurance and appointments as one-line rows without headings. */
    compact: z.boolean().default(false),
    labels: z.record(z.string()),
  }).strict();
}

let schema: ReturnType<typeof buildSchema> | undefined;
/** The schema, zod loaded with it: only loading a template needs zod, which was 23 ms of each print thread's start (measured). */
function templateSchema(): ReturnType<typeof buildSchema> {
  return schema ??= buildSchema((createRequire(import.meta.url)('zod') as { z: typeof Zod }).z);
}

export type Template = Zod.infer<ReturnType<typeof buildSchema>> & { labels: Labels };

const defaultTemplate = JSON.parse(readFileSync(`${TEMPLATES_DIR}default.json`, 'utf8')) as { labels: Record<string, string> };
export type LabelKey = keyof typeof defaultTemplate.labels & string;
export type Labels = Record<string, string>;
const LABEL_KEYS = new Set(Object.keys(defaultTemplate.labels));

/**
 * Loads a template by shipped name (`default`, `es-a4`) or by path to a JSON
 * file. Labels the template leaves out fall back to the default's English.
 * @throws TemplateError naming the file and the bad field
 */
export function loadTemplate(nameOrPath = 'default'): Template {
  const path = nameOrPath.endsWith('.json') || nameOrPath.includes('/') ? nameOrPath : `${TEMPLATES_DIR}${nameOrPath}.json`;
  if (!existsSync(path)) throw new TemplateError(nameOrPath, `no such template (looked for ${path})`);
  if (!statSync(path).isFile()) throw new TemplateError(nameOrPath, `${path} is a folder, expected a template JSON file`);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new TemplateError(nameOrPath, `cannot read ${path} (${fileProblem(e)})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new TemplateError(nameOrPath, `not valid JSON (${(e as Error).message})`);
  }
  const parsed = templateSchema().safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new TemplateError(nameOrPath, `${issue.path.join('.') || '(top)'}: ${issue.message}`);
  }
  const unknown = Object.keys(parsed.data.labels).filter((k) => !LABEL_KEYS.has(k));
  if (unknown.length) throw new TemplateError(nameOrPath, `unknown label(s) ${unknown.join(', ')}`);
  return { ...parsed.data, labels: { ...defaultTemplate.labels, ...parsed.data.labels } };
}

/** A label with `{name}` placeholders filled in. */
export function label(t: Template, key: string, vars: Record<string, string | number> = {}): string {
  const text = t.labels[key];
  if (text === undefined) throw new RangeError(`label key=${key}, expected one of templates/default.json labels`);
  return text.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));
}
