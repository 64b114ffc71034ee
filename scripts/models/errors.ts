/** A failure the user can act on: the CLI prints its message as is, without a stack trace. */
export class ModelsError extends Error {
  constructor (message: string, readonly exitCode = 1) {
    super(message)
    this.name = 'ModelsError'
  }
}
