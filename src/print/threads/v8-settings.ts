import { setFlagsFromString } from 'node:v8';

/**
 * V8's settings for a print. They are the process's, for every thread, and V8 reads them as it goes (at each
 * collection, at each function's next check for optimising), so setting them when a print's thread starts is enough.
 *
 * - Heap growth capped at twice what is live after a collection, where V8 allows four when collecting is cheap:
 *   a 1,000-patient print peaked at 382 MB instead of 462, in the same time (docs/PERFORMANCE.md).
 * - Functions optimised later: at V8's default budget its optimising compiler took 1.8-2.2 s of CPU in a 2.5 s
 *   supplement, on threads sharing two cores with the drawing. With nine times the default a 1% supplement of
 *   10,000 patients took 2.31 s against 2.43 s (median of 8), a 1,000-patient print 7.9 s against 9.5 s (median
 *   of 4), a 10,000-patient print 48-53 s against 54-71 s (4 each, interleaved; docs/PERFORMANCE.md).
 */
export function applyPrintV8Settings(): void {
  setFlagsFromString('--heap-growing-percent=100');
  setFlagsFromString(`--interrupt-budget=${OPTIMISE_AFTER_BUDGET}`);
}

/** V8's budget of bytecode run before a function is considered for optimising; its default is 67,584 (node --v8-options). */
const OPTIMISE_AFTER_BUDGET = 600_000;
