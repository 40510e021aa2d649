// Text from outside (a search as typed, an attachment's name from a sender) made safe to use and to
// show: control characters out, bidirectional overrides out, executables named as such. Shared by
// main (what it answers and saves) and the renderer (what it shows).

/** C0 and C1 controls (NUL, ESC, DEL, U+0080–U+009F, …). */
const CONTROL_CHARS = /\p{Cc}/gu;

/**
 * The Unicode bidirectional controls: embeddings and overrides (U+202A–U+202E), isolates
 * (U+2066–U+2069) and the marks (U+200E, U+200F, U+061C). In a file name they make
 * `invoice\u202Efdp.sh` show as "invoicehs.pdf" (https://unicode.org/reports/tr36/#Bidirectional_Text_Spoofing).
 */
const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

/** Lone surrogate halves cannot be saved as a file name on any OS, nor shown. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** `text` with every control character replaced by `replacement` (a space: they separate words). */
export function stripControlChars(text: string, replacement = ' '): string {
  return text.replace(CONTROL_CHARS, replacement);
}

/** File types that run code when opened (double-click) on Windows, macOS or Linux desktops. */
const EXECUTABLE_EXTENSIONS = new Set([
  // Windows
  'exe', 'scr', 'bat', 'cmd', 'com', 'msi', 'msp', 'mst', 'pif', 'cpl', 'dll', 'hta', 'jse', 'js', 'vbs', 'vbe',
  'wsf', 'wsh', 'ws', 'ps1', 'psm1', 'psd1', 'reg', 'lnk', 'url', 'inf', 'scf', 'gadget', 'msc', 'appx',
  'appxbundle', 'msix', 'msixbundle', 'application', 'appref-ms', 'chm', 'iso', 'img', 'vhd', 'vhdx', 'xll',
  // Java and scripting
  'jar', 'jnlp', 'py', 'pyw',
  // macOS
  'app', 'dmg', 'pkg', 'mpkg', 'command', 'tool', 'workflow', 'scpt', 'applescript',
  // Linux and Unix
  'sh', 'bash', 'zsh', 'csh', 'ksh', 'run', 'deb', 'rpm', 'appimage', 'desktop',
]);

const MAX_FILE_NAME_CHARS = 200;

/**
 * An attachment's name fit to show and to save: no control or bidirectional characters, no path
 * (a sender's `../../.bashrc` is `.bashrc`'s name, not its place), no characters Windows refuses,
 * no leading or trailing dots and spaces (Windows drops trailing ones, turning `a.exe.` into
 * `a.exe`), at most 200 characters with the extension kept. `fallback` when nothing is left.
 */
export function safeFileName(name: string | null | undefined, fallback = 'attachment'): string {
  let s = (name ?? '')
    .replace(/[\t\n\v\f\r]/g, ' ')
    .replace(BIDI_CONTROLS, '')
    .replace(CONTROL_CHARS, '')
    .replace(LONE_SURROGATE, '')
    .normalize('NFC');
  // Keep only the last path segment, then take out what no file system accepts in a name.
  s = s.slice(Math.max(s.lastIndexOf('/'), s.lastIndexOf('\\')) + 1);
  s = s.replace(/[<>:"|?*]/g, '_');
  s = s.replace(/\s+/gu, ' ').replace(/^[\s.]+|[\s.]+$/gu, '');
  if (s.length > MAX_FILE_NAME_CHARS) {
    const dot = s.lastIndexOf('.');
    const ext = dot > 0 && s.length - dot <= 16 ? s.slice(dot) : '';
    s = Array.from(s.slice(0, s.length - ext.length)).slice(0, MAX_FILE_NAME_CHARS - ext.length).join('') + ext;
  }
  return s === '' ? fallback : s;
}

/**
 * Whether a file of this name runs code when opened, judged from its last extension after
 * `safeFileName` (so `invoice.pdf.exe`, `invoice\u202Efdp.sh` and `setup.exe.` all count).
 */
export function isExecutableName(name: string | null | undefined): boolean {
  const s = safeFileName(name, '');
  const dot = s.lastIndexOf('.');
  if (dot < 0) return false;
  return EXECUTABLE_EXTENSIONS.has(s.slice(dot + 1).toLowerCase());
}
