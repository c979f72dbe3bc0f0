// Credentials out of URLs before they are shown (/readyz is unauthenticated, 503 bodies go to any client) or
// logged: the userinfo and every query value are replaced by "***" (a signed URL's X-Amz-Signature, a token
// parameter and a password in user:pass@ are all bearer credentials). Used for every URL tern-server prints.

const HIDDEN = '***';

/** `url` with its userinfo and query values replaced by "***" (keys, host and path kept). */
export function redactUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    // Not a URL we can take apart: keep what is before any userinfo, query or fragment.
    return `${url.split(/[?#@]/)[0] ?? ''}${/[?#@]/.test(url) ? HIDDEN : ''}`;
  }
  if (u.username !== '' || u.password !== '') {
    u.username = HIDDEN;
    u.password = '';
  }
  if (u.search !== '') {
    const keys = [...new Set(u.searchParams.keys())];
    u.search = keys.map((k) => `${encodeURIComponent(k)}=${HIDDEN}`).join('&');
  }
  if (u.hash !== '') u.hash = HIDDEN;
  return u.toString();
}

/**
 * `text` (an error message that may quote `url`, e.g. one from the HTTP client) with `url` and each of its
 * secrets (password, query values of 4 characters or more) replaced as redactUrl does.
 */
export function redactIn(text: string, url: string): string {
  let out = text.split(url).join(redactUrl(url));
  let u: URL | undefined;
  try {
    u = new URL(url);
  } catch {
    return out;
  }
  const secrets = [u.password, decodeURIComponent(u.password), ...u.searchParams.values(), ...[...new URLSearchParams(u.search)].map(([, v]) => encodeURIComponent(v))];
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join(HIDDEN);
  return out;
}
