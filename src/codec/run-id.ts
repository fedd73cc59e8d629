// A print run's id is its print time's digits (FORMAT §4.2): "2026-11-25T15:00:00Z" is run 20261125150000.

/** The run id of a print at `printedAt` (UTC, ISO 8601): its digits, so the same print time gives the same codes. */
export function runIdFor(printedAt: string): string {
  return printedAt.replace(/[^0-9]/g, '');
}

/** The print time a run id stands for, comparable with a container's `printedAt`; a run id of another form as it is. */
export function printedAtOfRunId(runId: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(runId);
  return m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z` : runId;
}
