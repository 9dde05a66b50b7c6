#!/usr/bin/env bash
# Runs `busfit check` for the GitHub Action: the log in the chosen format, the SARIF report for
# code scanning and the Markdown report for the job summary, each from the same run's inputs;
# records the exit code of the check the log shows.
set -uo pipefail
read -r -a paths <<< "${BUSFIT_PATHS:-.}"
args=()
while IFS= read -r line; do
  line="${line#"${line%%[![:space:]]*}"}"
  line="${line%"${line##*[![:space:]]}"}"
  [[ -n "$line" ]] && args+=(--require "$line")
done <<< "${BUSFIT_REQUIRE:-}"
[[ -n "${BUSFIT_FAIL_ON:-}" ]] && args+=(--fail-on "$BUSFIT_FAIL_ON")
out="${GITHUB_OUTPUT:-/dev/null}"

busfit check "${paths[@]}" "${args[@]}" --format "${BUSFIT_FORMAT:-github}"
code=$?
echo "exit-code=$code" >> "$out"

if [[ "${BUSFIT_SARIF:-true}" == "true" ]]; then
  sarif="${RUNNER_TEMP:-/tmp}/busfit.sarif"
  if busfit check "${paths[@]}" "${args[@]}" --format sarif --exit-zero --output-file "$sarif" --force; then
    echo "sarif-file=$sarif" >> "$out"
  fi
fi
if [[ "${BUSFIT_SUMMARY:-true}" == "true" && -n "${GITHUB_STEP_SUMMARY:-}" ]]; then
  busfit check "${paths[@]}" "${args[@]}" --format markdown --exit-zero >> "$GITHUB_STEP_SUMMARY" || true
fi
exit 0
