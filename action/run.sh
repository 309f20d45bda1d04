#!/usr/bin/env bash
# Runs threatls for the GitHub Action (action.yml): `threatls diff` on a pull request (only
# what the change adds fails the job), `threatls scan` otherwise; writes SARIF for code
# scanning and a Markdown job summary.
#
#   INPUT_COMMAND  scan or diff (default: diff on pull_request events, else scan)
#   INPUT_PATH     what to analyse (default .)
#   INPUT_BASE     diff's base revision (default: the pull request's base branch)
#   INPUT_FAIL_ON  severity that fails the job (default high; "" never fails)
#   INPUT_SARIF    the SARIF file to write (default threatls.sarif)
set -uo pipefail

command=${INPUT_COMMAND:-}
if [[ -z $command ]]; then
  if [[ ${GITHUB_EVENT_NAME:-} == pull_request || ${GITHUB_EVENT_NAME:-} == pull_request_target ]]; then
    command=diff
  else
    command=scan
  fi
fi
path=${INPUT_PATH:-.}
sarif=${INPUT_SARIF:-threatls.sarif}
summary=${RUNNER_TEMP:-/tmp}/threatls-summary.md
fail=()
[[ -n ${INPUT_FAIL_ON-high} ]] && fail=(--fail-on "${INPUT_FAIL_ON-high}")

status=0
case $command in
  scan)
    threatls scan --format sarif -o "$sarif" "${fail[@]}" "$path" || status=$?
    if [[ $status -le 1 ]]; then
      threatls report --format markdown "$path" > "$summary" || status=2
    fi
    ;;
  diff)
    base=${INPUT_BASE:-}
    if [[ -z $base && -n ${GITHUB_BASE_REF:-} ]]; then
      base=origin/$GITHUB_BASE_REF
    fi
    rev=()
    [[ -n $base ]] && rev=("$base")
    threatls diff --format sarif -o "$sarif" "${fail[@]}" "${rev[@]}" "$path" || status=$?
    if [[ $status -le 1 ]]; then
      threatls diff --format markdown "${rev[@]}" "$path" > "$summary" || status=2
    fi
    ;;
  *)
    echo "::error::command must be scan or diff, not $command"
    exit 2
    ;;
esac
if [[ -f $sarif ]]; then
  echo "sarif-file=$sarif" >> "${GITHUB_OUTPUT:-/dev/null}"
fi
if [[ -f $summary ]]; then
  echo "summary-file=$summary" >> "${GITHUB_OUTPUT:-/dev/null}"
fi
exit "$status"
