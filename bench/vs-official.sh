#!/usr/bin/env bash
# mcp-conform vs the official suite (@modelcontextprotocol/conformance 0.1.16) on the same target:
# one server-everything instance in Streamable HTTP mode, both server suites run against it,
# wall time and check count of each, and the ratio. Installs the official suite and a Node 22
# runtime (it needs Node >= 22) into a temporary folder; removes it and stops the server at exit.
#
#   bash bench/vs-official.sh            (KEEP=1 keeps the temporary folder and both outputs)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
EVERYTHING="$ROOT/node_modules/@modelcontextprotocol/server-everything/dist/index.js"
[ -f "$EVERYTHING" ] || { echo "vs-official: run npm ci first ($EVERYTHING is missing)" >&2; exit 2; }

TMP="$(mktemp -d "${TMPDIR:-/tmp}/mcp-conform-bench.XXXXXX")"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [ "${KEEP:-0}" = "1" ]; then echo "kept: $TMP" >&2; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "installing @modelcontextprotocol/conformance@0.1.16 and node@22 into $TMP …" >&2
(cd "$TMP" && npm init -y >/dev/null && npm install --no-audit --no-fund --loglevel=error node@22 @modelcontextprotocol/conformance@0.1.16 >/dev/null)
NODE22="$TMP/node_modules/.bin/node"
"$NODE22" --version >/dev/null

PORT="$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
URL="http://127.0.0.1:$PORT/mcp"
# server-everything listens on every interface; we only ever talk to 127.0.0.1.
PORT="$PORT" node "$EVERYTHING" streamableHttp >"$TMP/server.log" 2>&1 &
SERVER_PID=$!
node -e "
const url = process.argv[1]; const until = Date.now() + 20000;
(async () => { for (;;) { try { await fetch(url, { method: 'GET' }); return; } catch { if (Date.now() > until) { console.error('server-everything did not start'); process.exit(1); } await new Promise((r) => setTimeout(r, 100)); } } })();
" "$URL"
echo "server-everything (streamableHttp) at $URL, pid $SERVER_PID" >&2

now_ms() { node -e 'console.log(Date.now())'; }

# --- the official suite
t0=$(now_ms)
set +e
"$NODE22" "$TMP/node_modules/.bin/conformance" server --url "$URL" -o "$TMP/official" >"$TMP/official.log" 2>&1
official_rc=$?
set -e
t1=$(now_ms)
official_ms=$((t1 - t0))
official_checks=$(node -e "
const fs = require('fs'), p = require('path'); const dir = process.argv[1]; let n = 0;
for (const d of fs.existsSync(dir) ? fs.readdirSync(dir) : []) { const f = p.join(dir, d, 'checks.json'); if (fs.existsSync(f)) { const j = JSON.parse(fs.readFileSync(f, 'utf8')); n += Array.isArray(j) ? j.length : 0; } }
console.log(n);
" "$TMP/official")
official_scenarios=$(find "$TMP/official" -name checks.json 2>/dev/null | wc -l | tr -d ' ')

# --- ours: every revision the server speaks, then 2025-11-25 alone (what the official suite speaks)
run_ours() {
  local out="$1"; shift
  local a b
  a=$(now_ms)
  set +e
  node "$ROOT/bin/mcp-conform.js" server --url "$URL" --out "$out" "$@" >"$out.log" 2>&1
  set -e
  b=$(now_ms)
  echo "$((b - a)) $(node -e "const r = require(process.argv[1]); console.log(r.counts.total, r.counts.passed, r.counts.failed, r.counts.warned, r.revisions.length)" "$out/results.json")"
}
read -r ours_ms ours_checks ours_passed ours_failed ours_warned ours_revs <<<"$(run_ours "$TMP/ours")"
read -r one_ms one_checks one_passed one_failed one_warned _ <<<"$(run_ours "$TMP/ours-2025-11-25" --revision 2025-11-25)"

node -e "
const [oms, ochecks, oscen, orc, ums, uchecks, upass, ufail, uwarn, urevs, ms1, c1, p1, f1, w1] = process.argv.slice(1).map(Number);
const s = (ms) => (ms / 1000).toFixed(2) + ' s';
const rate = (c, ms) => (c / (ms / 1000)).toFixed(1) + ' checks/s';
console.log('official @modelcontextprotocol/conformance 0.1.16: ' + s(oms) + ', ' + ochecks + ' checks in ' + oscen + ' scenarios (exit ' + orc + '), ' + rate(ochecks, oms));
console.log('mcp-conform, all ' + urevs + ' revisions:          ' + s(ums) + ', ' + uchecks + ' checks (' + upass + ' passed, ' + ufail + ' failed, ' + uwarn + ' warnings), ' + rate(uchecks, ums));
console.log('mcp-conform, --revision 2025-11-25:     ' + s(ms1) + ', ' + c1 + ' checks (' + p1 + ' passed, ' + f1 + ' failed, ' + w1 + ' warnings), ' + rate(c1, ms1));
console.log('ratio (mcp-conform / official): time ' + (ums / oms).toFixed(2) + 'x, checks ' + (uchecks / ochecks).toFixed(2) + 'x (all revisions); time ' + (ms1 / oms).toFixed(2) + 'x, checks ' + (c1 / ochecks).toFixed(2) + 'x (2025-11-25)');
" "$official_ms" "$official_checks" "$official_scenarios" "$official_rc" "$ours_ms" "$ours_checks" "$ours_passed" "$ours_failed" "$ours_warned" "$ours_revs" "$one_ms" "$one_checks" "$one_passed" "$one_failed" "$one_warned"
