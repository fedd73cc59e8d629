import { describe, it, expect } from 'vitest';
import { encodeRecord } from '../../src/codec/record-codec.js';
import { decodeFrame } from '../../src/codec/frame.js';
import { StationState } from '../../src/station/browser/station-state.js';
import { handmadePatient } from '../fixtures/handmade-clinic.js';

// The station page's state, in Node (Web Crypto and DecompressionStream are there too), given a cross-sheet
// parity code (PC1:X:, another helper's new frame kind): counted as read and saved for restore, otherwise ignored.
const RECORD = handmadePatient(3);
const CROSS = 'PC1:X:20261125160000::0123456789ABCDEF:1/2:1:MADE UP PARITY 5$%*+-./:';

describe('the station page and a cross-sheet parity code', () => {
  it('counts it as a read code and keeps it, and marks no one complete for it', async () => {
    const texts = encodeRecord(RECORD, { runId: '20261125160000', printedAt: '2026-11-25T16:00:00Z', capacity: 120 });
    expect(texts.length).toBeGreaterThan(2);
    const state = new StationState(null);
    // One code fewer than the data codes: the patient stays incomplete whatever parity there is.
    const need = decodeFrame(texts[0]!).dataCount - 1;
    for (const t of texts.slice(0, need)) state.add(t);
    await state.settle();
    const before = state.patients();
    expect(before.map((p) => p.status)).toEqual(['incomplete']);

    expect(state.add(CROSS)).toEqual({ kind: 'cross-sheet', fresh: true });
    expect(state.add(`${CROSS}\r\n`)).toEqual({ kind: 'cross-sheet', fresh: false });
    expect(await state.settle()).toBe(false);
    expect(state.texts).toHaveLength(need + 1);
    expect(state.texts.at(-1)).toBe(CROSS);
    expect(state.patients()).toEqual(before);
    expect(state.manifestView()).toBeNull();

    // The rest of the patient's codes still complete it, the parity code beside them.
    for (const t of texts.slice(need)) state.add(t);
    await state.settle();
    expect(state.patients().map((p) => [p.status, p.name, p.mrn])).toEqual([['complete', `${RECORD.patient.family_name}, ${RECORD.patient.given_names}`, RECORD.patient.mrn]]);
  });
});
