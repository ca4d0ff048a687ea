import { endLogin, currentLogin } from '../auth/tokens';
import { ApiClient } from './client';

/** The interviewer's API client: a 401 ends the login and returns to the login page. */
export const api = new ApiClient(
  '',
  () => currentLogin()?.token ?? null,
  () => endLogin('Your session expired. Please log in again.'),
);

/** A client acting with a candidate's session token. */
export function candidateApi(token: string): ApiClient {
  return new ApiClient('', () => token);
}

export { ApiError } from './client';
