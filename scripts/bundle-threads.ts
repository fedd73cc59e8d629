// Bundles the compiled drawing thread (dist/print/threads/drawing-worker.js and the ~150 modules it imports) into one
// file, dist/print/threads/drawing-worker.bundle.js, which a print's thread loads instead (drawing-thread.ts): from its
// start to its print's options, 350-420 ms of CPU against 530-750 ms (profiled, a 1% supplement), at the start of every
// print (issue 28). Run by `npm run build` after tsc; the thread falls back to the modules when the bundle is missing or
// older than them.
import { readFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const entry = `${dist}print/threads/drawing-worker.js`;
const out = `${dist}print/threads/drawing-worker.bundle.js`;

/**
 * A module that finds files beside itself (ours: templates/fonts and packages through createRequire; pdfkit: its
 * standard fonts through its package's imports) keeps finding them from the bundle: its import.meta.url becomes its
 * own file's URL, written relative to the bundle's.
 */
const ownUrls: Plugin = {
  name: 'own-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.m?js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes('import.meta.url')) return undefined;
      const own = relative(dirname(out), args.path).split('\\').join('/');
      return { contents: source.replaceAll('import.meta.url', `new URL(${JSON.stringify(own)}, import.meta.url).href`), loader: 'js' };
    });
  },
};

/**
 * fontkit's WOFF2 decompressor (brotli, half the bundle with its 1.4 MB dictionary) is left out: paperchart's fonts
 * are TrueType files (text/font-files.ts), and a WOFF2 font would stop with this error rather than print.
 */
const noWoff2: Plugin = {
  name: 'no-woff2',
  setup(b) {
    b.onResolve({ filter: /^brotli\/decompress(\.js)?$/ }, () => ({ path: 'brotli', namespace: 'no-woff2' }));
    b.onLoad({ filter: /.*/, namespace: 'no-woff2' }, () => ({
      contents: "export default function decompress() { throw new Error('a WOFF2 font: paperchart prints with TrueType fonts only'); }", loader: 'js' }));
  },
};

await build({
  entryPoints: [entry], outfile: out, bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'warning',
  // better-sqlite3 loads its native addon: it stays a package.
  external: ['better-sqlite3'],
  plugins: [ownUrls, noWoff2],
  // Less to read and parse at every print's start. Names kept, which errors cross threads by (thread-errors.ts): the
  // bundle renames a function or class whose name another module also uses.
  minifyWhitespace: true, keepNames: true,
  // Bundled CommonJS modules (fontkit's dependencies) call require for Node's own modules.
  banner: { js: "import { createRequire as createRequireForBundle } from 'node:module'; const require = createRequireForBundle(import.meta.url);" },
});
console.log(relative(process.cwd(), out));
