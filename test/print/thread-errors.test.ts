import { describe, it, expect } from 'vitest';
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { errorForThread, errorFromThread, type ThreadError } from '../../src/print/threads/thread-errors.js';
import { KeyError, PaperchartError, RecordTooLargeError } from '../../src/errors.js';

/** Sends `e` through a real message port (structured clone, as between threads) and rebuilds it. */
function acrossThreads(e: unknown): Error {
  const { port1, port2 } = new MessageChannel();
  port1.postMessage(errorForThread(e));
  const received = receiveMessageOnPort(port2)!.message as ThreadError;
  port1.close();
  return errorFromThread(received);
}

describe('errors between print threads', () => {
  it('arrive as their own class, with their code, remedy and fields', () => {
    const e = acrossThreads(new RecordTooLargeError('P000042', 1200, 1000));
    expect(e).toBeInstanceOf(RecordTooLargeError);
    expect(e).toBeInstanceOf(PaperchartError);
    const typed = e as RecordTooLargeError;
    expect([typed.code, typed.patientId, typed.codes, typed.cap, typed.exitCode]).toEqual(['E_RECORD_TOO_LARGE', 'P000042', 1200, 1000, 2]);
    expect(typed.message).toBe('patient P000042: record needs 1200 codes, the cap is 1000');
    expect(typed.remedy).toMatch(/raise the cap/);
  });

  it('include a key error (the list the drawing thread once kept missed it)', () => {
    expect(acrossThreads(new KeyError('bad key'))).toBeInstanceOf(KeyError);
  });

  it('leave any other error a plain Error with its message and stack, never a typed one', () => {
    const e = acrossThreads(new TypeError('x is not a function'));
    expect(e).not.toBeInstanceOf(PaperchartError);
    expect(e.message).toBe('x is not a function');
    expect(e.stack).toMatch(/TypeError: x is not a function/);
    expect(acrossThreads('thrown string').message).toBe('thrown string');
  });
});
