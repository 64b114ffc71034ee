/** Who is calling: set on `request.principal` by the auth plugin, read by routes, limits and logs. */
export interface Principal {
  /** 'key' for API keys; sessions and external JWTs add their own types. */
  type: string
  id: string
  /** Model ids it may call; null means every model. */
  models: string[] | null
  admin: boolean
  /** Requests per minute for this principal; null means the default for its type. */
  rateLimitPerMin: number | null
}

/** A credential as the client sent it. */
export interface Credential {
  /** Where it came from: `Authorization: Bearer` or `x-api-key`. */
  source: 'bearer' | 'x-api-key'
  token: string
}

/**
 * One way of turning a credential into a principal. The auth plugin asks each authenticator in
 * order; the first that `accepts` the credential decides (API keys by their `mg_` prefix; JWTs
 * are the next authenticator to add).
 */
export interface Authenticator {
  accepts: (credential: Credential) => boolean
  /**
   * The principal, or throws AUTH_INVALID (or another 401 problem). A principal it knows without
   * waiting (a cached key) may come back as is, without a promise.
   */
  authenticate: (credential: Credential) => Principal | Promise<Principal>
}

/** True when the principal may call the model. */
export function mayCallModel (principal: Principal, modelId: string): boolean {
  return principal.models === null || principal.models.includes(modelId)
}
