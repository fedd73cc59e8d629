// `paperchart station --serve`: the scan station page over https on the clinic's own network, so a phone's
// browser gives it the camera (a page opened from a phone's downloads, or over plain http from the laptop's
// address, gets none), and the codes a phone read come back to the laptop with one button.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { networkInterfaces } from 'node:os';
import QRCode from 'qrcode';
import { StationServeError } from '../errors.js';
import { CODE_LINE, CollectFile, defaultCollectPath } from './collect-file.js';
import { selfSignedCertificate } from './self-signed.js';
import { stationPage } from './write-station.js';

export interface ServeOptions {
  binder?: string;
  publicKey?: string;
  /** 0 for any free port. */
  port?: number;
  /** One address to listen on; by default every IPv4 address of this machine's network interfaces and 127.0.0.1. */
  host?: string;
  /** The file the codes sent are appended to; by default beside the binder (defaultCollectPath). */
  collect?: string;
}

/** One "send to laptop": from whom, how many texts, how many were new to the file. */
export interface Received { from: string; texts: number; fresh: number; total: number }

export interface StationServer {
  /** https://ADDRESS:PORT/ for each address served, the network's first, 127.0.0.1 last. */
  urls: string[];
  fingerprint256: string;
  /** The certificate, PEM: what a client that checks it (a test) trusts. */
  cert: string;
  /** The first network URL as a QR code drawn for a terminal, for a phone to open by scanning. */
  qr: string;
  collect: string;
  manifestCodes: number;
  signatureCheck: boolean;
  /** Stops listening and closes open connections; returns the code texts in the collect file. */
  close(): Promise<number>;
}

export const DEFAULT_PORT = 8443;
/** The one path codes may be posted to. */
export const SEND_PATH = '/codes';
/** A body larger than this is refused unread: the 200-patient sample's 1,178 codes are 1.5 MB, so a phone's codes of about 2,000 patients fit. */
export const MAX_BODY = 16 * 1024 * 1024;
/** The header the page sends: a page of another origin cannot send it without a preflight this server never answers. */
const SEND_HEADER = 'x-paperchart-station';

/** This machine's IPv4 addresses on its networks (IPv6 link-local addresses are awkward to type on a phone). */
function lanAddresses(): string[] {
  return Object.values(networkInterfaces()).flat()
    .filter((a) => a !== undefined && a.family === 'IPv4' && !a.internal).map((a) => a!.address);
}

/**
 * Serves the station page on the network, with a certificate made now and kept until `close`.
 * @throws StationServeError; OutputExistsError for a collect file that is not ours; with a binder
 *   UnknownInputError, UnreadablePdfError, NoManifestError; with a key KeyError
 */
export async function serveStation(o: ServeOptions, onReceived: (r: Received) => void = () => undefined): Promise<StationServer> {
  const collect = new CollectFile(o.collect ?? defaultCollectPath(o.binder));
  const page = await stationPage(o, SEND_PATH);
  const hosts = o.host !== undefined ? [o.host] : [...lanAddresses(), '127.0.0.1'];
  const tls = selfSignedCertificate([...hosts, 'localhost']);
  const html = Buffer.from(page.html, 'utf8');
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && (path === '/' || path === '/index.html')) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': html.length, 'cache-control': 'no-store' });
      res.end(html);
    } else if (req.method === 'POST' && path === SEND_PATH) {
      receive(req, res, collect, onReceived);
    } else answer(res, req.method === 'GET' || req.method === 'POST' ? 404 : 405, { error: 'not here' });
  };
  const servers: Server[] = [];
  let port = o.port ?? DEFAULT_PORT;
  try {
    for (const host of hosts) {
      const server = createServer({ key: tls.key, cert: tls.cert }, handler);
      server.requestTimeout = 120_000;
      servers.push(server);
      port = await listen(server, host, port);
    }
  } catch (e) {
    await Promise.all(servers.map(stop));
    throw e;
  }
  const urls = hosts.map((h) => `https://${h}:${port}/`);
  return {
    urls, fingerprint256: tls.fingerprint256, cert: tls.cert, collect: collect.path, manifestCodes: page.manifestCodes, signatureCheck: page.signatureCheck,
    qr: await QRCode.toString(urls[0]!, { type: 'terminal', small: true }),
    close: async () => { await Promise.all(servers.map(stop)); return collect.size; },
  };
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(new StationServeError(`${host}:${port}`,
      e.code === 'EADDRINUSE' ? 'the port is in use' : e.code === 'EADDRNOTAVAIL' ? 'not an address of this machine' : e.code ?? e.message)));
    server.listen(port, host, () => {
      server.removeAllListeners('error');
      server.on('error', () => undefined);
      resolve((server.address() as { port: number }).port);
    });
  });
}

function stop(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) { resolve(); return; }
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function answer(res: ServerResponse, status: number, body: object): void {
  const b = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': b.length, 'cache-control': 'no-store' });
  res.end(b);
}

/** A POST of code texts, one a line: refused whole if too large or without the page's header, appended otherwise. */
function receive(req: IncomingMessage, res: ServerResponse, collect: CollectFile, onReceived: (r: Received) => void): void {
  if (req.headers[SEND_HEADER] !== '1') { answer(res, 403, { error: 'send from the station page' }); req.resume(); return; }
  // Too large: answered at once, the connection closed once the answer is out, the rest never read.
  const refuse = (): void => {
    res.setHeader('connection', 'close');
    res.on('finish', () => req.destroy());
    answer(res, 413, { error: `more than ${MAX_BODY} bytes` });
  };
  req.on('error', () => undefined);
  if (Number(req.headers['content-length'] ?? 0) > MAX_BODY) { refuse(); return; }
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (c: Buffer) => {
    if (size > MAX_BODY) return;
    size += c.length;
    if (size > MAX_BODY) { chunks.length = 0; refuse(); return; }
    chunks.push(c);
  });
  req.on('end', () => {
    if (size > MAX_BODY) return;
    const lines = Buffer.concat(chunks).toString('latin1').split('\n').map((l) => l.trim()).filter((l) => l !== '');
    const texts = lines.filter((l) => CODE_LINE.test(l));
    if (texts.length === 0) { answer(res, 400, { error: 'no code texts in the body' }); return; }
    let fresh: number;
    try { fresh = collect.append(texts); } catch (e) { answer(res, 500, { error: (e as Error).message }); return; }
    const r: Received = { from: req.socket.remoteAddress ?? '?', texts: texts.length, fresh, total: collect.size };
    onReceived(r);
    answer(res, 200, { received: r.texts, new: r.fresh, total: r.total, refused: lines.length - texts.length });
  });
}
