// The admin key stays in this tab's sessionStorage: gone when the tab closes, never in localStorage.
const KEY = 'modelgate.adminKey'

export function loadAdminKey (): string | undefined {
  try { return sessionStorage.getItem(KEY) ?? undefined } catch { return undefined }
}

export function saveAdminKey (key: string): void {
  try { sessionStorage.setItem(KEY, key) } catch {}
}

export function forgetAdminKey (): void {
  try { sessionStorage.removeItem(KEY) } catch {}
}
