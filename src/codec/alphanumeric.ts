/**
 * The 45 characters of QR alphanumeric mode, in the order of their values
 * (ISO/IEC 18004 Table 5). Base45 (RFC 9285 §4) uses the same characters in
 * the same order, which is why a frame's text fits that mode (FORMAT §3);
 * qr/encoder.ts packs them.
 */
export const QR_ALPHANUMERIC = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';

/** A character's value by its code (all are below 128), −1 for one outside the set. */
export const ALPHANUMERIC_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < QR_ALPHANUMERIC.length; i++) ALPHANUMERIC_VALUE[QR_ALPHANUMERIC.charCodeAt(i)] = i;

/** The most alphanumeric characters any QR code holds: version 40, level L (ISO/IEC 18004 Table 7). */
export const QR_ALPHANUMERIC_MAX = 4296;
