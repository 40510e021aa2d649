// Keeps OAuth secrets out of anything a person or a log may read: error lines, logs, IPC errors.
// Two layers: the exact values this process has handled (registered when tokens are issued or
// decrypted), and the shapes secrets take in URLs, form bodies, JSON and headers.

const known = new Set<string>();
const MASK = '[redacted]';

/** Remembers a secret so redactSecrets() removes it wherever it shows up later in this process. */
export function registerSecret(value: string | null | undefined): void {
  // Very short values would mask ordinary words; real tokens and secrets are long.
  if (value && value.length >= 8) known.add(value);
}

const PATTERNS: [RegExp, string][] = [
  // Query strings and form bodies (the revoke URL carries ?token=…).
  [/\b(access_token|refresh_token|id_token|token|code|code_verifier|client_secret|assertion)=([^&\s"'<>]+)/gi, `$1=${MASK}`],
  // JSON token responses and request bodies.
  [/"(access_token|refresh_token|id_token|code|code_verifier|client_secret)"(\s*:\s*)"[^"]*"/gi, `"$1"$2"${MASK}"`],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/-]+=*/g, `$1 ${MASK}`],
  // Shapes of Google's own tokens, auth codes and client secrets.
  [/\bya29\.[A-Za-z0-9._-]+/g, MASK],
  [/\b1\/\/[A-Za-z0-9._-]+/g, MASK],
  [/\b4\/[0-9A-Za-z_-]{20,}/g, MASK],
  [/\bGOCSPX-[A-Za-z0-9_-]+/g, MASK],
];

export function redactSecrets(text: string): string {
  let out = text;
  for (const s of known) if (out.includes(s)) out = out.split(s).join(MASK);
  for (const [re, replacement] of PATTERNS) out = out.replace(re, replacement);
  return out;
}

/** The message of anything thrown, redacted: the one safe way to show an unknown error. */
export function safeErrorMessage(e: unknown): string {
  const text = e instanceof Error ? e.message : typeof e === 'string' ? e : String(e);
  return redactSecrets(text || (e instanceof Error ? e.name : 'unknown error'));
}
