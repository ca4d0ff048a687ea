import { useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { api, ApiError } from '../api';
import type { GradeReport, ProblemDoc, TestCase } from '../api/problems';
import { TopBar } from '../app/TopBar';
import { emptyProblem, newTest, toDocument } from '../features/problems/draft';
import { GradeTable } from '../features/problems/GradeTable';
import { Markdown } from '../features/problems/Markdown';

type JsonFields = Record<number, { args: string; expected: string }>;

function jsonFieldsOf(doc: ProblemDoc): JsonFields {
  const fields: JsonFields = {};
  doc.tests.forEach((t, i) => {
    if (t.kind === 'function') fields[i] = { args: JSON.stringify(t.args), expected: JSON.stringify(t.expected) };
  });
  return fields;
}

/** Create or edit a problem: statement, starter code, limits, test cases; try a solution. */
export default function ProblemEditPage() {
  const { id } = useParams();
  const navigate = useNavigate();
  const [draft, setDraft] = useState<ProblemDoc | null>(id ? null : emptyProblem());
  const [json, setJson] = useState<JsonFields>({});
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [tryLanguage, setTryLanguage] = useState('python');
  const [tryCode, setTryCode] = useState('');
  const [report, setReport] = useState<GradeReport | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!id) return;
    api.getProblem(id).then(
      (p) => {
        setDraft(p);
        setJson(jsonFieldsOf(p));
      },
      (e) => setError(e instanceof ApiError ? e.message : 'Could not load the problem.'),
    );
  }, [id]);

  if (!draft) return <div className="page-loading">{error ?? 'Loading…'}</div>;
  const set = (patch: Partial<ProblemDoc>) => setDraft({ ...draft, ...patch });
  const setTest = (i: number, patch: Partial<TestCase>) =>
    set({ tests: draft.tests.map((t, j) => (j === i ? ({ ...t, ...patch } as TestCase) : t)) });

  async function save() {
    const built = toDocument(draft!, json);
    if ('error' in built) {
      setError(built.error);
      return;
    }
    setError(null);
    try {
      const result = id ? await api.replaceProblem(id, built.doc) : await api.createProblem(built.doc);
      setSaved('Saved.');
      if (!id) navigate(`/problems/${result.id}`, { replace: true });
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'Could not save.');
    }
  }

  async function tryIt() {
    if (!id) return;
    setBusy(true);
    setError(null);
    try {
      setReport(await api.gradeProblem(id, tryLanguage, tryCode));
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'Grading failed.');
    } finally {
      setBusy(false);
    }
  }

  function exportJson() {
    const built = toDocument(draft!, json);
    if ('error' in built) return setError(built.error);
    const url = URL.createObjectURL(new Blob([JSON.stringify(built.doc, null, 2)], { type: 'application/json' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `${built.doc.title || 'problem'}.json`;
    a.click();
    URL.revokeObjectURL(url);
  }

  return (
    <>
      <TopBar />
      <main className="page">
        <p>
          <Link to="/problems">← All problems</Link>
        </p>
        <h1>{id ? 'Edit problem' : 'New problem'}</h1>
        <div className="editor-form">
          <label className="field">
            <span>Title</span>
            <input value={draft.title} maxLength={200} onChange={(e) => set({ title: e.target.value })} />
          </label>
          <div className="grid2">
            <label className="field">
              <span>Difficulty</span>
              <select value={draft.difficulty} onChange={(e) => set({ difficulty: e.target.value as ProblemDoc['difficulty'] })}>
                <option value="easy">easy</option>
                <option value="medium">medium</option>
                <option value="hard">hard</option>
              </select>
            </label>
            <label className="field">
              <span>Tags (comma-separated)</span>
              <input value={draft.tags.join(', ')} onChange={(e) => set({ tags: e.target.value.split(',') })} />
            </label>
          </div>
          <div className="grid2">
            <label className="field">
              <span>Statement (Markdown)</span>
              <textarea value={draft.statement} rows={10} onChange={(e) => set({ statement: e.target.value })} />
            </label>
            <div className="field">
              <span>Preview</span>
              <Markdown source={draft.statement} />
            </div>
          </div>
          <div className="grid2">
            {['python', 'javascript'].map((lang) => (
              <label key={lang} className="field">
                <span>Starter code: {lang}</span>
                <textarea
                  value={draft.starterCode[lang] ?? ''}
                  onChange={(e) => set({ starterCode: { ...draft.starterCode, [lang]: e.target.value } })}
                />
              </label>
            ))}
          </div>
          <div className="grid2">
            <label className="field">
              <span>Fuel per test (empty: server default)</span>
              <input
                type="number"
                min={1}
                value={draft.limits.fuel ?? ''}
                onChange={(e) => set({ limits: { ...draft.limits, fuel: e.target.value ? Number(e.target.value) : undefined } })}
              />
            </label>
            <label className="field">
              <span>Output comparison</span>
              <select
                value={draft.outputComparison ?? 'ignoreTrailingWhitespace'}
                onChange={(e) => set({ outputComparison: e.target.value as ProblemDoc['outputComparison'] })}
              >
                <option value="ignoreTrailingWhitespace">ignore trailing whitespace</option>
                <option value="exact">exact</option>
              </select>
            </label>
          </div>
          <h2>Test cases</h2>
          {draft.tests.map((t, i) => (
            <fieldset key={i} className="test-case" aria-label={`Test ${i + 1}`}>
              <div className="row between">
                <strong>
                  Test {i + 1} · {t.kind}
                </strong>
                <div className="row">
                  <label className="row small">
                    <input type="checkbox" checked={t.hidden} onChange={(e) => setTest(i, { hidden: e.target.checked })} />
                    hidden
                  </label>
                  <label className="row small">
                    weight
                    <input
                      type="number"
                      min={1}
                      style={{ width: 64 }}
                      value={t.weight}
                      onChange={(e) => setTest(i, { weight: Number(e.target.value) })}
                    />
                  </label>
                  <button
                    type="button"
                    className="danger-text"
                    onClick={() => set({ tests: draft.tests.filter((_, j) => j !== i) })}
                  >
                    Remove
                  </button>
                </div>
              </div>
              {t.kind === 'stdio' ? (
                <div className="grid2">
                  <textarea aria-label="stdin" placeholder="stdin" value={t.stdin} onChange={(e) => setTest(i, { stdin: e.target.value })} />
                  <textarea
                    aria-label="expected stdout"
                    placeholder="expected stdout"
                    value={t.expectedStdout}
                    onChange={(e) => setTest(i, { expectedStdout: e.target.value })}
                  />
                </div>
              ) : (
                <div className="grid2">
                  <input aria-label="function" value={t.function} onChange={(e) => setTest(i, { function: e.target.value })} />
                  <input
                    aria-label="arguments (JSON array)"
                    placeholder="[2, 3]"
                    value={json[i]?.args ?? '[]'}
                    onChange={(e) => setJson({ ...json, [i]: { args: e.target.value, expected: json[i]?.expected ?? 'null' } })}
                  />
                  <input
                    aria-label="expected (JSON)"
                    placeholder="5"
                    value={json[i]?.expected ?? 'null'}
                    onChange={(e) => setJson({ ...json, [i]: { args: json[i]?.args ?? '[]', expected: e.target.value } })}
                  />
                </div>
              )}
            </fieldset>
          ))}
          <div className="row">
            <button type="button" onClick={() => set({ tests: [...draft.tests, newTest('stdio')] })}>
              Add stdio test
            </button>
            <button
              type="button"
              onClick={() => {
                setJson({ ...json, [draft.tests.length]: { args: '[]', expected: 'null' } });
                set({ tests: [...draft.tests, newTest('function')] });
              }}
            >
              Add function test
            </button>
          </div>
          {error && (
            <p className="error" role="alert">
              {error}
            </p>
          )}
          <div className="row">
            <button type="button" className="primary" onClick={save}>
              Save
            </button>
            <button type="button" onClick={exportJson}>
              Export JSON
            </button>
            {saved && <span className="muted">{saved}</span>}
          </div>
          {id && (
            <>
              <h2>Try a solution</h2>
              <div className="row">
                <select value={tryLanguage} onChange={(e) => setTryLanguage(e.target.value)} aria-label="Solution language">
                  <option value="python">Python</option>
                  <option value="javascript">JavaScript</option>
                </select>
                <button type="button" onClick={tryIt} disabled={busy}>
                  {busy ? 'Grading…' : 'Grade it'}
                </button>
              </div>
              <textarea aria-label="Solution code" value={tryCode} rows={10} onChange={(e) => setTryCode(e.target.value)} />
              {report && <GradeTable report={report} />}
            </>
          )}
        </div>
      </main>
    </>
  );
}
