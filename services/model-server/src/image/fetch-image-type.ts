/** Downloads the image behind a URL under the service's fetch policy (see fetch-image.ts). */
export type FetchImage = (url: string, signal?: AbortSignal) => Promise<{ bytes: Buffer, contentType: string, fetchMs: number }>
