import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError } from '../../api';
import type { ProblemSummary } from '../../api/problems';
import type { Session } from '../../api/types';
import { LANGUAGES } from '../../lib/format';

/** Checks the form the way the server will, so most mistakes never leave the page. */
export function validateNewSession(v: { candidateName: string; candidateEmail: string; title: string }): string | null {
  if (!v.candidateName.trim()) return "Enter the candidate's name.";
  if (v.candidateName.trim().length > 100) return "The candidate's name may be at most 100 characters.";
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v.candidateEmail.trim())) return 'Enter a valid e-mail address.';
  if (v.title.length > 200) return 'The title may be at most 200 characters.';
  return null;
}

export function CreateSessionDialog(props: { onCreated: (s: Session) => void; onClose: () => void }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [problems, setProblems] = useState<ProblemSummary[]>([]);

  useEffect(() => {
    // The picker is optional: without the list the dialog still works.
    api.listProblems().then((page) => setProblems(page.items), () => setProblems([]));
  }, []);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    const values = {
      candidateName: String(data.get('candidateName') ?? ''),
      candidateEmail: String(data.get('candidateEmail') ?? ''),
      title: String(data.get('title') ?? ''),
      language: String(data.get('language') ?? 'python'),
      problemId: String(data.get('problemId') ?? ''),
    };
    const invalid = validateNewSession(values);
    if (invalid) {
      setError(invalid);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const created = await api.createSession({
        candidateName: values.candidateName.trim(),
        candidateEmail: values.candidateEmail.trim(),
        language: values.language,
        title: values.title.trim() || undefined,
        problemId: values.problemId || undefined,
      });
      props.onCreated(created);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Could not create the session.');
      setBusy(false);
    }
  }

  return (
    <div className="modal-backdrop" role="presentation" onClick={props.onClose}>
      <form
        className="card modal"
        role="dialog"
        aria-modal="true"
        aria-label="New interview"
        onClick={(e) => e.stopPropagation()}
        onSubmit={submit}
        noValidate
      >
        <h2>New interview</h2>
        <label className="field">
          <span>Candidate name</span>
          <input name="candidateName" autoFocus maxLength={100} />
        </label>
        <label className="field">
          <span>Candidate e-mail</span>
          <input name="candidateEmail" type="email" />
        </label>
        <label className="field">
          <span>Title (optional)</span>
          <input name="title" maxLength={200} placeholder="e.g. Backend engineer, round 2" />
        </label>
        <label className="field">
          <span>Language</span>
          <select name="language" defaultValue="python">
            {LANGUAGES.map((l) => (
              <option key={l.id} value={l.id}>
                {l.label}
                {l.runnable ? '' : ' (editor only)'}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Problem (optional)</span>
          <select name="problemId" defaultValue="">
            <option value="">No problem</option>
            {problems.map((p) => (
              <option key={p.id} value={p.id}>
                {p.title} ({p.difficulty}, {p.testCount} tests)
              </option>
            ))}
          </select>
        </label>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <div className="row end">
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create'}
          </button>
        </div>
      </form>
    </div>
  );
}
