// A spawned redis-server must end with the process that owns it, however that process ends: a `kill -9`, a crash
// or the OOM killer run no exit hook, and the server would live on until the next start in that data folder.
//
// - Linux and macOS: a watchdog `/bin/sh` is started next to each redis-server, its stdin a pipe whose other end
//   only the owner holds (Node opens pipes close-on-exec, so no other child inherits it). The kernel closes that end
//   when the owner dies, the watchdog's `read` sees end-of-file, and it stops the redis-server: SIGTERM (redis
//   flushes its AOF), SIGKILL if it is still there 1.5 s later. A shell rather than Node because the desktop app's
//   executable is Electron with the RunAsNode fuse off, and rather than prctl(PR_SET_PDEATHSIG) because that is
//   Linux only and out of Node's reach.
// - Windows: nothing to add. libuv puts every child it spawns without `detached` into a job object created with
//   JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE that only the owner holds, so Windows ends redis-server with its owner
//   (https://github.com/libuv/libuv/blob/v1.x/src/win/process.c, uv__init_global_job_handle; only a Windows older
//   than 8, inside a job that forbids nesting, skips that).
import { spawn, type ChildProcess } from 'node:child_process';

/**
 * $1 is the redis-server's pid. Terminal signals are ignored: Ctrl-C reaches the whole process group, and the
 * watchdog must outlive an owner that dies of it. The pid is checked to still be a redis-server before each signal
 * (pids are reused).
 */
const SCRIPT = `
trap '' INT HUP TERM QUIT
while read -r _; do :; done
is_redis() {
  if [ -r "/proc/$1/cmdline" ]; then tr '\\000' ' ' < "/proc/$1/cmdline" | grep -q redis-server
  else ps -p "$1" -o comm= 2>/dev/null | grep -q redis-server
  fi
}
is_redis "$1" || exit 0
kill -TERM "$1" 2>/dev/null || exit 0
i=0
while [ $i -lt 15 ]; do
  kill -0 "$1" 2>/dev/null || exit 0
  sleep 0.1
  i=$((i + 1))
done
is_redis "$1" && kill -KILL "$1" 2>/dev/null
exit 0
`;

/** The watchdog of one redis-server; `disarm()` ends it (the owner stops or lost that server itself). */
export interface OwnerWatchdog {
  readonly pid: number | undefined;
  disarm(): void;
}

/**
 * Starts the watchdog for the redis-server `redisPid` (null on Windows, where the OS does it). It never keeps
 * the owner's event loop alive. `onProblem` hears, once, that no watchdog could be started.
 */
export function watchOwner(redisPid: number, onProblem: (msg: string) => void = () => undefined): OwnerWatchdog | null {
  if (process.platform === 'win32') return null;
  let child: ChildProcess;
  try {
    child = spawn('/bin/sh', ['-c', SCRIPT, 'mailmirror-redis-watchdog', String(redisPid)], {
      stdio: ['pipe', 'ignore', 'ignore'],
      // Its own PATH: the owner's may be empty or odd (a desktop launch), and tr, grep, ps, sleep and kill are
      // in these folders on every Linux and macOS.
      env: { PATH: '/usr/bin:/bin:/usr/sbin:/sbin', LC_ALL: 'C' },
      windowsHide: true,
    });
  } catch (e) {
    onProblem(`cannot start the redis-server watchdog: ${e instanceof Error ? e.message : String(e)}`);
    return null;
  }
  child.once('error', (e) => onProblem(`cannot start the redis-server watchdog: ${e.message}`));
  // The owner never writes: the pipe only has to stay open for as long as the owner lives.
  child.stdin?.on('error', () => undefined);
  child.unref();
  (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return {
    pid: child.pid,
    disarm: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
