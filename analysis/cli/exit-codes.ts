/** Process exit codes of `mlshield` (DESIGN.md: 0 clean / 1 error / 2 alert). */
export const EXIT = {
  OK: 0,
  ERROR: 1,
  ALERT: 2,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
