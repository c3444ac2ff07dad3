// The committed portal assets (shared/portal/static, embedded in the Go binary) must be exactly
// what the pinned GOV.UK Frontend and Sass build, and must keep to the rules for a service that
// is not on a GOV.UK domain: no GDS Transport, no font files, no GOV.UK images.

import assert from 'node:assert/strict'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { test } from 'node:test'
import { repoRoot } from './lib.mjs'

const frontendDir = path.join(repoRoot, 'shared', 'portal', 'frontend')
const staticDir = path.join(repoRoot, 'shared', 'portal', 'static')

test('committed static/ is what the pinned packages build, byte for byte', async (t) => {
  const { build } = await import(path.join(frontendDir, 'build.mjs'))
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'portal-static-'))
  t.after(() => rm(tmp, { recursive: true, force: true }))
  await build(tmp)

  const built = (await readdir(tmp)).sort()
  const committed = (await readdir(staticDir)).sort()
  assert.deepEqual(committed, built,
    'shared/portal/static holds other files than build.mjs writes (the portal serves every file there)')

  const differ = []
  for (const name of built) {
    const want = await readFile(path.join(tmp, name))
    const got = await readFile(path.join(staticDir, name))
    if (!want.equals(got)) {
      let at = 0
      while (at < want.length && at < got.length && want[at] === got[at]) at++
      differ.push(`${name} (first difference at byte ${at}; built ${want.length} bytes, committed ${got.length})`)
    }
  }
  assert.deepEqual(differ, [],
    `committed assets differ from a fresh build: ${differ.join('; ')}. ` +
    'Run: cd shared/portal/frontend && npm ci && npm run build, and commit shared/portal/static')
})

test('portal.css uses system fonts and references no font or image file', async () => {
  const css = await readFile(path.join(staticDir, 'portal.css'), 'utf8')
  assert.ok(css.length > 10000, `portal.css is ${css.length} bytes: not GOV.UK Frontend's stylesheet`)
  assert.ok(css.includes('.govuk-button{'), 'portal.css has no .govuk-button rule')

  assert.ok(!/gds transport/i.test(css), 'portal.css mentions GDS Transport, a font for GOV.UK only')
  assert.ok(!/@font-face/i.test(css), 'portal.css declares a @font-face')
  assert.ok(!/\.(woff2?|ttf|otf|eot)\b/i.test(css), 'portal.css references a font file')

  const families = new Set(css.match(/font-family:[^;}]*/g))
  assert.deepEqual([...families].sort(), ['font-family:arial,helvetica,sans-serif', 'font-family:sans-serif'],
    'portal.css uses other font families than Arial/Helvetica and (for print) sans-serif')

  // No url() at all: any file it named would have to be served, and the one GOV.UK Frontend
  // asks for is the royal crest, which the portal may not show.
  assert.deepEqual(css.match(/url\([^)]*\)/g) ?? [], [], 'portal.css references files')
  assert.ok(!/sourceMappingURL/.test(css), 'portal.css points at a source map that is not served')
})
