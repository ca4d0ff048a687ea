import { useEffect, useRef, useState } from 'react';
import { api, ApiError } from '../../api';
import type { Session } from '../../api/types';

/** Private notes and score: only the interviewer sees them; saved to the session. */
export function InterviewerPanel(props: { session: Session; onTerminate: () => void; terminating: boolean }) {
  const [notes, setNotes] = useState(props.session.notes ?? '');
  const [score, setScore] = useState(props.session.score?.toString() ?? '');
  const [state, setState] = useState<'saved' | 'dirty' | 'saving' | 'error'>('saved');
  const [error, setError] = useState<string | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const latest = useRef({ notes, score });
  latest.current = { notes, score };

  async function save() {
    timer.current = null;
    const { notes: n, score: s } = latest.current;
    const parsed = s.trim() === '' ? null : Number(s);
    if (parsed !== null && (!Number.isInteger(parsed) || parsed < 0 || parsed > 100)) {
      setState('error');
      setError('The score is a whole number from 0 to 100.');
      return;
    }
    setState('saving');
    try {
      await api.updateSession(props.session.id, { notes: n, ...(parsed === null ? {} : { score: parsed }) });
      setState((cur) => (cur === 'saving' ? 'saved' : cur));
      setError(null);
    } catch (e) {
      setState('error');
      setError(e instanceof ApiError ? e.message : 'Could not save.');
    }
  }

  function edited() {
    setState('dirty');
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => void save(), 1000);
  }

  // Leaving the room with a save still pending sends it now rather than dropping it.
  const saveRef = useRef(save);
  saveRef.current = save;
  useEffect(
    () => () => {
      if (timer.current) {
        clearTimeout(timer.current);
        void saveRef.current();
      }
    },
    [],
  );

  return (
    <aside className="interviewer-panel" aria-label="Interviewer notes">
      <h3>Private notes</h3>
      <textarea
        value={notes}
        maxLength={20000}
        placeholder="Only you can see these."
        onChange={(e) => {
          setNotes(e.target.value);
          edited();
        }}
        aria-label="Notes"
      />
      <label className="field inline">
        <span>Score (0–100)</span>
        <input
          type="number"
          min={0}
          max={100}
          value={score}
          onChange={(e) => {
            setScore(e.target.value);
            edited();
          }}
          aria-label="Score"
        />
      </label>
      <p className={`small ${state === 'error' ? 'error' : 'muted'}`} role="status" data-testid="notes-state">
        {state === 'saved' && 'Saved'}
        {state === 'dirty' && 'Unsaved changes…'}
        {state === 'saving' && 'Saving…'}
        {state === 'error' && error}
      </p>
      <button type="button" className="danger wide" onClick={props.onTerminate} disabled={props.terminating}>
        End interview
      </button>
    </aside>
  );
}
