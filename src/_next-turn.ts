/** Lets signals (Ctrl-C), I/O and worker messages in between synchronous steps of work. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
