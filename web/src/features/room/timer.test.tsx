import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { formatClock } from '../../lib/format';
import { clockOffset, timerElapsedMs } from './timer';
import { TimerView } from './TimerView';

const at = (iso: string) => Date.parse(iso);

describe('timer display from timer_state', () => {
  it('shows elapsedMs as is while paused, whatever the time', () => {
    const paused = { running: false, elapsedMs: 65_000, serverNow: at('2026-01-01T10:00:00Z') };
    expect(timerElapsedMs(paused, at('2026-01-01T12:00:00Z'), 0)).toBe(65_000);
  });

  it('adds the time since serverNow while running', () => {
    const running = { running: true, elapsedMs: 10_000, serverNow: at('2026-01-01T10:00:00Z') };
    expect(timerElapsedMs(running, at('2026-01-01T10:00:05Z'), 0)).toBe(15_000);
  });

  it('corrects a local clock that is off by the measured offset', () => {
    const running = { running: true, elapsedMs: 0, serverNow: at('2026-01-01T10:00:00Z') };
    // This machine's clock is 30 s behind the server's.
    const offset = clockOffset(at('2026-01-01T10:00:00Z'), at('2026-01-01T09:59:30Z'));
    expect(offset).toBe(30_000);
    expect(timerElapsedMs(running, at('2026-01-01T09:59:32Z'), offset)).toBe(2_000);
  });

  it('never goes below zero or the stored elapsed time', () => {
    const running = { running: true, elapsedMs: 3_000, serverNow: at('2026-01-01T10:00:00Z') };
    expect(timerElapsedMs(running, at('2026-01-01T09:00:00Z'), 0)).toBe(3_000);
    expect(timerElapsedMs(null, 0, 0)).toBe(0);
  });

  it('formats hours, minutes and seconds', () => {
    expect(formatClock(0)).toBe('0:00');
    expect(formatClock(9_999)).toBe('0:09');
    expect(formatClock(65_000)).toBe('1:05');
    expect(formatClock(3_909_000)).toBe('1:05:09');
  });

  it('renders the state and offers controls only to the interviewer', () => {
    const timer = { running: false, elapsedMs: 125_000, serverNow: Date.now() };
    const { rerender } = render(
      <TimerView timer={timer} clockOffsetMs={0} controls={false} disabled={false} onControl={() => {}} />,
    );
    expect(screen.getByTestId('timer').textContent).toBe('2:05');
    expect(screen.queryByRole('button', { name: 'Start timer' })).toBeNull();
    rerender(<TimerView timer={timer} clockOffsetMs={0} controls disabled={false} onControl={() => {}} />);
    expect(screen.getByRole('button', { name: 'Start timer' })).toBeTruthy();
    rerender(
      <TimerView timer={{ ...timer, running: true }} clockOffsetMs={0} controls disabled={false} onControl={() => {}} />,
    );
    expect(screen.getByRole('button', { name: 'Pause' })).toBeTruthy();
    expect(screen.getByTestId('timer').dataset.running).toBe('true');
  });
});
