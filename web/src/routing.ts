// Two pages need no router library: the path is state, links push history entries.
import { type MouseEvent, useEffect, useState } from 'react'

export type Route = 'classify' | 'ops'

export function routeOf (pathname: string): Route {
  return pathname.replace(/\/+$/, '') === '/ops' ? 'ops' : 'classify'
}

export function useRoute (): Route {
  const [route, setRoute] = useState(() => routeOf(window.location.pathname))
  useEffect(() => {
    const onChange = (): void => setRoute(routeOf(window.location.pathname))
    window.addEventListener('popstate', onChange)
    return () => window.removeEventListener('popstate', onChange)
  }, [])
  return route
}

/** onClick for an in-app link: keeps modified clicks (new tab, new window) to the browser. */
export function followLink (event: MouseEvent<HTMLAnchorElement>): void {
  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return
  event.preventDefault()
  const href = event.currentTarget.getAttribute('href') ?? '/'
  if (href === window.location.pathname) return
  window.history.pushState(null, '', href)
  window.dispatchEvent(new PopStateEvent('popstate'))
  window.scrollTo(0, 0)
}
