// Checks of an IPS document of our own: Medplum refuses the IPS guide's own valid Compositions, so conformance is checked here.
import type { Bundle, Composition } from '@medplum/fhirtypes';

/** The sections IPS 2.0 requires: problems, allergies, medications (LOINC). */
export const REQUIRED_SECTIONS = ['11450-4', '48765-2', '10160-0'] as const;

/**
 * What keeps `bundle` from being an IPS document, each as a sentence, or none: a `document` Bundle with an
 * identifier and timestamp, every entry with a fullUrl, a Composition first, of type Patient summary
 * (LOINC 60591-5), whose subject is a Patient of the Bundle; the required sections each present, with
 * entries or an emptyReason; every section with a narrative and a code (our export writes both for
 * every section, so a section without text is refused here although R4 asks only for one of them); every reference of the
 * Composition resolving to an entry of the Bundle.
 */
export function ipsProblems(bundle: Bundle): string[] {
  const problems: string[] = [];
  if (bundle.type !== 'document') problems.push(`Bundle.type is ${bundle.type}, expected document`);
  if (!bundle.identifier?.value) problems.push('Bundle.identifier is missing');
  if (!bundle.timestamp) problems.push('Bundle.timestamp is missing');
  const entries = bundle.entry ?? [];
  const byUrl = new Map(entries.map((e) => [e.fullUrl, e.resource]));
  entries.forEach((e, i) => { if (!e.fullUrl) problems.push(`entry[${i}] has no fullUrl`); });
  const composition = entries[0]?.resource as Composition | undefined;
  if (composition?.resourceType !== 'Composition') return [...problems, 'the first entry is not a Composition'];
  if (!composition.type.coding?.some((c) => c.system === 'http://loinc.org' && c.code === '60591-5')) problems.push('Composition.type is not LOINC 60591-5 (Patient summary Document)');
  const resolves = (ref: string | undefined): boolean => ref !== undefined &&
    (byUrl.has(ref) || entries.some((e) => e.resource && `${e.resource.resourceType}/${e.resource.id}` === ref));
  const subject = composition.subject?.reference;
  const subjectResource = subject ? (byUrl.get(subject) ?? entries.find((e) => `${e.resource?.resourceType}/${e.resource?.id}` === subject)?.resource) : undefined;
  if (subjectResource?.resourceType !== 'Patient') problems.push('Composition.subject is not a Patient of the Bundle');
  for (const a of composition.author ?? []) if (a.reference && !resolves(a.reference)) problems.push(`Composition.author ${a.reference} is not in the Bundle`);
  const sections = composition.section ?? [];
  for (const code of REQUIRED_SECTIONS) {
    if (!sections.some((s) => s.code?.coding?.some((c) => c.code === code))) problems.push(`the required section ${code} is missing`);
  }
  sections.forEach((s, i) => {
    const name = `section ${s.code?.coding?.[0]?.code ?? `[${i}]`}`;
    if (!s.code?.coding?.length) problems.push(`section[${i}] has no code`);
    if (!s.text?.div) problems.push(`${name} has no narrative`);
    const code = s.code?.coding?.[0]?.code ?? '';
    // IPS: a required section has entries or says why not; any other needs only something (text, entries or sub-sections).
    if ((REQUIRED_SECTIONS as readonly string[]).includes(code) && !s.entry?.length && !s.emptyReason) problems.push(`${name} has neither entries nor an emptyReason`);
    for (const e of s.entry ?? []) if (!resolves(e.reference)) problems.push(`${name} entry ${e.reference ?? '(none)'} is not in the Bundle`);
  });
  return problems;
}
