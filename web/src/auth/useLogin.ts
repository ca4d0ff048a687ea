import { useSyncExternalStore } from 'react';
import { currentLogin, subscribeLogin, type StoredLogin } from './tokens';

let cached: { raw: string | null; login: StoredLogin | null } = { raw: null, login: null };

function snapshot(): StoredLogin | null {
  const login = currentLogin();
  const raw = login ? JSON.stringify(login) : null;
  if (raw !== cached.raw) cached = { raw, login };
  return cached.login;
}

/** The interviewer's login, re-rendering when it changes or ends. */
export function useLogin(): StoredLogin | null {
  return useSyncExternalStore(subscribeLogin, snapshot);
}
