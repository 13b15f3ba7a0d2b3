// What passes between the manager's side and a spawner process: an order to start one command,
// and what the spawner reports of it. A Node spawner (runtime.cts) gets and sends these objects
// over IPC; the native forker as bytes (native-codec.ts). Types only: both sides import it, and
// neither pulls the other's code in with it.

/** Start this command. Everything the child needs is in the order: a spawner keeps no state of its own but the jobs it runs. */
export interface SpawnOrder {
  /** The manager side's number for this job, unique per spawner. */
  id: number
  command: string
  args: string[]
  /** Absolute: the manager's working directory may differ from the spawner's. */
  cwd: string
  /**
   * The whole environment, the manager's process.env at the start merged with the job's; sent
   * only when the manager's process.env is no longer the one the spawner was forked with.
   */
  env?: Record<string, string | undefined>
  /** Otherwise: the job's own entries, laid over the spawner's environment (absent: the spawner's as it is). */
  envOver?: Record<string, string | undefined>
  shell: boolean
  /** Fed to the child's stdin, which is closed after it; absent: stdin is /dev/null. */
  input?: string | Uint8Array
  /** Relay stdout and stderr; otherwise they are the spawner's, which are the manager's. */
  capture: boolean
  /** Capture only: per stream, the spawner relays no more than this many bytes and one chunk over (the manager decides overflow). */
  maxBuffer: number
  /**
   * Native forker only: the child's fd 3 is a connection to this unix socket address, on which
   * the token is written first (a fresh process's IPC channel to the manager: process/spawned.ts).
   */
  channel?: { address: string; token: Uint8Array }
}

export type SpawnerMessage =
  /** The spawner listens for orders. */
  | { type: 'ready' }
  /** The child exists, with this pid, leading its own process group. */
  | { type: 'started'; id: number; pid: number }
  /** No child: `thrown` when spawn() threw at the call (E2BIG, ENOTDIR), otherwise it emitted 'error' (ENOENT). */
  | { type: 'failed'; id: number; code: string | undefined; message: string; thrown: boolean }
  /** Captured output, in order, stream 1 or 2. */
  | { type: 'output'; id: number; fd: 1 | 2; chunk: Uint8Array }
  /** The child exited (its pipes may still be open, held by its own children). */
  | { type: 'exit'; id: number; code: number | null; signal: NodeJS.Signals | null }
  /** Capture only: the child exited and both pipes have ended, after every 'output' of the job. */
  | { type: 'closed'; id: number; code: number | null; signal: NodeJS.Signals | null }
