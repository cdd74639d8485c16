#!/usr/bin/env bash
# A stand-in for luxd in parsd's tests. It records its argv (one per line)
# and selected environment to $FAKE_LUXD_RECORD, then:
#   FAKE_LUXD_VERSION=1 / --version  print a version line and exit 0
#   FAKE_LUXD_SLEEP=N                wait up to N seconds for a signal
#   FAKE_LUXD_IGNORE_TERM=1          ignore SIGTERM (to test SIGKILL escalation)
#   FAKE_LUXD_EXIT=N                 exit with N (default 0)
#   FAKE_LUXD_SELF_SIGNAL=SIG        kill itself with SIG (to test 128+n)
# On a trapped signal it records "signal SIG" and dies from that same signal.
rec="${FAKE_LUXD_RECORD:-/dev/null}"
if [ "${1:-}" = "--version" ]; then
  echo "node/1.22.18 [database=v1.4.5, rpcchainvm=43, go=1.24.6]"
  exit 0
fi
{
  echo "pid $$"
  for a in "$@"; do printf 'arg %s\n' "$a"; done
  printf 'env FAKE_LUXD_MARK=%s\n' "${FAKE_LUXD_MARK:-}"
} >"$rec.tmp" && mv "$rec.tmp" "$rec"
# bash will not always die of its own SIGQUIT; then exit 128+n as a Go luxd would report it.
die() { echo "signal $1" >>"$rec"; trap - "$1"; kill -s "$1" $$; exit $((128 + $(kill -l "$1"))); }
for s in INT TERM HUP QUIT; do
  if [ "$s" = TERM ] && [ "${FAKE_LUXD_IGNORE_TERM:-}" = 1 ]; then
    trap 'echo "signal TERM (ignored)" >>"$rec"' TERM
  else
    trap "die $s" "$s"
  fi
done
echo ready >>"$rec"
if [ -n "${FAKE_LUXD_SELF_SIGNAL:-}" ]; then trap - "$FAKE_LUXD_SELF_SIGNAL"; kill -s "$FAKE_LUXD_SELF_SIGNAL" $$; fi
end=$((SECONDS + ${FAKE_LUXD_SLEEP:-0}))
while [ "$SECONDS" -lt "$end" ]; do sleep 0.1 & wait $!; done
exit "${FAKE_LUXD_EXIT:-0}"
