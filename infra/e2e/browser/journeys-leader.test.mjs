// The leader's journey, against the running stack (make test): Progress against the
// commitments (each target's status a word in a tag; the government series as an SVG chart
// with a text alternative and its data as a table), the organisations and their returns for a
// quarter, and both workbooks in both formats, each a real spreadsheet.
//
// The stack starts with the register only, so the file makes its own data through the pages
// first: the Home Office's submitter sends its return for the reference quarter (unless an
// earlier run did), and an administrator rolls up the last month. (HMRC and DWP are the
// submitter journey's; files may run at the same time.) axe on every page and state, and a
// screenshot of each in docs/screenshots/.

import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { after, before, test } from 'node:test'
import { axeCheck, env, heading, launch, newPage, screenshot, signIn } from './lib.mjs'

const { PORTAL_URL } = env()
const CO = 'Cabinet Office (CO)'
const fixture = JSON.parse(await readFile(new URL('./fixtures/hmrc-return.json', import.meta.url), 'utf8'))
const statusWords = ['Met', 'Missed', 'On track', 'Not on track', 'Not started', 'No data']

let browser
let leader // the leader's page, signed in once
let tmp
let refQuarter // "2026-27-Q2": the quarter the figures are for
let month // "November 2026": the month rolled up

before(async () => {
  browser = await launch()
  tmp = await mkdtemp(path.join(os.tmpdir(), 'journeys-leader-'))
})

after(async () => {
  await browser?.close()
  if (tmp) await rm(tmp, { recursive: true, force: true })
})

function main (page) {
  return page.locator('main')
}

function csvReturn (values) {
  const quote = (s) => /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s
  return ['field,value', ...Object.entries(values).map(([k, v]) => `${k},${quote(String(v))}`)].join('\n') + '\n'
}

// "2026-27 Q2 (July to September 2026)" → "2026-27-Q2"
function quarterCode (text) {
  const m = /(\d{4}-\d{2}) (Q[1-4])/.exec(text)
  assert.ok(m, `a quarter in "${text}"`)
  return `${m[1]}-${m[2]}`
}

// A zip's first entry: its name and, when stored uncompressed, its content.
function firstZipEntry (buf) {
  assert.deepEqual([...buf.subarray(0, 4)], [0x50, 0x4b, 0x03, 0x04], 'a zip, starting PK')
  const nameLen = buf.readUInt16LE(26)
  const extraLen = buf.readUInt16LE(28)
  const size = buf.readUInt32LE(18)
  const name = buf.subarray(30, 30 + nameLen).toString('latin1')
  const start = 30 + nameLen + extraLen
  return { name, content: buf.subarray(start, start + size).toString('latin1') }
}

function assertSpreadsheet (buf, format, what) {
  assert.ok(buf.length > 2000, `${what}: ${buf.length} bytes`)
  const first = firstZipEntry(buf)
  if (format === 'ods') {
    assert.equal(first.name, 'mimetype', `${what}: an OpenDocument file starts with its mimetype`)
    assert.equal(first.content, 'application/vnd.oasis.opendocument.spreadsheet', `${what}: an ODS spreadsheet`)
    assert.ok(buf.includes('content.xml'), `${what} holds content.xml`)
  } else {
    assert.ok(buf.includes('xl/workbook.xml'), `${what} holds xl/workbook.xml: an XLSX workbook`)
  }
}

// An administrator runs the rollup for the month the page offers first (the last that has
// ended), and reads its reference quarter.
async function runRollup (admin) {
  await admin.goto(PORTAL_URL + '/admin')
  await admin.getByRole('link', { name: 'Run the rollup' }).click()
  await heading(admin, 'Run the rollup')
  const chosen = (await admin.getByLabel('Month').locator('option').first().innerText()).trim()
  await admin.getByLabel('Month').selectOption({ label: chosen })
  await admin.getByRole('button', { name: 'Run the rollup' }).click()
  const banner = admin.locator('.govuk-notification-banner--success')
  await banner.waitFor()
  const said = await banner.innerText()
  assert.match(said, new RegExp(`${chosen} (rolled up|is up to date): revision \\d+`))
  const summary = await main(admin).locator('.govuk-summary-list').innerText()
  return { month: chosen, refQuarter: quarterCode(/Reference quarter\s+(.*)/.exec(summary)[1]), created: /rolled up/.test(said) }
}

test('the figures to read: an administrator rolls up the month, with the Home Office\'s return for its reference quarter', async () => {
  const admin = await newPage(browser)
  await signIn(admin, { role: 'admin', org: CO })
  ;({ month, refQuarter } = await runRollup(admin))

  const ho = await newPage(browser)
  await signIn(ho, { role: 'submitter', org: 'Home Office (HO)' })
  await heading(ho, 'Your returns')
  await ho.getByRole('link', { name: `${refQuarter} return` }).click()
  await heading(ho, new RegExp(`\\(${refQuarter}\\)$`))
  if (await main(ho).getByText('No return has been sent for this quarter yet.').count() > 0) {
    await ho.getByRole('button', { name: 'Upload a return' }).click()
    const file = path.join(tmp, `ho-${refQuarter}.csv`)
    await writeFile(file, csvReturn({ org: 'HO', period: refQuarter, ...fixture.values, contact_name: 'Home Office Workforce' }))
    await ho.getByLabel('Upload a file').setInputFiles(file)
    await ho.getByRole('button', { name: 'Continue' }).click()
    await heading(ho, 'Check your answers before sending your return')
    const confirm = ho.getByLabel('I have checked the warnings and the figures are correct')
    if (await confirm.count() > 0) await confirm.check()
    await ho.getByRole('button', { name: 'Send return' }).click()
    await heading(ho, 'Return sent')
  }
  await ho.context().close()

  // Again, now with the Home Office's return among its inputs.
  const again = await runRollup(admin)
  assert.equal(again.month, month)
  await admin.context().close()

  leader = await newPage(browser)
  await signIn(leader, { role: 'leader', org: CO })
  await heading(leader, 'Progress against the commitments')
})

test('Progress against the commitments: each target with its value, threshold, status in words and projection', async () => {
  await leader.goto(PORTAL_URL + '/progress')
  await heading(leader, 'Progress against the commitments')
  assert.equal(await leader.title(), 'Progress against the commitments – DDaT workforce returns')
  await main(leader).getByText(`Figures for ${month}, from the returns for its reference quarter`).waitFor()

  const targets = leader.getByRole('table', { name: /^Each commitment's value, threshold, status and projection/ })
  const rows = targets.locator('tbody tr')
  const n = await rows.count()
  assert.ok(n >= 4, `${n} commitments`)
  const seen = new Set()
  for (let i = 0; i < n; i++) {
    const row = rows.nth(i)
    const title = (await row.locator('th').innerText()).trim()
    const cells = row.locator('td')
    assert.equal(await cells.count(), 4, `${title}: value, threshold, status and projection`)
    for (let c = 0; c < 4; c++) assert.ok((await cells.nth(c).innerText()).trim(), `${title}: column ${c + 2} says something`)
    const tag = (await row.locator('.govuk-tag').innerText()).trim()
    assert.ok(statusWords.some((w) => w.toLowerCase() === tag.toLowerCase()), `${title}'s status is a word: "${tag}"`)
    seen.add(tag.toLowerCase())
  }
  // The Home Office answered the reference quarter, so something is judged.
  assert.ok([...seen].some((s) => s !== 'no data'), `some target is judged, not all "No data": ${[...seen]}`)
  await axeCheck(leader, 'progress against the commitments')
  await screenshot(leader, 'progress')
})

test('the government series: SVG charts with a text alternative, each with its data as a table', async () => {
  await leader.getByRole('heading', { level: 2, name: 'Government series' }).waitFor()
  const charts = main(leader).locator('svg[role="img"]')
  const n = await charts.count()
  assert.ok(n >= 1, 'at least one chart')
  for (let i = 0; i < n; i++) {
    const svg = charts.nth(i)
    const title = svg.locator('title')
    assert.equal(await title.count(), 1, `chart ${i + 1} has a title`)
    assert.ok((await title.textContent()).trim().length > 10, `chart ${i + 1}'s title says what it shows`)
    // The name a screen reader announces: the title, and the description, in words.
    const name = await svg.evaluate((el) => {
      const ids = (el.getAttribute('aria-labelledby') || '').split(/\s+/).filter(Boolean)
      return ids.map((id) => document.getElementById(id)?.textContent ?? '').join(' ').trim() ||
        el.getAttribute('aria-label') || el.querySelector('title')?.textContent || ''
    })
    assert.ok(name.length > 10, `chart ${i + 1} has an accessible name: "${name}"`)
  }
  // Each chart's data, beside it: the table after it and before the next chart.
  const tables = await main(leader).evaluate((m) => {
    const charts = [...m.querySelectorAll('svg[role="img"]')]
    return charts.map((c, i) => {
      const next = charts[i + 1]
      const t = [...m.querySelectorAll('table')].find((t) =>
        (c.compareDocumentPosition(t) & Node.DOCUMENT_POSITION_FOLLOWING) &&
        (!next || (t.compareDocumentPosition(next) & Node.DOCUMENT_POSITION_FOLLOWING)))
      return t
        ? { caption: t.caption?.textContent.trim() ?? '', rows: t.tBodies[0]?.rows.length ?? 0, cols: t.querySelectorAll('th[scope="col"]').length }
        : null
    })
  })
  const withData = tables.filter(Boolean)
  assert.ok(withData.length >= 1, 'the series with figures have their data as a table')
  for (const t of withData) {
    assert.ok(t.caption, 'a chart\'s table has a caption')
    assert.ok(t.rows >= 1, `the table "${t.caption}" has rows`)
    assert.ok(t.cols >= 2, `the table "${t.caption}" has column headers`)
  }
})

test('Organisations: each organisation with its return for the reference quarter', async () => {
  await leader.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Organisations' }).click()
  await heading(leader, 'Organisations')
  const table = leader.getByRole('table', { name: /^Organisations and their returns for / })
  const rows = table.locator('tbody tr')
  assert.ok(await rows.count() >= 30, 'every organisation in the register')
  for (const tag of await rows.locator('.govuk-tag').allInnerTexts()) {
    assert.ok(tag.trim(), 'each return status is a word')
  }
  const ho = table.getByRole('row').filter({ has: leader.getByRole('rowheader', { name: /^Home Office/ }) })
  assert.match(await ho.locator('.govuk-tag').innerText(), /^Received|^Sent|^Late/i)
  await axeCheck(leader, 'organisations')
  await screenshot(leader, 'organisations')

  // A quarter written as a calendar quarter is ambiguous, and says so.
  await leader.getByLabel('Quarter').fill('2025 Q1')
  await leader.getByRole('button', { name: 'Show returns' }).click()
  await heading(leader, 'Organisations')
  const summary = leader.locator('.govuk-error-summary')
  await summary.getByRole('heading', { name: 'There is a problem' }).waitFor()
  assert.match(await leader.title(), /^Error: Organisations – /)
  assert.equal(await summary.getByRole('link').first().getAttribute('href'), '#period')
  await leader.locator('.govuk-form-group--error #period.govuk-input--error').waitFor()
  await axeCheck(leader, 'organisations: a quarter that cannot be read')
  await screenshot(leader, 'organisations-error')

  // Another quarter, written as people write it.
  await leader.getByLabel('Quarter').fill(refQuarter.replace(/-(Q\d)$/, ' $1'))
  await leader.getByRole('button', { name: 'Show returns' }).click()
  await leader.getByRole('table', { name: /^Organisations and their returns for / }).waitFor()
})

test('Workbooks: both editions, each as XLSX and ODS, each download a real spreadsheet', async () => {
  await leader.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Workbooks' }).click()
  await heading(leader, 'Workbooks')
  await leader.getByRole('heading', { level: 2, name: month }).waitFor()
  await axeCheck(leader, 'workbooks')
  await screenshot(leader, 'workbooks')

  const section = main(leader).locator(`xpath=.//h2[normalize-space()="${month}"]/following-sibling::ul[1]`)
  const links = section.getByRole('link')
  const texts = (await links.allInnerTexts()).map((t) => t.trim())
  const found = []
  for (const edition of ['published', 'management']) {
    for (const format of ['xlsx', 'ods']) {
      const link = links.filter({ hasText: new RegExp(edition, 'i') }).filter({ hasText: new RegExp(format, 'i') })
      assert.equal(await link.count(), 1, `one link for the ${edition} edition as ${format.toUpperCase()}, among: ${texts.join(' | ')}`)
      const [dl] = await Promise.all([leader.waitForEvent('download'), link.click()])
      const file = path.join(tmp, `${edition}.${format}`)
      await dl.saveAs(file)
      assert.ok(!(await dl.failure()), `the ${edition} ${format} download finished`)
      assert.match(dl.suggestedFilename(), new RegExp(`\\.${format}$`), `the ${edition} ${format} file's name: ${dl.suggestedFilename()}`)
      assertSpreadsheet(await readFile(file), format, `the ${edition} edition as ${format}`)
      found.push(`${edition}.${format}`)
    }
  }
  assert.equal(found.length, 4)
  await heading(leader, 'Workbooks') // the downloads left the page where it was
})

test('a leader is not offered administration, and is refused it', async () => {
  const nav = leader.getByRole('navigation', { name: 'Menu' })
  assert.deepEqual((await nav.getByRole('link').allInnerTexts()).map((t) => t.trim()), ['Progress', 'Organisations', 'Workbooks'])
  for (const pathname of ['/admin', '/admin/register', '/admin/rollup', '/admin/missing']) {
    const res = await leader.goto(PORTAL_URL + pathname)
    assert.equal(res.status(), 403, pathname)
    await heading(leader, 'You cannot see this page')
  }
  await axeCheck(leader, 'administration refused to a leader')
})
