import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PDFDocument from 'pdfkit';
import { runCli, expectRefusal } from '../_run-cli.js';

// `paperchart station` without a browser: the file it writes, and what it refuses.
let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'paperchart-station-cmd-')); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('paperchart station', () => {
  it('writes one HTML file that needs nothing else: the reader\'s WebAssembly inside, no script to fetch', async () => {
    const out = join(dir, 'scan-station.html');
    const r = await runCli('station', '--out', out);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/scan station written: .*scan-station\.html \(1\.\d MB, no manifest/);
    const html = readFileSync(out, 'utf8');
    // zxing's reader: a WebAssembly module begins \0asm, "AGFzbQ" in base64.
    expect(html).toMatch(/<script id="zxing-wasm" type="application\/octet-stream">AGFzbQ/);
    expect(html.match(/<script[^>]*\bsrc=/g)).toBeNull();
    // Written again over its own earlier file.
    expect((await runCli('station', '--out', out)).code).toBe(0);
  });

  it('refuses to write over a file that is not a scan station, and names it', async () => {
    const out = join(dir, 'notes.html');
    writeFileSync(out, '<p>the clinic\'s notes</p>');
    expectRefusal(await runCli('station', '--out', out), /notes\.html already exists: it is not a scan station/);
    expect(readFileSync(out, 'utf8')).toBe('<p>the clinic\'s notes</p>');
  });

  it('refuses a --binder PDF with no manifest codes, and writes nothing', async () => {
    const pdf = join(dir, 'letter.pdf');
    const doc = new PDFDocument();
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    const done = new Promise((r) => doc.on('end', r));
    doc.text('A letter, not a binder.');
    doc.end();
    await done;
    writeFileSync(pdf, Buffer.concat(chunks));
    const out = join(dir, 'from-letter.html');
    expectRefusal(await runCli('station', '--out', out, '--binder', pdf), /letter\.pdf holds no readable run manifest codes/);
    expect(() => readFileSync(out)).toThrow();
  });
});
