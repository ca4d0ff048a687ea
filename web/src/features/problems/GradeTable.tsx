import type { GradeReport } from '../../api/problems';
import { formatCount } from '../../lib/format';

const LABEL: Record<string, string> = {
  accepted: 'Accepted',
  wrong_answer: 'Wrong answer',
  time_limit: 'Time limit',
  memory_limit: 'Memory limit',
  output_limit: 'Output limit',
  runtime_error: 'Runtime error',
  internal_error: 'Sandbox error',
};

/** Per-test verdicts of a grading, with the score and total fuel. */
export function GradeTable({ report }: { report: GradeReport }) {
  return (
    <div className="grade" data-testid="grade-report">
      <p className="grade-summary">
        <strong data-testid="grade-score">Score {report.score}</strong>
        <span className="muted">
          {' '}
          · {report.passed} of {report.total} tests passed · fuel {formatCount(report.totalFuel)} · {report.runtime}
        </span>
      </p>
      <table className="runs">
        <thead>
          <tr>
            <th>#</th>
            <th>Kind</th>
            <th>Verdict</th>
            <th>Weight</th>
            <th>Fuel</th>
            <th>Time</th>
            <th>Details</th>
          </tr>
        </thead>
        <tbody>
          {report.tests.map((t) => (
            <tr key={t.index} data-verdict={t.verdict}>
              <td>
                {t.index + 1}
                {t.hidden ? ' (hidden)' : ''}
              </td>
              <td>{t.kind}</td>
              <td>
                <span className={`badge ${t.verdict === 'accepted' ? 'ok' : 'bad'}`}>{LABEL[t.verdict] ?? t.verdict}</span>
              </td>
              <td>{t.weight}</td>
              <td>{formatCount(t.fuelUsed)}</td>
              <td>{t.wallTimeMs} ms</td>
              <td>
                {t.diff && <pre className="small">{t.diff}</pre>}
                {t.stderr && <pre className="small stderr">{t.stderr.slice(-600)}</pre>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
