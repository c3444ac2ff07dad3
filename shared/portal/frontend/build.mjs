// Builds the portal's static assets from the pinned npm packages:
//
//   node build.mjs [OUT_DIR]     (npm run build; OUT_DIR defaults to ../static)
//
// writes portal.css (src/portal.scss compiled, compressed, no source map), govuk-frontend.min.js
// (GOV.UK Frontend's ES module bundle, without its source map comment) and init.js (ours). The
// output depends only on the pinned packages and src/, byte for byte, so the committed static/
// can be checked against a fresh build (infra/e2e/browser/assets.test.mjs).

import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import * as sass from 'sass'

const here = path.dirname(fileURLToPath(import.meta.url))
const require = createRequire(import.meta.url)

/** The files build writes: the portal serves every file in static/, so nothing else goes there. */
export const outputs = ['govuk-frontend.min.js', 'init.js', 'portal.css']

export async function build (outDir) {
  const css = compileCSS()
  const govukJS = await readGovukFrontendJS()
  const initJS = await readFile(path.join(here, 'src', 'init.js'), 'utf8')

  await mkdir(outDir, { recursive: true })
  const files = { 'govuk-frontend.min.js': govukJS, 'init.js': initJS, 'portal.css': css }
  for (const name of outputs) {
    await writeFile(path.join(outDir, name), files[name])
  }
  return outputs.map((name) => path.join(outDir, name))
}

function compileCSS () {
  const warnings = []
  const result = sass.compile(path.join(here, 'src', 'portal.scss'), {
    style: 'compressed',
    sourceMap: false,
    charset: false,
    importers: [new sass.NodePackageImporter(here)],
    logger: {
      warn (message, { deprecation }) {
        warnings.push(`${deprecation ? 'deprecation' : 'warning'}: ${message}`)
      }
    }
  })
  // A warning means GOV.UK Frontend or Sass changed under us: look at it before shipping.
  if (warnings.length > 0) {
    throw new Error(`sass warned while compiling portal.scss:\n${warnings.join('\n')}`)
  }
  return result.css + '\n'
}

async function readGovukFrontendJS () {
  const file = path.join(path.dirname(require.resolve('govuk-frontend/package.json')),
    'dist', 'govuk', 'govuk-frontend.min.js')
  const js = await readFile(file, 'utf8')
  // The source map is not served, so the comment pointing at it would only make browsers ask
  // for a file that is not there.
  const comment = /\n?\/\/# sourceMappingURL=\S+\s*$/
  if (!comment.test(js)) {
    throw new Error(`${file}: no sourceMappingURL comment at the end; check the file's format`)
  }
  return js.replace(comment, '\n')
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outDir = path.resolve(process.argv[2] ?? path.join(here, '..', 'static'))
  for (const file of await build(outDir)) {
    console.log(`build: ${path.relative(process.cwd(), file)}`)
  }
}
