#!/usr/bin/env bash
# The step logic of the GitHub Action (action.yml at the repository root), kept here so it can
# run (and be tested) outside GitHub: builds the `mcp-conform server|client` command line from
# the INPUT_* variables, runs it, appends report.md to $GITHUB_STEP_SUMMARY, and writes the exit
# code and file paths to $GITHUB_OUTPUT. It exits 0 itself whatever the run's exit code, so the
# artifact upload still runs; the action's last step fails the job with that code.
#
# Inputs (environment):
#   INPUT_MODE            server (default) or client
#   INPUT_COMMAND         stdio server / client command line (run through bash -c)
#   INPUT_URL             Streamable HTTP URL          INPUT_SSE  legacy HTTP+SSE URL
#   INPUT_CONFIG          mcpServers config file       INPUT_NAME its entry
#   INPUT_REVISIONS       --revision                   INPUT_PROFILE  --profile (comma-separated)
#   INPUT_BASELINE        --baseline FILE              INPUT_FAIL_ON  --fail-on must|should|never
#   INPUT_FORMATS         --format (markdown and html are always added)
#   INPUT_SHARD           --shard i/n                  INPUT_OUT      results folder
#   INPUT_ARGS            more arguments, split on whitespace (e.g. "--only lifecycle --timeout 10000")
#   INPUT_VERSION         the mcp-conform version npx runs (default: this action's own)
#   MCP_CONFORM_CMD       the command to run instead of npx (tests: node bin/mcp-conform.js)
set -uo pipefail

mode="${INPUT_MODE:-server}"
out="${INPUT_OUT:-mcp-conform-results}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

fail_usage() {
  echo "::error::mcp-conform action: $1"
  { echo "exit-code=2"; echo "results-dir=$out"; } >> "${GITHUB_OUTPUT:-/dev/null}"
  exit 0
}

case "$mode" in server | client) ;; *) fail_usage "mode must be server or client, not \"$mode\"" ;; esac

args=("$mode")
[ -n "${INPUT_REVISIONS:-}" ] && args+=(--revision "$INPUT_REVISIONS")
[ -n "${INPUT_PROFILE:-}" ] && args+=(--profile "$INPUT_PROFILE")
[ -n "${INPUT_BASELINE:-}" ] && args+=(--baseline "$INPUT_BASELINE")
[ -n "${INPUT_FAIL_ON:-}" ] && args+=(--fail-on "$INPUT_FAIL_ON")
[ -n "${INPUT_SHARD:-}" ] && args+=(--shard "$INPUT_SHARD")
# The step summary needs report.md, the artifact report.html.
formats="markdown,html"
[ -n "${INPUT_FORMATS:-}" ] && formats="$INPUT_FORMATS,$formats"
args+=(--format "$formats" --out "$out")
if [ -n "${INPUT_ARGS:-}" ]; then
  read -r -a extra <<< "$INPUT_ARGS"
  args+=("${extra[@]}")
fi

targets=0
for v in "${INPUT_COMMAND:-}" "${INPUT_URL:-}" "${INPUT_SSE:-}" "${INPUT_CONFIG:-}"; do [ -n "$v" ] && targets=$((targets + 1)); done
if [ "$mode" = client ]; then
  [ -n "${INPUT_COMMAND:-}" ] || fail_usage "mode client needs the client command (input command)"
  [ "$targets" = 1 ] || fail_usage "mode client takes only the command input as its target"
  client="$INPUT_COMMAND"
  # Through bash -c an appended URL would be $1 of the script: put the placeholder in instead.
  case "$client" in *'{url}'* | *'{server}'*) ;; *) client="$client {url}" ;; esac
  args+=(-- bash -c "$client")
else
  [ "$targets" = 1 ] || fail_usage "give exactly one target: command, url, sse or config (with name)"
  if [ -n "${INPUT_COMMAND:-}" ]; then
    args+=(--stdio -- bash -c "$INPUT_COMMAND")
  elif [ -n "${INPUT_URL:-}" ]; then
    args+=(--url "$INPUT_URL")
  elif [ -n "${INPUT_SSE:-}" ]; then
    args+=(--sse "$INPUT_SSE")
  else
    args+=(--config "$INPUT_CONFIG")
    [ -n "${INPUT_NAME:-}" ] && args+=(--name "$INPUT_NAME")
  fi
fi

if [ -n "${MCP_CONFORM_CMD:-}" ]; then
  read -r -a runner <<< "$MCP_CONFORM_CMD"
else
  version="${INPUT_VERSION:-}"
  if [ -z "$version" ]; then
    version="$(node -p "require(process.argv[1]).version" "$here/package.json" 2>/dev/null || echo latest)"
  fi
  runner=(npx --yes "mcp-conform@$version")
fi

# Files of an earlier run in the same folder must not pass for this run's.
mkdir -p "$out"
rm -f "$out/report.md" "$out/report.html" "$out/results.json"
echo "mcp-conform action: ${runner[*]} ${args[*]}"
"${runner[@]}" "${args[@]}"
code=$?

report="$out/report.md"
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  if [ -f "$report" ]; then
    cat "$report" >> "$GITHUB_STEP_SUMMARY"
  else
    printf '## mcp-conform\n\nNo report was written (exit code %s: %s). See the step log.\n' "$code" \
      "$(case "$code" in 2) echo 'usage or config error' ;; 3) echo 'the target could not be started or reached' ;; 130) echo interrupted ;; *) echo 'the run failed' ;; esac)" >> "$GITHUB_STEP_SUMMARY"
  fi
fi
{
  echo "exit-code=$code"
  echo "results-dir=$out"
  [ -f "$out/results.json" ] && echo "results=$out/results.json"
  [ -f "$out/report.html" ] && echo "report-html=$out/report.html"
  [ -f "$report" ] && echo "report-md=$report"
} >> "${GITHUB_OUTPUT:-/dev/null}"
exit 0
