import { useEffect, useState } from 'react';
import { ApiError, type ApiClient } from '../../api/client';
import type { GradeReport, RoomProblem } from '../../api/problems';
import { GradeTable } from './GradeTable';
import { Markdown } from './Markdown';

/**
 * The interview's problem: statement and sample tests for both sides; the
 * interviewer grades the room's code, the candidate runs the sample tests.
 */
export function ProblemPanel(props: {
  problem: RoomProblem;
  sessionId: string;
  client: ApiClient;
  interviewer: boolean;
  language: string;
  readOnly: boolean;
  /** Waits until the server has the editor's latest code. */
  beforeRun?: () => Promise<void>;
  onScore?: (score: number) => void;
}) {
  const { problem, client, sessionId, interviewer, language } = props;
  const [report, setReport] = useState<GradeReport | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function run() {
    setBusy(true);
    setError(null);
    try {
      await props.beforeRun?.();
      const result = interviewer
        ? await client.gradeSession(sessionId, language)
        : await client.testSession(sessionId, language);
      setReport(result);
      if (interviewer) props.onScore?.(result.score);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'Grading failed.');
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="problem-panel" aria-label="Problem">
      <h2>
        {problem.title} <span className="badge">{problem.difficulty}</span>
      </h2>
      <Markdown source={problem.statement} />
      <h3>Sample tests</h3>
      {problem.samples.map((t) => (
        <div key={t.index} className="sample">
          {t.kind === 'stdio' ? (
            <>
              <div className="muted small">stdin</div>
              <pre>{t.stdin || '(empty)'}</pre>
              <div className="muted small">expected stdout</div>
              <pre>{t.expectedStdout}</pre>
            </>
          ) : (
            <pre>
              {t.function}({t.args.map((a) => JSON.stringify(a)).join(', ')}) → {JSON.stringify(t.expected)}
            </pre>
          )}
        </div>
      ))}
      {problem.hiddenCount > 0 && <p className="muted small">…and {problem.hiddenCount} hidden tests.</p>}
      <div className="row">
        <button type="button" className="primary" onClick={run} disabled={busy || props.readOnly}>
          {busy ? 'Running…' : interviewer ? 'Grade the code' : 'Run sample tests'}
        </button>
        {error && (
          <span className="error" role="alert">
            {error}
          </span>
        )}
      </div>
      {report && <GradeTable report={report} />}
    </section>
  );
}

/** The session's problem, or null when none is attached. */
export function useRoomProblem(client: ApiClient, sessionId: string): RoomProblem | null {
  const [problem, setProblem] = useState<RoomProblem | null>(null);
  useEffect(() => {
    client.sessionProblem(sessionId).then(setProblem, () => setProblem(null));
  }, [client, sessionId]);
  return problem;
}
