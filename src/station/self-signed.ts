// A self-signed TLS certificate for `station --serve`, made with node:crypto and a small DER writer: a phone's
// browser gives a page the camera only in a secure context (https), and no npm package fitted (selfsigned is
// not in the registry list here; node-forge is 1.7 MB of JavaScript for the 80 lines below).
import { X509Certificate, createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { isIPv4 } from 'node:net';

export interface SelfSigned {
  /** PEM, for node:https. Kept in memory for the session only, never written. */
  key: string;
  cert: string;
  /** SHA-256 of the certificate's DER, "AB:CD:…", as a browser's certificate viewer shows it. */
  fingerprint256: string;
}

/** How long the certificate is good for: the outage, with a day's slack for a phone's clock. */
const VALID_DAYS = 30;
const DAY_MS = 86_400_000;

// ── DER (X.690): tag, length, contents ──
function der(tag: number, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const n = body.length;
  const len = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), len, body]);
}
const seq = (...p: Buffer[]): Buffer => der(0x30, ...p);
const set = (...p: Buffer[]): Buffer => der(0x31, ...p);
const explicit = (n: number, ...p: Buffer[]): Buffer => der(0xa0 + n, ...p);
function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const bytes = [a! * 40 + b!];
  for (const v of rest) {
    const groups: number[] = [];
    for (let x = v; ; x = Math.floor(x / 128)) { groups.unshift(x % 128); if (x < 128) break; }
    bytes.push(...groups.map((g, i) => (i < groups.length - 1 ? g | 0x80 : g)));
  }
  return der(0x06, Buffer.from(bytes));
}
/** A positive INTEGER from unsigned big-endian bytes. */
const integer = (b: Buffer): Buffer => der(0x02, b[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b);
const utf8String = (s: string): Buffer => der(0x0c, Buffer.from(s, 'utf8'));
const octetString = (b: Buffer): Buffer => der(0x04, b);
const bitString = (b: Buffer): Buffer => der(0x03, Buffer.from([0]), b);
const bool = (v: boolean): Buffer => der(0x01, Buffer.from([v ? 0xff : 0]));
/** UTCTime, YYMMDDHHMMSSZ (RFC 5280 §4.1.2.5.1: dates before 2050). */
const utcTime = (d: Date): Buffer => der(0x17, Buffer.from(d.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z', 'ascii'));

const ECDSA_SHA256 = seq(oid('1.2.840.10045.4.3.2'));
const name = (cn: string): Buffer => seq(set(seq(oid('2.5.4.3'), utf8String(cn))));
const extension = (id: string, critical: boolean, value: Buffer): Buffer =>
  seq(oid(id), ...(critical ? [bool(true)] : []), octetString(value));

/**
 * A P-256 key and a certificate for it, signed by itself, naming `hosts` (IPv4 addresses and DNS names)
 * as its subject alternative names: browsers match the address typed against these, never the CN.
 */
export function selfSignedCertificate(hosts: readonly string[], now = new Date()): SelfSigned {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const altNames = hosts.map((h) => isIPv4(h)
    ? der(0x87, Buffer.from(h.split('.').map(Number))) // iPAddress [7]
    : der(0x82, Buffer.from(h, 'ascii'))); // dNSName [2]
  const tbs = seq(
    explicit(0, integer(Buffer.from([2]))), // v3
    integer(Buffer.concat([Buffer.from([0x40]), randomBytes(15)])),
    ECDSA_SHA256,
    name('paperchart scan station'),
    seq(utcTime(new Date(now.getTime() - DAY_MS)), utcTime(new Date(now.getTime() + VALID_DAYS * DAY_MS))),
    name('paperchart scan station'),
    publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, seq(
      extension('2.5.29.17', false, seq(...altNames)), // subjectAltName
      extension('2.5.29.19', true, seq()), // basicConstraints: not a CA
      extension('2.5.29.37', false, seq(oid('1.3.6.1.5.5.7.3.1'))), // extKeyUsage: serverAuth
    )),
  );
  const certDer = seq(tbs, ECDSA_SHA256, bitString(sign('sha256', tbs, privateKey)));
  const cert = `-----BEGIN CERTIFICATE-----\n${certDer.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;
  // Parsed back by OpenSSL (through node): a malformed certificate fails here, not in a phone's browser.
  new X509Certificate(cert);
  return {
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    cert,
    fingerprint256: createHash('sha256').update(certDer).digest('hex').toUpperCase().match(/../g)!.join(':'),
  };
}
