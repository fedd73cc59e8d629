/**
 * V8 settings paperchart runs under. They can only be given as Node starts
 * (set later, V8 keeps the sizes it began with), so bin/paperchart.js starts
 * itself again with them when it was started without.
 *
 * --max-semi-space-size=4: the drawing thread's young generation, where its
 * short-lived objects are made, at 8 MB instead of V8's 32 (the workers' is
 * set apart, patient-pool.ts). The drawing thread keeps little from one page
 * to the next, and the larger young generation only held garbage: 10,000
 * patients peaked at 349–354 MB instead of 401–404, 1,000 at 307–313
 * instead of 345–357; CPU time moved within the machine's run-to-run noise
 * (1,000 patients: 31.0–33.9 s against 26.3–31.6) (measured, issue 6).
 */
export const NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4'];

/** Whether a process started with `execArgv` (process.execArgv) runs under NODE_FLAGS. */
export function hasNodeFlags(execArgv: readonly string[]): boolean {
  return NODE_FLAGS.every((flag) => execArgv.includes(flag));
}
