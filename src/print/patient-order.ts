import type { Db } from '../store/open-store.js';
import type { PatientSummary } from '../store/read-records.js';
import { readFrontMatterFacts } from '../store/read-front-matter.js';
import { needsRomanisation, romanise } from '../text/romanise.js';
import { inJapanese, isJapaneseName } from '../text/han-language.js';
import { PackedStrings } from './packed-strings.js';
import { displayName } from '../layout/format.js';
import { visibleIdentity } from '../layout/visible-identity.js';

/**
 * The binder's patients in print order: the Latin form of the family name, then
 * of the given names (the store's Latin alias, else romanised: text/romanise.ts),
 * as the template's locale sorts them, so "장, 성민" files as "Jang, Seongmin"
 * among the J's; then the names as written, birth date and id. The binder holds this
 * list for its whole length, so it keeps no row object (or built name) per
 * patient: the ids, which reading each record and the manifest need, as
 * strings; the record numbers, birth dates and names, which only the printed
 * pages need, packed outside the heap (packed-strings.ts): as rows, 16 MB at 100,000 patients (heap snapshot).
 */
export class PatientOrder {
  private constructor(
    readonly ids: readonly string[],
    private readonly mrns: PackedStrings,
    private readonly birthDates: PackedStrings,
    private readonly familyNames: PackedStrings,
    private readonly givenNames: PackedStrings,
    private readonly latinFamilies: PackedStrings,
    private readonly latinGivens: PackedStrings,
    private readonly preferredNames: PackedStrings,
    private readonly phones: PackedStrings,
    /** 1 where the name is Japanese (text/han-language.ts): it prints in Japanese glyph forms. */
    private readonly japanese: Uint8Array,
  ) {}

  /** `only`: a partial binder's patients (patient-selection.ts); default every patient. */
  static read(db: Db, locale: string, only?: ReadonlySet<string>): PatientOrder {
    const collator = new Intl.Collator(locale, { sensitivity: 'base', numeric: true });
    const rows = readFrontMatterFacts(db, only).map((r) => ({ ...r, latin_family: r.family_name_latin || romanise(r.family_name),
      latin_given: r.given_names_latin || romanise(r.given_names), preferred_name: r.preferred_name ?? '', phone: r.phone ?? '' })).sort((a, b) =>
      collator.compare(a.latin_family, b.latin_family) || collator.compare(a.latin_given, b.latin_given)
      || collator.compare(a.family_name, b.family_name) || collator.compare(a.given_names, b.given_names)
      || (a.birth_date < b.birth_date ? -1 : a.birth_date > b.birth_date ? 1 : 0) || (a.id < b.id ? -1 : 1));
    const column = (field: keyof PatientSummary | 'latin_family' | 'latin_given' | 'preferred_name' | 'phone'): PackedStrings => PackedStrings.of(rows.map((r) => r[field]));
    return new PatientOrder(rows.map((r) => r.id), column('mrn'), column('birth_date'), column('family_name'), column('given_names'),
      column('latin_family'), column('latin_given'), column('preferred_name'), column('phone'),
      Uint8Array.from(rows, (r) => Number(isJapaneseName({ language: r.language, family: r.family_name, given: r.given_names,
        latinFamily: r.family_name_latin, latinGiven: r.given_names_latin }))));
  }

  get length(): number {
    return this.ids.length;
  }

  /** The name as the binder prints it, "Family, Given" (displayName). */
  name(i: number): string {
    return displayName({ family_name: this.familyNames.at(i), given_names: this.givenNames.at(i) });
  }

  /** The record number as the binder prints it (visibleIdentity). */
  mrn(i: number): string {
    return visibleIdentity(this.mrns.at(i));
  }

  /** The birth date as the binder prints it (visibleIdentity). */
  birthDate(i: number): string {
    return visibleIdentity(this.birthDates.at(i));
  }

  /** The name in Latin letters, "Jang, Seongmin" (the store's alias or romanised), as the binder prints it; the name itself when it is Latin. */
  latinName(i: number): string {
    return displayName({ family_name: this.latinFamilies.at(i), given_names: this.latinGivens.at(i) });
  }

  /** Whether the name as written has letters a reader of Latin letters cannot read, so the binder prints its Latin form beside it. */
  needsLatin(i: number): boolean {
    return needsRomanisation(this.familyNames.at(i)) || needsRomanisation(this.givenNames.at(i));
  }

  /**
   * "Jang, Seongmin · 장, 성민": the Latin form with the name as written beside it, or the name alone when it is Latin;
   * a Japanese name as written is tagged so (text/han-language.ts), for the pages to draw it in Japanese glyph forms.
   */
  findableName(i: number): string {
    const written = this.japanese[i] ? inJapanese(this.name(i)) : this.name(i);
    return this.needsLatin(i) ? `${this.latinName(i)} · ${written}` : written;
  }

  /** The preferred name as stored (visibleIdentity), or '' when there is none. */
  preferredName(i: number): string {
    const p = this.preferredNames.at(i);
    return p && visibleIdentity(p);
  }

  /** The phone number as stored, or '' when there is none. */
  phone(i: number): string {
    return this.phones.at(i);
  }
}
