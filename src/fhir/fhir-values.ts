// FHIR data types → the store's values: text of a concept, code systems by name, dates and local times.
import type { CodeableConcept, Coding, HumanName, Quantity, Reference } from '@medplum/fhirtypes';

/** Code systems the store names in words (docs/SCHEMA.md); any other is kept as its URI. */
export const CODE_SYSTEMS: Readonly<Record<string, string>> = {
  'http://snomed.info/sct': 'SNOMED CT',
  'http://hl7.org/fhir/sid/icd-10-cm': 'ICD-10-CM',
  'http://hl7.org/fhir/sid/icd-10': 'ICD-10',
  'http://www.nlm.nih.gov/research/umls/rxnorm': 'RxNorm',
  'http://hl7.org/fhir/sid/cvx': 'CVX',
  'http://loinc.org': 'LOINC',
  'http://www.ama-assn.org/go/cpt': 'CPT',
};

/** The URI of a code system the store names in words, or the stored text itself (already a URI). */
export function systemUri(stored: string): string {
  for (const [uri, name] of Object.entries(CODE_SYSTEMS)) if (name === stored) return uri;
  return stored;
}

/** A code system's name as the store keeps it. */
export function systemName(uri: string | undefined): string | null {
  if (uri === undefined) return null;
  return CODE_SYSTEMS[uri] ?? uri;
}

/** What a person reads for a concept: its text, else the first coding's display, else its code. */
export function conceptText(c: CodeableConcept | undefined): string | null {
  if (!c) return null;
  if (c.text?.trim()) return c.text.trim();
  for (const coding of c.coding ?? []) if (coding.display?.trim()) return coding.display.trim();
  const first = c.coding?.find((x) => x.code);
  return first?.code ?? null;
}

/** The coding of a concept in the first of `preferred` systems it has, else its first coding with a code. */
export function pickCoding(c: CodeableConcept | undefined, ...preferred: string[]): Coding | undefined {
  const codings = (c?.coding ?? []).filter((x) => x.code);
  for (const p of preferred) {
    const hit = codings.find((x) => x.system === p);
    if (hit) return hit;
  }
  return codings[0];
}

/** True when the concept carries `code` in `system`. */
export function hasCode(c: CodeableConcept | undefined, system: string, ...codes: string[]): boolean {
  return (c?.coding ?? []).some((x) => x.system === system && x.code !== undefined && codes.includes(x.code));
}

/** The first coding's code of a status concept (clinicalStatus, verificationStatus). */
export function statusCode(c: CodeableConcept | undefined): string | undefined {
  return c?.coding?.find((x) => x.code)?.code;
}

const FULL_DATE = /^(\d{4})-(\d{2})-(\d{2})/;

/** The calendar date of a FHIR date or dateTime as written (its own offset); null for a partial date (`2010`, `2010-04`). */
export function dateOf(value: string | undefined): string | null {
  if (value === undefined) return null;
  const m = FULL_DATE.exec(value);
  return m ? m[0] : null;
}

const wallClocks = new Map<string, Intl.DateTimeFormat>();

/**
 * A FHIR dateTime as the clinic's wall time `YYYY-MM-DDTHH:MM` in `zone` (the store's meta.timezone):
 * an instant with an offset is converted; a date alone is that day's midnight. Null for a partial date.
 */
export function localTimeOf(value: string | undefined, zone: string): string | null {
  if (value === undefined) return null;
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return `${value}T00:00`;
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/.exec(value);
  if (!m) return null;
  if (m[5] === undefined) return `${m[1]}T${m[2]}`;
  const t = new Date(value);
  if (Number.isNaN(t.getTime())) return null;
  let f = wallClocks.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    wallClocks.set(zone, f);
  }
  const p = Object.fromEntries(f.formatToParts(t).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

/** A FHIR instant (meta.lastUpdated) as the store's `updated_at`, whole seconds in UTC; null when it is not one. */
export function utcStampOf(value: string | undefined): string | null {
  if (value === undefined) return null;
  const t = new Date(value);
  return Number.isNaN(t.getTime()) ? null : `${t.toISOString().slice(0, 19)}Z`;
}

/** A quantity as text and unit: the value as reported (no rounding), the unit's human form. */
export function quantityText(q: Quantity | undefined): { value: string; unit: string | null } | null {
  if (q?.value === undefined) return null;
  return { value: `${q.comparator ?? ''}${q.value}`, unit: q.unit ?? q.code ?? null };
}

/** A person's name as one line: its text, else prefix given family suffix. */
export function nameText(n: HumanName | undefined): string | null {
  if (!n) return null;
  if (n.text?.trim()) return n.text.trim();
  const parts = [...(n.given ?? []), n.family ?? ''].map((s) => s.trim()).filter(Boolean);
  return parts.length ? parts.join(' ') : null;
}

/** The display a reference carries, trimmed. */
export function displayOf(r: Reference | undefined): string | null {
  return r?.display?.trim() || null;
}

/** Text holding a letter of a script other than Latin (Arabic, Cyrillic, Han, …). */
export function hasNonLatinLetters(s: string): boolean {
  return /(?!\p{Script=Latin})\p{L}/u.test(s);
}
