#!/usr/bin/env bash
# A stand-in for luxd in parsd's tests that behaves like the real luxd 1.13.4
# recorded in ../shared/luxd/real/README.md, in either of two flag dialects:
#   FAKE_LUXD_DIALECT=1.13.4|1.22.18   (default 1.22.18) which luxd to be
#   FAKE_LUXD_FIXTURES=DIR             where luxd-<dialect>-help.txt and
#                                      luxd-<dialect>-version.{txt,json} are
#                                      (default: fixtures/luxd beside this script;
#                                      set it when the script is copied elsewhere)
# Like the real luxd it
#   --help / -h              prints the dialect's help on stderr, exits 0
#   --version, --version-json  prints the recorded version on stdout, exits 0
#   rejects what luxd rejects, with luxd's message on stderr and exit 1, in
#   luxd's order: flags (unknown flag, bad value), plugin dir not found,
#   --chain-config-content not base64, --fd-limit (given, else the help's
#   default) above the hard RLIMIT_NOFILE, a plugin-dir file whose name
#   (extension stripped) is neither a VMID (45-50 base58 characters) nor a VM
#   alias (dotfiles and directories are skipped);
#   logs "failed to register VM" for a VMID-named plugin that is not executable
#   or does not mention LUX_VM_RUNTIME_ENGINE_ADDR (as a Go rpcchainvm plugin
#   binary does), and goes on;
#   logs "initializing node" with its providedFlags and a NodeID once it accepts
#   everything.
# It does not decode the chain config JSON, expand $HOME defaults, create
# default directories or write staking keys.
#
# Any run other than help/version records itself to $FAKE_LUXD_RECORD as
# tests/fake_luxd.sh does ("pid N", one "arg X" a line, "env FAKE_LUXD_MARK=…"),
# appends "ready" once accepted, then obeys the same knobs:
#   FAKE_LUXD_SLEEP=N         wait up to N seconds for a signal
#   FAKE_LUXD_IGNORE_TERM=1   ignore SIGTERM (to test SIGKILL escalation)
#   FAKE_LUXD_EXIT=N          exit with N (default 0)
#   FAKE_LUXD_SELF_SIGNAL=SIG kill itself with SIG (to test 128+n)
#   FAKE_LUXD_CHILD=1         start a child that ignores SIGTERM (as a stuck VM
#                             plugin would), recorded as "child PID"
# On a trapped signal it records "signal SIG" and dies from that same signal.
# For help and version runs:
#   FAKE_LUXD_PROBE_LINGER=N  leave a grandchild holding stdout and stderr open
#                             for N seconds after answering (to test probe timeouts),
#                             its pid appended to $FAKE_LUXD_LINGER_PIDS if set
set -u
export LC_ALL=C # plugin dir order bytewise, as Go's os.ReadDir; regexes on bytes

dialect="${FAKE_LUXD_DIALECT:-1.22.18}"
here="${BASH_SOURCE[0]}"
if [[ $here == */* ]]; then here="${here%/*}"; else here=.; fi
fixtures="${FAKE_LUXD_FIXTURES:-$here/fixtures/luxd}"
case "$dialect" in
1.13.4 | 1.22.18) ;;
*)
  echo "luxd stand-in: FAKE_LUXD_DIALECT must be 1.13.4 or 1.22.18, not '$dialect'" >&2
  exit 2
  ;;
esac
help_file="$fixtures/luxd-$dialect-help.txt"
if ! mapfile -t help_lines <"$help_file" 2>/dev/null; then
  echo "luxd stand-in: cannot read $help_file; set FAKE_LUXD_FIXTURES to tests/fixtures/luxd" >&2
  exit 2
fi
# Prints a fixture file exactly as it is.
print_file() {
  local text
  IFS= read -r -d '' text <"$1"
  printf '%s' "$text"
}

# The flags of this dialect: name -> pflag type word ("bool" where pflag prints none).
declare -A ftype=()
fd_default=32768
for line in "${help_lines[@]}"; do
  [[ $line == "      --"* ]] || continue
  head="${line:8}"
  head="${head%%"   "*}"
  name="${head%% *}"
  if [[ $head == *" "* ]]; then ftype[$name]="${head#* }"; else ftype[$name]=bool; fi
  if [[ $name == fd-limit && $line =~ \(default\ ([0-9]+)\)$ ]]; then fd_default="${BASH_REMATCH[1]}"; fi
done

# Go's strconv and time syntaxes, as pflag applies them.
re_bool='^(1|0|t|f|T|F|true|false|TRUE|FALSE|True|False)$'
re_uint='^(0[xX](_?[0-9a-fA-F])+|0[bB](_?[01])+|0[oO](_?[0-7])+|0(_?[0-7])*|[1-9](_?[0-9])*)$'
re_int='^[+-]?(0[xX](_?[0-9a-fA-F])+|0[bB](_?[01])+|0[oO](_?[0-7])+|0(_?[0-7])*|[1-9](_?[0-9])*)$'
re_float='^[+-]?([0-9](_?[0-9])*(\.([0-9](_?[0-9])*)?)?|\.[0-9](_?[0-9])*)([eE][+-]?[0-9](_?[0-9])*)?$'
re_hexfloat='^[+-]?0[xX](_?[0-9a-fA-F])*(\.([0-9a-fA-F](_?[0-9a-fA-F])*)?)?[pP][+-]?[0-9](_?[0-9])*$'
re_special='^([+-]?[iI][nN][fF]([iI][nN][iI][tT][yY])?|[nN][aA][nN])$'
re_duration='^[+-]?(0|(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+)$'
re_name='^[A-Za-z0-9][A-Za-z0-9._-]*$'

# Sets $problem to the Go error for a bad value $2 of type $1, or to "" if it parses.
# (Functions here set globals instead of printing: a $(…) would fork, and the
# stand-in should start as fast as a Go binary.)
value_error() {
  local t="$1" v="$2"
  problem=""
  case "$t" in
  bool) [[ $v =~ $re_bool ]] || problem="strconv.ParseBool: parsing \"$v\": invalid syntax" ;;
  int) [[ $v =~ $re_int ]] || problem="strconv.ParseInt: parsing \"$v\": invalid syntax" ;;
  uint) [[ $v =~ $re_uint ]] || problem="strconv.ParseUint: parsing \"$v\": invalid syntax" ;;
  float) [[ $v =~ $re_float || $v =~ $re_hexfloat || $v =~ $re_special ]] ||
    problem="strconv.ParseFloat: parsing \"$v\": invalid syntax" ;;
  duration) [[ $v =~ $re_duration ]] || problem="time: invalid duration \"$v\"" ;;
  esac
}

# Parse the command line as pflag does: stop at the first error or --help.
err=""
want_help=0
names=()
values=()
args=("$@")
i=0
while ((i < $#)); do
  a="${args[i]}"
  i=$((i + 1))
  [[ $a == "--" ]] && break
  [[ $a == -* && $a != "-" ]] || continue # a word that is not a flag: ignored
  if [[ $a != --* ]]; then
    if [[ ${a:1:1} == h ]]; then want_help=1; else err="unknown shorthand flag: '${a:1:1}' in $a"; fi
    break
  fi
  body="${a:2}"
  if [[ -z $body || $body == -* || $body == =* ]]; then
    err="bad flag syntax: $a"
    break
  fi
  name="${body%%=*}"
  if [[ $name == help ]]; then
    want_help=1
    break
  fi
  if ! [[ $name =~ $re_name ]] || [[ -z ${ftype[$name]+set} ]]; then
    err="unknown flag: --$name"
    break
  fi
  t="${ftype[$name]}"
  if [[ $body == *=* ]]; then
    value="${body#*=}"
  elif [[ $t == bool ]]; then
    value=true
  elif ((i < $#)); then
    value="${args[i]}"
    i=$((i + 1))
  else
    err="flag needs an argument: $a"
    break
  fi
  value_error "$t" "$value"
  if [[ -n $problem ]]; then
    err="invalid argument \"$value\" for \"--$name\" flag: $problem"
    break
  fi
  names+=("$name")
  values+=("$value")
done

# A grandchild that keeps this run's stdout and stderr open after it exits.
linger() {
  if [[ -n ${FAKE_LUXD_PROBE_LINGER:-} ]]; then
    sleep "$FAKE_LUXD_PROBE_LINGER" &
    echo "$!" >>"${FAKE_LUXD_LINGER_PIDS:-/dev/null}"
  fi
}
if ((want_help)); then
  printf '%s\n' "${help_lines[@]}" >&2
  linger
  exit 0
fi

# The last value given for flag $1, in $given; returns 1 if it was not given.
lookup() {
  local k found=1
  for k in "${!names[@]}"; do
    if [[ ${names[k]} == "$1" ]]; then
      given="${values[k]}"
      found=0
    fi
  done
  return $found
}
is_true() { [[ $1 =~ ^(1|t|T|TRUE|true|True)$ ]]; }

if [[ -z $err ]]; then
  v=false vj=false
  lookup version && v="$given"
  lookup version-json && vj="$given"
  if is_true "$v" && is_true "$vj"; then
    echo "can't print both JSON and human readable versions"
    exit 1
  fi
  if is_true "$vj"; then
    print_file "$fixtures/luxd-$dialect-version.json"
    linger
    exit 0
  fi
  if is_true "$v"; then
    print_file "$fixtures/luxd-$dialect-version.txt"
    linger
    exit 0
  fi
fi

rec="${FAKE_LUXD_RECORD:-/dev/null}"
if [[ $rec != /dev/null ]]; then
  {
    echo "pid $$"
    for a in "$@"; do printf 'arg %s\n' "$a"; done
    printf 'env FAKE_LUXD_MARK=%s\n' "${FAKE_LUXD_MARK:-}"
  } >"$rec.tmp" && mv "$rec.tmp" "$rec"
fi
# bash will not always die of its own SIGQUIT; then exit 128+n as a Go luxd would report it.
die() {
  echo "signal $1" >>"$rec"
  trap - "$1"
  kill -s "$1" $$
  exit $((128 + $(kill -l "$1")))
}
for s in INT TERM HUP QUIT; do
  if [[ $s == TERM && ${FAKE_LUXD_IGNORE_TERM:-} == 1 ]]; then
    trap 'echo "signal TERM (ignored)" >>"$rec"' TERM
  else
    trap "die $s" "$s"
  fi
done

fail() {
  echo "$1" >&2
  exit 1
}
[[ -z $err ]] || fail "couldn't configure flags: $err"

# luxd's zap console log line: time, level, caller, message, JSON fields.
log() {
  local ts
  printf -v ts '%(%m-%d|%H:%M:%S)T' -1
  printf '[%s.000] %s %s %s %s\n' "$ts" "$1" "$2" "$3" "$4" >&2
}
# Sets $J to $1 as a JSON string.
json_str() {
  local s="$1"
  s="${s//\\/\\\\}"
  s="${s//\"/\\\"}"
  s="${s//$'\n'/\\n}"
  s="${s//$'\r'/\\r}"
  s="${s//$'\t'/\\t}"
  J="\"$s\""
}

# Config: the plugin dir must exist when given (luxd checks it first).
plugin_dir=""
if lookup plugin-dir; then
  plugin_dir="$given"
  if [[ ! -e $plugin_dir ]]; then
    fail "couldn't load node config: plugin dir \"$plugin_dir\" not found: stat $plugin_dir: no such file or directory"
  fi
  [[ -d $plugin_dir ]] || fail "couldn't load node config: plugin dir is not a directory: \"$plugin_dir\""
fi

# Config: --chain-config-content must be strict standard base64 (Go's
# base64.StdEncoding, which skips \r and \n). Sets $at to the offset Go
# reports, or to "" if the value decodes.
base64_error_at() {
  local s="${1//[$'\r\n']/}" len k j
  len=${#s}
  at=""
  [[ $s =~ ^[A-Za-z0-9+/]* ]]
  k=${#BASH_REMATCH[0]}
  if ((k == len)); then
    ((len % 4 == 0)) || at=$((len - len % 4))
    return
  fi
  if [[ ${s:k:1} != "=" ]] || ((k % 4 < 2)); then
    at=$k
    return
  fi
  j=$((k % 4))
  if ((j == 2)); then
    if ((k + 1 >= len)); then
      at=$len
    elif [[ ${s:k+1:1} != "=" ]]; then
      at=$k
    elif ((k + 2 < len)); then at=$((k + 2)); fi
  elif ((k + 1 < len)); then at=$((k + 1)); fi
}
if lookup chain-config-content; then
  base64_error_at "$given"
  if [[ -n $at ]]; then
    fail "couldn't load node config: couldn't read chain configs: unable to decode base64 content: illegal base64 data at input byte $at"
  fi
fi

# Start: --fd-limit against the hard limit on open files.
fd_limit="$fd_default"
lookup fd-limit && fd_limit="${given//_/}"
case "$fd_limit" in # Go's base prefixes, as the flag parser accepted them
0[xX]*) fd_limit=$((16#${fd_limit:2})) ;;
0[bB]*) fd_limit=$((2#${fd_limit:2})) ;;
0[oO]*) fd_limit=$((8#${fd_limit:2})) ;;
0?*) fd_limit=$((8#${fd_limit:1})) ;;
esac
hard=""
if [[ -r /proc/self/limits ]]; then
  while read -r a b c soft hard_limit _; do
    if [[ "$a $b $c" == "Max open files" ]]; then hard="$hard_limit"; fi
  done </proc/self/limits
fi
[[ -n $hard ]] || hard="$(ulimit -Hn)"
if [[ $hard != unlimited ]]; then
  if ((${#fd_limit} > 18)) || ((10#$fd_limit > hard)); then
    fail "couldn't start node: error fd-limit: ($fd_limit) greater than max: ($hard)"
  fi
fi
if ((${#fd_limit} <= 18 && 10#$fd_limit < 32768)); then
  log WARN "ulimit/ulimit_unix.go:79" "fd-limit is less than recommended and could result in reduced performance" \
    "{\"limit\": $((10#$fd_limit)), \"recommendedLimit\": 32768}"
fi

# Start: the VM registry reads the plugin dir; any name that is not a VMID stops the node.
vm_ids=()
vm_paths=()
if [[ -n $plugin_dir ]]; then
  shopt -s nullglob dotglob
  for p in "$plugin_dir"/*; do
    [[ -d $p && ! -L $p ]] && continue
    base="${p##*/}"
    stem="$base"
    [[ $base == *.* ]] && stem="${base%.*}"
    [[ -z $stem ]] && continue
    if [[ $stem =~ ^[1-9A-HJ-NP-Za-km-z]{45,50}$ || $stem == platform || $stem == avm || $stem == evm ]]; then
      vm_ids+=("$stem")
      vm_paths+=("$p")
    else
      fail "couldn't start node: failed to initialize node: couldn't initialize VM registry: invalid vmID: \"$stem\""
    fi
  done
  shopt -u nullglob dotglob
fi
for k in "${!vm_ids[@]}"; do
  p="${vm_paths[k]}"
  if [[ ! -f $p || ! -x $p ]]; then
    why="fork/exec $p: permission denied"
  elif ! grep -qaF LUX_VM_RUNTIME_ENGINE_ADDR -- "$p"; then
    why="handshake failed: the plugin did not serve rpcchainvm (stand-in: it never mentions LUX_VM_RUNTIME_ENGINE_ADDR)"
  else
    continue
  fi
  json_str "${vm_ids[k]}"
  fields="{\"vmID\": $J"
  json_str "$why"
  log WARN "vms/registry/vm_registry.go:58" "failed to register VM" "$fields, \"error\": $J}"
done

# Accepted: log what luxd logs first, with the flags it was given.
IFS=' ' read -r application _ <"$fixtures/luxd-$dialect-version.txt"
provided=""
seen=" "
for ((k = ${#names[@]} - 1; k >= 0; k--)); do # the last value of each flag counts
  [[ $seen == *" ${names[k]} "* ]] && continue
  seen+="${names[k]} "
  json_str "${values[k]}"
  provided="\"${names[k]}\": $J${provided:+, }$provided"
done
json_str "$application"
log INFO "node/node.go:142" "initializing node" \
  "{\"version\": $J, \"nodeID\": \"NodeID-AtUhhMFuSdmtdHfJ3WPSopyHjp4Wq5wZj\", \"providedFlags\": {$provided}}"

if [[ ${FAKE_LUXD_CHILD:-} == 1 ]]; then
  (
    trap '' TERM
    exec sleep 60
  ) </dev/null >/dev/null 2>&1 &
  echo "child $!" >>"$rec"
fi
echo ready >>"$rec"
if [ -n "${FAKE_LUXD_SELF_SIGNAL:-}" ]; then
  trap - "$FAKE_LUXD_SELF_SIGNAL"
  kill -s "$FAKE_LUXD_SELF_SIGNAL" $$
fi
end=$((SECONDS + ${FAKE_LUXD_SLEEP:-0}))
while [ "$SECONDS" -lt "$end" ]; do
  sleep 0.1 &
  wait $!
done
exit "${FAKE_LUXD_EXIT:-0}"
