// Tests of the gitward Node bindings: conversion both ways, errors, kustomize output.
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { describe, it } from 'node:test'

const require = createRequire(import.meta.url)
const { parseManifests, dumpManifests } = require('../index.js')

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app.kubernetes.io/name: web
spec:
  replicas: 3
  template:
    spec:
      containers:
      - name: web
        image: nginx:1.27
        args: ["--port", "8080"]
        env:
        - name: ENABLED
          value: "yes"
        - name: MODE
          value: "0777"
`

/** Runs `fn`, which must throw, and returns what it threw. */
function thrown(fn) {
  try {
    fn()
  } catch (e) {
    return e
  }
  assert.fail('expected an exception')
}

describe('parseManifests', () => {
  it('keeps document order and resolves scalars as kustomize does', () => {
    const docs = parseManifests('b: 1\na: yes\n')
    assert.deepStrictEqual(docs, [{ b: 1, a: 'yes' }])
    assert.deepStrictEqual(Object.keys(docs[0]), ['b', 'a'])
  })

  it('reads 0777 as octal', () => {
    assert.deepStrictEqual(parseManifests('mode: 0777\n'), [{ mode: 511 }])
  })

  it('converts every type', () => {
    const [doc] = parseManifests(
      'i: 42\nneg: -7\nf: 1.5\ns: hello\nq: \'123\'\nt: true\nn: null\ntilde: ~\n' +
        'l: [1, two]\nm: {k: v}\nempty_map: {}\nempty_list: []\n',
    )
    assert.deepStrictEqual(doc, {
      i: 42,
      neg: -7,
      f: 1.5,
      s: 'hello',
      q: '123',
      t: true,
      n: null,
      tilde: null,
      l: [1, 'two'],
      m: { k: 'v' },
      empty_map: {},
      empty_list: [],
    })
    assert.equal(Object.getPrototypeOf(doc), Object.prototype)
    assert.ok(Array.isArray(doc.l))
  })

  it('returns integers beyond Number.MAX_SAFE_INTEGER as bigint', () => {
    const [doc] = parseManifests(
      'safe: 9007199254740991\nneg_safe: -9007199254740991\nbig: 9007199254740992\n' +
        'min: -9223372036854775808\nmax: 9223372036854775807\numax: 18446744073709551615\n',
    )
    assert.deepStrictEqual(doc, {
      safe: Number.MAX_SAFE_INTEGER,
      neg_safe: -Number.MAX_SAFE_INTEGER,
      big: 9007199254740992n,
      min: -(2n ** 63n),
      max: 2n ** 63n - 1n,
      umax: 2n ** 64n - 1n,
    })
  })

  it('skips empty documents in a stream', () => {
    const text = '---\n# only a comment\n---\na: 1\n---\n---\nb: 2\n'
    assert.deepStrictEqual(parseManifests(text), [{ a: 1 }, { b: 2 }])
    assert.deepStrictEqual(parseManifests(''), [])
    assert.deepStrictEqual(parseManifests('# nothing\n'), [])
  })

  it('keeps a __proto__ key as data', () => {
    const [doc] = parseManifests('__proto__: {polluted: true}\n')
    assert.equal(Object.getPrototypeOf(doc), Object.prototype)
    assert.ok(Object.hasOwn(doc, '__proto__'))
    assert.deepStrictEqual(Object.keys(doc), ['__proto__'])
    assert.equal({}.polluted, undefined)
  })

  it('handles unicode', () => {
    assert.deepStrictEqual(parseManifests('greeting: héllo wörld ✓\n'), [
      { greeting: 'héllo wörld ✓' },
    ])
  })

  it('rejects a non-string argument with INVALID_VALUE', () => {
    const e = thrown(() => parseManifests(Buffer.from('a: 1\n')))
    assert.ok(e instanceof TypeError)
    assert.equal(e.code, 'INVALID_VALUE')
    assert.match(e.message, /expected a string of YAML, got a non-array object/)
  })
})

describe('dumpManifests', () => {
  it('sorts keys and quotes like kustomize', () => {
    assert.equal(dumpManifests([{ b: 1, a: 'yes' }]), 'a: "yes"\nb: 1\n')
  })

  const scalars = [
    ['yes', '"yes"'],
    ['on', '"on"'],
    ['off', '"off"'],
    ['true', '"true"'],
    ['null', '"null"'],
    ['123', '"123"'],
    ['0777', '"0777"'],
    ['1.5', '"1.5"'],
    ['', '""'],
    ['hello world', 'hello world'],
    [true, 'true'],
    [false, 'false'],
    [null, 'null'],
    [0, '0'],
    [-0, '0'],
    [-7, '-7'],
    [1.5, '1.5'],
    [1.0, '1'],
    [2 ** 60, '1152921504606846976'],
    [2n ** 63n, '9223372036854775808'],
    [2n ** 64n - 1n, '18446744073709551615'],
    [-(2n ** 63n), '-9223372036854775808'],
    [{}, '{}'],
    [[], '[]'],
  ]
  for (const [value, printed] of scalars) {
    it(`prints ${typeof value} ${JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? `${v}n` : v))}`, () => {
      assert.equal(dumpManifests([{ a: value }]), `a: ${printed}\n`)
    })
  }

  it('prints nested objects in the kustomize layout', () => {
    const doc = {
      spec: { containers: [{ name: 'c', image: 'i' }] },
      metadata: { name: 'x', labels: { app: 'web' } },
    }
    assert.equal(
      dumpManifests([doc]),
      'metadata:\n' +
        '  labels:\n' +
        '    app: web\n' +
        '  name: x\n' +
        'spec:\n' +
        '  containers:\n' +
        '  - image: i\n' +
        '    name: c\n',
    )
  })

  it('joins documents with ---', () => {
    assert.equal(dumpManifests([{ a: 1 }, { b: 2 }]), 'a: 1\n---\nb: 2\n')
    assert.equal(dumpManifests([]), '')
  })

  it('leaves out undefined properties, as JSON.stringify does', () => {
    assert.equal(dumpManifests([{ a: 1, b: undefined }]), 'a: 1\n')
  })

  it('accepts null-prototype objects and ignores symbol keys', () => {
    const doc = Object.assign(Object.create(null), { a: 1 })
    doc[Symbol('hidden')] = 2
    assert.equal(dumpManifests([doc]), 'a: 1\n')
  })
})

describe('round trip', () => {
  it('reproduces a deployment, and kustomize output is a fixed point', () => {
    const docs = parseManifests(DEPLOYMENT)
    assert.deepStrictEqual(docs[0].spec.template.spec.containers[0].env, [
      { name: 'ENABLED', value: 'yes' },
      { name: 'MODE', value: '0777' },
    ])
    const text = dumpManifests(docs)
    assert.deepStrictEqual(parseManifests(text), docs)
    assert.equal(dumpManifests(parseManifests(text)), text)
  })

  it('keeps awkward strings', () => {
    const doc = {
      multi: 'line one\nline two\n',
      lead: ' leading space',
      colon: 'a: b',
      hash: 'a #b',
      quote: 'it\'s "quoted"',
      star: '*alias',
      dash: '- item',
      unicode: 'ünïcödé ✓',
      tab: 'a\tb',
      yes: 'yes',
      num: '1e3',
    }
    assert.deepStrictEqual(parseManifests(dumpManifests([doc])), [doc])
  })

  it('keeps numbers, with bigint beyond the safe range', () => {
    const doc = { big: 2n ** 64n - 1n, small: -(2n ** 63n), f: 0.1, neg: -2.5, zero: 0 }
    assert.deepStrictEqual(parseManifests(dumpManifests([doc])), [doc])
  })

  it('keeps deep but bounded nesting', () => {
    let deep = 'leaf'
    for (let i = 0; i < 100; i++) deep = { d: deep }
    assert.deepStrictEqual(parseManifests(dumpManifests([deep])), [deep])
  })
})

describe('YAML errors', () => {
  /** Parses `text`, which must fail, and checks the shape every YAML error has. */
  function yamlError(text) {
    const e = thrown(() => parseManifests(text))
    assert.ok(e instanceof Error)
    assert.equal(typeof e.kind, 'string')
    assert.equal(e.code, `YAML_${e.kind.toUpperCase()}`)
    assert.equal(typeof e.line, 'number')
    assert.equal(typeof e.column, 'number')
    assert.ok(e.reason.length > 0)
    assert.equal(e.message, `line ${e.line}, column ${e.column}: ${e.reason}`)
    return e
  }

  it('duplicate key, with its position', () => {
    const e = yamlError('a: 1\nb: 2\na: 3\n')
    assert.equal(e.code, 'YAML_DUPLICATE_KEY')
    assert.equal(e.kind, 'duplicate_key')
    assert.deepStrictEqual([e.line, e.column], [3, 1])
  })

  it('syntax error, with its line', () => {
    const e = yamlError('a: 1\nb: c: d\n')
    assert.equal(e.code, 'YAML_SYNTAX')
    assert.equal(e.line, 2)
    assert.ok(e.column >= 1)
  })

  it('syntax error in a later document', () => {
    const e = yamlError('a: 1\n---\nb: [1, 2\n')
    assert.equal(e.code, 'YAML_SYNTAX')
    assert.ok(e.line >= 3)
  })

  it('unknown anchor', () => {
    const e = yamlError('a: 1\nb: *nope\n')
    assert.equal(e.code, 'YAML_UNKNOWN_ANCHOR')
    assert.equal(e.line, 2)
  })

  it('alias bomb is bounded', () => {
    const lines = ['l0: &l0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for (let i = 1; i < 9; i++) {
      lines.push(`l${i}: &l${i} [${Array(10).fill(`*l${i - 1}`).join(', ')}]`)
    }
    assert.equal(yamlError(lines.join('\n') + '\n').code, 'YAML_ALIAS_LIMIT')
  })

  it('depth is bounded', () => {
    const e = yamlError('a: ' + '['.repeat(5000) + ']'.repeat(5000) + '\n')
    assert.equal(e.code, 'YAML_DEPTH_LIMIT')
    assert.equal(e.line, 1)
  })

  it('unsupported value', () => {
    const e = yamlError('a: .inf\n')
    assert.equal(e.code, 'YAML_UNSUPPORTED')
    assert.equal(e.line, 1)
  })
})

describe('conversion errors', () => {
  class Foo {}
  const cases = [
    [[{ a: NaN }], '[0].a', 'NaN has no YAML/JSON representation'],
    [[{ a: Infinity }], '[0].a', 'Infinity has no'],
    [[{ a: [1, -Infinity] }], '[0].a[1]', '-Infinity has no'],
    [[{ a: 2n ** 64n }], '[0].a', 'bigint out of range'],
    [[{ a: -(2n ** 63n) - 1n }], '[0].a', 'bigint out of range'],
    [[{ a: new Map() }], '[0].a', 'unsupported object Map'],
    [[{ a: new Set() }], '[0].a', 'unsupported object Set'],
    [[{ a: new Date(0) }], '[0].a', 'unsupported object Date'],
    [[{ a: Buffer.from('x') }], '[0].a', 'unsupported object Buffer'],
    [[new Foo()], '[0]', 'unsupported object Foo'],
    [[Object.create(Object.create(null))], '[0]', 'unsupported object without a constructor'],
    [[{ a: () => 1 }], '[0].a', 'unsupported type function'],
    [[{ a: Symbol('s') }], '[0].a', 'unsupported type symbol'],
    [[{ a: [1, undefined] }], '[0].a[1]', 'undefined is not allowed in an array'],
    [[undefined], '[0]', 'undefined is not allowed'],
    [[{ ok: 1 }, { 'x.y/z': { list: [0, { k: NaN }] } }], '[1]["x.y/z"].list[1].k', 'NaN'],
    ['a: 1\n', '', 'expected an array of documents, got a string'],
    [{ a: 1 }, '', 'expected an array of documents, got a non-array object'],
    [undefined, '', 'expected an array of documents, got undefined'],
  ]
  for (const [input, path, fragment] of cases) {
    it(`${fragment} at ${path || 'the top'}`, () => {
      const e = thrown(() => dumpManifests(input))
      assert.ok(e instanceof TypeError)
      assert.equal(e.code, 'INVALID_VALUE')
      assert.equal(e.path, path)
      assert.ok(e.message.includes(fragment), e.message)
      assert.ok(e.message.startsWith(path ? `${path}: ` : fragment), e.message)
    })
  }

  it('stops at self-referencing objects instead of crashing', () => {
    const cyclic = {}
    cyclic.self = cyclic
    const e = thrown(() => dumpManifests([cyclic]))
    assert.equal(e.code, 'INVALID_VALUE')
    assert.match(e.message, /nesting deeper than/)
    const loop = []
    loop.push(loop)
    assert.match(thrown(() => dumpManifests([{ a: loop }])).message, /nesting deeper than/)
  })

  it('passes an exception from a getter through unchanged', () => {
    const boom = new Error('boom')
    const doc = {
      get a() {
        throw boom
      },
    }
    assert.equal(thrown(() => dumpManifests([doc])), boom)
    const proto = {
      get constructor() {
        throw boom
      },
    }
    assert.equal(thrown(() => dumpManifests([Object.create(proto)])), boom)
  })
})
