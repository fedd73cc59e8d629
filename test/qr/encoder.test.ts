// The binder's own encoder must make the very symbol the qrcode package makes (issue 6).
import QRCode from 'qrcode';
import { describe, expect, it } from 'vitest';
import { encodeQrModules, QR_CAPACITY, QR_EC_LEVEL, QR_MASK, QR_VERSION } from '../../src/qr/encoder.js';
import { DEFAULT_CAPACITY } from '../../src/codec/frame.js';
import { QR_ALPHANUMERIC, QR_ALPHANUMERIC_MAX } from '../../src/codec/alphanumeric.js';
import { BASE45_ALPHABET } from '../../src/codec/base45.js';

const ALPHANUMERIC = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';

function qrcodeModules(text: string): Uint8Array {
  const qr = QRCode.create([{ data: text, mode: 'alphanumeric' }], {
    version: QR_VERSION, errorCorrectionLevel: QR_EC_LEVEL, maskPattern: QR_MASK,
  } as QRCode.QRCodeOptions);
  return (qr.modules as unknown as { data: Uint8Array }).data;
}

/** A small seeded generator, so a failure names a text that can be made again. */
function randomTexts(count: number, seed: number): string[] {
  let state = seed;
  const next = (n: number): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 8) % n;
  };
  return Array.from({ length: count }, () => {
    const length = 1 + next(QR_CAPACITY);
    let text = '';
    for (let i = 0; i < length; i++) text += ALPHANUMERIC[next(ALPHANUMERIC.length)];
    return text;
  });
}

describe('encodeQrModules', () => {
  it('holds 1,451 characters, as the codec assumes (FORMAT §10)', () => {
    expect(QR_CAPACITY).toBe(1451);
    expect(DEFAULT_CAPACITY).toBe(QR_CAPACITY);
    expect(() => qrcodeModules('A'.repeat(QR_CAPACITY + 1))).toThrow();
  });

  it('knows the most alphanumeric characters any QR code holds, as qrcode does (restore skips longer lines)', () => {
    expect(QRCode.create('A'.repeat(QR_ALPHANUMERIC_MAX), { errorCorrectionLevel: 'L' }).version).toBe(40);
    expect(() => QRCode.create('A'.repeat(QR_ALPHANUMERIC_MAX + 1), { errorCorrectionLevel: 'L' })).toThrow();
  });

  it('packs the alphanumeric set base45 writes in, value for value (ISO/IEC 18004 Table 5, RFC 9285 §4)', () => {
    expect(QR_ALPHANUMERIC).toBe(ALPHANUMERIC);
    expect(BASE45_ALPHABET).toBe(QR_ALPHANUMERIC);
  });

  it('makes the same modules as qrcode at every length class: one, odd, even, full, one short of full', () => {
    const texts = ['0', 'PC', 'PC1:HELLO WORLD $%*+-./:', ALPHANUMERIC.repeat(40).slice(0, QR_CAPACITY),
      'Z'.repeat(QR_CAPACITY - 1), ':'.repeat(QR_CAPACITY), '0'.repeat(999), '0'.repeat(1000)];
    for (const text of texts) expect(Buffer.from(encodeQrModules(text)).equals(qrcodeModules(text)), `length ${text.length}`).toBe(true);
  });

  it('makes the same modules as qrcode for 400 random texts', () => {
    for (const [i, text] of randomTexts(400, 6).entries()) {
      const ours = encodeQrModules(text);
      const theirs = qrcodeModules(text);
      if (!Buffer.from(ours).equals(theirs)) expect.fail(`random text ${i} (length ${text.length}) differs from qrcode's symbol`);
    }
  });

  it('refuses an empty text, a text too long, or one with a character alphanumeric mode lacks, naming it', () => {
    expect(() => encodeQrModules('A'.repeat(QR_CAPACITY + 1))).toThrow(/1452 characters, expected 1 to 1451/);
    expect(() => encodeQrModules('')).toThrow(/0 characters, expected 1 to 1451/);
    expect(() => encodeQrModules('PC1:abc')).toThrow(/character "a" at 4/);
    expect(() => encodeQrModules('PC1:É')).toThrow(/character "É" at 4/);
  });
});
