import { useEffect, useReducer, useRef, useState } from 'react';
import { ApiError, type ApiClient } from '../../api/client';
import type { RunResult } from '../../api/types';
import { formatCount, languageLabel, LANGUAGES } from '../../lib/format';
import type { PendingRun, RoomConnection } from '../room/connection';
import { initialRunState, isBusy, runReducer, type RunMode } from './runMachine';
import { runJavaScript } from './runners/javascript';
import { PythonRunner } from './runners/python';
import type { WorkerRunOutcome } from './runners/workerRun';

/** Browser runs stop after this long, like the server's default wall-clock limit. */
const LOCAL_TIMEOUT_MS = 10_000;

const STATUS_LABEL: Record<string, string> = {
  ok: 'Finished',
  runtime_error: 'Runtime error',
  time_limit: 'Time limit',
  memory_limit: 'Memory limit',
  output_limit: 'Output limit',
  internal_error: 'Sandbox error',
  not_run: 'Not run',
  stopped: 'Stopped',
};

export function RunPanel(props: {
  connection: RoomConnection;
  sessionId: string;
  client: ApiClient;
  language: string;
  runs: RunResult[];
  pendingRuns: PendingRun[];
  readOnly: boolean;
}) {
  const { connection, sessionId, client, language } = props;
  const [state, dispatch] = useReducer(runReducer, initialRunState);
  const [mode, setMode] = useState<RunMode>('local');
  const [stdin, setStdin] = useState('');
  const abort = useRef<AbortController | null>(null);
  const python = useRef<PythonRunner | null>(null);
  const runnable = LANGUAGES.find((l) => l.id === language)?.runnable ?? false;

  useEffect(() => () => python.current?.dispose(), []);

  async function run() {
    if (isBusy(state) || !runnable) return;
    const runId = crypto.randomUUID();
    const code = connection.doc.getText('code').toString();
    const controller = new AbortController();
    abort.current = controller;
    dispatch({ type: 'start', runId, mode, progress: mode === 'server' ? 'Sending to the server…' : 'Starting…' });
    const finish = (result: RunResult) => dispatch({ type: 'finished', result: { ...result, runId } });

    if (mode === 'server') {
      dispatch({ type: 'running', runId, at: performance.now() });
      try {
        const result = await client.runOnServer(sessionId, { language, code, stdin }, controller.signal);
        connection.addRun(result);
        finish(result);
      } catch (e) {
        const stopped = e instanceof DOMException && e.name === 'AbortError';
        const message = stopped ? 'Stopped.' : e instanceof ApiError ? e.message : String(e);
        finish(notRun(runId, language, stopped ? 'stopped' : 'not_run', message));
      }
      return;
    }

    const options = {
      timeoutMs: LOCAL_TIMEOUT_MS,
      signal: controller.signal,
      onProgress: (progress: string) => dispatch({ type: 'progress', runId, progress }),
      onRunning: () => dispatch({ type: 'running', runId, at: performance.now() }),
    };
    let outcome: WorkerRunOutcome;
    try {
      if (language === 'python') {
        python.current ??= new PythonRunner();
        outcome = await python.current.run(code, stdin, options);
      } else {
        dispatch({ type: 'running', runId, at: performance.now() });
        outcome = await runJavaScript(code, stdin, options);
      }
    } catch (e) {
      finish(notRun(runId, language, 'internal_error', `The browser runner failed: ${String(e)}`));
      return;
    }
    const result: RunResult = {
      runId,
      source: 'local',
      language,
      status: outcome.status,
      exitCode: outcome.exitCode,
      stdout: outcome.stdout,
      stderr: outcome.stderr,
      stdoutTruncated: outcome.stdoutTruncated,
      wallTimeMs: outcome.wallTimeMs,
    };
    finish(result);
    void connection.reportRun(result);
  }

  function stop() {
    dispatch({ type: 'stop' });
    abort.current?.abort();
  }

  const busy = isBusy(state);
  const latest = props.runs[0];
  return (
    <section className="run-panel" aria-label="Run">
      <div className="run-toolbar">
        <div className="segmented" role="radiogroup" aria-label="Where to run">
          {(['local', 'server'] as const).map((m) => (
            <button
              key={m}
              type="button"
              role="radio"
              aria-checked={mode === m}
              className={mode === m ? 'on' : ''}
              disabled={busy}
              onClick={() => setMode(m)}
            >
              {m === 'local' ? 'Local' : 'Server'}
            </button>
          ))}
        </div>
        <button
          type="button"
          className="primary"
          onClick={run}
          disabled={busy || !runnable || props.readOnly}
          title={runnable ? undefined : `${languageLabel(language)} cannot run here; switch to Python or JavaScript`}
        >
          Run
        </button>
        <button type="button" onClick={stop} disabled={!busy || state.phase === 'stopping'}>
          Stop
        </button>
        <span className="run-status" role="status" data-testid="run-status">
          {state.phase === 'preparing' && state.progress}
          {state.phase === 'running' && `Running ${languageLabel(language)} ${state.mode === 'server' ? 'on the server' : 'in this browser'}…`}
          {state.phase === 'stopping' && 'Stopping…'}
          {!runnable && `${languageLabel(language)} is editor-only.`}
        </span>
      </div>
      <div className="run-body">
        <label className="stdin">
          <span>stdin</span>
          <textarea
            value={stdin}
            onChange={(e) => setStdin(e.target.value)}
            spellCheck={false}
            placeholder="Input for the program"
            aria-label="stdin"
          />
        </label>
        <div className="output" data-testid="run-output" aria-live="polite">
          {props.pendingRuns
            .filter((p) => state.phase !== 'running' || p.source !== 'server' || p.by?.id !== latest?.by?.id)
            .map((p) => (
              <p key={p.runId} className="muted">
                {p.by?.name ?? 'Someone'} is running {languageLabel(p.language)} on the server…
              </p>
            ))}
          {latest ? <RunView result={latest} /> : <p className="muted">Run the code to see its output here.</p>}
        </div>
      </div>
    </section>
  );
}

function RunView({ result }: { result: RunResult }) {
  const good = result.status === 'ok';
  return (
    <div className="run-result" data-run-id={result.runId} data-status={result.status}>
      <div className="run-meta">
        <span className={`badge ${good ? 'ok' : 'bad'}`}>
          {STATUS_LABEL[result.status] ?? result.status}
          {result.timeLimitKind ? ` (${result.timeLimitKind})` : ''}
        </span>
        <span>{result.source === 'server' ? 'server' : 'browser'}</span>
        <span>{languageLabel(result.language)}</span>
        {result.exitCode !== undefined && result.exitCode !== null && <span>exit {result.exitCode}</span>}
        {result.fuelUsed !== undefined && result.fuelUsed !== null && <span>fuel {formatCount(result.fuelUsed)}</span>}
        {result.wallTimeMs !== undefined && result.wallTimeMs !== null && <span>{result.wallTimeMs} ms</span>}
        {result.by && <span>by {result.by.name}</span>}
      </div>
      {result.message && <pre className="stderr">{result.message}</pre>}
      {result.stdout && <pre className="stdout">{result.stdout}</pre>}
      {result.stdoutTruncated && <p className="muted">(output cut at the limit)</p>}
      {result.stderr && <pre className="stderr">{result.stderr}</pre>}
      {!result.stdout && !result.stderr && !result.message && <p className="muted">(no output)</p>}
    </div>
  );
}

function notRun(runId: string, language: string, status: RunResult['status'], message: string): RunResult {
  return { runId, source: 'server', language, status, stdout: '', stderr: '', message };
}
