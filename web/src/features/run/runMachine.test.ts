import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../api/types';
import { initialRunState, isBusy, runReducer, type RunEvent, type RunState } from './runMachine';

const result = (runId: string, status: RunResult['status'] = 'ok'): RunResult => ({
  runId,
  source: 'local',
  language: 'python',
  status,
  stdout: 'out',
  stderr: '',
});

const play = (events: RunEvent[], from: RunState = initialRunState) => events.reduce(runReducer, from);

describe('run panel state machine', () => {
  it('goes idle → preparing → running → finished', () => {
    const s1 = play([{ type: 'start', runId: 'a', mode: 'local' }]);
    expect(s1).toMatchObject({ phase: 'preparing', runId: 'a', mode: 'local' });
    const s2 = play([{ type: 'progress', runId: 'a', progress: 'Downloading Python: 1.0 of 8.0 MB' }], s1);
    expect(s2).toMatchObject({ phase: 'preparing', progress: 'Downloading Python: 1.0 of 8.0 MB' });
    const s3 = play([{ type: 'running', runId: 'a', at: 5 }], s2);
    expect(s3).toEqual({ phase: 'running', runId: 'a', mode: 'local', startedAt: 5 });
    expect(isBusy(s3)).toBe(true);
    const s4 = play([{ type: 'finished', result: result('a') }], s3);
    expect(s4).toEqual({ phase: 'finished', result: result('a') });
    expect(isBusy(s4)).toBe(false);
  });

  it('refuses a second start while a run is under way', () => {
    const busy = play([{ type: 'start', runId: 'a', mode: 'server' }]);
    expect(play([{ type: 'start', runId: 'b', mode: 'local' }], busy)).toBe(busy);
  });

  it('ignores results and progress of a run that is not the current one', () => {
    const running = play([
      { type: 'start', runId: 'b', mode: 'local' },
      { type: 'running', runId: 'b', at: 1 },
    ]);
    expect(play([{ type: 'finished', result: result('a') }], running)).toBe(running);
    expect(play([{ type: 'progress', runId: 'a', progress: 'x' }], running)).toBe(running);
    expect(play([{ type: 'finished', result: result('a') }])).toEqual(initialRunState);
  });

  it('stop moves to stopping, and the stopped result ends it', () => {
    const stopping = play([
      { type: 'start', runId: 'a', mode: 'local' },
      { type: 'running', runId: 'a', at: 1 },
      { type: 'stop' },
    ]);
    expect(stopping).toEqual({ phase: 'stopping', runId: 'a', mode: 'local' });
    expect(play([{ type: 'stop' }], stopping)).toBe(stopping);
    expect(play([{ type: 'finished', result: result('a', 'stopped') }], stopping)).toMatchObject({
      phase: 'finished',
      result: { status: 'stopped' },
    });
  });

  it('stop while idle or finished changes nothing; reset clears a finished run', () => {
    expect(play([{ type: 'stop' }])).toBe(initialRunState);
    const done = play([
      { type: 'start', runId: 'a', mode: 'local' },
      { type: 'finished', result: result('a') },
    ]);
    expect(play([{ type: 'stop' }], done)).toBe(done);
    expect(play([{ type: 'reset' }], done)).toEqual(initialRunState);
  });
});
