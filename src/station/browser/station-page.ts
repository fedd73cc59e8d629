/// <reference lib="dom" />
// The scan station page: camera → zxing-wasm → StationState → the list a person holding paper reads.
// Bundled with zxing-wasm's reader and the codec by write-station.ts into one offline HTML file.
import { prepareZXingModule, readBarcodes } from 'zxing-wasm/reader';
import { StationState, type PatientView, type ReadEvent, type StationManifest } from './station-state.js';
import { signalRead } from './signals.js';

/** What write-station.ts puts in the page beside the script. */
export interface StationConfig {
  /** The run's manifest codes, from --binder: the page knows the binder before a code is read. */
  manifestTexts: string[];
  /** The clinic's Ed25519 public key, raw, base64 (from --public-key); null leaves signatures to restore. */
  publicKey: string | null;
  /** Where `station --serve` takes the codes ("send to laptop"); null in the offline file. */
  sendPath?: string | null;
}

const STORAGE_KEY = 'paperchart-station-texts';
/** A code held under the camera is read every frame: it is signalled again as a repeat only after this long. */
const REPEAT_QUIET_MS = 4000;
const $ = (id: string): HTMLElement => document.getElementById(id)!;
const fromBase64 = (s: string): Uint8Array => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

async function main(): Promise<void> {
  // Not a secure context: no camera and no Web Crypto (crypto.subtle) either, so nothing here could work.
  if (!window.isSecureContext) { noSecureContext(); return; }
  const config = JSON.parse($('station-config').textContent!) as StationConfig;
  const state = new StationState(config.publicKey ? fromBase64(config.publicKey) : null);
  for (const t of config.manifestTexts) state.add(t);
  for (const t of JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '[]') as string[]) state.add(t);
  await state.settle();
  render(state, null);
  $('save').addEventListener('click', () => saveTexts(state));
  if (config.sendPath) {
    $('send').hidden = false;
    $('send').addEventListener('click', () => void sendTexts(state, config.sendPath!));
  }
  $('clear').addEventListener('click', () => {
    if (!confirm('Forget every code read on this device?')) return;
    localStorage.removeItem(STORAGE_KEY);
    location.reload();
  });
  const wasm = fromBase64($('zxing-wasm').textContent!.trim());
  $('wasm-holder')?.remove();
  await prepareZXingModule({ overrides: { wasmBinary: wasm.buffer as ArrayBuffer }, fireImmediately: true });
  $('start').addEventListener('click', () => void startCamera(state));
  await startCamera(state);
}

async function startCamera(state: StationState): Promise<void> {
  const video = $('camera') as HTMLVideoElement;
  // No mediaDevices at all: not a secure context, as a phone's browser opening the file from its downloads (content://) is not.
  if (!window.isSecureContext || !navigator.mediaDevices) { noSecureContext(); return; }
  try {
    video.srcObject = await navigator.mediaDevices.getUserMedia({
      audio: false, video: { facingMode: 'environment', width: { ideal: 1920 }, height: { ideal: 1080 } },
    });
  } catch (e) {
    showStatus('No camera', `${(e as Error).name}: ${(e as Error).message}. Allow the camera, or open this file over https (see README).`, 'bad');
    return;
  }
  await video.play();
  $('start').hidden = true;
  void readLoop(state, video);
}

function noSecureContext(): void {
  showStatus('No camera here', `This browser gives no camera to a page opened as ${location.protocol}//. Open the file on a laptop (file:// works), or on a phone open the https address \`paperchart station --serve\` prints.`, 'bad');
}

async function readLoop(state: StationState, video: HTMLVideoElement): Promise<void> {
  const canvas = document.createElement('canvas');
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  const signalled = new Map<string, number>();
  let frames = 0, spent = 0, since = performance.now();
  for (;;) {
    if (video.videoWidth > 0) {
      canvas.width = video.videoWidth; canvas.height = video.videoHeight;
      ctx.drawImage(video, 0, 0);
      const t0 = performance.now();
      const results = await readBarcodes(ctx.getImageData(0, 0, canvas.width, canvas.height), { formats: ['QRCode'], maxNumberOfSymbols: 8, tryHarder: true });
      spent += performance.now() - t0; frames++;
      // The reading speed, so a slow device is seen to be slow rather than broken.
      if (performance.now() - since > 2000) {
        $('rate').textContent = `camera ${canvas.width}×${canvas.height} · ${(spent / frames / 1000).toFixed(2)} s a frame`;
        frames = 0; spent = 0; since = performance.now();
      }
      let last: ReadEvent | null = null;
      for (const r of results) if (r.isValid && r.text) {
        const e = state.add(r.text);
        const fresh = e.kind === 'new' || (e.kind === 'cross-sheet' && e.fresh);
        if (e.kind === 'not-ours' || (!fresh && performance.now() - (signalled.get(r.text) ?? -Infinity) < REPEAT_QUIET_MS)) continue;
        signalled.set(r.text, performance.now());
        if (last === null || fresh) last = e;
      }
      if (last) {
        signalRead(last);
        localStorage.setItem(STORAGE_KEY, JSON.stringify(state.texts));
        await state.settle();
        render(state, last);
      }
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

function saveTexts(state: StationState): void {
  const run = state.manifest?.runId ?? 'codes';
  const url = URL.createObjectURL(new Blob([state.texts.join('\n') + '\n'], { type: 'text/plain' }));
  const a = document.createElement('a');
  a.href = url; a.download = `paperchart-${run}-${state.texts.length}-codes.txt`;
  document.body.append(a); a.click(); a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Posts every code read to the laptop serving this page, which appends those it does not have yet. */
async function sendTexts(state: StationState, path: string): Promise<void> {
  const button = $('send') as HTMLButtonElement;
  button.disabled = true;
  try {
    const r = await fetch(path, { method: 'POST', headers: { 'content-type': 'text/plain', 'x-paperchart-station': '1' }, body: state.texts.join('\n') + '\n' });
    const a = await r.json() as { new?: number; total?: number; error?: string };
    if (!r.ok) throw new Error(a.error ?? `HTTP ${r.status}`);
    showStatus('Sent to the laptop', `${a.new} new codes, ${a.total} codes on the laptop`, 'good');
  } catch (e) {
    showStatus('Not sent', `${(e as Error).message}: is the laptop's paperchart station --serve still running? Or press save and copy the file over.`, 'bad');
  } finally { button.disabled = state.texts.length === 0; }
}

function showStatus(big: string, small: string, tone: 'good' | 'warn' | 'bad' | 'idle'): void {
  $('status-big').textContent = big;
  $('status-small').textContent = small;
  $('status').dataset['tone'] = tone;
}

function eventWords(e: ReadEvent | null): [string, string, 'good' | 'warn' | 'bad' | 'idle'] | null {
  if (e === null || e.kind === 'not-ours') return null;
  if (e.kind === 'cross-sheet') return e.fresh ? ['New code', 'a cross-sheet parity code, kept for restore', 'good'] : ['Already read', 'a cross-sheet parity code', 'warn'];
  const f = e.frame, what = `${f.kind === 'M' ? 'manifest' : `patient ${f.patientId}`} · code ${f.index} of ${f.total}`;
  if (e.kind === 'new') return ['New code', what, 'good'];
  if (e.kind === 'repeat') return ['Already read', what, 'warn'];
  return ['Another print run', `${what} · run ${f.runId}, not this binder's`, 'bad'];
}

function render(state: StationState, e: ReadEvent | null): void {
  const patients = state.patients();
  const complete = patients.filter((p) => p.status === 'complete').length;
  const words = eventWords(e);
  if (words) showStatus(...words);
  else if ($('status-big').textContent === '') showStatus('Point the camera at a code page', 'codes are read as soon as they are sharp', 'idle');
  $('summary').textContent = state.manifest
    ? `${complete} of ${patients.length} patients complete · run ${state.manifest.runId} · ${state.texts.length} codes read`
    : `${complete} patients complete · ${state.texts.length} codes read · scan the binder's manifest page to see who is missing`;
  const list = $('patients');
  const rows = [state.manifestView(), ...patients].filter((p): p is PatientView => p !== null);
  // What still needs scanning first, in binder order; the complete ones after it.
  const order = { failed: 0, incomplete: 1, 'not started': 2, complete: 3 } as const;
  list.replaceChildren(...rows.sort((a, b) => order[a.status] - order[b.status]).map(patientRow));
  ($('save') as HTMLButtonElement).disabled = state.texts.length === 0;
  ($('send') as HTMLButtonElement).disabled = state.texts.length === 0;
  manifestNote(state.manifest);
}

function patientRow(p: PatientView): HTMLElement {
  const li = document.createElement('li');
  li.className = `patient ${p.status.replace(' ', '-')}`;
  li.dataset['patient'] = p.id;
  li.dataset['status'] = p.status;
  const title = document.createElement('div');
  title.className = 'who';
  title.textContent = p.name ? `${p.name} · MRN ${p.mrn}` : p.id;
  const badge = document.createElement('span');
  badge.className = 'badge';
  badge.textContent = p.status === 'complete' ? '✓ complete' : p.status === 'failed' ? '✗ failed' : `${p.codesIn} of ${p.total ?? '?'} codes`;
  title.prepend(badge);
  const detail = document.createElement('div');
  detail.className = 'detail';
  const parts: string[] = [];
  if (p.status !== 'complete' && p.missing.length) parts.push(`missing: ${p.missing.join('; ')}`);
  if (p.needed) parts.push(`${p.needed} more needed`);
  if (p.signature && p.status === 'complete') parts.push(`signature ${p.signature}`);
  if (p.problem) parts.push(p.problem);
  detail.textContent = parts.join(' · ');
  li.append(title, detail);
  return li;
}

function manifestNote(m: StationManifest | null): void {
  $('binder').textContent = m ? `Binder printed ${m.printedAt}, ${m.patients.length} patients` : 'No manifest yet';
}

void main().catch((e: unknown) => showStatus('Station failed to start', String(e), 'bad'));
