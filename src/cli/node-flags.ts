/**
 * V8 settings paperchart runs under. They can only be given as Node starts
 * (set later, V8 keeps the sizes it began with), so bin/paperchart.js starts
 * itself again with them when it was started without.
 *
 * --max-semi-space-size=4: the drawing thread's young generation, where its
 * short-lived objects are made, at 8 MB instead of V8's 32 (the workers' is
 * set apart, patient-pool.ts). The drawing thread keeps little from one page
 * to the next, and the larger young generation only held garbage: a
 * 1,000-patient print peaked at 305 MB instead of 346 (measured, issue 6).
 */
export const NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4'];

/** Whether a process started with `execArgv` (process.execArgv) runs under NODE_FLAGS. */
export function hasNodeFlags(execArgv: readonly string[]): boolean {
  return NODE_FLAGS.every((flag) => execArgv.includes(flag));
}
