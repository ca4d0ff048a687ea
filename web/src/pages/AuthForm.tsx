import { useState, type FormEvent, type ReactNode } from 'react';
import { ApiError } from '../api';

export interface Field {
  name: string;
  label: string;
  type: string;
  autoComplete: string;
  minLength?: number;
  maxLength?: number;
}

/** The shared shell of the login and sign-up forms: fields, one submit, one error line. */
export function AuthForm(props: {
  title: string;
  fields: Field[];
  submitLabel: string;
  notice?: string | null;
  footer: ReactNode;
  onSubmit: (values: Record<string, string>) => Promise<void>;
}) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    const values = Object.fromEntries(props.fields.map((f) => [f.name, String(data.get(f.name) ?? '')]));
    setBusy(true);
    setError(null);
    try {
      await props.onSubmit(values);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Something went wrong. Please try again.');
      setBusy(false);
    }
  }

  return (
    <main className="centered">
      <form className="card narrow" onSubmit={submit} aria-label={props.title}>
        <div className="brand">DevInterview</div>
        <h1>{props.title}</h1>
        {props.notice && (
          <p className="notice" role="status">
            {props.notice}
          </p>
        )}
        {props.fields.map((f) => (
          <label key={f.name} className="field">
            <span>{f.label}</span>
            <input
              name={f.name}
              type={f.type}
              autoComplete={f.autoComplete}
              required
              minLength={f.minLength}
              maxLength={f.maxLength}
            />
          </label>
        ))}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary wide" disabled={busy}>
          {busy ? 'Please wait…' : props.submitLabel}
        </button>
        <div className="form-footer">{props.footer}</div>
      </form>
    </main>
  );
}
