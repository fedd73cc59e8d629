// `paperchart station`: one self-contained HTML file that reads PC1 codes through a camera, offline.
// The page's script is the codec's own code (src/codec, compiled) and zxing-wasm's reader, bundled here by
// esbuild with node:zlib and node:crypto mapped to browser shims, so the page and restore share one decoder.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { readPublicKeyFile } from '../keys/key-files.js';
import { rawPublicKey } from '../codec/keys.js';
import { commitFile, removeOnInterrupt, removeWithJournals, temporaryPathBeside } from '../_temporary-file.js';
import { OutputExistsError, OutputNotWritableError } from '../errors.js';
import { readBinderManifest } from './binder-manifest.js';
import { STATION_MARK, stationHtml } from './station-html.js';
import type { StationConfig } from './browser/station-page.js';

export interface StationOptions {
  /** The HTML file to write. */
  out: string;
  /** A binder PDF whose manifest the page carries. */
  binder?: string;
  /** The clinic's public key file, for the page's signature check. */
  publicKey?: string;
  /** Replace an existing file that is not a scan station. */
  force?: boolean;
}

export interface StationSummary { out: string; bytes: number; manifestCodes: number; signatureCheck: boolean }

/** The compiled file beside this one, or its TypeScript source when run from src/ (tests through tsx). */
function sibling(name: string): string {
  const js = fileURLToPath(new URL(`./browser/${name}.js`, import.meta.url));
  return existsSync(js) ? js : js.replace(/\.js$/, '.ts');
}

/** node:zlib and node:crypto, which the codec imports, become browser shims: the page only decodes. */
const nodeShims: Plugin = {
  name: 'paperchart-node-shims',
  setup(b) { b.onResolve({ filter: /^node:(zlib|crypto)$/ }, () => ({ path: sibling('node-shims') })); },
};

/** The page's script, bundled with zxing-wasm's reader: about 0.2 MB, in about 0.3 s. */
async function bundlePage(): Promise<string> {
  const r = await build({
    entryPoints: [sibling('station-page')], bundle: true, format: 'iife', platform: 'browser', target: 'chrome110',
    minify: true, write: false, logLevel: 'silent', plugins: [nodeShims], define: { 'import.meta.url': '"about:blank"' },
  });
  return r.outputFiles[0]!.text;
}

function zxingWasm(): Uint8Array {
  return readFileSync(createRequire(import.meta.url).resolve('zxing-wasm/reader/zxing_reader.wasm'));
}

/** A file already at `out` may be replaced only when it is an earlier station, or with `force`. */
function checkOutput(out: string, force: boolean): void {
  if (!existsSync(out) || force) return;
  let head = '';
  try { head = readFileSync(out, { encoding: 'utf8' }).slice(0, STATION_MARK.length); } catch { /* a folder or unreadable: refused below */ }
  if (head !== STATION_MARK) throw new OutputExistsError(out, 'it is not a scan station paperchart wrote', true);
}

/**
 * Writes the scan station page.
 * @throws OutputExistsError, OutputNotWritableError; with a binder UnknownInputError, UnreadablePdfError,
 *   NoManifestError; with a key KeyError
 */
export async function writeStation(o: StationOptions): Promise<StationSummary> {
  checkOutput(o.out, o.force ?? false);
  const { html, manifestCodes, signatureCheck } = await stationPage(o, null);
  const temp = temporaryPathBeside(o.out);
  const forget = removeOnInterrupt(temp);
  try {
    writeFileSync(temp, html, { flag: 'wx' });
    commitFile(temp, o.out, { replace: true });
  } catch (e) {
    removeWithJournals(temp);
    throw new OutputNotWritableError(o.out, (e as NodeJS.ErrnoException).code ?? String(e));
  } finally { forget(); }
  return { out: o.out, bytes: Buffer.byteLength(html), manifestCodes, signatureCheck };
}

/**
 * The station page's HTML: the file `writeStation` writes, or the page `station --serve` sends, whose
 * "send to laptop" button posts the codes to `sendPath`.
 * @throws with a binder UnknownInputError, UnreadablePdfError, NoManifestError; with a key KeyError
 */
export async function stationPage(o: Pick<StationOptions, 'binder' | 'publicKey'>, sendPath: string | null):
  Promise<{ html: string; manifestCodes: number; signatureCheck: boolean }> {
  const publicKey = o.publicKey === undefined ? null : Buffer.from(rawPublicKey(readPublicKeyFile(o.publicKey))).toString('base64');
  const manifestTexts = o.binder === undefined ? [] : await readBinderManifest(o.binder);
  const config: StationConfig = { manifestTexts, publicKey, sendPath };
  return { html: stationHtml(config, await bundlePage(), zxingWasm()), manifestCodes: manifestTexts.length, signatureCheck: publicKey !== null };
}
