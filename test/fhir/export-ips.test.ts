// export --fhir: IPS document Bundles, checked against R4 and our IPS checks; the checks against the IPS guide's examples.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bundle, Composition } from '@medplum/fhirtypes';
import { importFhir } from '../../src/fhir/import-fhir.js';
import { ipsProblems } from '../../src/fhir/ips-checks.js';
import { bundleProblems } from '../../src/fhir/export-fhir.js';
import { instantOf } from '../../src/fhir/ips-bundle.js';
import { runCli } from '../_run-cli.js';
import { FIXTURES } from './_source.js';

const dir = mkdtempSync(join(tmpdir(), 'fhir-export-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const IPS_BUNDLES = readdirSync(join(FIXTURES, 'ips-examples')).filter((f) => f.startsWith('Bundle-')).sort();
const readBundle = (path: string): Bundle => JSON.parse(readFileSync(path, 'utf8')) as Bundle;
const sectionOf = (b: Bundle, code: string) => (b.entry![0]!.resource as Composition).section!.find((s) => s.code!.coding![0]!.code === code)!;

describe('the IPS checks', () => {
  it('pass every example Bundle of the IPS guide (the one with all required sections empty included)', () => {
    expect(IPS_BUNDLES).toHaveLength(5);
    for (const f of IPS_BUNDLES) expect([f, ipsProblems(readBundle(join(FIXTURES, 'ips-examples', f)))]).toEqual([f, []]);
  });

  it('find a missing required section, a section with neither entries nor emptyReason, and an entry not in the Bundle', () => {
    const b = readBundle(join(FIXTURES, 'ips-examples/Bundle-bundle-ips-all-sections.json'));
    const c = b.entry![0]!.resource as Composition;
    c.section = c.section!.filter((s) => s.code!.coding![0]!.code !== '10160-0');
    const problems = c.section.find((s) => s.code!.coding![0]!.code === '11450-4')!;
    delete problems.entry;
    c.section.find((s) => s.code!.coding![0]!.code === '48765-2')!.entry![0]!.reference = 'urn:uuid:00000000-0000-0000-0000-000000000000';
    expect(ipsProblems(b)).toEqual([
      'the required section 10160-0 is missing',
      'section 11450-4 has neither entries nor an emptyReason',
      'section 48765-2 entry urn:uuid:00000000-0000-0000-0000-000000000000 is not in the Bundle',
    ]);
  });
});

describe('paperchart export --fhir', () => {
  const store = join(dir, 'handmade.sqlite');
  const out = join(dir, 'ips');
  beforeAll(async () => {
    importFhir(store, [join(FIXTURES, 'handmade/clinic-bundle.json'), join(FIXTURES, 'fhir-r4-examples-nka/AllergyIntolerance-nka.json'),
      join(FIXTURES, 'synthea-r4-bundles/Liz_Conn_27c911c6-f045-4ffa-af5d-6eba57ac94b2.json')], { now: '2026-12-06T12:00:00Z' });
    const r = await runCli('export', '--fhir', '--db', store, '--out', out);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toBe(`export: 5 IPS Bundles written to ${out}\n`);
  }, 120_000);

  it('writes one document Bundle per patient that validates against R4 and the IPS checks', () => {
    const files = readdirSync(out).sort();
    expect(files).toEqual(['ee9f8dd8-72d2-4769-8020-89e504b1504b.ips.json', 'hm-amal.ips.json', 'hm-never-asked.ips.json', 'mom.ips.json', 'example.ips.json'].sort());
    for (const f of files) expect([f, bundleProblems(readBundle(join(out, f)))]).toEqual([f, []]);
  }, 120_000);

  it('says "no known allergies" as SNOMED CT 716186003 and "not recorded" as emptyReason notasked', () => {
    const nka = sectionOf(readBundle(join(out, 'hm-amal.ips.json')), '48765-2');
    expect(nka.emptyReason).toBeUndefined();
    const b = readBundle(join(out, 'hm-amal.ips.json'));
    const allergy = b.entry!.find((e) => e.fullUrl === nka.entry![0]!.reference)!.resource!;
    expect(allergy).toMatchObject({ resourceType: 'AllergyIntolerance', code: { coding: [{ system: 'http://snomed.info/sct', code: '716186003' }] } });
    const never = readBundle(join(out, 'hm-never-asked.ips.json'));
    expect(sectionOf(never, '48765-2').emptyReason).toEqual({ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/list-empty-reason', code: 'notasked' }] });
    expect(sectionOf(never, '11450-4').emptyReason!.coding![0]!.code).toBe('unavailable');
    expect(sectionOf(never, '10160-0').text!.div).toContain('No information.');
  });

  it('writes the recommended sections where the store has them, with narrative, and the Latin alias as a second name', () => {
    const b = readBundle(join(out, 'ee9f8dd8-72d2-4769-8020-89e504b1504b.ips.json'));
    const codes = (b.entry![0]!.resource as Composition).section!.map((s) => s.code!.coding![0]!.code);
    expect(codes).toEqual(['11450-4', '48765-2', '10160-0', '11369-6', '30954-2', '8716-3', '47519-4']);
    expect(sectionOf(b, '10160-0').text!.div).toContain('<li>Hydrochlorothiazide 25 MG (active)</li>');
    const amal = readBundle(join(out, 'hm-amal.ips.json')).entry![1]!.resource as { name: { family?: string; use: string }[] };
    expect(amal.name.map((n) => [n.use, n.family])).toEqual([['official', 'الحسيني'], ['official', 'Al-Husseini'], ['nickname', undefined]]);
    expect(sectionOf(readBundle(join(out, 'hm-amal.ips.json')), '104605-1').text!.div).toContain('Fall risk: uses a walker (critical)');
  });

  it('writes a clinic wall time as the UTC instant of its zone, daylight saving included', () => {
    expect(instantOf('2026-01-15T09:30', 'America/Chicago')).toBe('2026-01-15T15:30:00Z');
    expect(instantOf('2026-07-15T09:30', 'America/Chicago')).toBe('2026-07-15T14:30:00Z');
    expect(instantOf('2026-07-15T09:30', 'UTC')).toBe('2026-07-15T09:30:00Z');
  });
});
