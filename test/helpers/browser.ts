// A real headless Chromium for end-to-end tests: Debian's `chromium` package (installed by
// .ci/run), driven by playwright-core through its executable path; no browser is ever downloaded.
// Playwright gives each launch a fresh temporary profile (its own --user-data-dir), removed on close.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type Page } from 'playwright-core'

export const CHROMIUM = '/usr/bin/chromium'

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync']

/** Launches Chromium, closed at `t`'s teardown. */
export async function launchBrowser (t: { teardown: (fn: () => unknown) => void }): Promise<Browser> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true, timeout: 60_000 })
  t.teardown(() => browser.close())
  return browser
}

/** Where screenshots go: test-output/screenshots/ (gitignored), made on first use. */
export const SCREENSHOTS = fileURLToPath(new URL('../../test-output/screenshots/', import.meta.url))

/** Saves a full-page screenshot of `page` as `<name>.png`. */
export async function screenshot (page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true })
  const file = join(SCREENSHOTS, `${name}.png`)
  await page.screenshot({ path: file, fullPage: true })
  return file
}
