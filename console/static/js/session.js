// Signing in: the token lives in this browser's localStorage; the
// development sign-in remembers the user id it was given, so one click
// brings back the same user (and their songs) next time.
import { ApiError } from './api.js';

const tokenKey = 'phonoglyph.console.token';
const subKey = 'phonoglyph.console.sub';

/** Where the API serves development tokens (in development only). */
export const devTokenPath = '/api/v1/dev/token';

export const savedToken = () => localStorage.getItem(tokenKey) || '';
export const remember = (token) => localStorage.setItem(tokenKey, token);
export const forget = () => localStorage.removeItem(tokenKey);

/** devToken asks the API for a development token (POST /api/v1/dev/token). */
export async function devToken(api) {
  const sub = localStorage.getItem(subKey);
  let res;
  try {
    res = await api.json('POST', devTokenPath, { body: sub ? { sub } : {} });
  } catch (err) {
    if (err.status === 404 || err.status === 405) {
      throw new ApiError(err.status, err.code, 'This server has no development sign-in (it is only on in development): '
        + 'paste a token printed by go run ./cmd/api token -sub <uuid>.');
    }
    throw err;
  }
  localStorage.setItem(subKey, res.sub);
  return res.token;
}

/** claims reads a JWT's payload (unverified: only to show who and until when). */
export function claims(token) {
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(atob(part.padEnd(part.length + ((4 - (part.length % 4)) % 4), '=')));
  } catch {
    return {};
  }
}
