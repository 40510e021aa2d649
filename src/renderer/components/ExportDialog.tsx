// "Export account…": the account's whole mirror written to disk, each message's original exactly as Gmail keeps it —
// as one mbox file (what Thunderbird, Apple Mail and Google Takeout use) or a folder of .eml files. The core proposes
// where (export:defaults); an existing file or folder is kept unless the user ticks "Replace if it exists".
import { useEffect, useId, useRef, useState } from 'react';
import type { AccountSummary, EventPayload, ResponseOf } from '../../shared/ipc';
import { ApiError, call, errorMessage } from '../api';
import { useEvent } from '../hooks';
import { formatBytes, formatCount } from '../lib/format';
import { ErrorNotice } from './ErrorNotice';
import { Icon } from './Icon';
import { Modal } from './Modal';
import { ProgressBar } from './ProgressBar';

type Format = 'mbox' | 'eml';
type Defaults = ResponseOf<'export:defaults'>;
type Result = ResponseOf<'accounts:export'>;
type Progress = EventPayload<'export:progress'>;

const isStopped = (e: unknown) => e instanceof ApiError && e.code === 'CANCELLED';

/** Where a running export is, in words: fetching from Gmail what the mirror lacks, then writing. */
function progressWords(p: Progress): string {
  if (p.phase === 'fetching') return `Fetching from Gmail the originals not kept offline: ${formatCount(p.done)} of ${formatCount(p.total)}`;
  return `Writing ${formatCount(p.done)} of ${formatCount(p.total)} ${p.total === 1 ? 'message' : 'messages'} · ${formatBytes(p.bytes)}`;
}

const FORMATS: { value: Format; title: string; text: string }[] = [
  { value: 'mbox', title: 'One mbox file', text: 'For Thunderbird, Apple Mail and other mail apps; the format of Google Takeout.' },
  { value: 'eml', title: 'A folder of .eml files', text: 'One file per message, to open or move on its own.' },
];

export function ExportDialog(props: {
  account: AccountSummary;
  onClose: () => void;
  /** How an export that outlived its dialog ends, in one sentence (the mailbox shows it as a notice). */
  onDoneInBackground?: (text: string) => void;
}) {
  const { account } = props;
  const [defaults, setDefaults] = useState<Defaults | null>(null);
  const [format, setFormat] = useState<Format>('mbox');
  const [path, setPath] = useState('');
  const [force, setForce] = useState(false);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<Result | null>(null);
  const [error, setError] = useState<unknown>(null);
  /** The account's export as the core last told it (this window's, or one an earlier window left running). */
  const [progress, setProgress] = useState<Progress | null>(null);
  const [stopping, setStopping] = useState(false);
  /** Where the export this window stopped would have gone (nothing was written there). */
  const [stoppedAt, setStoppedAt] = useState<string | null>(null);
  useEvent('export:progress', (p) => {
    if (p.accountId === account.id) setProgress(p);
  });
  const running = progress !== null && progress.phase !== 'ended';
  const pathId = useId();
  const pathInput = useRef<HTMLInputElement>(null);
  /** Bumped when the app (not the user) set the path: the field then shows its end, the file or folder's name. */
  const [proposed, setProposed] = useState(0);
  useEffect(() => {
    const el = pathInput.current;
    if (el && proposed > 0 && document.activeElement !== el) el.scrollLeft = el.scrollWidth;
  }, [proposed]);
  const hintId = useId();

  useEffect(() => {
    let live = true;
    call('export:defaults', { accountId: account.id }).then(
      (d) => {
        if (!live) return;
        setDefaults(d);
        setPath((p) => p || d.mbox);
        setProposed((n) => n + 1);
      },
      (e: unknown) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [account.id]);

  const choose = (f: Format) => {
    if (busy) return;
    setFormat(f);
    setResult(null);
    // The proposed place follows the format unless the user typed their own.
    if (defaults && (path === '' || path === defaults.mbox || path === defaults.eml)) {
      setPath(defaults[f]);
      setProposed((n) => n + 1);
    }
  };

  // The dialog may be closed while a long export runs (the core carries on): its outcome is then said by the mailbox.
  const open = useRef(true);
  useEffect(
    () => () => {
      open.current = false;
    },
    [],
  );
  const { onDoneInBackground } = props;

  const run = async () => {
    const target = path.trim();
    if (!target || busy || running) return;
    setBusy(true);
    setError(null);
    setResult(null);
    setStoppedAt(null);
    setProgress(null);
    try {
      const r = await call('accounts:export', { accountId: account.id, format, path: target, force });
      if (open.current) setResult(r);
      else onDoneInBackground?.(`Export finished: ${formatCount(r.messages)} ${r.messages === 1 ? 'message' : 'messages'} to ${r.path}${r.skipped > 0 ? ` (${formatCount(r.skipped)} left out)` : ''}.`);
    } catch (e) {
      if (open.current) {
        if (isStopped(e)) setStoppedAt(target);
        else setError(e);
      } else onDoneInBackground?.(isStopped(e) ? 'The export was stopped: nothing was written.' : `The export did not finish: ${errorMessage(e)}`);
    } finally {
      if (open.current) {
        setBusy(false);
        setStopping(false);
        // Its answer comes after every progress event but the last (`ended`, on its way): it has ended now.
        setProgress((p) => p && { ...p, phase: 'ended' });
      }
    }
  };

  const stop = async () => {
    if (stopping) return;
    setStopping(true);
    try {
      await call('accounts:exportCancel', { accountId: account.id });
    } catch (e) {
      setError(e);
    } finally {
      // This window's own export says when it has stopped (run's finally); one an earlier window left running, here.
      if (open.current && !busy) setStopping(false);
    }
  };
  const pct = progress && progress.total > 0 ? Math.min(100, Math.round((100 * progress.done) / progress.total)) : 0;

  return (
    <Modal title="Export account" onClose={props.onClose} testId="export-dialog" width={600}>
      <form
        className="export"
        aria-busy={busy || undefined}
        onSubmit={(e) => {
          e.preventDefault();
          void run();
        }}
      >
        <p className="muted export-intro">
          Every message mirrored for <strong className="export-account">{account.email}</strong>, each exactly as Gmail keeps it,
          with its labels.
        </p>
        {/* Nothing is disabled while exporting (a disabled control drops the focus on the page): the controls ignore input. */}
        <fieldset className="export-formats">
          <legend>Format</legend>
          {FORMATS.map((f) => (
            <label key={f.value} className={`export-format ${format === f.value ? 'on' : ''}`} data-testid={`export-format-${f.value}`}>
              <input type="radio" name="export-format" value={f.value} checked={format === f.value} onChange={() => choose(f.value)} />
              <span className="export-format-text">
                <span className="export-format-title">{f.title}</span>
                <span className="muted small">{f.text}</span>
              </span>
            </label>
          ))}
        </fieldset>
        <div className="field export-path">
          <label htmlFor={pathId}>{format === 'mbox' ? 'Save to file' : 'Save to folder'}</label>
          <input
            ref={pathInput}
            id={pathId}
            value={path}
            onChange={(e) => {
              setPath(e.target.value);
              setResult(null);
            }}
            aria-describedby={hintId}
            spellCheck={false}
            autoComplete="off"
            readOnly={busy}
            placeholder={defaults ? undefined : 'Finding a place…'}
            data-testid="export-path"
          />
          <span className="muted small export-hint" id={hintId}>
            {format === 'mbox' ? 'A full path, ending in .mbox.' : 'A full path to a new folder; one <message id>.eml file per message goes in it.'}
          </span>
        </div>
        <label className="check">
          <input type="checkbox" checked={force} onChange={(e) => !busy && setForce(e.target.checked)} data-testid="export-force" />
          Replace if it exists
        </label>

        {error !== null && <ErrorNotice error={error} context="export" className="inline-error" role="alert" testId="export-error" />}
        <div role="status" className="export-status">
          {(busy || running) && (
            <div className="export-running" data-testid="export-busy">
              <span className="export-busy">
                <span className="spinner small" />
                <span data-testid="export-progress-text">
                  {running && progress ? progressWords(progress) : 'Exporting…'}
                  {!busy && ' (started earlier)'}
                </span>
              </span>
              <ProgressBar
                label="Export progress"
                percent={pct}
                valueText={running && progress ? progressWords(progress) : undefined}
                animated
                testId="export-progress"
              />
              <span className="muted small">Closing this window does not stop it; a large mailbox takes a while.</span>
            </div>
          )}
          {stoppedAt !== null && !busy && (
            <span className="muted small" data-testid="export-stopped">
              Export stopped: nothing was written to <code>{stoppedAt}</code>.
            </span>
          )}
          {result && (
            <div className="export-result" data-testid="export-result">
              <Icon name="checkCircle" size={20} className="ok-icon" />
              <div>
                <strong data-testid="export-count">
                  Exported {formatCount(result.messages)} {result.messages === 1 ? 'message' : 'messages'} ({formatBytes(result.bytes)})
                </strong>
                <span className="export-where">
                  to <code data-testid="export-where">{result.path}</code>
                </span>
                {result.skipped > 0 && (
                  <span className="warn-text small" data-testid="export-skipped">
                    {formatCount(result.skipped)} {result.skipped === 1 ? 'message was' : 'messages were'} left out: not kept offline (over
                    your size cap, or not copied yet) and Gmail could not be reached to fetch {result.skipped === 1 ? 'it' : 'them'}. Export
                    again when you are online to include {result.skipped === 1 ? 'it' : 'them'}.
                  </span>
                )}
              </div>
            </div>
          )}
        </div>

        <div className="dialog-actions">
          {(busy || running) && (
            <button type="button" className="btn export-stop" onClick={() => void stop()} aria-disabled={stopping || undefined} data-testid="export-stop">
              {stopping ? 'Stopping…' : 'Stop export'}
            </button>
          )}
          <button type="button" className="btn ghost" onClick={props.onClose}>
            {result || busy || running ? 'Close' : 'Cancel'}
          </button>
          <button
            type="submit"
            className="btn primary"
            disabled={!busy && !running && !path.trim()}
            aria-disabled={busy || running || undefined}
            data-testid="export-run"
          >
            {busy || running ? <span className="spinner small" /> : <Icon name="download" size={16} />}
            {busy || running ? 'Exporting…' : 'Export'}
          </button>
        </div>
      </form>
    </Modal>
  );
}
