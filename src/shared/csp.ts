/**
 * Content-Security-Policies of the app: the renderer's own (sent as a header by the browser host
 * and by Electron's session, and as a <meta> in the built index.html for file://), and the one
 * each message frame carries.
 */

export type RendererCspOptions = {
  /** Extra connect-src sources (the browser host's WebSocket URL). */
  connectSrc?: readonly string[];
  /** Header-only directives (frame-ancestors) are ignored in <meta>: leave them out there. */
  forMeta?: boolean;
};

/**
 * The renderer's policy. No inline or remote script, nothing framed by others, no forms.
 *
 * img-src allows http(s) and style-src allows inline styles only because the message frame is an
 * about:srcdoc document, which inherits this policy on top of its own: its own stricter <meta>
 * policy (messageFrameCsp) is what keeps remote images blocked until the user allows them, and
 * the frame's sandbox (no allow-scripts) is what keeps scripts dead. The app's own code never
 * loads a remote image.
 */
export function rendererCsp(opts: RendererCspOptions = {}): string {
  const directives: [string, ...string[]][] = [
    ['default-src', "'none'"],
    ['script-src', "'self'"],
    ['style-src', "'self'", "'unsafe-inline'"],
    ['img-src', "'self'", 'data:', 'blob:', 'https:', 'http:'],
    ['font-src', "'self'", 'data:'],
    ['connect-src', "'self'", ...(opts.connectSrc ?? [])],
    ['frame-src', "'self'"],
    ['object-src', "'none'"],
    ['base-uri', "'none'"],
    ['form-action', "'none'"],
  ];
  if (!opts.forMeta) directives.push(['frame-ancestors', "'none'"]);
  return directives.map((d) => d.join(' ')).join('; ');
}

/**
 * The policy inside a message's sandboxed frame: nothing loads except inline styles and data:
 * images, and remote images only once the user allowed them for this message.
 */
export function messageFrameCsp(allowRemoteImages: boolean): string {
  const img = allowRemoteImages ? "data: cid: https: http:" : 'data: cid:';
  return `default-src 'none'; img-src ${img}; style-src 'unsafe-inline'; font-src data:; form-action 'none'; base-uri 'none'`;
}
