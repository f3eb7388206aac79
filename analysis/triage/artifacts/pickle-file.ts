/**
 * A bare pickle file (protocols 0–5, possibly several pickles in a row, possibly a payload after
 * STOP): analysed statically as a whole, up to the MAX_PICKLE_BYTES bound.
 */
import { addToPlan, emptyPlan, type ArtifactPlan, type ReadContext } from './artifact-plan.js';
import { analyzePickleBytes, MAX_PICKLE_BYTES } from './pickle-findings.js';

export async function readPickleFile(ctx: ReadContext): Promise<ArtifactPlan> {
  const plan = emptyPlan('pickle');
  const bytes = await ctx.src.read(0, Math.min(ctx.src.size, MAX_PICKLE_BYTES));
  const out = analyzePickleBytes(bytes, undefined, { context: 'generic', strict: ctx.strict }, ctx.src.size);
  addToPlan(plan, out.findings, out.imports);
  return plan;
}
