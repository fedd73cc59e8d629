import { setFlagsFromString } from 'node:v8';

/**
 * Caps how far V8 lets a heap grow past what is live after a collection: at
 * most twice, where V8 allows four when collecting is cheap. A 1,000-patient
 * print peaked at 382 MB instead of 462, in the same time (docs/PERFORMANCE.md).
 *
 * The setting is the process's, for every thread, and V8 reads it at each
 * collection, so setting it once a print starts is enough; it changes only
 * how soon a heap is collected again.
 */
export function capHeapGrowth(): void {
  setFlagsFromString('--heap-growing-percent=100');
}
