import { useEffect, useState, type ChangeEvent } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { api, ApiError } from '../api';
import type { ProblemDoc, ProblemSummary } from '../api/problems';
import { TopBar } from '../app/TopBar';
import { formatDate } from '../lib/format';

/** The interviewer's problem bank: list, create, import. */
export default function ProblemsPage() {
  const navigate = useNavigate();
  const [items, setItems] = useState<ProblemSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api.listProblems().then(
      (page) => setItems(page.items),
      (e) => setError(e instanceof ApiError ? e.message : 'Could not load the problems.'),
    );
  }, []);

  async function importFile(e: ChangeEvent<HTMLInputElement>) {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (!file) return;
    try {
      const doc = JSON.parse(await file.text()) as ProblemDoc;
      const created = await api.createProblem(doc);
      navigate(`/problems/${created.id}`);
    } catch (err) {
      setError(
        err instanceof ApiError ? `Import refused: ${err.message}` : `Import failed: ${(err as Error).message}`,
      );
    }
  }

  return (
    <>
      <TopBar />
      <main className="page">
        <div className="row between">
          <h1>Problems</h1>
          <div className="row">
            <label className="button-like">
              Import JSON
              <input type="file" accept="application/json,.json" onChange={importFile} hidden aria-label="Import a problem" />
            </label>
            <button type="button" className="primary" onClick={() => navigate('/problems/new')}>
              New problem
            </button>
          </div>
        </div>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        {items?.length === 0 && <p className="muted">No problems yet. Create one or import a JSON document.</p>}
        {items && items.length > 0 && (
          <table aria-label="Problems">
            <thead>
              <tr>
                <th>Title</th>
                <th>Difficulty</th>
                <th>Tags</th>
                <th>Tests</th>
                <th>Starter code</th>
                <th>Updated</th>
              </tr>
            </thead>
            <tbody>
              {items.map((p) => (
                <tr key={p.id}>
                  <td>
                    <Link to={`/problems/${p.id}`}>{p.title}</Link>
                  </td>
                  <td>{p.difficulty}</td>
                  <td>{p.tags.join(', ')}</td>
                  <td>{p.testCount}</td>
                  <td>{p.languages.join(', ')}</td>
                  <td>{formatDate(p.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </main>
    </>
  );
}
