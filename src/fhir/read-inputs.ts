// FHIR inputs → resources, each with the file and line it came from: Bulk folders and manifests, NDJSON, Bundles, single resources.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Resource } from '@medplum/fhirtypes';
import { FhirInputError } from '../errors.js';

/** One resource of the input and where it was read: a file and its 1-based line. */
export interface SourcedResource {
  resource: Resource;
  file: string;
  line: number;
  /** The Bundle entry's fullUrl, which its references may name (`urn:uuid:…`). */
  fullUrl?: string;
}

/** What the inputs held, and the files of a folder that were not read (a Bulk export's log). */
export interface ReadInputs {
  resources: SourcedResource[];
  ignoredFiles: string[];
}

/** A Bulk export file: `Type.ndjson` or `Type.000.ndjson` (several per type allowed). */
const BULK_FILE = /^[A-Z][A-Za-z]+(\.\d+)?\.ndjson$/;

/**
 * Reads every input: a folder (its `Type.ndjson` files, in name order), a Bulk manifest (the files its
 * `output` lists, found beside it), an NDJSON file, or a JSON file holding a Bundle or one resource.
 * @throws FhirInputError naming the file and line of a line that is not JSON or not a resource
 */
export function readInputs(paths: readonly string[]): ReadInputs {
  const out: ReadInputs = { resources: [], ignoredFiles: [] };
  for (const path of paths) {
    let isFolder: boolean;
    try { isFolder = statSync(path).isDirectory(); } catch {
      throw new FhirInputError(path, 0, 'no such file or folder', 'check the path of the export');
    }
    if (isFolder) {
      for (const name of readdirSync(path).sort()) {
        if (BULK_FILE.test(name)) readNdjson(join(path, name), out.resources);
        else out.ignoredFiles.push(join(path, name));
      }
    } else if (path.endsWith('.ndjson')) readNdjson(path, out.resources);
    else readJsonFile(path, out.resources);
  }
  return out;
}

function readNdjson(file: string, into: SourcedResource[]): void {
  const lines = readFileSync(file, 'utf8').split('\n');
  lines.forEach((text, i) => {
    if (text.trim() === '') return;
    let value: unknown;
    try { value = JSON.parse(text); } catch (e) {
      throw new FhirInputError(file, i + 1, `not JSON (${(e as Error).message})`, 'repair or remove that line, or export again');
    }
    into.push({ resource: asResource(value, file, i + 1), file, line: i + 1 });
  });
}

function readJsonFile(file: string, into: SourcedResource[]): void {
  const text = readFileSync(file, 'utf8');
  let value: unknown;
  try { value = JSON.parse(text); } catch (e) {
    throw new FhirInputError(file, lineAt(text, positionOf(e)), `not JSON (${(e as Error).message})`, 'repair the file, or export again');
  }
  if (isManifest(value)) return readManifest(file, value, into);
  const resource = asResource(value, file, 1);
  if (resource.resourceType !== 'Bundle') { into.push({ resource, file, line: 1 }); return; }
  const lines = entryLines(text);
  (resource.entry ?? []).forEach((entry, i) => {
    if (!entry.resource) return; // a transaction's DELETE: nothing to map
    const line = lines[i] ?? 1;
    into.push({ resource: asResource(entry.resource, file, line), file, line, ...(entry.fullUrl ? { fullUrl: entry.fullUrl } : {}) });
  });
}

interface Manifest { transactionTime: string; output: { type: string; url: string }[] }

function isManifest(v: unknown): v is Manifest {
  return typeof v === 'object' && v !== null && Array.isArray((v as Manifest).output) && 'transactionTime' in v;
}

/** A Bulk manifest names its files by URL; the export is read from the files of those names beside it. */
function readManifest(file: string, m: Manifest, into: SourcedResource[]): void {
  for (const o of m.output) {
    const name = basename(new URL(o.url, 'file:///').pathname);
    const path = join(dirname(file), name);
    try { statSync(path); } catch {
      throw new FhirInputError(file, 1, `the manifest lists ${name}, which is not beside it`, 'download every file the manifest lists into its folder');
    }
    readNdjson(path, into);
  }
}

function asResource(value: unknown, file: string, line: number): Resource {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || typeof (value as Resource).resourceType !== 'string') {
    throw new FhirInputError(file, line, 'not a FHIR resource (no resourceType)', 'pass FHIR R4 resources, Bundles or Bulk NDJSON files');
  }
  return value as Resource;
}

function positionOf(e: unknown): number {
  const m = /position (\d+)/.exec((e as Error).message);
  return m ? Number(m[1]) : 0;
}

function lineAt(text: string, pos: number): number {
  let line = 1;
  for (let i = 0; i < pos && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * The line where each element of a Bundle's top-level `entry` array starts, by one pass over the text
 * (strings skipped, depth counted), so an error names the line a person finds in an editor.
 */
export function entryLines(text: string): number[] {
  const lines: number[] = [];
  let depth = 0; let line = 1; let inEntry = false; let lastKey = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n') { line++; continue; }
    if (c === '"') {
      const start = i;
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      if (depth === 1) lastKey = text.slice(start + 1, i);
      continue;
    }
    if (c === '{' || c === '[') {
      if (inEntry && depth === 2 && c === '{') lines.push(line);
      if (depth === 1 && c === '[' && lastKey === 'entry') inEntry = true;
      depth++;
    } else if (c === '}' || c === ']') {
      depth--;
      if (depth === 1) inEntry = false;
    }
  }
  return lines;
}
