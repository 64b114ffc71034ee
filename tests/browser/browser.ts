// Debian's Chromium driven by playwright-core (never `playwright install`), as docs/web.md says.
import { mkdirSync } from 'node:fs'
import { type Browser, type BrowserContext, type Page, chromium } from 'playwright-core'
import { expect } from 'vitest'

export const ARTIFACTS = new URL('../artifacts/', import.meta.url).pathname

export async function launchBrowser (): Promise<Browser> {
  return await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run']
  })
}

export interface WatchedPage {
  page: Page
  context: BrowserContext
  /** Page errors and console errors, minus Chromium's line for each non-2xx fetch (expected in error tests). */
  problems: string[]
}

/** A new context (its own storage: another person's browser) and page that records every error. */
export async function openPage (browser: Browser, url: string, viewport = { width: 1280, height: 860 }): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport, colorScheme: 'light', reducedMotion: 'reduce' })
  const page = await context.newPage()
  const problems: string[] = []
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`))
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) problems.push(`console: ${msg.text()}`)
  })
  await page.goto(url)
  return { page, context, problems }
}

/** Saves a screenshot to tests/artifacts/<name>.png for a person to look at. */
export async function screenshot (page: Page, name: string, opts: { fullPage?: boolean } = {}): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true })
  await page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: opts.fullPage ?? true })
}

/** No script error and no CSP violation happened on the page. */
export function expectNoPageProblems (watched: WatchedPage): void {
  expect(watched.problems).toEqual([])
}
