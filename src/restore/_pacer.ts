import { nextTurn } from '../_next-turn.js';

/** Work done between two returns to the event loop, where Ctrl-C and SIGTERM are handled. */
const STEP_MS = 20;

/**
 * A function to await between units of work: it returns to the event loop
 * (so a signal's handler runs and can end the process) once STEP_MS of work
 * have passed, and resolves true when it did.
 */
export function pacer(): () => Promise<boolean> {
  let last = performance.now();
  return async () => {
    if (performance.now() - last < STEP_MS) return false;
    await nextTurn();
    last = performance.now();
    return true;
  };
}
