// One error shape for every process: RFC 9457 application/problem+json with a stable `code`.
export const PROBLEM_CONTENT_TYPE = 'application/problem+json'
/** Names the problem's code on every problem answer, so a proxy can log it without reading the body. */
export const PROBLEM_CODE_HEADER = 'x-problem-code'
const DEFAULT_TYPE_BASE = 'https://modelgate.dev/errors/'

export interface Problem {
  type: string
  title: string
  status: number
  detail: string
  code: string
  requestId?: string
  [extra: string]: unknown
}

export interface ProblemOptions {
  /** Extra members of the body that help the caller act (e.g. `errors`, `knownModels`). */
  extra?: Record<string, unknown>
  /** Response headers, e.g. `Retry-After` on 429 and 503. */
  headers?: Record<string, string>
  cause?: unknown
}

/** The base class of every problem a process throws on purpose. */
export class ProblemError extends Error {
  readonly code: string
  readonly status: number
  readonly title: string
  readonly extra: Record<string, unknown>
  readonly headers: Record<string, string>

  constructor (code: string, status: number, title: string, detail: string, options: ProblemOptions = {}) {
    super(detail, { cause: options.cause })
    this.name = 'ProblemError'
    this.code = code
    this.status = status
    this.title = title
    this.extra = options.extra ?? {}
    this.headers = options.headers ?? {}
  }
}

export type ProblemClass = (new (detail?: string, options?: ProblemOptions) => ProblemError) & {
  readonly code: string
  readonly status: number
  readonly title: string
}

/** Makes the class of one problem: `throw new ImageTooLarge('The body is over 10 MB.')`. */
export function defineProblem (code: string, status: number, title: string): ProblemClass {
  return class extends ProblemError {
    static readonly code = code
    static readonly status = status
    static readonly title = title
    constructor (detail: string = title, options?: ProblemOptions) {
      super(code, status, title, detail, options)
    }
  }
}

/** `IMAGE_TOO_LARGE` → `https://…/errors/image-too-large`. */
export function problemType (code: string, base = DEFAULT_TYPE_BASE): string {
  return base + code.toLowerCase().replaceAll('_', '-')
}

export function isProblemError (err: unknown): err is ProblemError {
  return err instanceof ProblemError
}

export function problemBody (err: ProblemError, requestId: string | undefined, typeBase?: string): Problem {
  return {
    ...err.extra,
    type: problemType(err.code, typeBase),
    title: err.title,
    status: err.status,
    detail: err.message,
    code: err.code,
    ...(requestId === undefined ? {} : { requestId })
  }
}
