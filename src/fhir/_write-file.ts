// A small output file (an import report, an IPS Bundle) written whole under a temporary name, then put in place.
import { writeFileSync } from 'node:fs';
import { OutputNotWritableError } from '../errors.js';
import { commitFile, removeWithJournals, temporaryPathBeside } from '../_temporary-file.js';

/** @throws OutputNotWritableError naming the path and the file system's problem */
export function writeWholeFile(path: string, text: string): void {
  const temp = temporaryPathBeside(path);
  try {
    writeFileSync(temp, text);
    commitFile(temp, path, { replace: true });
  } catch (e) {
    removeWithJournals(temp);
    throw new OutputNotWritableError(path, (e as { code?: string }).code ?? (e as Error).message);
  }
}
