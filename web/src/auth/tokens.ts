/**
 * Where tokens live between reloads: the interviewer's login in localStorage, and a
 * candidate's per-session token beside it (so one browser can be both in tests).
 */

export interface StoredLogin {
  token: string;
  expiresAt: string;
  name: string;
  email: string;
}

const LOGIN_KEY = 'devinterview.login';
const candidateKey = (inviteToken: string) => `devinterview.candidate.${inviteToken}`;

type Listener = () => void;
const listeners = new Set<Listener>();

/** Why the last login ended, shown once on the login page. */
let endedReason: string | null = null;

function readJson<T>(key: string): T | null {
  try {
    const raw = localStorage.getItem(key);
    return raw ? (JSON.parse(raw) as T) : null;
  } catch {
    return null;
  }
}

/** True when the token's expiry has passed (or cannot be read). */
export function isExpired(expiresAt: string, now = Date.now()): boolean {
  const at = Date.parse(expiresAt);
  return Number.isNaN(at) || at <= now;
}

export function currentLogin(): StoredLogin | null {
  const login = readJson<StoredLogin>(LOGIN_KEY);
  if (!login) return null;
  if (isExpired(login.expiresAt)) {
    endLogin('Your login expired. Please log in again.');
    return null;
  }
  return login;
}

export function saveLogin(login: StoredLogin) {
  localStorage.setItem(LOGIN_KEY, JSON.stringify(login));
  endedReason = null;
  listeners.forEach((l) => l());
}

/** Forgets the login; `reason` is shown on the login page. */
export function endLogin(reason: string | null = null) {
  const had = localStorage.getItem(LOGIN_KEY) !== null;
  localStorage.removeItem(LOGIN_KEY);
  if (reason) endedReason = reason;
  if (had) listeners.forEach((l) => l());
}

export function takeEndedReason(): string | null {
  const reason = endedReason;
  endedReason = null;
  return reason;
}

export function subscribeLogin(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** A candidate's token for one invite, kept so a reload stays in the room. */
export interface CandidateToken {
  token: string;
  expiresAt: string;
  name: string;
  sessionId: string;
}

export function candidateToken(inviteToken: string): CandidateToken | null {
  const stored = readJson<CandidateToken>(candidateKey(inviteToken));
  if (!stored || isExpired(stored.expiresAt)) return null;
  return stored;
}

export function saveCandidateToken(inviteToken: string, token: CandidateToken) {
  localStorage.setItem(candidateKey(inviteToken), JSON.stringify(token));
}
