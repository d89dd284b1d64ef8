// Tests of kustomizeBuild / helmTemplate (sync and Promise forms).
//
// Every fixture is written to a temporary directory by the test; the expected text is what
// the reference tools (kubectl v1.35.2 with kustomize v5.7.1, Helm v4.1.4) print for the
// same files.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'

const require = createRequire(import.meta.url)
const {
  dumpManifests,
  helmTemplate,
  helmTemplateSync,
  kustomizeBuild,
  kustomizeBuildSync,
  parseManifests,
} = require('../index.js')

const KUSTOMIZE_FILES = {
  'base/kustomization.yaml': `resources:
- deployment.yaml
- service.yaml
labels:
- pairs:
    app.kubernetes.io/name: web
  includeSelectors: true
configMapGenerator:
- name: web-config
  literals:
  - LOG_LEVEL=info
  - MODE=0777
`,
  'base/deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  template:
    spec:
      containers:
      - name: web
        image: nginx:1.27
        envFrom:
        - configMapRef:
            name: web-config
`,
  'base/service.yaml': `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  ports:
  - port: 80
    targetPort: 8080
`,
  'overlay/kustomization.yaml': `resources:
- ../base
namePrefix: prod-
namespace: prod
labels:
- pairs:
    env: prod
configMapGenerator:
- name: web-config
  behavior: merge
  literals:
  - LOG_LEVEL=warn
`,
  'warn/kustomization.yaml': `commonLabels:
  team: platform
resources:
- cm.yaml
`,
  'warn/cm.yaml': `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  enabled: "yes"
`,
  'missing/kustomization.yaml': 'resources:\n- missing.yaml\n',
  'cyc-a/kustomization.yaml': 'resources:\n- ../cyc-b\n',
  'cyc-b/kustomization.yaml': 'resources:\n- ../cyc-a\n',
  'shared/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shared\ndata:\n  k: v\n',
  'restricted/kustomization.yaml': 'resources:\n- ../shared/cm.yaml\n',
  'bad-yaml/kustomization.yaml': 'resources:\n- cm.yaml\n',
  'bad-yaml/cm.yaml': 'a: [1, 2\n',
  'not-a-kustomization/README': 'nothing here\n',
}

const CHART_FILES = {
  'web/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 0.1.0\nappVersion: "1.27"\n',
  'web/values.yaml': 'replicas: 1\nimage: nginx\ngreeting: hello\n',
  'web/templates/cm.yaml': `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-config
  namespace: {{ .Release.Namespace }}
data:
  greeting: {{ .Values.greeting | quote }}
  replicas: {{ .Values.replicas | quote }}
  upgrade: {{ .Release.IsUpgrade | quote }}
  kube: {{ .Capabilities.KubeVersion.Version }}
{{- with .Values.extra }}
  extra: {{ . | toJson | quote }}
{{- end }}
{{- with .Values.note }}
  note: {{ . | quote }}
{{- end }}
{{- range .Capabilities.APIVersions }}{{ if eq . "example.com/v1" }}
  hasExample: "yes"{{ end }}{{ end }}
{{- with .Values.lit }}
  lit: {{ . | quote }}
{{- end }}
`,
  'web/templates/deploy.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
spec:
  replicas: {{ .Values.replicas }}
  template:
    spec:
      containers:
      - name: web
        image: "{{ .Values.image }}:{{ .Chart.AppVersion }}"
`,
  'web/templates/bad.yaml': '{{- if .Values.fail }}{{ fail "asked to fail" }}{{ end }}\n',
  'web/templates/test.yaml': `apiVersion: v1
kind: Pod
metadata:
  name: {{ .Release.Name }}-test
  annotations:
    helm.sh/hook: test
spec:
  containers:
  - name: t
    image: busybox
`,
  'web/crds/widget.yaml': `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
`,
  'over.yaml': 'greeting: from-file\nreplicas: 3\n',
  'note.txt': 'line1\nline2\n',
}

// `kubectl kustomize overlay`, `kubectl kustomize base` (its start),
// `kubectl kustomize --enable-managedby-label --reorder none warn`,
// `kubectl kustomize --load-restrictor LoadRestrictionsNone restricted`,
// `helm template web --no-hooks` and `helm template r1 web --namespace ns1 -f over.yaml
// --set image=httpd --set-string replicas=5 --set-json 'extra={"a":[1,2]}'
// --set-file note=note.txt --kube-version 1.30.0 --is-upgrade --show-only templates/cm.yaml
// --api-versions example.com/v1`.
const OVERLAY = `apiVersion: v1
data:
  LOG_LEVEL: warn
  MODE: "0777"
kind: ConfigMap
metadata:
  labels:
    app.kubernetes.io/name: web
    env: prod
  name: prod-web-config-4799465mmh
  namespace: prod
---
apiVersion: v1
kind: Service
metadata:
  labels:
    app.kubernetes.io/name: web
    env: prod
  name: prod-web
  namespace: prod
spec:
  ports:
  - port: 80
    targetPort: 8080
  selector:
    app.kubernetes.io/name: web
---
apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    app.kubernetes.io/name: web
    env: prod
  name: prod-web
  namespace: prod
spec:
  replicas: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: web
  template:
    metadata:
      labels:
        app.kubernetes.io/name: web
    spec:
      containers:
      - envFrom:
        - configMapRef:
            name: prod-web-config-4799465mmh
        image: nginx:1.27
        name: web
`

const BASE_CONFIGMAP = `apiVersion: v1
data:
  LOG_LEVEL: info
  MODE: "0777"
kind: ConfigMap
metadata:
  labels:
    app.kubernetes.io/name: web
  name: web-config-m547m4bth4
---
`

const WARN_MANAGED = `apiVersion: v1
data:
  enabled: "yes"
kind: ConfigMap
metadata:
  labels:
    app.kubernetes.io/managed-by: kustomize-v5.7.1
    team: platform
  name: settings
`

const RESTRICTED = `apiVersion: v1
data:
  k: v
kind: ConfigMap
metadata:
  name: shared
`

const HELM_NO_HOOKS = `---
# Source: web/templates/cm.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: release-name-config
  namespace: default
data:
  greeting: "hello"
  replicas: "1"
  upgrade: "false"
  kube: v1.35.0
---
# Source: web/templates/deploy.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: release-name
spec:
  replicas: 1
  template:
    spec:
      containers:
      - name: web
        image: "nginx:1.27"
`

// `helm template web`
const HELM_DEFAULT = `${HELM_NO_HOOKS}---
# Source: web/templates/test.yaml
apiVersion: v1
kind: Pod
metadata:
  name: release-name-test
  annotations:
    helm.sh/hook: test
spec:
  containers:
  - name: t
    image: busybox
`

// `helm template web --skip-tests --include-crds --set-literal 'lit=a,b=c'`
const HELM_CRDS = `---
# Source: web/crds/widget.yaml
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com

${HELM_NO_HOOKS.replace('  kube: v1.35.0\n', '  kube: v1.35.0\n  lit: "a,b=c"\n')}`

const HELM_FLAGS = `---
# Source: web/templates/cm.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: r1-config
  namespace: ns1
data:
  greeting: "from-file"
  replicas: "5"
  upgrade: "true"
  kube: v1.30.0
  extra: "{\\"a\\":[1,2]}"
  note: "line1\\nline2\\n"
  hasExample: "yes"
`

// What kubectl prints on stderr for `warn`.
const COMMON_LABELS_WARNING =
  "# Warning: 'commonLabels' is deprecated. Please use 'labels' instead. " +
  "Run 'kustomize edit fix' to update your Kustomization automatically."

const HELM_FLAGS_OPTIONS = {
  release: 'r1',
  namespace: 'ns1',
  values: ['over.yaml'],
  set: ['image=httpd'],
  setString: ['replicas=5'],
  setJson: ['extra={"a":[1,2]}'],
  setFile: ['note=note.txt'],
  kubeVersion: '1.30.0',
  isUpgrade: true,
  showOnly: ['templates/cm.yaml'],
  apiVersions: ['example.com/v1'],
}

let root
const dir = (name) => path.join(root, name)

before(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'gitward-node-'))
  for (const [name, text] of Object.entries({ ...KUSTOMIZE_FILES, ...CHART_FILES })) {
    fs.mkdirSync(path.dirname(dir(name)), { recursive: true })
    fs.writeFileSync(dir(name), text)
  }
})

after(() => fs.rmSync(root, { recursive: true, force: true }))

/** Runs `fn`, which must throw, and returns what it threw. */
function thrown(fn) {
  try {
    fn()
  } catch (e) {
    return e
  }
  assert.fail('expected an exception')
}

/** Awaits `promise`, which must reject, and returns the reason. */
async function rejected(promise) {
  try {
    await promise
  } catch (e) {
    return e
  }
  assert.fail('expected a rejection')
}

/** Runs `fn` with the working directory set to `cwd`. */
async function inDir(cwd, fn) {
  const old = process.cwd()
  process.chdir(cwd)
  try {
    return await fn()
  } finally {
    process.chdir(old)
  }
}

describe('kustomizeBuildSync', () => {
  it('builds an overlay as kubectl kustomize does', () => {
    const r = kustomizeBuildSync(dir('overlay'))
    assert.equal(r.yaml, OVERLAY)
    assert.deepStrictEqual(r.warnings, [])
    assert.deepStrictEqual(Object.keys(r).sort(), ['objects', 'warnings', 'yaml'])
  })

  it('returns the objects as parseManifests would', () => {
    const r = kustomizeBuildSync(dir('overlay'), {})
    assert.deepStrictEqual(r.objects, parseManifests(r.yaml))
    assert.deepStrictEqual(
      r.objects.map((o) => o.kind),
      ['ConfigMap', 'Service', 'Deployment'],
    )
    assert.equal(r.objects[0].metadata.name, 'prod-web-config-4799465mmh')
    assert.equal(dumpManifests(r.objects), OVERLAY)
  })

  it('appends the hash suffix in the base too', () => {
    assert.ok(kustomizeBuildSync(dir('base'), null).yaml.startsWith(BASE_CONFIGMAP))
  })

  it('resolves a relative path against the working directory', async () => {
    await inDir(dir('base'), () => assert.equal(kustomizeBuildSync('../overlay').yaml, OVERLAY))
  })

  it('reports warnings and honours reorder and enableManagedbyLabel', () => {
    const r = kustomizeBuildSync(dir('warn'), { reorder: 'none', enableManagedbyLabel: true })
    assert.equal(r.yaml, WARN_MANAGED)
    assert.deepStrictEqual(r.warnings, [COMMON_LABELS_WARNING])
  })

  it('honours loadRestrictor', () => {
    const e = thrown(() => kustomizeBuildSync(dir('restricted')))
    assert.equal(e.code, 'KUSTOMIZE_BUILD')
    assert.equal(e.kind, 'load')
    assert.match(e.message, /is not in or below/)
    const r = kustomizeBuildSync(dir('restricted'), { loadRestrictor: 'LoadRestrictionsNone' })
    assert.equal(r.yaml, RESTRICTED)
  })
})

describe('kustomize confinement', () => {
  // A resource, a generator file and a file under a linked directory that resolve outside
  // the kustomization root are refused as kubectl refuses them; the outside bytes never
  // reach the result or the error.
  it('refuses symbolic links out of the root, sync and Promise', async () => {
    const base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'gitward-node-links-')))
    try {
      const outside = path.join(base, 'outside')
      fs.mkdirSync(outside)
      fs.writeFileSync(
        path.join(outside, 'cm.yaml'),
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: leak\ndata:\n  s: TOPSECRET\n',
      )
      fs.writeFileSync(path.join(outside, 'token'), 'TOPSECRET')
      const k = path.join(base, 'k')
      fs.mkdirSync(k)
      fs.symlinkSync(path.join(outside, 'cm.yaml'), path.join(k, 'r.yaml'))
      fs.symlinkSync('../outside/token', path.join(k, 'h'))
      fs.symlinkSync(outside, path.join(k, 'etc'))
      const cases = [
        ['resources:\n- r.yaml\n', 'r.yaml'],
        ['configMapGenerator:\n- name: x\n  files:\n  - h\n', 'h'],
        ['configMapGenerator:\n- name: x\n  files:\n  - etc/token\n', 'etc/token'],
      ]
      for (const [kustomization, shown] of cases) {
        fs.writeFileSync(path.join(k, 'kustomization.yaml'), kustomization)
        const expected = `security; file '${path.join(k, shown)}' is not in or below '${k}'`
        const e = thrown(() => kustomizeBuildSync(k))
        assert.equal(e.code, 'KUSTOMIZE_BUILD')
        if (shown === 'r.yaml') assert.equal(e.kind, 'load')
        assert.ok(e.message.includes(expected), e.message)
        assert.ok(!e.message.includes('TOPSECRET'))
        const a = await rejected(kustomizeBuild(k))
        assert.ok(a.message.includes(expected), a.message)
        const allowed = kustomizeBuildSync(k, { loadRestrictor: 'LoadRestrictionsNone' })
        assert.ok(allowed.yaml.includes('TOPSECRET'))
      }
    } finally {
      fs.rmSync(base, { recursive: true, force: true })
    }
  })
})

describe('kustomize errors', () => {
  const failure = (name, options) => {
    const e = thrown(() => kustomizeBuildSync(dir(name), options))
    assert.ok(e instanceof Error)
    assert.equal(e.code, 'KUSTOMIZE_BUILD')
    assert.equal(e.path, dir(name))
    return e
  }

  it('a missing resource file is a load error', () => {
    const e = failure('missing')
    assert.equal(e.kind, 'load')
    assert.match(e.message, /missing\.yaml/)
  })

  it('bases that include each other are a cycle', () => {
    const e = failure('cyc-a', { loadRestrictor: 'LoadRestrictionsNone' })
    assert.equal(e.kind, 'cycle')
    assert.match(e.message, /cycle detected/)
    assert.equal(failure('cyc-a').kind, 'cycle')
  })

  it('malformed YAML, no kustomization, no directory', () => {
    assert.equal(failure('bad-yaml').kind, 'yaml')
    const e = failure('not-a-kustomization')
    assert.equal(e.kind, 'missing_kustomization')
    assert.match(e.message, /unable to find one of 'kustomization.yaml'/)
    assert.equal(failure('nowhere').kind, 'load')
  })

  it('rejects bad arguments and options with INVALID_VALUE', () => {
    const cases = [
      [[42], '', /expected a directory path string, got a number/],
      [[dir('base'), []], 'options', /expected an options object, got an array/],
      [[dir('base'), 'x'], 'options', /expected an options object, got a string/],
      [[dir('base'), { reorder: 'fifo' }], 'options.reorder', /'legacy' or 'none'/],
      [[dir('base'), { loadRestrictor: 'RootOnly' }], 'options.loadRestrictor', /RootOnly/],
      [[dir('base'), { enableHelm: 1 }], 'options.enableHelm', /expected a boolean/],
      [[dir('base'), { reorder: 1 }], 'options.reorder', /expected a string/],
    ]
    for (const [args, path, message] of cases) {
      const e = thrown(() => kustomizeBuildSync(...args))
      assert.ok(e instanceof TypeError, String(e))
      assert.equal(e.code, 'INVALID_VALUE')
      assert.equal(e.path, path)
      assert.match(e.message, message)
    }
  })

  it('passes an exception from an option getter through unchanged', () => {
    const boom = new Error('boom')
    const options = {
      get reorder() {
        throw boom
      },
    }
    assert.equal(thrown(() => kustomizeBuildSync(dir('base'), options)), boom)
  })
})

describe('kustomizeBuild (Promise)', () => {
  it('resolves with the same result', async () => {
    const p = kustomizeBuild(dir('overlay'))
    assert.ok(p instanceof Promise)
    const [overlay, warn] = await Promise.all([
      p,
      kustomizeBuild(dir('warn'), { reorder: 'none', enableManagedbyLabel: true }),
    ])
    assert.equal(overlay.yaml, OVERLAY)
    assert.deepStrictEqual(overlay.objects, parseManifests(OVERLAY))
    assert.equal(warn.yaml, WARN_MANAGED)
    assert.deepStrictEqual(warn.warnings, [COMMON_LABELS_WARNING])
  })

  it('rejects with KUSTOMIZE_BUILD', async () => {
    const e = await rejected(kustomizeBuild(dir('missing')))
    assert.ok(e instanceof Error)
    assert.equal(e.code, 'KUSTOMIZE_BUILD')
    assert.equal(e.kind, 'load')
    assert.equal(e.path, dir('missing'))
    const c = await rejected(kustomizeBuild(dir('cyc-a'), { loadRestrictor: 'LoadRestrictionsNone' }))
    assert.equal(c.kind, 'cycle')
  })

  it('throws INVALID_VALUE at once for bad arguments', () => {
    const e = thrown(() => kustomizeBuild(dir('base'), { reorder: 'x' }))
    assert.equal(e.code, 'INVALID_VALUE')
  })

  it('builds many in parallel', async () => {
    const all = await Promise.all(Array.from({ length: 6 }, () => kustomizeBuild(dir('overlay'))))
    assert.deepStrictEqual(
      all.map((r) => r.yaml),
      Array(6).fill(OVERLAY),
    )
  })
})

describe('helmTemplate', () => {
  it('renders with the defaults', () => {
    assert.equal(helmTemplateSync(dir('web')), HELM_DEFAULT)
  })

  it('renders with every flag', async () => {
    // -f and --set-file paths are relative to the working directory, as in helm.
    await inDir(root, () => assert.equal(helmTemplateSync('web', HELM_FLAGS_OPTIONS), HELM_FLAGS))
  })

  it('honours noHooks, skipTests, includeCrds and setLiteral', () => {
    assert.equal(helmTemplateSync(dir('web'), { noHooks: true }), HELM_NO_HOOKS)
    const options = { skipTests: true, includeCrds: true, setLiteral: ['lit=a,b=c'] }
    assert.equal(helmTemplateSync(dir('web'), options), HELM_CRDS)
  })

  it('sees the real clock, as helm does', () => {
    const chart = dir('clock')
    fs.mkdirSync(path.join(chart, 'templates'), { recursive: true })
    fs.writeFileSync(path.join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: clock\nversion: 0.1.0\n')
    fs.writeFileSync(path.join(chart, 'templates/cm.yaml'), 'year: {{ now | date "2006" }}\n')
    const [doc] = parseManifests(helmTemplateSync(chart))
    assert.ok(doc.year >= 2025, String(doc.year))
  })

  it('resolves a Promise', async () => {
    const values = [dir('over.yaml')]
    const flags = helmTemplate(dir('web'), { ...HELM_FLAGS_OPTIONS, values, setFile: [] })
    const [plain, withFlags] = await Promise.all([helmTemplate(dir('web')), flags])
    assert.equal(plain, HELM_DEFAULT)
    assert.equal(withFlags, HELM_FLAGS.replace('  note: "line1\\nline2\\n"\n', ''))
  })

  it('rejects with HELM_TEMPLATE, kind, chart and file', async () => {
    const e = await rejected(helmTemplate(dir('web'), { set: ['fail=true'] }))
    assert.ok(e instanceof Error)
    assert.equal(e.code, 'HELM_TEMPLATE')
    assert.equal(e.kind, 'template')
    assert.equal(e.file, 'web/templates/bad.yaml')
    assert.equal(
      e.message,
      'execution error at (web/templates/bad.yaml:1:25): asked to fail\n\n' +
        'Use --debug flag to render out invalid YAML',
    )
  })

  it('throws HELM_TEMPLATE errors of every kind', () => {
    const kind = (options, chart = dir('web')) => {
      const e = thrown(() => helmTemplateSync(chart, options))
      assert.equal(e.code, 'HELM_TEMPLATE')
      return e
    }
    const name = kind({ release: 'Bad_Name' })
    assert.equal(name.kind, 'release_name')
    assert.equal(name.chart, null)
    assert.match(name.message, /^release name check failed: release name "Bad_Name"/)
    const values = kind({ values: [dir('nope.yaml')] })
    assert.equal(values.kind, 'values')
    assert.equal(values.message, `open ${dir('nope.yaml')}: no such file or directory`)
    assert.equal(kind({ set: ['a.=1'] }).kind, 'values')
    const showOnly = kind({ showOnly: ['templates/x.yaml'] })
    assert.equal(showOnly.kind, 'show_only')
    assert.equal(showOnly.message, 'could not find template templates/x.yaml in chart')
    const load = kind({}, 'nochart')
    assert.equal(load.kind, 'load')
    assert.equal(load.message, 'path "nochart" not found')
  })

  it('rejects bad options with INVALID_VALUE', () => {
    const e = thrown(() => helmTemplateSync(dir('web'), { set: ['a=1', 3] }))
    assert.ok(e instanceof TypeError)
    assert.equal(e.code, 'INVALID_VALUE')
    assert.equal(e.path, 'options.set[1]')
    const s = thrown(() => helmTemplateSync(dir('web'), { set: 'a=1' }))
    assert.equal(s.path, 'options.set')
    assert.match(s.message, /expected an array of strings, got a string/)
    assert.equal(thrown(() => helmTemplate(undefined)).code, 'INVALID_VALUE')
  })
})
