// Issue 26: restore's missing line says what to scan so that a patient whose codes were not read is rebuilt from its
// group's parity codes (FORMAT §17), and scanning that does rebuild it.
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { writeSampleClinic } from '../../src/sample/sample-clinic.js';
import { collectTexts } from '../../src/restore/collect-texts.js';
import { decodeFrame } from '../../src/codec/frame.js';
import { runCli } from '../_run-cli.js';

const tools = spawnSync('pdftotext', ['-v']).status === 0;
if (!tools) console.warn('pdftotext missing: skipping the parity advice test (install poppler-utils)');

describe.skipIf(!tools)('restore\'s missing line and the parity codes', () => {
  let dir: string;
  let texts: string[];
  /** Patient ids in binder order. */
  let order: string[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'parity-advice-'));
    const store = join(dir, 'clinic.sqlite');
    await writeSampleClinic(store, { patients: 14, seed: 7, asOf: '2026-11-25T12:00:00Z' });
    const printed = await runCli('print', '--db', store, '--out', join(dir, 'binder.pdf'), '--as-of', '2026-11-25T15:00Z');
    expect(printed.code, printed.err).toBe(0);
    texts = (await collectTexts([join(dir, 'binder.pdf')], { jobs: 1 })).map((c) => c.text);
    order = [...new Set(texts.map((t) => decodeFrame(t)).filter((f) => f.kind === 'R').map((f) => f.patientId!))];
  }, 300_000);

  const isX = (t: string): boolean => decodeFrame(t).kind === 'X';
  const of = (ids: string[]) => (t: string): boolean => ids.includes(decodeFrame(t).patientId ?? '');

  /** The report line of patient `id` (its id the line's second word: another's line may name it too). */
  const lineOf = (lines: string[], status: string, id: string): string | undefined => lines.find((l) => l.split(/\s+/)[0] === status && l.split(/\s+/)[1] === id);

  async function restore(name: string, keep: (t: string) => boolean): Promise<string[]> {
    writeFileSync(join(dir, `${name}.txt`), `${texts.filter(keep).join('\n')}\n`);
    const r = await runCli('restore', '--db', join(dir, `${name}.sqlite`), '--trust-unsigned', join(dir, `${name}.txt`));
    return r.out.split('\n');
  }

  it('names the parity page to scan when a patient\'s codes and the parity codes were not read, and that page rebuilds it', async () => {
    const lost = order[3]!;
    const lines = await restore('no-x', (t) => !of([lost])(t) && !isX(t));
    const line = lineOf(lines, 'missing', lost);
    expect(line, lines.join('\n')).toMatch(/no parity codes of run \w+ were read: scan the parity page headed "Parity codes for binder pages N–M" whose N–M takes in page \d+ \(it follows the group\); it rebuilds this patient if no other patient of its group is missing$/);
    // The page named falls in the range of one of the binder's parity headings, and those codes rebuild the patient.
    const page = Number(/takes in page (\d+)/.exec(line!)![1]);
    const pdfText = spawnSync('pdftotext', [join(dir, 'binder.pdf'), '-'], { encoding: 'utf8' }).stdout;
    const ranges = [...pdfText.matchAll(/Parity codes for binder pages (\d+)–(\d+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(ranges.some(([n, m]) => n! <= page && page <= m!), `page ${page} in ${JSON.stringify(ranges)}`).toBe(true);
    const rebuilt = await restore('with-x', (t) => !of([lost])(t));
    expect(lineOf(rebuilt, 'restored', lost), rebuilt.join('\n')).toMatch(/rebuilt from the parity codes/);
  }, 300_000);

  it('names the other patient of the group when two of one group are missing and the parity codes were read', async () => {
    const [a, b] = [order[0]!, order[1]!];
    const lines = await restore('two', (t) => !of([a, b])(t));
    for (const [me, other] of [[a, b], [b, a]]) {
      const line = lineOf(lines, 'missing', me!);
      expect(line, lines.join('\n')).toContain(`its group's parity codes were read, but patient ${other} of that group is not restored either`);
    }
  }, 300_000);
});
