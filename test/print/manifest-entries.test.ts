// The manifest's entries are kept flat while the binder prints (_manifest-entries.ts, issue 6).
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { ManifestEntries } from '../../src/print/manifest-entries.js';

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

describe('manifest entries', () => {
  it('give back each patient\'s digest, codes and consecutive code pages, sorted by patient id', () => {
    const entries = new ManifestEntries(['p-2', 'p-10', 'p-1', 'p-3']);
    entries.add(sha('two'), 6, 7, 2);
    entries.add(sha('ten'), 1, 13, 1);
    entries.add(sha('one'), 2, 15, 1);
    expect([...entries.inIdOrder()]).toEqual([
      { id: 'p-1', digest: sha('one'), codes: 2, pages: [15] },
      { id: 'p-10', digest: sha('ten'), codes: 1, pages: [13] },
      { id: 'p-2', digest: sha('two'), codes: 6, pages: [7, 8] },
    ]);
  });

  it('carry each patient\'s name and MRN as printed and the codes on each page, when given (FORMAT §11)', () => {
    const names = ['Two, B', 'One, A'];
    const entries = new ManifestEntries(['p-2', 'p-1'], { name: (i) => names[i]!, mrn: (i) => `M${i}` });
    entries.add(sha('two'), 14, 7, 3, [2, 6, 6]); // the first two under the summary
    entries.add(sha('one'), 6, 11, 1, [6]);
    expect([...entries.inIdOrder()]).toEqual([
      { id: 'p-1', digest: sha('one'), codes: 6, pages: [11], name: 'One, A', mrn: 'M1', page_codes: [6] },
      { id: 'p-2', digest: sha('two'), codes: 14, pages: [7, 8, 9], name: 'Two, B', mrn: 'M0', page_codes: [2, 6, 6] },
    ]);
  });

  it('are in code point order, as export lists the patients (FORMAT §5.4), not in UTF-16 code unit order', () => {
    const entries = new ManifestEntries(['H\u{20000}', 'H\uFF21', 'H0001']);
    for (const d of ['a', 'b', 'c']) entries.add(sha(d), 1, 1, 1);
    expect([...entries.inIdOrder()].map((e) => e.id)).toEqual(['H0001', 'H\uFF21', 'H\u{20000}']);
  });

  it('refuse a digest that is not 64 hex digits, and more entries than patients', () => {
    const entries = new ManifestEntries(['p-1']);
    expect(() => entries.add('abc', 1, 1, 1)).toThrow(/p-1: digest abc/);
    const full = new ManifestEntries([]);
    expect(() => full.add(sha('x'), 1, 1, 1)).toThrow(/more manifest entries than the 0 patients/);
  });
});
