// What the admin pages (admin.html, marketplace.html) share: the admin token, taken from the URL
// fragment (#token=..., which never reaches a server) or this tab's session storage, a status
// line, and calls to the backend's admin API with the bearer token and its error format.
import { loadConfig } from './config.js';

const TOKEN_KEY = 'fps-admin-token';

/** Fills `tokenInput` with the admin token; returns `say` (for `status`), `api` and `remember`. */
export function adminSession(tokenInput, status) {
  const fromFragment = new URLSearchParams(location.hash.slice(1)).get('token');
  if (fromFragment) {
    sessionStorage.setItem(TOKEN_KEY, fromFragment);
    history.replaceState(null, '', location.pathname);
  }
  tokenInput.value = sessionStorage.getItem(TOKEN_KEY) || '';

  /** Shows `text` in the status line, as an error if `isError`. */
  function say(text, isError = false) {
    status.textContent = text;
    status.classList.toggle('error', isError);
  }

  /** Calls the admin API; rejects with the API's `CODE: message` (or the HTTP status). */
  async function api(path, init = {}) {
    const { apiBase = '' } = await loadConfig();
    const response = await fetch(apiBase + path, {
      ...init,
      headers: { Authorization: `Bearer ${tokenInput.value}`, 'Content-Type': 'application/json' },
    });
    const payload = await response.json().catch(() => ({}));
    if (!response.ok) {
      throw new Error(payload.error ? `${payload.error.code}: ${payload.error.message}` : `HTTP ${response.status}`);
    }
    return payload;
  }

  /** Keeps the token typed into `tokenInput` for this tab. */
  function remember() {
    sessionStorage.setItem(TOKEN_KEY, tokenInput.value);
  }

  return { say, api, remember };
}
