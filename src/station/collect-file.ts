// The file `station --serve` appends the codes phones send to: one code text a line, the format of the
// station's own "save" file, which `paperchart restore` reads. Only ever appended to, and only when it is
// empty or holds nothing but code texts: a file of the user's is never written into.
import { closeSync, fsyncSync, lstatSync, openSync, readFileSync, writeSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { OutputExistsError, OutputNotWritableError } from '../errors.js';

/** A code text: "PC1:" and QR alphanumeric characters (the header and base45), one QR symbol's worth at most. */
export const CODE_LINE = /^PC1:[0-9A-Z $%*+\-./:]{1,4292}$/;

/** Where the codes go when --collect is not given: beside the binder, or in the current folder. */
export function defaultCollectPath(binder: string | undefined): string {
  if (binder === undefined) return 'scan-station-codes.txt';
  return join(dirname(binder), `${basename(binder, extname(binder))}-station-codes.txt`);
}

export class CollectFile {
  private readonly lines = new Set<string>();
  private endsInNewline = true;

  /**
   * Takes `path` for appending, reading the codes already in it so none is written twice.
   * @throws OutputExistsError for a folder, a special file, or a file that is not only code texts
   */
  constructor(readonly path: string) {
    let st;
    try { st = lstatSync(path); } catch { return; }
    if (!st.isFile()) throw new OutputExistsError(path, st.isDirectory() ? 'it is a folder' : 'it is not a regular file', false);
    const text = readFileSync(path, 'latin1');
    for (const raw of text.split('\n')) {
      const line = raw.replace(/\r$/, '');
      if (line === '') continue;
      if (!CODE_LINE.test(line)) throw new OutputExistsError(path, 'it is not a file of code texts the scan station wrote', false);
      this.lines.add(line);
    }
    this.endsInNewline = text === '' || text.endsWith('\n');
  }

  /** Code texts in the file. */
  get size(): number { return this.lines.size; }

  /**
   * Appends the texts not yet in the file, whole lines, flushed to disk before it returns; returns how many.
   * @throws OutputNotWritableError
   */
  append(texts: readonly string[]): number {
    const fresh = [...new Set(texts)].filter((t) => !this.lines.has(t));
    if (fresh.length === 0) return 0;
    const out = `${this.endsInNewline ? '' : '\n'}${fresh.join('\n')}\n`;
    try {
      const fd = openSync(this.path, 'a', 0o600);
      try { writeSync(fd, out); fsyncSync(fd); } finally { closeSync(fd); }
    } catch (e) {
      throw new OutputNotWritableError(this.path, (e as NodeJS.ErrnoException).code ?? String(e));
    }
    for (const t of fresh) this.lines.add(t);
    this.endsInNewline = true;
    return fresh.length;
  }
}
