import { useCallback, useEffect, useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { api, ApiError } from '../api';
import type { Session } from '../api/types';
import { TopBar } from '../app/TopBar';
import { ConfirmDialog } from '../features/dashboard/ConfirmDialog';
import { CreateSessionDialog } from '../features/dashboard/CreateSessionDialog';
import { formatDate, formatDuration, languageLabel } from '../lib/format';

/** The interviewer's sessions, newest first, with what can be done to each. */
export default function DashboardPage() {
  const navigate = useNavigate();
  const [sessions, setSessions] = useState<Session[] | null>(null);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<Session | null>(null);
  const [copied, setCopied] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const page = await api.listSessions(100, 0);
      setSessions(page.items);
      setTotal(page.total);
      setError(null);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'Could not load your sessions.');
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  async function act(what: () => Promise<unknown>) {
    try {
      await what();
      await load();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'That did not work.');
    }
  }

  async function copyInvite(s: Session) {
    if (!s.inviteUrl) return;
    try {
      await navigator.clipboard.writeText(s.inviteUrl);
      setCopied(s.id);
    } catch {
      // Clipboard refused (no permission, not secure context): show the link to copy by hand.
      window.prompt('Copy the invite link', s.inviteUrl);
    }
  }

  return (
    <>
      <TopBar />
      <main className="page">
        <div className="row between">
          <h1>Interviews</h1>
          <button type="button" className="primary" onClick={() => setCreating(true)}>
            New interview
          </button>
        </div>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        {sessions === null && !error && <p className="muted">Loading…</p>}
        {sessions?.length === 0 && (
          <div className="empty card">
            <p>No interviews yet.</p>
            <p className="muted">Create one, then send the candidate its invite link.</p>
          </div>
        )}
        {sessions && sessions.length > 0 && (
          <table className="sessions" aria-label="Interviews">
            <thead>
              <tr>
                <th>Candidate</th>
                <th>Title</th>
                <th>Language</th>
                <th>Status</th>
                <th>Created</th>
                <th>Duration</th>
                <th>Score</th>
                <th aria-label="Actions" />
              </tr>
            </thead>
            <tbody>
              {sessions.map((s) => (
                <tr key={s.id} data-session-id={s.id}>
                  <td>{s.candidateName}</td>
                  <td>{s.title}</td>
                  <td>{languageLabel(s.language)}</td>
                  <td>
                    <span className={`badge ${s.status}`} data-testid="status">
                      {s.status}
                    </span>
                  </td>
                  <td>{formatDate(s.createdAt)}</td>
                  <td data-testid="duration">
                    {s.status === 'completed' ? (s.neverStarted ? 'not held' : formatDuration(s.durationSeconds)) : '—'}
                  </td>
                  <td>{s.score ?? '—'}</td>
                  <td className="actions">
                    {s.status !== 'completed' && (
                      <>
                        <button type="button" onClick={() => copyInvite(s)}>
                          {copied === s.id ? 'Copied' : 'Copy invite'}
                        </button>
                        <button type="button" onClick={() => navigate(`/sessions/${s.id}/room`)}>
                          Open
                        </button>
                      </>
                    )}
                    {s.status === 'scheduled' && (
                      <button type="button" onClick={() => act(() => api.startSession(s.id))}>
                        Start
                      </button>
                    )}
                    {s.status === 'active' && (
                      <button type="button" onClick={() => act(() => api.terminateSession(s.id))}>
                        Terminate
                      </button>
                    )}
                    {s.status === 'completed' && <Link to={`/sessions/${s.id}/review`}>Review</Link>}
                    <button type="button" className="danger-text" onClick={() => setDeleting(s)}>
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {sessions && total > sessions.length && (
          <p className="muted">
            Showing the newest {sessions.length} of {total}.
          </p>
        )}
      </main>
      {creating && (
        <CreateSessionDialog
          onClose={() => setCreating(false)}
          onCreated={() => {
            setCreating(false);
            void load();
          }}
        />
      )}
      {deleting && (
        <ConfirmDialog
          title="Delete this interview?"
          message={`The interview with ${deleting.candidateName} and everything in it (code, whiteboard, notes) will be erased, and its invite link will stop working.`}
          confirmLabel="Delete"
          onCancel={() => setDeleting(null)}
          onConfirm={() => {
            const s = deleting;
            setDeleting(null);
            void act(() => api.deleteSession(s.id));
          }}
        />
      )}
    </>
  );
}
