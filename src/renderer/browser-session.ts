// How a page of the browser host (`mailmirror serve`) gets in. The printed link carries a one-time
// token; it is traded at once for a session (POST /session from this origin), the token is taken out
// of the address bar, and the session is kept in localStorage, which only this origin (this port)
// can read. Nothing goes into a cookie: cookies are shared with every other service on 127.0.0.1.
import { SESSION_PATH, SESSION_STORAGE_KEY } from '../shared/ipc-wire';

export type SessionResult =
  | { ok: true; session: string }
  /** `unreachable`: nothing answered (serve stopped or restarting), as opposed to a refusal. */
  | { ok: false; message: string; unreachable?: boolean };

function stored(): string | null {
  try {
    return localStorage.getItem(SESSION_STORAGE_KEY);
  } catch {
    return null;
  }
}

function store(session: string | null): void {
  try {
    if (session) localStorage.setItem(SESSION_STORAGE_KEY, session);
    else localStorage.removeItem(SESSION_STORAGE_KEY);
  } catch {
    /* storage disabled: the session lives as long as this page */
  }
}

/** Takes the one-time token out of the address bar (and so out of what a reload or a bookmark keeps). */
function takeLinkToken(): string | null {
  const params = new URLSearchParams(location.search);
  const token = params.get('token');
  if (token === null) return null;
  params.delete('token');
  const rest = params.toString();
  history.replaceState(null, '', `${location.pathname}${rest ? `?${rest}` : ''}${location.hash}`);
  return token;
}

async function trade(body: { token: string } | { session: string }): Promise<SessionResult> {
  let res: Response;
  try {
    res = await fetch(SESSION_PATH, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch {
    return { ok: false, unreachable: true, message: 'Mailmirror is not answering at this address. Is mailmirror serve still running?' };
  }
  const answer = (await res.json().catch(() => ({}))) as { session?: unknown; error?: unknown };
  if (res.ok && typeof answer.session === 'string') return { ok: true, session: answer.session };
  return { ok: false, message: typeof answer.error === 'string' ? answer.error : `Mailmirror refused this page (${res.status}).` };
}

let current: Promise<SessionResult> | null = null;

/** This page's session: from the link it was opened with, else the one this origin kept. */
export function browserSession(): Promise<SessionResult> {
  current ??= (async () => {
    const token = takeLinkToken();
    let failure: SessionResult | null = null;
    if (token) {
      const r = await trade({ token });
      if (r.ok) {
        store(r.session);
        return r;
      }
      failure = r;
    }
    const kept = stored();
    if (kept) {
      const r = await trade({ session: kept });
      if (r.ok) return r;
      if (r.unreachable) return r;
      store(null);
      failure ??= r;
    }
    return failure ?? { ok: false, message: 'This page needs the link that mailmirror serve printed.' };
  })();
  return current;
}

/** After the server refused the session (e.g. `mailmirror serve` was restarted): ask again. */
export function recheckSession(): Promise<SessionResult> {
  current = null;
  return browserSession();
}
