// How an error crosses between print's threads, one way for the drawing thread and the patient workers.
import * as errors from '../../errors.js';

/** An error as a message can carry it (structured clone keeps no class): its class by name, and its fields. */
export interface ThreadError { name: string; message: string; stack?: string; fields: Record<string, unknown> }

/** Every typed error (src/errors.ts is their one home), by class name. */
const TYPED_ERRORS = Object.fromEntries(
  Object.entries(errors).filter(([, v]) => typeof v === 'function' && (v as { prototype?: unknown }).prototype instanceof errors.PaperchartError),
) as Record<string, { prototype: errors.PaperchartError }>;

/** `e` as a message: what errorFromThread rebuilds on the other side. */
export function errorForThread(e: unknown): ThreadError {
  const error = e instanceof Error ? e : new Error(String(e));
  return { name: error.name, message: error.message, ...(error.stack ? { stack: error.stack } : {}), fields: { ...error } };
}

/** The error a thread sent, of its own class when it is a typed error, so callers can still tell them apart. */
export function errorFromThread(e: ThreadError): Error {
  const kind = TYPED_ERRORS[e.name];
  const error: Error = kind ? Object.create(kind.prototype) : new Error();
  Object.defineProperty(error, 'message', { value: e.message, writable: true, configurable: true });
  Object.defineProperty(error, 'stack', { value: e.stack, writable: true, configurable: true });
  return Object.assign(error, e.fields);
}
