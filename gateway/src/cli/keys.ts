// Entry of `pnpm keys` (root package.json): the command itself is in keys-command.ts.
import { text } from 'node:stream/consumers'
import { runKeysCommand } from './keys-command.ts'

process.exitCode = await runKeysCommand(process.argv.slice(2), {
  env: process.env,
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
  readStdin: async () => await text(process.stdin)
})
