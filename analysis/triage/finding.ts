import type { Severity } from './severity.js';

/** One triage observation about an artifact, whatever the format or analysis that raised it. */
export interface Finding {
  id: string;
  severity: Severity;
  message: string;
  location?: string;
}
