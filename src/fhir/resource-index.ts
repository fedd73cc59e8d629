// The input's resources by every name a reference may use: Type/id, a Bundle's fullUrl, Type?identifier=system|value.
import type { Reference, Resource } from '@medplum/fhirtypes';
import type { SourcedResource } from './read-inputs.js';

/** What a reference resolves to: the resource and where it was read, or undefined when it names nothing in the input. */
export class ResourceIndex {
  private readonly byName = new Map<string, SourcedResource>();

  constructor(resources: readonly SourcedResource[]) {
    for (const s of resources) {
      const r = s.resource;
      if (r.id) this.byName.set(`${r.resourceType}/${r.id}`, s);
      if (s.fullUrl) this.byName.set(s.fullUrl, s);
      for (const id of (r as { identifier?: { system?: string; value?: string }[] }).identifier ?? []) {
        if (id.value === undefined) continue;
        this.byName.set(`${r.resourceType}?identifier=${id.system ?? ''}|${id.value}`, s);
        if (!id.system) this.byName.set(`${r.resourceType}?identifier=${id.value}`, s);
      }
    }
  }

  /**
   * The resource `ref` names: contained (`#id`, looked up in `from`), by fullUrl, by `Type/id` (also at the
   * end of an absolute URL), or by a conditional `Type?identifier=…` as Bulk exports write.
   */
  resolve(ref: Reference | undefined, from?: Resource): Resource | undefined {
    const name = ref?.reference;
    if (!name) return undefined;
    if (name.startsWith('#')) return (from as { contained?: Resource[] } | undefined)?.contained?.find((c) => c.id === name.slice(1));
    const hit = this.byName.get(name) ?? this.byName.get(decodeURIComponent(name));
    if (hit) return hit.resource;
    const tail = /([A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64})(\/_history\/[^/]+)?$/.exec(name);
    return tail ? this.byName.get(tail[1]!)?.resource : undefined;
  }
}
