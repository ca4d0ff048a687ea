/** Display helpers shared by the dashboard, the room and the review page. */

/** `1:05:09`, `5:09`, `0:09` from milliseconds (floored to the second). */
export function formatClock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** `1 h 5 min`, `12 min 3 s`, `45 s` from whole seconds. */
export function formatDuration(seconds: number): string {
  if (seconds <= 0) return '0 s';
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h > 0) return m > 0 ? `${h} h ${m} min` : `${h} h`;
  if (m > 0) return s > 0 ? `${m} min ${s} s` : `${m} min`;
  return `${s} s`;
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  return d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** `1.2 M`, `3.4 G` for fuel counts. */
export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return String(n);
}

/** Languages the server knows, in the order it lists them. */
export const LANGUAGES: { id: string; label: string; monaco: string; runnable: boolean }[] = [
  { id: 'python', label: 'Python', monaco: 'python', runnable: true },
  { id: 'javascript', label: 'JavaScript', monaco: 'javascript', runnable: true },
  { id: 'typescript', label: 'TypeScript', monaco: 'typescript', runnable: false },
  { id: 'java', label: 'Java', monaco: 'java', runnable: false },
  { id: 'cpp', label: 'C++', monaco: 'cpp', runnable: false },
  { id: 'c', label: 'C', monaco: 'c', runnable: false },
  { id: 'csharp', label: 'C#', monaco: 'csharp', runnable: false },
  { id: 'go', label: 'Go', monaco: 'go', runnable: false },
  { id: 'rust', label: 'Rust', monaco: 'rust', runnable: false },
  { id: 'kotlin', label: 'Kotlin', monaco: 'kotlin', runnable: false },
  { id: 'ruby', label: 'Ruby', monaco: 'ruby', runnable: false },
  { id: 'swift', label: 'Swift', monaco: 'swift', runnable: false },
  { id: 'sql', label: 'SQL', monaco: 'sql', runnable: false },
];

export function languageLabel(id: string): string {
  return LANGUAGES.find((l) => l.id === id)?.label ?? id;
}
