import type { RunResult } from '../../api/types';

/** Where a run executes: in this browser, or in the server's sandbox. */
export type RunMode = 'local' | 'server';

/** The run panel's state: at most one run of this browser's at a time. */
export type RunState =
  | { phase: 'idle' }
  | { phase: 'preparing'; runId: string; mode: RunMode; progress: string }
  | { phase: 'running'; runId: string; mode: RunMode; startedAt: number }
  | { phase: 'stopping'; runId: string; mode: RunMode }
  | { phase: 'finished'; result: RunResult };

export type RunEvent =
  | { type: 'start'; runId: string; mode: RunMode; progress?: string }
  | { type: 'progress'; runId: string; progress: string }
  | { type: 'running'; runId: string; at: number }
  | { type: 'stop' }
  | { type: 'finished'; result: RunResult }
  | { type: 'reset' };

export const initialRunState: RunState = { phase: 'idle' };

export function isBusy(state: RunState): boolean {
  return state.phase === 'preparing' || state.phase === 'running' || state.phase === 'stopping';
}

function currentRunId(state: RunState): string | null {
  return state.phase === 'preparing' || state.phase === 'running' || state.phase === 'stopping' ? state.runId : null;
}

/**
 * Transitions of the run panel. Events about a run other than the current one are
 * ignored, so a late answer from a stopped run can never overwrite a newer run.
 */
export function runReducer(state: RunState, event: RunEvent): RunState {
  switch (event.type) {
    case 'start':
      if (isBusy(state)) return state;
      return { phase: 'preparing', runId: event.runId, mode: event.mode, progress: event.progress ?? 'Starting…' };
    case 'progress':
      if (state.phase !== 'preparing' || state.runId !== event.runId) return state;
      return { ...state, progress: event.progress };
    case 'running':
      if (state.phase !== 'preparing' || state.runId !== event.runId) return state;
      return { phase: 'running', runId: state.runId, mode: state.mode, startedAt: event.at };
    case 'stop':
      if (state.phase !== 'preparing' && state.phase !== 'running') return state;
      return { phase: 'stopping', runId: state.runId, mode: state.mode };
    case 'finished':
      if (currentRunId(state) !== event.result.runId) return state;
      return { phase: 'finished', result: event.result };
    case 'reset':
      return isBusy(state) ? state : initialRunState;
  }
}
