import { Suspense, lazy, useEffect, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { api, ApiError } from '../api';
import type { Submission } from '../api/problems';
import type { RunResult, Session } from '../api/types';
import { GradeTable } from '../features/problems/GradeTable';
import { TopBar } from '../app/TopBar';
import { useRoom } from '../features/room/useRoom';
import { currentLogin } from '../auth/tokens';
import { Whiteboard } from '../features/whiteboard';
import { formatCount, formatDate, formatDuration, languageLabel } from '../lib/format';

const CodeEditor = lazy(() => import('../features/editor/CodeEditor'));
const noop = () => {};

/** A finished interview, read-only: final code, whiteboard, runs, notes and score. */
export default function ReviewPage() {
  const { id = '' } = useParams();
  const [session, setSession] = useState<Session | null>(null);
  const [runs, setRuns] = useState<RunResult[] | null>(null);
  const [submissions, setSubmissions] = useState<Submission[]>([]);
  const [error, setError] = useState<string | null>(null);
  // The room's document (code and whiteboard) comes over the same socket as live,
  // read-only once the interview is completed.
  const { connection, snapshot } = useRoom(id, currentLogin()?.token ?? null, noop);

  useEffect(() => {
    api.getSession(id).then(setSession, (e) => setError(e instanceof ApiError ? e.message : 'Could not load.'));
    api.listSubmissions(id).then(
      (r) => setSubmissions(r.items),
      () => setSubmissions([]),
    );
    api.listRuns(id).then(
      (r) => setRuns(r.items),
      () => setRuns([]),
    );
  }, [id]);

  return (
    <>
      <TopBar />
      <main className="page review">
        <p>
          <Link to="/dashboard">← All interviews</Link>
        </p>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        {session && (
          <>
            <h1>
              {session.title} <span className={`badge ${session.status}`}>{session.status}</span>
            </h1>
            <dl className="facts">
              <dt>Candidate</dt>
              <dd>{session.candidateName}</dd>
              <dt>Language</dt>
              <dd>{languageLabel(session.language)}</dd>
              <dt>Held</dt>
              <dd>{formatDate(session.startedAt)}</dd>
              <dt>Duration</dt>
              <dd data-testid="review-duration">{session.neverStarted ? 'not held' : formatDuration(session.durationSeconds)}</dd>
              <dt>Score</dt>
              <dd>{session.score ?? '—'}</dd>
            </dl>
            <h2>Notes</h2>
            <pre className="notes">{session.notes || 'No notes.'}</pre>
          </>
        )}
        <h2>Final code</h2>
        <div className="review-editor">
          {connection && snapshot?.joined ? (
            <Suspense fallback={<p className="muted">Loading…</p>}>
              <CodeEditor text={connection.doc.getText('code')} awareness={connection.awareness} language={snapshot.language} readOnly />
            </Suspense>
          ) : (
            <pre className="code">{session?.code ?? ''}</pre>
          )}
        </div>
        <h2>Whiteboard</h2>
        <div className="review-whiteboard">
          {connection && snapshot?.joined && (
            <Suspense fallback={<p className="muted">Loading…</p>}>
              <Whiteboard map={connection.doc.getMap('whiteboard')} readOnly />
            </Suspense>
          )}
        </div>
        {submissions.length > 0 && (
          <>
            <h2>Gradings</h2>
            {submissions.map((s, i) => (
              <details key={s.id} open={i === 0}>
                <summary>
                  {formatDate(s.createdAt)} · {languageLabel(s.language)} · score {s.score}
                </summary>
                <GradeTable report={s} />
              </details>
            ))}
          </>
        )}
        <h2>Runs</h2>
        {runs === null && <p className="muted">Loading…</p>}
        {runs?.length === 0 && <p className="muted">No code was run.</p>}
        {runs && runs.length > 0 && (
          <table className="runs">
            <thead>
              <tr>
                <th>When</th>
                <th>Who</th>
                <th>Where</th>
                <th>Language</th>
                <th>Verdict</th>
                <th>Exit</th>
                <th>Fuel</th>
                <th>Time</th>
              </tr>
            </thead>
            <tbody>
              {runs.map((r) => (
                <tr key={r.runId}>
                  <td>{formatDate(r.at)}</td>
                  <td>{r.by?.name ?? '—'}</td>
                  <td>{r.source === 'server' ? 'server' : 'browser'}</td>
                  <td>{languageLabel(r.language)}</td>
                  <td>{r.status}</td>
                  <td>{r.exitCode ?? '—'}</td>
                  <td>{formatCount(r.fuelUsed)}</td>
                  <td>{r.wallTimeMs ?? '—'} ms</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </main>
    </>
  );
}
