// Where a process's log lines go: stdout, as nginx's buffered access_log does it, with one turn of
// the event loop as the flush interval. The lines of a turn are written together, synchronously, at
// its end: under load one write carries many lines, at rest each line goes out within the turn.
// (pino's asynchronous destination handed every write to libuv's thread pool; one synchronous write
// per line is a system call per request.)
import pino from 'pino'

/**
 * POSIX writes at most this many bytes to a pipe in one piece, never mixed with another writer's: the
 * workers of a gateway share one stdout, so a write holds only whole lines and stays within it (a
 * line longer than this goes out alone).
 */
export const PIPE_BUF = 4096

export interface LineSink {
  write: (line: string) => void
  /** Writes what is gathered now (the process is exiting). */
  flushSync: () => void
}

/** Gathers lines and hands them to `sink` (each call one write) at the end of the turn or when PIPE_BUF is full. */
export function turnBatched (sink: { write: (text: string) => unknown }): LineSink {
  let pending = ''
  let pendingBytes = 0
  let scheduled = false
  const flushSync = (): void => {
    if (pending === '') return
    const text = pending
    pending = ''
    pendingBytes = 0
    sink.write(text)
  }
  const atTurnEnd = (): void => {
    scheduled = false
    flushSync()
  }
  return {
    write (line) {
      const bytes = Buffer.byteLength(line)
      if (pendingBytes + bytes > PIPE_BUF) flushSync()
      pending += line
      pendingBytes += bytes
      if (!scheduled) {
        scheduled = true
        setImmediate(atTurnEnd)
      }
    },
    flushSync
  }
}

let stdout: LineSink | undefined

/**
 * The process's stdout through `turnBatched` (one for every server in the process); what is gathered
 * when the process exits (a signal, an uncaught error) is written first.
 */
export function stdoutLines (): LineSink {
  if (stdout === undefined) {
    // sonic-boom, synchronous: it retries a full pipe (EAGAIN) and stops at a closed one (EPIPE).
    stdout = turnBatched(pino.destination({ dest: 1, sync: true }))
    process.on('exit', stdout.flushSync)
  }
  return stdout
}
