// The client's types, generated from the gateway's OpenAPI document with openapi-typescript. The
// gateway is imported from the repository, not as a dependency: the client installs without it.
import { openApiDocument } from '../../../gateway/src/openapi-document.ts'
import openapiTS, { astToString } from 'openapi-typescript'

export const TYPES_FILE = new URL('../src/openapi.ts', import.meta.url)

const HEADER = '// Generated from the gateway\'s /openapi.json by `pnpm --dir packages/client generate`\n' +
  '// (openapi-typescript): do not edit. A test fails when it is out of date.\n\n'

export async function openApiTypes (): Promise<string> {
  const document = await openApiDocument()
  return `${HEADER}${astToString(await openapiTS(document as unknown as Parameters<typeof openapiTS>[0]))}`
}
