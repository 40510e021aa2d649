// Bytes the core sent (base64 over IPC) handed to the user as a file: an attachment, a message's original (.eml).

export function base64ToBytes(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

/**
 * Offers bytes as a download named `filename`: a Blob behind an `<a download>` click. The same renderer runs in a
 * browser (its own download, to the Downloads folder or with its Save dialog) and in Electron, where the click
 * reaches the session's `will-download`; with no save path set there, Electron asks where to save (its documented
 * default), with `filename` proposed.
 */
export function saveBytes(bytes: Uint8Array<ArrayBuffer>, filename: string, mimeType: string): void {
  const url = URL.createObjectURL(new Blob([bytes], { type: mimeType }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();
  // The download has read the blob long before; revoking at once can cancel it in some browsers.
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}
