import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

// The house's rules for imports between the folders of src/ (the brief of issue 24; README's layout section):
// a `_name.ts` file is private to its folder (subfolders count as inside), and a folder imports only the
// folders listed for it. Every folder may import src/errors.ts and src/_*.ts; cli/ and index.ts import anything.

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

/** Which top-level folders each folder of src/ may import. */
const ALLOWED: Record<string, readonly string[]> = {
  print: ['store', 'record', 'codec', 'qr', 'text', 'layout', 'pdf', 'keys', 'archive'],
  pdf: ['text', 'layout', 'qr'],
  layout: ['text', 'record', 'qr'], // qr: the code sizes a code page lays out
  qr: ['codec'], // the shared tables (GF(256), the alphanumeric alphabet, the capacity)
  restore: ['scan', 'codec', 'record', 'store', 'keys', 'archive'],
  store: ['record', 'codec'],
  codec: ['record'],
  sample: ['store', 'record'],
  text: [],
  scan: [],
  record: [],
  keys: ['codec'], // the key material's encoding and fingerprints
  station: ['codec', 'scan', 'keys'], // the page bundles the codec; --binder scans the manifest; --pubkey reads a key
  fhir: ['store', 'record'], // import writes through store/; export reads records
  runs: ['print', 'restore', 'store', 'codec', 'layout', 'archive'], // the register records the runs it wraps (issue 28)
  archive: [], // the off-site archive's format, writer and reader (issue 28)
};

/** One file may cross a line its folder may not: print --verify scans the binder it printed. */
const ALLOWED_FILES: readonly { from: string; to: string }[] = [
  { from: 'print/verified-print.ts', to: 'restore' },
];

/** Every .ts file under src/, as a path relative to src/ with forward slashes. */
function sourceFiles(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [relative(SRC, path).split(sep).join('/')] : [];
  });
}

/** The relative specifiers a file imports: static, type-only, re-exports, dynamic import(), and worker URLs. */
export function importSpecifiers(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const found: string[] = [];
  const patterns = [
    /(?:^|[\s;])(?:import|export)\s[^'";]*?\sfrom\s*['"]([^'"]+)['"]/g, // import x from '…', export { y } from '…'
    /(?:^|[\s;])import\s*['"]([^'"]+)['"]/g, // import '…' for its effects
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g, // await import('…')
    /\bnew URL\(\s*['"]([^'"]+)['"]\s*,\s*import\.meta\.url\s*\)/g, // a worker's file
  ];
  for (const p of patterns) for (const m of code.matchAll(p)) found.push(m[1]!);
  return found.filter((s) => s.startsWith('.'));
}

/** The top-level folder of a path relative to src/ ('' for src/*.ts). */
const folderOf = (path: string): string => (path.includes('/') ? path.slice(0, path.indexOf('/')) : '');

/** Every broken rule in src/, one line each: "from → to: why". */
export function violations(files: ReadonlyMap<string, string>): string[] {
  const found: string[] = [];
  for (const [from, text] of files) {
    for (const specifier of importSpecifiers(text)) {
      const to = posix.normalize(posix.join(posix.dirname(from), specifier)).replace(/\.js$/, '.ts');
      if (to.startsWith('../')) continue; // an asset outside src/ (templates/, fonts), not an import
      const line = `${from} → ${to}`;
      const [fromFolder, toFolder] = [folderOf(from), folderOf(to)];
      const toDir = posix.dirname(to);
      if (posix.basename(to).startsWith('_') && !(posix.dirname(from) + '/').startsWith(toDir === '.' ? '' : `${toDir}/`)) {
        found.push(`${line}: ${posix.basename(to)} is private to ${toDir === '.' ? 'src' : toDir}/`);
      }
      if (fromFolder === toFolder || fromFolder === 'cli' || from === 'index.ts') continue;
      if (toFolder === '' && (to === 'errors.ts' || posix.basename(to).startsWith('_'))) continue;
      if (ALLOWED_FILES.some((a) => a.from === from && a.to === toFolder)) continue;
      const allowed = ALLOWED[fromFolder] ?? [];
      if (!allowed.includes(toFolder)) {
        found.push(`${line}: ${fromFolder || 'src'}/ may not import ${toFolder || to}${toFolder ? '/' : ''}`);
      }
    }
  }
  return found;
}

const readSources = (): Map<string, string> => new Map(sourceFiles().map((f) => [f, readFileSync(join(SRC, f), 'utf8')]));

describe('imports between the folders of src/', () => {
  it('follow the house rules: private _files stay in their folder, folders import only what they may', () => {
    expect(violations(readSources())).toEqual([]);
  });

  it('fails on a new violation: a private file imported from another folder, a direction not allowed', () => {
    const files = readSources();
    const before = violations(files);
    files.set('text/new-file.ts', "import { x } from '../pdf/content-stream.js';\nimport type { y } from '../codec/_bytes.js';\n");
    files.set('codec/another.ts', "const m = await import('../print/print-binder.js');\n");
    files.set('print/threads/inside.ts', "import { z } from '../_inside.js';\nimport { e } from '../../errors.js';\n");
    const found = violations(files).filter((v) => !before.includes(v));
    expect(found).toEqual([
      'text/new-file.ts → pdf/content-stream.ts: text/ may not import pdf/',
      'text/new-file.ts → codec/_bytes.ts: _bytes.ts is private to codec/',
      'text/new-file.ts → codec/_bytes.ts: text/ may not import codec/',
      'codec/another.ts → print/print-binder.ts: codec/ may not import print/',
    ]);
  });

  it('reads every kind of import a file can make', () => {
    expect(importSpecifiers([
      "import a from './a.js';", "import type { B } from '../b.js';", "import {\n  c,\n  d,\n} from './c.js';",
      "export { e } from './e.js';", "export * from './f.js';", "import './g.js';", "const h = await import('./h.js');",
      "new Worker(new URL('./i.js', import.meta.url));", "// import { no } from './commented.js';", "import x from 'node:fs';",
    ].join('\n'))).toEqual(['./a.js', '../b.js', './c.js', './e.js', './f.js', './g.js', './h.js', './i.js']);
  });
});

