import type { Db } from '../store/open-store.js';
import { readPatientSummaries } from '../store/read-records.js';
import { displayName } from './_format.js';

/**
 * The binder's patients in print order: family name, then given names, as the
 * template's locale sorts them, then birth date and id. The binder holds this
 * list for its whole length, so it is kept as columns of the store's strings,
 * not a row object (and a built name) per patient: at 100,000 patients the
 * rows and names held about 16 MB of the heap (issue 6, heap snapshot).
 */
export class PatientOrder {
  private constructor(
    readonly ids: readonly string[],
    readonly mrns: readonly string[],
    readonly birthDates: readonly string[],
    private readonly familyNames: readonly string[],
    private readonly givenNames: readonly string[],
  ) {}

  static read(db: Db, locale: string): PatientOrder {
    const collator = new Intl.Collator(locale, { sensitivity: 'base', numeric: true });
    const rows = readPatientSummaries(db).sort((a, b) =>
      collator.compare(a.family_name, b.family_name) || collator.compare(a.given_names, b.given_names)
      || (a.birth_date < b.birth_date ? -1 : a.birth_date > b.birth_date ? 1 : 0) || (a.id < b.id ? -1 : 1));
    return new PatientOrder(rows.map((r) => r.id), rows.map((r) => r.mrn), rows.map((r) => r.birth_date),
      rows.map((r) => r.family_name), rows.map((r) => r.given_names));
  }

  get length(): number {
    return this.ids.length;
  }

  /** The name as the binder prints it, "Family, Given" (displayName). */
  name(i: number): string {
    return displayName({ family_name: this.familyNames[i]!, given_names: this.givenNames[i]! });
  }
}
