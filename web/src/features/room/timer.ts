import type { TimerState } from '../../api/types';

/**
 * Milliseconds to show for a `timer_state`: its `elapsedMs` as of the server's
 * `serverNow`, plus, while running, the time since then on the server's clock.
 * `clockOffsetMs` is server time minus this machine's time, so a wrong local clock
 * does not skew the display.
 */
export function timerElapsedMs(timer: TimerState | null, nowMs: number, clockOffsetMs: number): number {
  if (!timer) return 0;
  if (!timer.running) return Math.max(0, timer.elapsedMs);
  const serverNow = Number(timer.serverNow);
  if (!Number.isFinite(serverNow)) return Math.max(0, timer.elapsedMs);
  const sinceThen = nowMs + clockOffsetMs - serverNow;
  return Math.max(0, timer.elapsedMs + Math.max(0, sinceThen));
}

/** Server time minus local time, from a server timestamp (epoch ms) received at `receivedAtMs`. */
export function clockOffset(serverNow: number, receivedAtMs: number): number {
  return Number.isFinite(serverNow) ? serverNow - receivedAtMs : 0;
}
