// Tests of fetchGit / fetchGitSync.
//
// A repository is made with the real `git` in a temporary directory and fetched from its
// path; when GITWARD_TEST_ENV describes the project's git servers (scripts/test.sh sets
// it), credentials are exercised against the HTTPS server too.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'

const require = createRequire(import.meta.url)
const { fetchGit, fetchGitSync } = require('../index.js')

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

describe('fetchGit', () => {
  let tmp, url, head
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gitward-node-git-'))
    const work = path.join(tmp, 'work')
    fs.mkdirSync(path.join(work, 'app'), { recursive: true })
    git(work, 'init', '-q', '-b', 'main')
    fs.writeFileSync(path.join(work, 'app', 'config.yaml'), 'a: 1\n')
    git(work, 'add', '-A')
    git(work, 'commit', '-q', '-m', 'first')
    git(work, 'tag', 'v1.0.0')
    url = path.join(tmp, 'repo.git')
    git(tmp, 'init', '-q', '--bare', '-b', 'main', url)
    git(work, 'push', '-q', url, 'main', '--tags')
    head = git(work, 'rev-parse', 'HEAD')
  })
  after(() => fs.rmSync(tmp, { recursive: true, force: true }))

  it('checks out the default branch (sync)', () => {
    const out = fetchGitSync(url, path.join(tmp, 'out1'))
    assert.equal(out.revision, `main@sha1:${head}`)
    assert.equal(out.commit, head)
    assert.equal(out.unchanged, false)
    assert.equal(fs.readFileSync(path.join(out.path, 'app', 'config.yaml'), 'utf8'), 'a: 1\n')
    assert.equal(fs.existsSync(path.join(out.path, '.git')), false)
    assert.match(out.digest, /^sha256:[0-9a-f]{64}$/)
  })

  it('returns the artifact digest, reproducibly, with ignore rules applied', () => {
    const a = fetchGitSync(url, path.join(tmp, 'digest-a'))
    const b = fetchGitSync(url, path.join(tmp, 'digest-b'))
    assert.equal(a.digest, b.digest)
    const c = fetchGitSync(url, path.join(tmp, 'digest-c'), { ignore: 'app/\n' })
    assert.match(c.digest, /^sha256:[0-9a-f]{64}$/)
    assert.notEqual(c.digest, a.digest)
  })

  it('returns a Promise and finds an unchanged remote', async () => {
    const out = await fetchGit(url, path.join(tmp, 'out2'), {
      tag: 'v1.0.0',
      lastRevision: `v1.0.0@sha1:${head}`,
    })
    assert.equal(out.unchanged, true)
    assert.equal(out.revision, `v1.0.0@sha1:${head}`)
    assert.equal(out.digest ?? null, null)
    assert.equal(fs.existsSync(path.join(tmp, 'out2')), false)
  })

  it('rejects with typed errors', async () => {
    await assert.rejects(fetchGit(url, path.join(tmp, 'out3'), { branch: 'nope' }), (e) => {
      assert.equal(e.code, 'SOURCE_NOT_FOUND')
      assert.equal(e.kind, 'not_found')
      assert.ok(e.url.endsWith('repo.git'))
      return true
    })
    assert.throws(
      () => fetchGitSync('ftp://u:pw-secret-2@host/x', path.join(tmp, 'out4')),
      (e) => e.code === 'SOURCE_INVALID_INPUT' && !e.message.includes('pw-secret-2'),
    )
    assert.throws(
      () => fetchGitSync(url, path.join(tmp, 'out5'), { verifyMode: 'sometimes' }),
      (e) => e.code === 'INVALID_VALUE',
    )
    assert.throws(
      () => fetchGitSync(url, path.join(tmp, 'out6'), { verifyMode: 'HEAD', verifySshKeys: ['ssh-ed25519 AAAA x'] }),
      (e) => e.code === 'SOURCE_VERIFICATION' && e.message.includes(head),
    )
    assert.throws(() => fetchGitSync(42, 'x'), (e) => e.code === 'INVALID_VALUE')
  })

  it('uses HTTPS credentials without echoing them', { skip: !process.env.GITWARD_TEST_ENV }, () => {
    const env = Object.fromEntries(
      fs
        .readFileSync(process.env.GITWARD_TEST_ENV, 'utf8')
        .split('\n')
        .filter((l) => l.includes('=') && !l.startsWith('#'))
        .map((l) => [l.slice(0, l.indexOf('=')).trim(), l.slice(l.indexOf('=') + 1).trim()]),
    )
    const caPem = fs.readFileSync(env.GITWARD_TEST_CA, 'utf8')
    const out = fetchGitSync(env.GITWARD_GIT_HTTPS_URL, path.join(tmp, 'https-ok'), {
      username: env.GITWARD_GIT_HTTPS_USER,
      password: env.GITWARD_GIT_HTTPS_PASSWORD,
      caPem,
    })
    assert.equal(out.revision, `main@sha1:${env.GITWARD_GIT_HEAD}`)
    assert.throws(
      () =>
        fetchGitSync(env.GITWARD_GIT_HTTPS_URL, path.join(tmp, 'https-bad'), {
          username: 'gitward',
          password: 'wrong-node-secret',
          caPem,
        }),
      (e) => e.code === 'SOURCE_AUTH' && !e.message.includes('wrong-node-secret'),
    )
  })
})
