/** Identifiers: row ids in date order, MRNs, member numbers and lot numbers from patterns, fictional phone numbers. */
import { pad2 } from './_calendar.js';
import { Random, hashSeed } from './_random.js';

const MBI_LETTERS = 'ACDEFGHJKMNPQRTUVWXY';
const ALNUM = MBI_LETTERS + '0123456789';

/** Fills a pattern: L letter, # digit, N digit 1-9, * letter or digit; anything else is kept. */
export function fillPattern(rng: Random, pattern: string): string {
  let out = '';
  for (const ch of pattern) {
    if (ch === 'L') out += MBI_LETTERS.charAt(rng.int(0, MBI_LETTERS.length - 1));
    else if (ch === '#') out += String(rng.int(0, 9));
    else if (ch === 'N') out += String(rng.int(1, 9));
    else if (ch === '*') out += ALNUM.charAt(rng.int(0, ALNUM.length - 1));
    else out += ch;
  }
  return out;
}

/** A phone number in the 555-0100 to 555-0199 block reserved for fiction. */
export const phoneNumber = (rng: Random, area: string): string => `(${area}) 555-01${pad2(rng.int(0, 99))}`;

/** A row id under the patient: P000001-MED-001. */
export function childId(pid: string, tag: string, n: number, width: number): string {
  return `${pid}-${tag}-${String(n).padStart(width, '0')}`;
}

/** Assigns ids in the order of `key`, so a record's rows read in date order when sorted by id. */
export function numberRows<T extends { id: string }>(rows: T[], pid: string, tag: string, key: (r: T) => string): T[] {
  let sorted = true;
  for (let i = 1; i < rows.length && sorted; i++) if (key(rows[i - 1]!) > key(rows[i]!)) sorted = false;
  const ordered = sorted ? rows : rows
    .map((r, i) => ({ r, k: key(r), i }))
    .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : a.i - b.i))
    .map((x) => x.r);
  const width = Math.max(3, String(rows.length).length);
  for (let i = 0; i < ordered.length; i++) ordered[i]!.id = childId(pid, tag, i + 1, width);
  return ordered;
}

/** MRNs: a bijection of the sequence onto 7-digit numbers, so they are unique and look unordered. */
export function mrnFor(index: number, seed: number): string {
  const M = 9_000_000;
  // Multipliers coprime with 9,000,000 (= 2^6 · 3^2 · 5^6).
  const multipliers = [7_654_321, 1_234_567, 4_999_999, 2_718_281, 3_141_593];
  const a = multipliers[hashSeed(seed, 'mrn-a') % multipliers.length]!;
  const b = hashSeed(seed, 'mrn-b') % M;
  // Exact modular arithmetic: split the product to stay below 2^53.
  const prod = ((index % M) * a) % M;
  return String(1_000_000 + ((prod + b) % M));
}
