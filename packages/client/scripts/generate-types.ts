// `pnpm --dir packages/client generate`: writes src/openapi.ts from the gateway's route schemas.
import { writeFile } from 'node:fs/promises'
import { TYPES_FILE, openApiTypes } from './openapi-types.ts'

await writeFile(TYPES_FILE, await openApiTypes())
process.stderr.write(`wrote ${TYPES_FILE.pathname}\n`)
