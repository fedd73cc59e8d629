import type { IndexEntry } from '../layout/index-pages.js';
import { romanise } from '../text/romanise.js';
import type { PatientOrder } from './patient-order.js';

/** A preferred name's cross-reference, filed under the preferred name's Latin form. */
interface CrossReference { filed: string; shown: string; patient: number }

/**
 * The index's lines, A–Z by Latin form, made one at a time as the index is laid
 * out: every patient in binder order (which is that order: patient-order.ts),
 * with a cross-reference line for every preferred name interfiled,
 * "Vincent → Jang, Seongmin · 장, 성민", pointing to the same first page.
 */
export function* indexEntries(patients: PatientOrder, locale: string, firstPage: (patient: number) => number | string): Generator<IndexEntry> {
  const collator = new Intl.Collator(locale, { sensitivity: 'base', numeric: true });
  const refs = crossReferences(patients, collator);
  let r = 0;
  for (let i = 0; i < patients.length; i++) {
    const filed = patients.latinName(i);
    for (; r < refs.length && collator.compare(refs[r]!.filed, filed) <= 0; r++) yield crossReferenceEntry(patients, refs[r]!, firstPage);
    yield { filed, name: patients.findableName(i), birthDate: patients.birthDate(i), mrn: patients.mrn(i), page: firstPage(i) };
  }
  for (; r < refs.length; r++) yield crossReferenceEntry(patients, refs[r]!, firstPage);
}

function crossReferences(patients: PatientOrder, collator: Intl.Collator): CrossReference[] {
  const refs: CrossReference[] = [];
  for (let i = 0; i < patients.length; i++) {
    const preferred = patients.preferredName(i);
    if (!preferred) continue;
    const filed = romanise(preferred);
    refs.push({ filed, shown: filed === preferred ? preferred : `${filed} · ${preferred}`, patient: i });
  }
  // Stable: two patients called "Tony" stay in binder order.
  return refs.sort((a, b) => collator.compare(a.filed, b.filed) || a.patient - b.patient);
}

function crossReferenceEntry(patients: PatientOrder, ref: CrossReference, firstPage: (patient: number) => number | string): IndexEntry {
  const i = ref.patient;
  return { filed: ref.filed, name: `${ref.shown} → ${patients.findableName(i)}`, birthDate: patients.birthDate(i), mrn: patients.mrn(i), page: firstPage(i) };
}
