// kustomizeBuild with a remote base: the binding fetches it through gitward's shell
// loader, as the CLI does. The repository, made with the real git, is named by a file://
// URL (a URL kustomize v5.7.1 clones); the expected text is what `kubectl kustomize`
// prints for the same files.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'

const require = createRequire(import.meta.url)
const { kustomizeBuild, kustomizeBuildSync } = require('../index.js')

function git(cwd, ...args) {
  return execFileSync('git', args, {
    cwd,
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@x',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@x',
      GIT_CONFIG_NOSYSTEM: '1',
      HOME: cwd,
    },
  })
    .toString()
    .trim()
}

const EXPECTED = `apiVersion: v1
data:
  key: v1
kind: ConfigMap
metadata:
  name: remote-settings
`

const cm = (v) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  key: ${v}\n`

describe('kustomizeBuild with a remote base', () => {
  let tmp, ov, bare
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gitward-node-kremote-'))
    const work = path.join(tmp, 'work')
    fs.mkdirSync(path.join(work, 'base'), { recursive: true })
    git(work, 'init', '-q', '-b', 'main')
    fs.writeFileSync(path.join(work, 'base/kustomization.yaml'), 'resources:\n- cm.yaml\nnamePrefix: remote-\n')
    fs.writeFileSync(path.join(work, 'base/cm.yaml'), cm('v1'))
    git(work, 'add', '-A')
    git(work, 'commit', '-q', '-m', 'v1')
    git(work, 'tag', 'v1.0')
    fs.writeFileSync(path.join(work, 'base/cm.yaml'), cm('v2'))
    git(work, 'commit', '-q', '-am', 'v2')
    bare = path.join(tmp, 'repo.git')
    git(tmp, 'init', '-q', '--bare', '-b', 'main', bare)
    git(work, 'push', '-q', bare, 'main', '--tags')
    ov = path.join(tmp, 'ov')
    fs.mkdirSync(ov)
  })
  after(() => fs.rmSync(tmp, { recursive: true, force: true }))

  const overlay = (ref) =>
    fs.writeFileSync(path.join(ov, 'kustomization.yaml'), `resources:\n- file://${bare}//base?ref=${ref}\n`)

  it('builds it (sync and Promise)', async () => {
    overlay('v1.0')
    assert.equal(kustomizeBuildSync(ov).yaml, EXPECTED)
    assert.equal((await kustomizeBuild(ov)).yaml, EXPECTED)
  })

  it('refuses a missing ref as kustomize does', () => {
    overlay('v9')
    assert.throws(
      () => kustomizeBuildSync(ov),
      (e) => e.code === 'KUSTOMIZE_BUILD' && e.message.includes("couldn't find remote ref v9"),
    )
  })
})
