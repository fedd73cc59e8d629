import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { runCli, expectRefusal } from '../_run-cli.js';
import { rasterisePdf } from '../../src/scan/rasterise-pdf.js';
import { readCodes } from '../../src/scan/read-codes.js';
import { serveStation, SEND_PATH, MAX_BODY, type StationServer } from '../../src/station/serve-station.js';
import { STATION_MARK } from '../../src/station/station-html.js';

// `station --serve` for real: a https server on an ephemeral port of 127.0.0.1, fetched by node:https trusting
// only the certificate the server made, fed the code texts read from a real sample binder, then restored.
const AS_OF = '2026-11-25T16:00Z';
const BIN = join(import.meta.dirname, '..', '..', 'bin', 'paperchart.js');
let dir: string;
let texts: string[];

async function cli(...argv: string[]): Promise<string> {
  const r = await runCli(...argv);
  expect(r.code, `${argv.join(' ')}: ${r.err}`).toBe(0);
  return r.out;
}

interface Reply { status: number; body: string; fingerprint: string }

/** One request over https, trusting `cert` alone (its subject alternative names must name the host). */
function fetchTls(url: string, cert: string, o: { method?: string; body?: string | Buffer; headers?: Record<string, string> } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: o.method ?? 'GET', ca: cert, headers: o.headers }, (res) => {
      const chunks: Buffer[] = [];
      const fingerprint = (res.socket as TLSSocket).getPeerCertificate().fingerprint256;
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString('utf8'), fingerprint }));
    });
    req.on('error', reject);
    // A refused upload's connection is reset under the rest of the body: that is the server's answer, not a failure.
    req.on('socket', (sock) => sock.on('error', () => undefined));
    req.end(o.body);
  });
}
const send = (s: StationServer, body: string, headers: Record<string, string> = { 'x-paperchart-station': '1', 'content-type': 'text/plain' }): Promise<Reply> =>
  fetchTls(new URL(SEND_PATH, s.urls[0]).href, s.cert, { method: 'POST', body, headers });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'paperchart-serve-'));
  await cli('sample', '--db', join(dir, 'clinic.sqlite'), '--patients', '3', '--seed', '7', '--as-of', AS_OF);
  await cli('keygen', '--out', join(dir, 'keys'));
  await cli('print', '--db', join(dir, 'clinic.sqlite'), '--out', join(dir, 'binder.pdf'), '--as-of', AS_OF, '--key', join(dir, 'keys', 'paperchart-signing.key'));
  // Every code of the binder, manifest and records, as a camera would have read them.
  texts = [];
  for await (const page of rasterisePdf(readFileSync(join(dir, 'binder.pdf')), { dpi: 200 })) {
    for (const c of await readCodes(page)) if (c.text.startsWith('PC1:')) texts.push(c.text);
  }
}, 300_000);

afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

describe('paperchart station --serve', () => {
  it('serves the station page over https with its own certificate, takes the codes posted, and they restore the store', async () => {
    const collect = join(dir, 'collected.txt');
    const received: number[] = [];
    const s = await serveStation({ binder: join(dir, 'binder.pdf'), publicKey: join(dir, 'keys', 'paperchart-signing.pub'), port: 0, host: '127.0.0.1', collect },
      (r) => received.push(r.fresh));
    try {
      expect(s.urls).toEqual([expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+\/$/)]);
      expect(s.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
      expect(s.qr).toMatch(/▄|█/);
      const page = await fetchTls(s.urls[0]!, s.cert);
      expect(page.status).toBe(200);
      expect(page.fingerprint).toBe(s.fingerprint256);
      expect(page.body.startsWith(STATION_MARK)).toBe(true);
      expect(page.body).toContain('<button id="send" disabled hidden>Send to laptop</button>');
      expect(page.body).toContain(`"sendPath":"${SEND_PATH}"`);
      expect(s.manifestCodes).toBeGreaterThan(0);

      // A phone sends what it has read so far, then everything again with a line of junk: each code is kept once.
      const half = Math.floor(texts.length / 2);
      const first = await send(s, texts.slice(0, half).join('\n') + '\n');
      expect(first.status).toBe(200);
      expect(JSON.parse(first.body)).toEqual({ received: half, new: half, total: half, refused: 0 });
      const second = await send(s, ['not a code', ...texts].join('\r\n'));
      expect(JSON.parse(second.body)).toEqual({ received: texts.length, new: texts.length - half, total: texts.length, refused: 1 });
      expect(received).toEqual([half, texts.length - half]);
    } finally {
      expect(await s.close()).toBe(texts.length);
    }
    expect(readFileSync(collect, 'utf8').trim().split('\n').sort()).toEqual([...texts].sort());
    await cli('restore', collect, '--db', join(dir, 'restored.sqlite'), '--pubkey', join(dir, 'keys', 'paperchart-signing.pub'));
    expect(await cli('export', '--db', join(dir, 'restored.sqlite'))).toBe(await cli('export', '--db', join(dir, 'clinic.sqlite')));
  }, 300_000);

  it('answers only the page and the one path, refuses a post without the page\'s header, of no codes or over the size, and appends to an earlier file of codes', async () => {
    const collect = join(dir, 'earlier.txt');
    writeFileSync(collect, `${texts[0]}\n${texts[1]}`); // the station's own saved file, no final newline
    const s = await serveStation({ port: 0, host: '127.0.0.1', collect });
    try {
      expect((await fetchTls(new URL('/keys', s.urls[0]).href, s.cert)).status).toBe(404);
      expect((await fetchTls(s.urls[0]!, s.cert, { method: 'PUT', body: 'x' })).status).toBe(405);
      expect((await fetchTls(new URL('/elsewhere', s.urls[0]).href, s.cert, { method: 'POST', body: texts[2] })).status).toBe(404);
      expect((await send(s, texts[2]!, { 'content-type': 'text/plain' })).status).toBe(403);
      expect((await send(s, 'hello\nworld\n')).status).toBe(400);
      expect((await send(s, 'A'.repeat(MAX_BODY + 1))).status).toBe(413);
      const r = await send(s, texts.slice(0, 3).join('\n'));
      expect(JSON.parse(r.body)).toMatchObject({ new: 1, total: 3 });
    } finally { await s.close(); }
    expect(readFileSync(collect, 'utf8')).toBe(`${texts[0]}\n${texts[1]}\n${texts[2]}\n`);
  }, 60_000);

  it('never writes into a file that is not codes, and says which', async () => {
    const notes = join(dir, 'notes.txt');
    writeFileSync(notes, 'the clinic\'s notes\n');
    expectRefusal(await runCli('station', '--serve', '--port', '0', '--host', '127.0.0.1', '--collect', notes),
      /notes\.txt already exists: it is not a file of code texts the scan station wrote/);
    expect(readFileSync(notes, 'utf8')).toBe('the clinic\'s notes\n');
  });

  it('names either --out or --serve, and --port only with --serve', async () => {
    expect((await runCli('station')).code).toBe(1);
    expect((await runCli('station', '--out', join(dir, 's.html'), '--serve')).code).toBe(1);
    expect((await runCli('station', '--out', join(dir, 's.html'), '--port', '9000')).code).toBe(1);
    // A port no socket can have is named as typed, never a stack trace.
    for (const port of ['99999', 'two', '-1']) {
      const r = await runCli('station', '--serve', '--port', port, '--host', '127.0.0.1');
      expect(r.code).toBe(1);
      expect(r.err).toMatch(new RegExp(`^paperchart: --port=${port}, expected a whole number from 0 to 65535\n→ `));
    }
  });

  it('from the command line: prints the address and fingerprint, serves until Ctrl-C, then stops cleanly with exit 0', async () => {
    const collect = join(dir, 'cli-codes.txt');
    const child = spawn(process.execPath, [BIN, 'station', '--serve', '--port', '0', '--host', '127.0.0.1', '--collect', collect], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { err += c.toString(); });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    for (let i = 0; i < 300 && !out.includes('Ctrl-C stops'); i++) await new Promise((r) => setTimeout(r, 100));
    expect(out, err).toContain('Ctrl-C stops the station');
    const url = /https:\/\/127\.0\.0\.1:\d+\//.exec(out)![0];
    const fingerprint = /([0-9A-F]{2}:){31}[0-9A-F]{2}/.exec(out)![0];
    expect(out).toContain(`paperchart restore ${collect} --db STORE`);
    // The person's check: the certificate the browser is shown is the one the laptop printed.
    const page = await new Promise<string>((resolve, reject) => {
      request(url, { rejectUnauthorized: false }, (res) => resolve((res.socket as TLSSocket).getPeerCertificate().fingerprint256)).on('error', reject).end();
    });
    expect(page).toBe(fingerprint);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(out).toMatch(/scan station stopped \(SIGINT\): 0 codes in /);
    expect(err).toBe('');
  }, 60_000);
});
