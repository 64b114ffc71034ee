// Errors as the Open Inference Protocol answers them, for the V2 routes: `{"error": "<message>"}` with
// status 400 (404 for an unknown model or version), and the platform's `code` beside it so that logs
// and dashboards still group them. Server-side failures keep their status (503 while a model loads).
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { PROBLEM_CODE_HEADER, type ProblemError } from './problem.ts'

export interface V2ErrorOptions {
  /** Problems answered as problem+json all the same (the gateway's own refusals: 401, 403, 429, 503). */
  keepProblem?: (problem: ProblemError) => boolean
}

/** The body and status a problem gets on a V2 route; its extra members (knownVersions, errors…) stay. */
export function v2Error (problem: ProblemError): { status: number, body: Record<string, unknown> & { error: string, code: string } } {
  const status = problem.status === 404 || problem.status >= 500 ? problem.status : 400
  return { status, body: { error: problem.message, code: problem.code, ...problem.extra } }
}

/** Answers every error of the routes of this scope (`app`, a plugin's own) in the V2 shape. */
export function useV2Errors (app: FastifyInstance, opts: V2ErrorOptions = {}): void {
  app.setErrorHandler(function (error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
    const problem = app.problemOf(error)
    if (problem.status >= 500) request.log.error({ err: error, errCode: problem.code }, 'request failed')
    if (opts.keepProblem?.(problem) === true) return reply.sendProblem(problem)
    const { status, body } = v2Error(problem)
    request.errCode = problem.code
    return reply.code(status).headers(problem.headers).header(PROBLEM_CODE_HEADER, problem.code)
      .type('application/json').send(JSON.stringify(body))
  })
}
