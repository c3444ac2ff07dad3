// The submitter's journey, against the running stack (make test), as SPEC §9 and issue 11's
// "Done looks like" tell it: an HMRC analyst signs in, opens a quarter HMRC owes, downloads the
// template, uploads it filled in with mistakes, reads them in the error summary (each linked to
// its row) and as CSV, uploads the corrected file, checks the answers, confirms the warnings,
// sends the return and finds it in the version history; then sends a revision as CSV with its
// reason and reads what changed. HMRC's approver signs the version off. Editing the address to
// another organisation's quarter is refused and shows none of its data.
//
// The stack starts with the register only, so the journey makes its own data through the
// pages: each run sends the newest quarter HMRC still owes (a fresh stack owes fourteen), so
// the suite passes on a fresh stack and when run again. axe on every page and state, and a
// screenshot of each in docs/screenshots/.

import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { after, before, test } from 'node:test'
import { axeCheck, env, heading, launch, newPage, repoRoot, screenshot, signIn } from './lib.mjs'

const { PORTAL_URL } = env()
const HMRC = 'HM Revenue and Customs (HMRC)'
const python = '/usr/bin/python3'
const filler = path.join(repoRoot, 'infra', 'scripts', 'fill_template.py')
const fixture = JSON.parse(await readFile(new URL('./fixtures/hmrc-return.json', import.meta.url), 'utf8'))

const owedTags = ['Not started', 'Due', 'Overdue']
const allTags = [...owedTags, 'Received', 'Received with warnings']

let browser
let page // HMRC's submitter, signed in once for the whole journey
let tmp // the files this run writes: the template, the filled-in returns, the problems
let period // the quarter this run sends: the newest HMRC still owed when it started
let quarterURL

before(async () => {
  browser = await launch()
  tmp = await mkdtemp(path.join(os.tmpdir(), 'journeys-submitter-'))
})

after(async () => {
  await browser?.close()
  if (tmp) await rm(tmp, { recursive: true, force: true })
})

// A workbook (XLSX) is a zip holding xl/workbook.xml.
function assertXLSX (buf, what) {
  assert.ok(buf.length > 1000, `${what}: ${buf.length} bytes`)
  assert.deepEqual([...buf.subarray(0, 4)], [0x50, 0x4b, 0x03, 0x04], `${what} is a zip (XLSX), starting PK`)
  assert.ok(buf.includes('xl/workbook.xml'), `${what} holds xl/workbook.xml: a workbook`)
}

// The values of a workbook's defined names, read with openpyxl, as another tool would.
function definedNames (file, names) {
  const script = `
import json, sys
from openpyxl import load_workbook
wb = load_workbook(sys.argv[1])
out = {}
for key in sys.argv[2:]:
    sheet, ref = list(wb.defined_names.get(key).destinations)[0]
    out[key] = wb[sheet][ref.replace('$', '').split(':')[0]].value
print(json.dumps(out, default=str))
`
  return JSON.parse(execFileSync(python, ['-c', script, file, ...names], { encoding: 'utf8' }))
}

// Fills the downloaded template by its defined names (infra/scripts/fill_template.py, openpyxl).
function fillTemplate (template, out, values) {
  execFileSync(python, [filler, template, out, ...Object.entries(values).map(([k, v]) => `${k}=${v}`)])
  return out
}

function csvReturn (values) {
  const quote = (s) => /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s
  return ['field,value', ...Object.entries(values).map(([k, v]) => `${k},${quote(String(v))}`)].join('\n') + '\n'
}

async function download (page, click) {
  const [dl] = await Promise.all([page.waitForEvent('download'), click()])
  const file = path.join(tmp, dl.suggestedFilename())
  await dl.saveAs(file)
  return { file, name: dl.suggestedFilename(), body: await readFile(file) }
}

// The main part of a page, without the header, navigation and account bar.
function main (page) {
  return page.locator('main')
}

async function errorSummary (page) {
  const summary = page.locator('.govuk-error-summary')
  await summary.getByRole('heading', { name: 'There is a problem' }).waitFor()
  assert.match(await page.title(), /^Error: /, 'the title starts "Error: " when there are errors')
  return summary
}

test('Your returns lists every quarter HMRC owes, each with a status in words', async () => {
  page = await newPage(browser)
  await signIn(page, { role: 'submitter', org: HMRC })
  await heading(page, 'Your returns')
  assert.equal(await page.title(), 'Your returns – DDaT workforce returns')

  const table = page.getByRole('table', { name: 'Returns for HM Revenue and Customs' })
  const rows = table.locator('tbody tr')
  const n = await rows.count()
  assert.ok(n > 0, 'HMRC owes at least one quarter')
  for (let i = 0; i < n; i++) {
    const tag = (await rows.nth(i).locator('.govuk-tag').innerText()).trim()
    assert.ok(allTags.some((t) => t.toLowerCase() === tag.toLowerCase()), `row ${i + 1}'s tag says "${tag}"`)
  }
  // The newest quarter still owed is this run's.
  for (let i = 0; i < n && !period; i++) {
    const tag = (await rows.nth(i).locator('.govuk-tag').innerText()).trim()
    if (owedTags.some((t) => t.toLowerCase() === tag.toLowerCase())) {
      period = (await rows.nth(i).getByRole('link').innerText()).replace(/\s*return$/, '').trim()
    }
  }
  assert.ok(period, 'a quarter HMRC still owes (a stack owes fourteen when it starts: make down && make up for a fresh one)')
  assert.match(period, /^\d{4}-\d{2}-Q[1-4]$/)

  // Only HMRC's own quarters are offered.
  const hrefs = await main(page).getByRole('link').evaluateAll((as) => as.map((a) => a.getAttribute('href')))
  for (const href of hrefs.filter((h) => h.startsWith('/portal/returns/'))) {
    assert.match(href, /^\/portal\/returns\/HMRC\//, `a link to ${href}`)
  }
  await axeCheck(page, 'your returns')
  await screenshot(page, 'your-returns')
})

test('a quarter owed: its page, and its template, an XLSX pre-filled with HMRC and the quarter', async () => {
  await page.getByRole('link', { name: `${period} return` }).click()
  await heading(page, new RegExp(`^Return for .+ \\(${period}\\)$`))
  quarterURL = page.url()
  assert.equal(new URL(quarterURL).pathname, `/portal/returns/HMRC/${period}`)
  await main(page).getByText('No return has been sent for this quarter yet.').waitFor()
  await page.getByRole('button', { name: 'Upload a return' }).waitFor()
  await axeCheck(page, 'a quarter owed')
  await screenshot(page, 'quarter')

  const tpl = await download(page, () => page.getByRole('button', { name: 'Download the template' }).click())
  assert.match(tpl.name, /\.xlsx$/, `the template's file name, ${tpl.name}`)
  assertXLSX(tpl.body, 'the template')
  assert.deepEqual(definedNames(tpl.file, ['org', 'period']), { org: 'HMRC', period })
  await writeFile(path.join(tmp, 'template.xlsx'), tpl.body)
})

test('Upload a return: a file with mistakes gives There is a problem, each entry linked to its row', async () => {
  await page.getByRole('button', { name: 'Upload a return' }).click()
  await heading(page, 'Upload a return')
  const fileInput = page.getByLabel('Upload a file')
  await fileInput.waitFor()
  await axeCheck(page, 'upload a return')
  await screenshot(page, 'upload')

  // Continue with no file chosen.
  await page.getByRole('button', { name: 'Continue' }).click()
  let summary = await errorSummary(page)
  await summary.getByRole('link').first().waitFor()
  assert.equal(await summary.getByRole('link').first().getAttribute('href'), '#file')
  await page.locator('.govuk-form-group--error #file.govuk-file-upload--error').waitFor()
  await axeCheck(page, 'upload a return: no file chosen')
  await screenshot(page, 'upload-no-file')

  const wrong = fillTemplate(path.join(tmp, 'template.xlsx'), path.join(tmp, `hmrc-${period}-with-mistakes.xlsx`),
    { ...fixture.values, ...fixture.mistakes })
  await page.getByLabel('Upload a file').setInputFiles(wrong)
  await page.getByRole('button', { name: 'Continue' }).click()
  summary = await errorSummary(page)
  await heading(page, 'Upload a return')

  const links = summary.getByRole('link')
  const n = await links.count()
  assert.ok(n >= Object.keys(fixture.mistakes).length, `${n} problems listed for ${Object.keys(fixture.mistakes).length} mistakes`)
  const table = page.getByRole('table', { name: /^Problems in / })
  const tableText = await table.innerText()
  for (const words of ['Return!D', 'DDaT headcount by job family adds up to 3,783 but DDaT headcount is 3,701']) {
    assert.ok(tableText.includes(words), `the problems table says ${words}:\n${tableText}`)
  }
  for (let i = 0; i < n; i++) {
    const link = links.nth(i)
    const href = await link.getAttribute('href')
    assert.match(href, /^#[\w-]+$/, `entry ${i + 1} links within the page`)
    const row = table.locator(`tr${href}`)
    assert.equal(await row.count(), 1, `entry ${i + 1} (${href}) links to a row of the problems table`)
    const message = (await row.locator('td').last().innerText()).trim()
    assert.ok((await link.innerText()).includes(message), `entry ${i + 1} says what its row says: ${message}`)
    await link.click()
    assert.equal(new URL(page.url()).hash, href, `following entry ${i + 1} goes to its row`)
    assert.equal(await page.evaluate(() => '#' + document.activeElement?.id), href, `and moves the focus to row ${href}`)
  }
  // The upload is offered again, for the corrected file.
  await page.getByRole('heading', { name: 'Upload the corrected file' }).waitFor()
  await axeCheck(page, 'upload a return: the file has mistakes')
  await screenshot(page, 'upload-problems')
})

test('the problems download as a CSV, one line for each', async () => {
  const rows = await page.getByRole('table', { name: /^Problems in / }).locator('tbody tr').count()
  const csv = await download(page, () => page.getByRole('button', { name: 'Download the problems as a CSV' }).click())
  assert.match(csv.name, new RegExp(`^problems-HMRC-${period}\\.csv$`))
  const lines = csv.body.toString('utf8').replace(/^\uFEFF/, '').trim().split(/\r?\n/)
  assert.equal(lines[0], 'field,field_name,cell_or_line,code,problem')
  assert.equal(lines.length - 1, rows, 'a line for each problem in the table')
  for (const key of ['ddat_headcount', 'senior_appointments_assessed', 'cslg_members_ai_immersion']) {
    assert.ok(lines.some((l) => l.startsWith(key + ',')), `a problem for ${key}`)
  }
  // Still on the page with the problems.
  await heading(page, 'Upload a return')
})

test('the corrected file: Check your answers, confirm the warnings, Send return, Return sent', async () => {
  const fixed = fillTemplate(path.join(tmp, 'template.xlsx'), path.join(tmp, `hmrc-${period}.xlsx`), fixture.values)
  await page.getByLabel('Upload a file').setInputFiles(fixed)
  await page.getByRole('button', { name: 'Continue' }).click()
  await heading(page, 'Check your answers before sending your return')
  await main(page).getByText(`it will be version 1 of the return for ${period}`).waitFor()
  const figures = await main(page).locator('.govuk-summary-list').first().innerText()
  assert.ok(figures.includes('73,144'), `the key figures show the headcount: ${figures}`)
  const warnings = page.getByRole('table', { name: 'Warnings about the return' })
  assert.match(await warnings.innerText(), /Profession is not recorded for 22% of staff/)
  await axeCheck(page, 'check your answers, with warnings')
  await screenshot(page, 'check-answers')

  // Sending without confirming the warnings is stopped.
  await page.getByRole('button', { name: 'Send return' }).click()
  const summary = await errorSummary(page)
  assert.equal(await summary.getByRole('link').first().getAttribute('href'), '#warnings-checked')
  await heading(page, 'Check your answers before sending your return')
  await axeCheck(page, 'check your answers: warnings not confirmed')
  await screenshot(page, 'check-answers-confirm-error')

  await page.getByLabel('I have checked the warnings and the figures are correct').check()
  await page.getByRole('button', { name: 'Send return' }).click()
  await heading(page, 'Return sent')
  const panel = page.locator('.govuk-panel--confirmation')
  assert.match(await panel.innerText(), new RegExp(`Version 1 of the return for ${period}`))
  assert.match(await panel.innerText(), /Your receipt number/)
  await axeCheck(page, 'return sent')
  await screenshot(page, 'return-sent')
})

test('the version history shows version 1, who sent it and when, with its warnings', async () => {
  await page.getByRole('link', { name: 'See the version history' }).click()
  await heading(page, new RegExp(`^Return for .+ \\(${period}\\)$`))
  assert.equal(page.url(), quarterURL)
  assert.match(await main(page).locator('.govuk-summary-list .govuk-tag').first().innerText(), /^Received with warnings$/i)
  const history = page.getByRole('table', { name: `Versions of the return for ${period}, newest first` })
  const rows = history.locator('tbody tr')
  assert.equal(await rows.count(), 1)
  assert.match(await rows.first().innerText(), /Version 1 \(current\)/)
  await axeCheck(page, 'version history, one version')
  await screenshot(page, 'version-history')

  await history.getByRole('link', { name: 'Version 1' }).click()
  await heading(page, `Version 1 of the return for ${period}`)
  await main(page).getByText('This is the first version of the return').waitFor()
  await main(page).getByText(/Profession is not recorded for 22% of staff/).waitFor()
  await axeCheck(page, 'version 1')
  await screenshot(page, 'version')
})

test('a revision sent as CSV must give its reason, and its page shows what changed', async () => {
  await page.goto(quarterURL)
  await page.getByRole('button', { name: 'Upload a return' }).click()
  await heading(page, 'Upload a return')
  const reason = page.getByLabel('Reason for the revision')
  await reason.waitFor()

  const revised = { org: 'HMRC', period, ...fixture.values, ...fixture.revision }
  const csvFile = path.join(tmp, `hmrc-${period}-version-2.csv`)
  await writeFile(csvFile, csvReturn(revised))

  // Without a reason.
  await page.getByLabel('Upload a file').setInputFiles(csvFile)
  await page.getByRole('button', { name: 'Continue' }).click()
  const summary = await errorSummary(page)
  const hrefs = await summary.getByRole('link').evaluateAll((as) => as.map((a) => a.getAttribute('href')))
  assert.ok(hrefs.includes('#revision-reason'), `the error summary links to the reason: ${hrefs}`)
  await page.locator('.govuk-form-group--error #revision-reason.govuk-textarea--error').waitFor()
  await axeCheck(page, 'upload a revision: no reason given')
  await screenshot(page, 'upload-reason-error')

  await page.getByLabel('Upload a file').setInputFiles(csvFile)
  await page.getByLabel('Reason for the revision').fill('Two apprentices who joined in the quarter were left out.')
  await page.getByRole('button', { name: 'Continue' }).click()
  await heading(page, 'Check your answers before sending your return')
  await main(page).getByText(`it will be version 2 of the return for ${period}`).waitFor()
  await main(page).getByText('Two apprentices who joined in the quarter were left out.').waitFor()
  await page.getByLabel('I have checked the warnings and the figures are correct').check()
  await page.getByRole('button', { name: 'Send return' }).click()
  await heading(page, 'Return sent')
  assert.match(await page.locator('.govuk-panel--confirmation').innerText(), new RegExp(`Version 2 of the return for ${period}`))

  await page.getByRole('link', { name: 'View version 2' }).click()
  await heading(page, `Version 2 of the return for ${period}`)
  const changes = page.getByRole('table', { name: 'Answers that changed from version 1 to version 2' })
  const text = await changes.innerText()
  const rows = await changes.locator('tbody tr').count()
  assert.equal(rows, Object.keys(fixture.revision).length, `one row for each answer changed:\n${text}`)
  for (const [key, now] of Object.entries(fixture.revision)) {
    const was = fixture.values[key]
    assert.match(text, new RegExp(`\\b${was}\\s+${now}\\b`), `${key} from ${was} to ${now} in:\n${text}`)
  }
  await main(page).getByText('Two apprentices who joined in the quarter were left out.').waitFor()
  await axeCheck(page, 'version 2, with what changed')
  await screenshot(page, 'version-changes')

  await page.getByRole('link', { name: `Back to the return for ${period}` }).click()
  const history = page.getByRole('table', { name: `Versions of the return for ${period}, newest first` })
  const hist = await history.locator('tbody tr').allInnerTexts()
  assert.equal(hist.length, 2)
  assert.match(hist[0], /Version 2 \(current\)[\s\S]*Two apprentices/)
  assert.match(hist[1], /Version 1/)
  await axeCheck(page, 'version history, two versions')
})

test('Your returns shows the quarter received, with its version', async () => {
  await page.getByRole('link', { name: 'Back to your returns' }).click()
  await heading(page, 'Your returns')
  const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: `${period} return` }) })
  assert.match(await row.locator('.govuk-tag').innerText(), /^Received with warnings$/i)
  assert.match(await row.innerText(), /Version 2, received/)
})

// DWP's figures, for the quarter this run sends: what HMRC's submitter must never see.
const dwpName = 'Department for Work and Pensions'
const dwpValues = { ...fixture.values, headcount: '96890', contact_name: 'DWP Workforce Team' }

test("DWP's submitter sends DWP's return for the quarter", async () => {
  const dwp = await newPage(browser)
  await signIn(dwp, { role: 'submitter', org: `${dwpName} (DWP)` })
  await heading(dwp, 'Your returns')
  await dwp.getByRole('link', { name: `${period} return` }).click()
  await heading(dwp, new RegExp(`\\(${period}\\)$`))
  if (await main(dwp).getByText('No return has been sent for this quarter yet.').count() === 0) {
    // Sent already, by an earlier run that stopped before HMRC sent this quarter.
    await dwp.context().close()
    return
  }
  await dwp.getByRole('button', { name: 'Upload a return' }).click()
  const file = path.join(tmp, `dwp-${period}.csv`)
  await writeFile(file, csvReturn({ org: 'DWP', period, ...dwpValues }))
  await dwp.getByLabel('Upload a file').setInputFiles(file)
  await dwp.getByRole('button', { name: 'Continue' }).click()
  await heading(dwp, 'Check your answers before sending your return')
  const confirm = dwp.getByLabel('I have checked the warnings and the figures are correct')
  if (await confirm.count() > 0) await confirm.check()
  await dwp.getByRole('button', { name: 'Send return' }).click()
  await heading(dwp, 'Return sent')
  await dwp.context().close()
})

test("editing the address to another organisation's quarter is refused and shows none of its data", async () => {
  const dwpData = [dwpName, '96,890', '96890', 'DWP Workforce Team']
  for (const pathname of [
    `/returns/DWP/${period}`,
    `/returns/DWP/${period}/upload`,
    `/returns/DWP/${period}/versions/1`,
    `/returns/DWP/${period}/sent?version=1`
  ]) {
    const res = await page.goto(PORTAL_URL + pathname)
    assert.equal(res.status(), 403, pathname)
    await heading(page, 'You cannot see this page')
    const body = await res.text()
    for (const d of dwpData) assert.ok(!body.includes(d), `${pathname} shows ${d}`)
    assert.ok(!/\/portal\/returns\/DWP\b/.test(body), `${pathname} links to DWP's returns`)
  }
  await page.goto(PORTAL_URL + `/returns/DWP/${period}`)
  await heading(page, 'You cannot see this page')
  await axeCheck(page, "another organisation's quarter, refused")
  await screenshot(page, 'other-organisation-refused')

  // Asking for DWP's list is refused, or shows HMRC's own.
  const list = await page.goto(PORTAL_URL + '/returns?org=DWP')
  if (list.status() === 403) {
    await heading(page, 'You cannot see this page')
  } else {
    await heading(page, 'Your returns')
    await page.getByRole('table', { name: 'Returns for HM Revenue and Customs' }).waitFor()
  }
  const listBody = await list.text()
  for (const d of dwpData) assert.ok(!listBody.includes(d), `/returns?org=DWP shows ${d}`)

  // A template for DWP's quarter holds none of DWP's figures: it is refused, or blank.
  const tpl = await page.request.get(PORTAL_URL + `/returns/DWP/${period}/template`, { maxRedirects: 0 })
  if (tpl.status() !== 403) {
    assert.equal(tpl.status(), 200, 'the template for DWP: refused (403) or a blank template')
    const file = path.join(tmp, 'dwp-template.xlsx')
    await writeFile(file, await tpl.body())
    assertXLSX(await tpl.body(), "DWP's template")
    const got = definedNames(file, ['headcount', 'ddat_headcount', 'contact_name'])
    assert.deepEqual(got, { headcount: null, ddat_headcount: null, contact_name: null }, "DWP's template is blank")
  }

  // Sending a return to DWP's quarter, with this session's own CSRF token, is refused too.
  await page.goto(quarterURL + '/upload')
  const csrf = await page.locator('form[enctype="multipart/form-data"] input[name="csrf_token"]').inputValue()
  for (const action of ['upload', 'send']) {
    const res = await page.request.post(PORTAL_URL + `/returns/DWP/${period}/${action}`, {
      multipart: {
        csrf_token: csrf,
        file: { name: 'dwp.csv', mimeType: 'text/csv', buffer: Buffer.from(csvReturn({ org: 'DWP', period, ...fixture.values, headcount: '1' })) }
      },
      maxRedirects: 0
    })
    assert.equal(res.status(), 403, `POST ${action} of a return to DWP's quarter`)
    const body = await res.text()
    for (const d of dwpData) assert.ok(!body.includes(d), `POST ${action} shows ${d}`)
  }
})

test("HMRC's approver signs off the current version", async () => {
  const approver = await newPage(browser)
  await signIn(approver, { role: 'approver', org: HMRC })
  await heading(approver, 'Your returns')
  await approver.getByRole('link', { name: `${period} return` }).click()
  await heading(approver, new RegExp(`\\(${period}\\)$`))
  await approver.getByRole('link', { name: 'Version 2' }).click()
  await heading(approver, `Version 2 of the return for ${period}`)
  await approver.getByRole('heading', { name: 'Sign off this version' }).waitFor()
  await axeCheck(approver, 'a version to sign off')
  await screenshot(approver, 'sign-off')
  await approver.getByRole('button', { name: 'Sign off this version' }).click()
  await heading(approver, `Version 2 of the return for ${period}`)
  const banner = approver.locator('.govuk-notification-banner--success')
  assert.match(await banner.innerText(), /You signed off version 2/)
  assert.match(await main(approver).locator('.govuk-summary-list').first().innerText(), /Signed off\s+by you/)
  await axeCheck(approver, 'version signed off')
  await screenshot(approver, 'signed-off')
  await approver.context().close()
})

// ---- A staff extract: the Ministry of Justice's, for the newest quarter it still owes ----

// A record-level extract of 150 people, as an HR system exports it: one in five in DDaT, two
// of whom joined DDaT in the quarter through early-career routes. broken names the rows to
// spoil: { row: { column: value } }, counting rows from 1 after the header.
function staffExtract (quarter, broken = {}) {
  const [, year, q] = /^(\d{4})-\d{2}-Q([1-4])$/.exec(quarter)
  const startMonth = [4, 7, 10, 1][q - 1]
  const startYear = Number(year) + (q === '4' ? 1 : 0)
  const inQuarter = `${startYear}-${String(startMonth).padStart(2, '0')}-11`
  const grades = ['AA', 'EO', 'HEO', 'SEO', 'G7', 'G6', 'SCS1']
  const families = ['Architecture', 'Data', 'IT Operations', 'Product and Delivery', 'Software Development', 'User-Centred Design']
  const header = ['Staff Ref', 'Grade', 'Profession', 'Job Family', 'FTE', 'In Post', 'DDaT Start Date', 'Entry Route']
  const rows = []
  for (let i = 1; i <= 150; i++) {
    const ddat = i % 5 === 0
    const row = {
      'Staff Ref': `ZZMOJ${String(i).padStart(5, '0')}`,
      Grade: grades[i % grades.length],
      Profession: ddat ? 'DDaT' : 'Operational Delivery',
      'Job Family': ddat ? families[i % families.length] : '',
      FTE: i % 4 === 0 ? '0.6' : '1',
      'In Post': 'yes',
      'DDaT Start Date': ddat ? (i <= 10 ? inQuarter : '2019-05-01') : '',
      'Entry Route': ddat ? (i === 5 ? 'apprenticeship' : i === 10 ? 'graduate programme' : 'experienced hire') : ''
    }
    Object.assign(row, broken[i] ?? {})
    rows.push(header.map((h) => row[h]).join(','))
  }
  return [header.join(','), ...rows].join('\n') + '\n'
}

// What the Ministry of Justice answers beside its extract.
async function answerExtractQuestions (page) {
  await page.getByLabel('Contact name').fill('MOJ Workforce Analyst')
  await page.getByLabel('Contact email').fill('workforce@justice.example.gov.uk')
  await page.getByRole('group', { name: 'Digital leader on the executive committee' }).getByLabel('Yes').check()
  await page.getByRole('group', { name: 'Digital non-executive director on the board' }).getByLabel('No').check()
  await page.getByLabel('Directors and directors general appointed').fill('2')
  await page.getByLabel('…of whom assessed on digital and data skills').fill('1')
  await page.getByLabel('Digital and data director and DG roles').fill('3')
  await page.getByLabel('…of which with a succession plan').fill('2')
  await page.getByLabel('Civil Service Leadership Group members', { exact: true }).fill('6')
  await page.getByLabel('…of whom have attended an AI immersion workshop').fill('4')
}

// The extract's page says it is being read until the service has read it: check again, as
// its button says, until it says otherwise (bounded, so a stuck extract fails the test).
async function untilRead (page) {
  for (let i = 0; i < 300; i++) {
    const again = page.getByRole('button', { name: 'Check again' })
    if (await again.count() === 0) return
    await Promise.all([page.waitForNavigation(), again.click()])
  }
  assert.fail(`the extract is still being read: ${page.url()}`)
}

let moj // the Ministry of Justice's submitter
let mojPeriod

test('Upload a staff extract: the questions an extract cannot answer, and the file', async () => {
  moj = await newPage(browser)
  await signIn(moj, { role: 'submitter', org: 'Ministry of Justice (MOJ)' })
  await heading(moj, 'Your returns')
  const rows = moj.getByRole('table', { name: 'Returns for Ministry of Justice' }).locator('tbody tr')
  for (let i = 0; i < await rows.count() && !mojPeriod; i++) {
    const tag = (await rows.nth(i).locator('.govuk-tag').innerText()).trim()
    if (owedTags.some((t) => t.toLowerCase() === tag.toLowerCase())) {
      mojPeriod = (await rows.nth(i).getByRole('link').innerText()).replace(/\s*return$/, '').trim()
    }
  }
  assert.ok(mojPeriod, 'a quarter the Ministry of Justice still owes')
  await moj.getByRole('link', { name: `${mojPeriod} return` }).click()
  await moj.getByRole('link', { name: 'upload a staff extract' }).click()
  await heading(moj, 'Upload a staff extract')
  await axeCheck(moj, 'upload a staff extract')
  await screenshot(moj, 'extract-upload')

  // Nothing answered, no file.
  await moj.getByRole('button', { name: 'Send the extract' }).click()
  const summary = await errorSummary(moj)
  const hrefs = await summary.getByRole('link').evaluateAll((as) => as.map((a) => a.getAttribute('href')))
  assert.ok(hrefs.includes('#file'), `the error summary asks for the file: ${hrefs}`)
  for (const href of hrefs) assert.equal(await moj.locator(href).count(), 1, `${href} is on the page`)
  await heading(moj, 'Upload a staff extract')
  await axeCheck(moj, 'upload a staff extract: nothing answered')
  await screenshot(moj, 'extract-upload-error')
})

test('a staff extract with mistakes is read and rejected, naming rows and columns but not their values', async () => {
  await answerExtractQuestions(moj)
  const file = path.join(tmp, `moj-${mojPeriod}-with-mistakes.csv`)
  await writeFile(file, staffExtract(mojPeriod, { 3: { FTE: '2.5' }, 7: { 'In Post': 'perhaps' } }))
  await moj.getByLabel('Upload a file').setInputFiles(file)
  await moj.getByRole('button', { name: 'Send the extract' }).click()
  await moj.waitForURL(/\/portal\/extracts\//)
  await untilRead(moj)
  await moj.getByRole('table', { name: 'Problems in the extract' }).waitFor()
  const text = await moj.getByRole('table', { name: 'Problems in the extract' }).innerText()
  for (const row of ['4', '8']) assert.match(text, new RegExp(`\\b${row}\\b`), `a problem names row ${row} (the header is row 1):\n${text}`)
  assert.ok(!text.includes('2.5') && !text.includes('perhaps'), 'no value from the file is quoted')
  assert.match(await moj.locator('.govuk-summary-list').first().innerText(), /Rejected/)
  await axeCheck(moj, 'staff extract rejected')
  await screenshot(moj, 'extract-rejected')
})

test('the corrected extract is accepted and makes version 1, sent as a staff extract', async () => {
  await moj.getByRole('link', { name: 'Upload the corrected extract' }).click()
  await heading(moj, 'Upload a staff extract')
  await answerExtractQuestions(moj)
  const file = path.join(tmp, `moj-${mojPeriod}.csv`)
  await writeFile(file, staffExtract(mojPeriod))
  await moj.getByLabel('Upload a file').setInputFiles(file)
  await moj.getByRole('button', { name: 'Send the extract' }).click()
  await moj.waitForURL(/\/portal\/extracts\//)
  await untilRead(moj)
  const panel = moj.locator('.govuk-panel--confirmation')
  await panel.waitFor()
  assert.match(await panel.innerText(), new RegExp(`Version 1 of the return for ${mojPeriod}`))
  assert.match(await moj.locator('.govuk-summary-list').first().innerText(), /Rows read\s+150/)
  await axeCheck(moj, 'staff extract accepted')
  await screenshot(moj, 'extract-accepted')

  await moj.getByRole('link', { name: 'View the version the extract made' }).click()
  await heading(moj, `Version 1 of the return for ${mojPeriod}`)
  assert.match(await main(moj).locator('.govuk-summary-list').first().innerText(), /Sent as\s+Staff extract/)
  // 150 people, one in five in DDaT.
  assert.match(await main(moj).innerText(), /DDaT profession headcount\s+30\b/)
  await moj.context().close()
})
