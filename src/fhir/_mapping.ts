// What every resource mapping shares: the outcome types, the context that resolves references, row ids.
import type { Reference, Resource } from '@medplum/fhirtypes';
import type { ChildTable } from '../record/record.js';
import { displayOf, nameText } from './fhir-values.js';
import type { ResourceIndex } from './resource-index.js';

export type Row = Record<string, unknown>;

/** Thrown by a mapping: the resource is well-formed but the store has no place for it (reported, never an error). */
export class NotMapped {
  constructor(readonly reason: string) {}
}

/** Thrown by a mapping: the resource is bad input (a reference to nothing, a value the store needs is missing). */
export class BadResource {
  constructor(readonly detail: string) {}
}

/** A mapped resource: a row of one patient's table, or a change to the patient row itself. */
export type Mapped =
  | { kind: 'row'; patientId: string; table: ChildTable; row: Row }
  | { kind: 'patient-fact'; patientId: string; facts: Row; note?: string }
  | { kind: 'note'; patientId: string; encounterId: string; text: string };

/** What a mapping may ask: the clinic's time zone, and the resources references name. */
export interface MappingContext {
  zone: string;
  index: ResourceIndex;
}

/** The store id of a row made from a resource: `Type/id`, so a MedicationRequest and a MedicationStatement never collide. */
export function rowId(r: Resource, fullUrl?: string): string {
  const id = r.id ?? fullUrl?.replace(/^urn:uuid:/, '');
  if (!id) throw new BadResource('the resource has no id (the import updates rows by their stable id)');
  return `${r.resourceType}/${id}`;
}

/** The id of the patient a resource belongs to. @throws BadResource when the reference names no Patient of the input */
export function patientIdOf(ctx: MappingContext, ref: Reference | undefined, from: Resource, element: string): string {
  if (!ref?.reference) throw new BadResource(`${element} names no patient`);
  const p = ctx.index.resolve(ref, from);
  if (!p || p.resourceType !== 'Patient' || !p.id) throw new BadResource(`${element} ${JSON.stringify(ref.reference)} is a reference to nothing in the input (no such Patient)`);
  return p.id;
}

/**
 * The name of who or what a reference names (a Practitioner, PractitionerRole, Organization, Location,
 * RelatedPerson): the resolved resource's name, else the reference's display.
 * @throws BadResource for a reference that resolves to nothing and carries no display
 */
export function nameOf(ctx: MappingContext, ref: Reference | undefined, from: Resource, element: string): string | null {
  if (!ref) return null;
  const r = ctx.index.resolve(ref, from);
  const named = r ? resourceName(ctx, r) : null;
  if (named) return named;
  const display = displayOf(ref);
  if (display) return display;
  if (ref.reference && !r) throw new BadResource(`${element} ${JSON.stringify(ref.reference)} is a reference to nothing in the input`);
  return null;
}

function resourceName(ctx: MappingContext, r: Resource): string | null {
  switch (r.resourceType) {
    case 'Practitioner': case 'RelatedPerson': case 'Patient': {
      const n = r.name?.[0];
      if (!n) return null;
      const text = nameText(n);
      return text && n.prefix?.length && !n.text ? `${n.prefix.join(' ')} ${text}` : text;
    }
    case 'PractitionerRole': return r.practitioner ? nameOf(ctx, r.practitioner, r, 'PractitionerRole.practitioner') : null;
    case 'Organization': case 'Location': return r.name ?? null;
    default: return null;
  }
}
