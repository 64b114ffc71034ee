import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { NotFound } from './errors.ts'
import { PROBLEM_CODE_HEADER, PROBLEM_CONTENT_TYPE, type ProblemError, problemBody } from './problem.ts'
import { toProblem } from './to-problem.ts'

export interface ErrorHandlerOptions {
  /** Maps an error to this process's own problem first (e.g. a body over the limit → IMAGE_TOO_LARGE). */
  mapError?: (error: FastifyError) => ProblemError | undefined
  /** Base URL of the problem `type` links. */
  typeBase?: string
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The problem an error is answered with: this process's own mapping first, then the kit's. */
    problemOf: (error: unknown) => ProblemError
  }
  interface FastifyReply {
    /** Sends a problem+json answer and notes its code for the access log. */
    sendProblem: (problem: ProblemError) => FastifyReply
  }
}

/** Error and not-found handlers that answer every failure as application/problem+json. */
export const errorHandler = fp<ErrorHandlerOptions>(async function errorHandler (app, opts) {
  app.decorateReply('sendProblem', function (this: FastifyReply, problem: ProblemError) {
    this.request.errCode = problem.code
    return this.code(problem.status)
      .headers(problem.headers)
      .header(PROBLEM_CODE_HEADER, problem.code)
      .type(PROBLEM_CONTENT_TYPE)
      .send(JSON.stringify(problemBody(problem, this.request.id, opts.typeBase)))
  })

  app.decorate('problemOf', (error: unknown) => opts.mapError?.(error as FastifyError) ?? toProblem(error))

  app.setErrorHandler(function (error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
    const problem = app.problemOf(error)
    // The client left (mid-upload, or while its answer streamed): no failure of this process; its access line says so.
    if (reply.raw.destroyed || request.raw.socket?.destroyed === true) request.log.debug({ err: error, errCode: problem.code }, 'client closed the connection')
    else if (problem.status >= 500) request.log.error({ err: error, errCode: problem.code }, 'request failed')
    else request.log.debug({ err: error, errCode: problem.code }, 'request refused')
    return reply.sendProblem(problem)
  })

  app.setNotFoundHandler(function (request: FastifyRequest, reply: FastifyReply) {
    return reply.sendProblem(new NotFound(`There is no route ${request.method} ${request.url.split('?')[0]}.`))
  })
}, { name: 'error-handler', fastify: '5.x', dependencies: ['access-log'] })
