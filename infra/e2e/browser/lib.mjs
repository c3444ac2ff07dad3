// Helpers for the portal's browser tests (node --test infra/e2e/browser/): Playwright driving
// Debian's chromium, axe-core for WCAG 2.2 AA, and the screenshots in docs/screenshots/.
//
//   import { env, launch, newPage, axeCheck, screenshot } from './lib.mjs'
//
//   const { PORTAL_URL } = env()
//   const browser = await launch()
//   const page = await newPage(browser)
//   await page.goto(PORTAL_URL)
//   await axeCheck(page, 'your returns')
//   await screenshot(page, 'submitter-your-returns')
//   await browser.close()

import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import AxeBuilder from '@axe-core/playwright'
import { chromium } from 'playwright-core'

const here = path.dirname(fileURLToPath(import.meta.url))

/** The repository's root directory. */
export const repoRoot = path.resolve(here, '..', '..', '..')

/** Where screenshot() writes by default: committed, and linked from the README. */
export const screenshotsDir = path.join(repoRoot, 'docs', 'screenshots')

/** The WCAG 2.2 AA rule sets every page and state must pass. */
export const axeTags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']

/**
 * Chromium's switches for a machine with no network but loopback and no browser download:
 * nothing may call out (sync, component updates, background requests, QUIC).
 */
export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync'
]

/** The chromium binary: $CHROMIUM, or Debian's package (make deps installs it). */
export function chromiumPath () {
  return process.env.CHROMIUM || '/usr/bin/chromium'
}

const stackVariables = ['PORTAL_URL', 'API_URL', 'IDP_URL', 'MAILPIT_URL']

/**
 * The running stack's addresses, from the environment (make test exports .local/stack.env).
 * Throws, naming every one that is missing, so a test run without the stack says why.
 */
export function env () {
  const missing = stackVariables.filter((name) => !process.env[name])
  if (missing.length > 0) {
    throw new Error(`browser tests: ${missing.join(', ')} not set; start the stack (make up) and ` +
      'export .local/stack.env (set -a && . .local/stack.env && set +a), or run make test')
  }
  return Object.fromEntries(stackVariables.map((name) => [name, process.env[name]]))
}

/**
 * Starts headless chromium. Playwright gives every launch a fresh user-data-dir of its own
 * (a new temporary directory, deleted by browser.close()); it refuses --user-data-dir in args.
 */
export async function launch () {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    chromiumSandbox: false,
    args: chromiumArgs
  })
}

/**
 * A page in a new context of its own: no cookies or storage shared with other pages. Waits
 * give up after 15 seconds (Playwright's default is 30): a page that has not come by then is
 * not coming, and a failing run should say so soon.
 */
export async function newPage (browser, contextOptions = {}) {
  const context = await browser.newContext({ locale: 'en-GB', ...contextOptions })
  context.setDefaultTimeout(15_000)
  return context.newPage()
}

/**
 * Runs axe-core's WCAG 2.2 AA rules on the page as it is now, and throws, listing every
 * violation with the elements it was found on, if there is any. stateName says which page
 * and state this is in the failure message ("upload a return: errors shown").
 */
export async function axeCheck (page, stateName) {
  if (!stateName) throw new Error('axeCheck: name the page and state being checked')
  const results = await new AxeBuilder({ page }).withTags(axeTags).analyze()
  if (results.passes.length === 0) {
    // No rule passed at all: axe did not look at the page (an empty document, or it did not run).
    throw new Error(`axe on ${stateName} (${page.url()}): no rule passed, so nothing was checked`)
  }
  if (results.violations.length > 0) {
    throw new Error(formatViolations(stateName, page.url(), results.violations))
  }
  return results
}

function formatViolations (stateName, url, violations) {
  const lines = [`axe on ${stateName} (${url}): ${violations.length} WCAG 2.2 AA violation(s)`]
  for (const v of violations) {
    lines.push(`- ${v.id} (${v.impact}): ${v.help} [${v.helpUrl}]`)
    for (const node of v.nodes) {
      lines.push(`    ${node.target.join(' ')}: ${node.html}`)
    }
  }
  return lines.join('\n')
}

// A screenshot's name must be the same from run to run (no dates, counters or random parts), so a
// run rewrites the committed files instead of adding new ones.
const stableName = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/
const taken = new Set()

/**
 * Writes a full-page PNG of the page to docs/screenshots/<name>.png (or to options.dir), and
 * returns its path. name is a lower-case, hyphenated name that stays the same across runs
 * ("submitter-check-your-answers"); anything else, or a name used twice in one run, throws
 * without writing.
 */
export async function screenshot (page, name, { dir = screenshotsDir } = {}) {
  if (!stableName.test(name ?? '')) {
    throw new Error(`screenshot: name ${JSON.stringify(name)} is not a stable lower-case-hyphenated name`)
  }
  const file = path.join(dir, `${name}.png`)
  if (taken.has(file)) throw new Error(`screenshot: ${file} was already written in this run`)
  taken.add(file)
  await mkdir(dir, { recursive: true })
  await page.screenshot({ path: file, fullPage: true, animations: 'disabled', caret: 'hide' })
  return file
}

// ---- Journeys: signing in as a person would, on the local provider's page ----

/** The local provider's labels for each role (its Role select). */
export const roleLabels = { submitter: 'Submitter', approver: 'Approver', leader: 'Leader', admin: 'Admin' }

/**
 * On the local provider's sign-in page: chooses the role and the organisation by the
 * selects' labels ("Role", "Organisation") and the option a person reads
 * ("HM Revenue and Customs (HMRC)"), presses Sign in and waits to be back on the portal.
 */
export async function signInAtProvider (page, { role, org }) {
  const { PORTAL_URL } = env()
  await page.getByRole('heading', { level: 1, name: 'Sign in to the local identity provider' }).waitFor()
  await page.getByLabel('Role').selectOption({ label: roleLabels[role] ?? role })
  await page.getByLabel('Organisation').selectOption({ label: org })
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.waitForURL((u) => u.href.startsWith(PORTAL_URL))
}

/**
 * Signs in from the portal's start page: the start button, then the provider's page.
 * atProvider(page), when given, runs on the provider's page before choosing (for axe and a
 * screenshot of it). Returns the page, on the signed-in user's first page.
 */
export async function signIn (page, { role, org, atProvider }) {
  const { PORTAL_URL } = env()
  await page.goto(PORTAL_URL)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('heading', { level: 1, name: 'Sign in to the local identity provider' }).waitFor()
  if (atProvider) await atProvider(page)
  await signInAtProvider(page, { role, org })
  return page
}

/** The page's one h1, waited for: its text must be name (a string is matched exactly). */
export async function heading (page, name) {
  const h1 = page.getByRole('heading', { level: 1, name, exact: typeof name === 'string' })
  await h1.waitFor()
  return h1
}
