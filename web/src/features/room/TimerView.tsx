import { useEffect, useState } from 'react';
import type { TimerState } from '../../api/types';
import { formatClock } from '../../lib/format';
import { timerElapsedMs } from './timer';

/** The shared interview clock; the interviewer also gets its controls. */
export function TimerView(props: {
  timer: TimerState | null;
  clockOffsetMs: number;
  controls: boolean;
  disabled: boolean;
  onControl: (action: 'start' | 'pause' | 'reset') => void;
}) {
  const [now, setNow] = useState(() => Date.now());
  const running = props.timer?.running ?? false;
  useEffect(() => {
    if (!running) return;
    const id = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(id);
  }, [running]);
  const elapsed = timerElapsedMs(props.timer, running ? now : Date.now(), props.clockOffsetMs);
  return (
    <div className="timer" aria-label="Interview timer">
      <span className={`clock ${running ? 'running' : ''}`} data-testid="timer" data-running={running}>
        {formatClock(elapsed)}
      </span>
      {props.controls && (
        <>
          {running ? (
            <button type="button" onClick={() => props.onControl('pause')} disabled={props.disabled}>
              Pause
            </button>
          ) : (
            <button type="button" onClick={() => props.onControl('start')} disabled={props.disabled}>
              Start timer
            </button>
          )}
          <button type="button" onClick={() => props.onControl('reset')} disabled={props.disabled}>
            Reset
          </button>
        </>
      )}
    </div>
  );
}
