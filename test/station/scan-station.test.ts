import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createServer as createHttpServer } from 'node:http';
import { networkInterfaces } from 'node:os';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { runCli } from '../_run-cli.js';
import { decodeFrame } from '../../src/codec/frame.js';
import { serveStation } from '../../src/station/serve-station.js';
import { cameraFrames, codePages, writeY4m, type CameraFrame } from './_fake-camera.js';

// The scan station in a real browser: Debian's chromium, headless, its camera a .y4m video of the binder's code
// pages (moving, rotated, blurred, 3–4.2 camera pixels per module). .ci/run installs chromium.
const CHROMIUM = ['chromium', 'chromium-browser', 'google-chrome'].find((c) => spawnSync(c, ['--version']).status === 0);
if (!CHROMIUM) console.warn('chromium missing: skipping the scan station browser test (apt-get install chromium)');

/** An IPv4 address of this machine that is not loopback: what a phone on the network would type. */
const LAN_ADDRESS = Object.values(networkInterfaces()).flat().find((a) => a?.family === 'IPv4' && !a.internal)?.address;

const AS_OF = '2026-11-25T16:00Z';
/** Seed 7's three patients have 4, 5 and 7 codes (the last on two code pages): a minute of video. */
const SEED = '7';

let dir: string;
let frames: CameraFrame[];
let omitted: { page: number; patient: string; codes: number[] };

async function cli(...argv: string[]): Promise<string> {
  const r = await runCli(...argv);
  expect(r.err.replace(/^print render.*\n/gm, ''), argv.join(' ')).not.toMatch(/→|Error/);
  expect(r.code, `${argv.join(' ')}: ${r.err}`).toBe(0);
  return r.out;
}

/** Opens the station in chromium, its camera playing `video`; downloads go to `downloads`; `url` a served station. */
async function openStation(video: string, downloads: string, url?: string): Promise<{ browser: Browser; page: Page; network: string[] }> {
  const browser = await puppeteer.launch({
    executablePath: spawnSync('sh', ['-c', `command -v ${CHROMIUM}`], { encoding: 'utf8' }).stdout.trim(),
    headless: true,
    args: ['--no-sandbox', '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
      `--use-file-for-fake-video-capture=${video}`, '--autoplay-policy=no-user-gesture-required',
      // A served station's certificate is self-signed: a person checks its fingerprint and goes on (station --serve).
      ...(url ? ['--ignore-certificate-errors'] : [])],
  });
  const page = await browser.newPage();
  await page.setViewport({ width: 1100, height: 800 });
  const cdp = await page.createCDPSession();
  await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: downloads });
  // Offline means offline: any request for something not in the file itself is refused and listed.
  const network: string[] = [];
  await page.setRequestInterception(true);
  page.on('request', (r) => {
    if (/^(file|blob|data):/.test(r.url()) || (url && r.url().startsWith(new URL(url).origin))) void r.continue();
    else { network.push(r.url()); void r.abort(); }
  });
  await page.goto(url ?? pathToFileURL(join(dir, 'scan-station.html')).href);
  return { browser, page, network };
}

/** Each patient row as the page shows it: status, and the words a person reads. */
function rows(page: Page): Promise<{ id: string; status: string; text: string }[]> {
  return page.$$eval('li.patient', (lis) => lis.map((li) => ({ id: (li as HTMLElement).dataset['patient']!, status: (li as HTMLElement).dataset['status']!, text: li.textContent! })));
}

beforeAll(async () => {
  if (!CHROMIUM) return;
  dir = mkdtempSync(join(tmpdir(), 'paperchart-station-'));
  await cli('sample', '--db', join(dir, 'clinic.sqlite'), '--patients', '3', '--seed', SEED, '--as-of', AS_OF);
  await cli('keygen', '--out', join(dir, 'keys'));
  await cli('print', '--db', join(dir, 'clinic.sqlite'), '--out', join(dir, 'binder.pdf'), '--as-of', AS_OF, '--key', join(dir, 'keys', 'paperchart-signing.key'));
  await cli('station', '--out', join(dir, 'scan-station.html'), '--binder', join(dir, 'binder.pdf'), '--pubkey', join(dir, 'keys', 'paperchart-signing.pub'));
  const pages = await codePages(join(dir, 'binder.pdf'));
  // The code page of a patient whose codes all sit on it: more codes than parity covers, so that patient stays out.
  const single = pages.map((p) => ({ page: p.page.page, frames: p.codes.map((c) => decodeFrame(c.text)) }))
    .filter((p) => p.frames.length === p.frames[0]!.total).sort((a, b) => b.frames.length - a.frames.length)[0]!;
  omitted = { page: single.page, patient: single.frames[0]!.patientId!, codes: single.frames.map((f) => f.index).sort((a, b) => a - b) };
  frames = cameraFrames(pages);
  writeY4m(join(dir, 'all-pages.y4m'), frames);
  writeY4m(join(dir, 'page-left-out.y4m'), frames.filter((f) => f.page !== omitted.page));
}, 600_000);

afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

describe.skipIf(!CHROMIUM)('the scan station in headless chromium with a fake camera', () => {
  it('turns every patient complete, keeps the codes over a reload, and its saved file restores the same store', async () => {
    const downloads = mkdtempSync(join(dir, 'downloads-'));
    const { browser, page, network } = await openStation(join(dir, 'all-pages.y4m'), downloads);
    try {
      await page.waitForFunction(() => {
        const lis = [...document.querySelectorAll<HTMLElement>('li.patient')];
        return lis.length === 4 && lis.every((li) => li.dataset['status'] === 'complete');
      }, { timeout: 240_000, polling: 500 });
      const shown = await rows(page);
      // The manifest, then each patient by name and MRN, its signature checked in the page with Web Crypto.
      expect(shown.map((r) => r.id)).toEqual(['run manifest', 'P000001', 'P000002', 'P000003']);
      for (const r of shown.slice(1)) expect(r.text).toMatch(/✓ complete.+, .+ · MRN \d+signature valid/);
      expect(await page.$eval('#summary', (e) => e.textContent)).toMatch(/^3 of 3 patients complete/);
      expect(network).toEqual([]);
      // The page's own measure of zxing's time per camera frame, for the report (a figure, never asserted).
      console.log(`scan station: ${await page.$eval('#rate', (e) => e.textContent)}`);
      await page.screenshot({ path: join(dir, 'station.png') });

      await page.click('#save');
      let saved: string | undefined;
      for (let i = 0; i < 50 && !saved; i++) {
        saved = readdirSync(downloads).find((f) => f.endsWith('.txt'));
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(saved).toMatch(/^paperchart-\d+-\d+-codes\.txt$/);
      const savedPath = join(downloads, saved!);
      await cli('restore', savedPath, '--db', join(dir, 'restored.sqlite'), '--pubkey', join(dir, 'keys', 'paperchart-signing.pub'));
      expect(await cli('export', '--db', join(dir, 'restored.sqlite'))).toBe(await cli('export', '--db', join(dir, 'clinic.sqlite')));

      // A closed tab loses nothing: reloaded, the page has every patient complete at once, from its storage
      // (the camera needs 15 s to read the codes again).
      await page.reload();
      await page.waitForFunction(() => document.getElementById('summary')!.textContent!.startsWith('3 of 3 patients complete'), { timeout: 3000 });
    } finally {
      await browser.close();
    }
  }, 400_000);

  it('shows the codes of a page left out of the video as missing, on that page, and the other patients complete', async () => {
    const { browser, page } = await openStation(join(dir, 'page-left-out.y4m'), mkdtempSync(join(dir, 'downloads-')));
    try {
      // Every other patient completes; after one more loop of the video the omitted page's codes are still out.
      await page.waitForFunction((id) => {
        const lis = [...document.querySelectorAll<HTMLElement>('li.patient')];
        return lis.length === 4 && lis.filter((li) => li.dataset['patient'] !== id).every((li) => li.dataset['status'] === 'complete');
      }, { timeout: 240_000, polling: 500 }, omitted.patient);
      await new Promise((r) => setTimeout(r, (frames.length / 5) * 1000));
      const row = (await rows(page)).find((r) => r.id === omitted.patient)!;
      expect(row.status).toBe('not started');
      expect(row.text).toContain(`missing: codes 1–${omitted.codes.length} on page ${omitted.page}`);
    } finally {
      await browser.close();
    }
  }, 400_000);
  it('served by station --serve over https: the camera works, every patient completes, and "send to laptop" collects codes that restore the store', async () => {
    const collect = join(dir, 'served-codes.txt');
    const s = await serveStation({ binder: join(dir, 'binder.pdf'), publicKey: join(dir, 'keys', 'paperchart-signing.pub'), port: 0, host: '127.0.0.1', collect });
    try {
      const { browser, page, network } = await openStation(join(dir, 'all-pages.y4m'), mkdtempSync(join(dir, 'downloads-')), s.urls[0]);
      try {
        expect(await page.evaluate(() => window.isSecureContext)).toBe(true);
        await page.waitForFunction(() => {
          const lis = [...document.querySelectorAll<HTMLElement>('li.patient')];
          return lis.length === 4 && lis.every((li) => li.dataset['status'] === 'complete');
        }, { timeout: 240_000, polling: 500 });
        expect(network).toEqual([]);
        await page.click('#send');
        // The camera goes on reading and its next repeat takes the status line: the answer is taken as it shows.
        const sent = await page.waitForFunction(() => document.getElementById('status-big')!.textContent === 'Sent to the laptop'
          && document.getElementById('status-small')!.textContent, { timeout: 10_000, polling: 'mutation' });
        expect(await sent.jsonValue()).toMatch(/^\d+ new codes, \d+ codes on the laptop$/);
      } finally { await browser.close(); }
    } finally { await s.close(); }
    await cli('restore', collect, '--db', join(dir, 'served-restored.sqlite'), '--pubkey', join(dir, 'keys', 'paperchart-signing.pub'));
    expect(await cli('export', '--db', join(dir, 'served-restored.sqlite'))).toBe(await cli('export', '--db', join(dir, 'clinic.sqlite')));
  }, 400_000);

  // What a phone gets from the laptop's address over plain http: not a secure context, so no camera at all.
  it.skipIf(!LAN_ADDRESS)('over plain http from the machine\'s network address the page gets no camera, and says what to do', async () => {
    const html = readFileSync(join(dir, 'scan-station.html'));
    const server = createHttpServer((_req, res) => { res.writeHead(200, { 'content-type': 'text/html' }); res.end(html); });
    await new Promise<void>((r) => server.listen(0, LAN_ADDRESS, r));
    const url = `http://${LAN_ADDRESS}:${(server.address() as { port: number }).port}/`;
    try {
      const { browser, page } = await openStation(join(dir, 'all-pages.y4m'), mkdtempSync(join(dir, 'downloads-')), url);
      try {
        await page.waitForFunction(() => document.getElementById('status-big')!.textContent === 'No camera here', { timeout: 30_000 });
        expect(await page.evaluate(() => [window.isSecureContext, 'mediaDevices' in navigator])).toEqual([false, false]);
        expect(await page.$eval('#status-small', (e) => e.textContent)).toContain('paperchart station --serve');
      } finally { await browser.close(); }
    } finally { server.close(); }
  }, 120_000);
});
