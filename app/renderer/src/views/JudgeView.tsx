/** Judge: Layer-3 verdicts. Until the cascade writes judgements, says so plainly. */
import { useApp } from '../state/store-context.js';

export function JudgeView() {
  const caseInfo = useApp((s) => s.caseInfo);
  return (
    <div className="view">
      <h2>Judge</h2>
      <p className="muted">
        {caseInfo
          ? 'Not run: the LLM judge (Layer 3) has not looked at this case. Its verdicts, reasoning, the exact context sent and token counts will be listed here; each event\u2019s answer already shows in the Events detail.'
          : 'Open a case first.'}
      </p>
    </div>
  );
}
