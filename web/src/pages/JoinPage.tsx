import { useEffect, useState, type FormEvent } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import { api, ApiError } from '../api';
import type { InvitePreview } from '../api/types';
import { candidateToken, saveCandidateToken } from '../auth/tokens';

/** Where an invite link lands: say what it is for, take a name, enter the room. */
export default function JoinPage() {
  const { token = '' } = useParams();
  const navigate = useNavigate();
  const [invite, setInvite] = useState<InvitePreview | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (candidateToken(token)) {
      navigate(`/join/${token}/room`, { replace: true });
      return;
    }
    api.previewInvite(token).then(
      (preview) => {
        if (preview.status === 'completed') setProblem('This interview has already finished.');
        else setInvite(preview);
      },
      (e) => setProblem(inviteProblem(e)),
    );
  }, [token, navigate]);

  async function join(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const name = String(new FormData(e.currentTarget).get('name') ?? '').trim();
    if (!name) {
      setError('Enter your name.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const joined = await api.joinInvite(token, name);
      saveCandidateToken(token, { token: joined.token, expiresAt: joined.expiresAt, name, sessionId: joined.session.id });
      navigate(`/join/${token}/room`, { replace: true });
    } catch (err) {
      if (err instanceof ApiError && (err.status === 404 || err.status === 410)) setProblem(inviteProblem(err));
      else setError(err instanceof ApiError ? err.message : 'Could not join. Please try again.');
      setBusy(false);
    }
  }

  if (problem) {
    return (
      <main className="centered">
        <div className="card narrow" role="alert">
          <div className="brand">DevInterview</div>
          <h1>This invite cannot be used</h1>
          <p>{problem}</p>
          <p className="muted">Ask your interviewer for a new link if you think this is a mistake.</p>
        </div>
      </main>
    );
  }
  if (!invite) return <div className="page-loading">Checking your invite…</div>;
  return (
    <main className="centered">
      <form className="card narrow" onSubmit={join} aria-label="Join the interview">
        <div className="brand">DevInterview</div>
        <h1>{invite.title}</h1>
        <p className="muted">You are invited to a live coding interview. Enter your name to join.</p>
        <label className="field">
          <span>Your name</span>
          <input name="name" defaultValue={invite.candidateName} maxLength={100} required autoFocus />
        </label>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary wide" disabled={busy}>
          {busy ? 'Joining…' : 'Join the interview'}
        </button>
      </form>
    </main>
  );
}

function inviteProblem(e: unknown): string {
  if (e instanceof ApiError) {
    if (e.status === 404) return 'This invite link is not valid. Check that you copied all of it.';
    if (e.status === 410) return e.message || 'This interview has ended or was cancelled.';
    return e.message;
  }
  return 'Could not check the invite.';
}
