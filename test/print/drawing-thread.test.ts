// printBinder draws on a thread of its own (issue 6: a small young generation); the binder must not change.
// Uses the compiled code, whose worker exists (npm test builds dist/ first).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { drawBinder } from '../../src/print/print-binder.js';
import { loadTemplate } from '../../src/layout/template.js';

const DIST = new URL('../../dist/', import.meta.url);
const DEMO = fileURLToPath(new URL('../../samples/demo-clinic.sqlite', import.meta.url));
const PRINTED_AT = '2026-11-25T16:00:00Z';
const dir = mkdtempSync(join(tmpdir(), 'paperchart-thread-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface ThreadModule { startDrawingThread: () => void; drawingThreadUrl: () => URL | undefined; DRAWING_THREAD_FILES: Record<'modules' | 'bundle', URL>; printBinder: (o: object, onProgress?: (p: { done: number; total: number }) => void) => Promise<{ patients: number; pages: number }> }
const compiled = async (): Promise<ThreadModule> => {
  expect(existsSync(new URL('print/threads/drawing-worker.js', DIST)), 'the compiled drawing thread').toBe(true);
  return await import(new URL('print/threads/drawing-thread.js', DIST).href) as ThreadModule;
};

describe('printBinder', () => {
  it('draws on its own thread the same PDF, byte for byte, as drawBinder on this one, reporting progress', async () => {
    const { printBinder } = await compiled();
    const progress: number[] = [];
    const threaded = join(dir, 'threaded.pdf');
    const s = await printBinder({ storePath: DEMO, outPath: threaded, template: loadTemplate('default'), printedAt: PRINTED_AT, jobs: 2 },
      (p) => progress.push(p.done));
    const here = join(dir, 'here.pdf');
    const db = openStore(DEMO);
    try {
      await drawBinder({ db, storePath: DEMO, outPath: here, template: loadTemplate('default'), printedAt: PRINTED_AT, jobs: 1 });
    } finally {
      db.close();
    }
    expect(readFileSync(threaded).equals(readFileSync(here))).toBe(true);
    expect(progress).toEqual(Array.from({ length: s.patients }, (_, i) => i + 1));
  }, 120_000);

  it('prints with a thread started ahead the same PDF as with one started for the print, and the print after it starts its own', async () => {
    const { printBinder, startDrawingThread } = await compiled();
    const options = { storePath: DEMO, template: loadTemplate('default'), printedAt: PRINTED_AT, jobs: 1 };
    const fresh = join(dir, 'fresh.pdf');
    await printBinder({ ...options, outPath: fresh });
    startDrawingThread();
    // Taken while still loading, and taken after it has opened its fonts and waits.
    const early = join(dir, 'early.pdf');
    await printBinder({ ...options, outPath: early });
    startDrawingThread();
    await new Promise((r) => setTimeout(r, 2_000));
    const waited = join(dir, 'waited.pdf');
    const after = join(dir, 'after.pdf');
    await printBinder({ ...options, outPath: waited });
    await printBinder({ ...options, outPath: after });
    for (const path of [early, waited, after]) expect(readFileSync(path).equals(readFileSync(fresh)), path).toBe(true);
  }, 120_000);

  it('loads the drawing thread from its bundle once built, which draws the PDF its modules draw, byte for byte', async () => {
    const { drawingThreadUrl, DRAWING_THREAD_FILES } = await compiled();
    // npm test builds the bundle after the modules (npm run build): it is the newer, and the one a print loads.
    expect(drawingThreadUrl()?.href).toBe(DRAWING_THREAD_FILES.bundle.href);
    const drawWith = async (url: URL, outPath: string): Promise<Buffer> => {
      const worker = new Worker(url);
      try {
        worker.postMessage({ storePath: DEMO, outPath, template: loadTemplate('default'), printedAt: PRINTED_AT, jobs: 1 });
        await new Promise<void>((resolve, reject) => {
          worker.on('message', (m: { summary?: unknown; error?: { message: string } }) => {
            if (m.summary) resolve();
            else if (m.error) reject(new Error(m.error.message));
          });
          worker.on('error', reject);
        });
      } finally {
        await worker.terminate();
      }
      return readFileSync(outPath);
    };
    const bundled = await drawWith(DRAWING_THREAD_FILES.bundle, join(dir, 'bundled.pdf'));
    const modules = await drawWith(DRAWING_THREAD_FILES.modules, join(dir, 'modules.pdf'));
    expect(bundled.length).toBeGreaterThan(100_000);
    expect(bundled.equals(modules)).toBe(true);
  }, 120_000);

  it('throws the typed error, with its fields, from the drawing thread, and leaves no file', async () => {
    const { printBinder } = await compiled();
    const errors = await import(new URL('errors.js', DIST).href) as typeof import('../../src/errors.js');
    const out = join(dir, 'missing-folder', 'binder.pdf');
    const failure = await printBinder({ storePath: DEMO, outPath: out, template: loadTemplate('default'), printedAt: PRINTED_AT }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(errors.OutputNotWritableError);
    const e = failure as InstanceType<typeof errors.OutputNotWritableError>;
    expect([e.code, e.path, e.exitCode]).toEqual(['E_OUTPUT_NOT_WRITABLE', out, 2]);
    expect(e.message).toMatch(/^cannot write .*binder\.pdf \(its folder does not exist\)$/);
    expect(e.stack).toContain('OutputNotWritableError');
    expect(existsSync(out)).toBe(false);
  }, 60_000);
});
