#!/usr/bin/env bash
# Instructions an event (callgrind), the steady figure beside `make bench`'s
# times: on a shared host the times move from run to run by more than a
# budget like issue 11's 15% (one `make bench` gave archive masking rounds
# from +9% to +50%), while two runs' instruction counts differ by about
# 0.2% (threads' waits and job boundaries vary a little).
# Each figure is one run over the first 200,000 events minus one over the
# first 100,000, divided by 100,000, so start-up (rule loading, the dynamic
# loader) drops out. Release build, the two bench rules, one scan worker:
#   process                         detection alone
#   process --archive               ... and every event archived (lz4)
#   process --archive --mask        ... masked first (bench-mask's policy)
#   the same two over the events with a `message` each (free text to mask)
#   process --archive --encrypt     ... each object AES-256-GCM encrypted
# Instructions are not time: a cache miss or an atomic costs more than its
# count says. Needs valgrind (Debian `valgrind`).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
command -v valgrind >/dev/null && command -v callgrind_annotate >/dev/null \
  || { echo "bench-instructions: needs valgrind (apt-get install valgrind)" >&2; exit 2; }
swift build -c release --product secstream >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# valgrind gives up on the Swift compiler's debug information: a copy without
# it (the same code) is what runs.
cp .build/release/secstream "$work/secstream"
strip --strip-debug "$work/secstream"
bin=$work/secstream

data=$root/bench-data
mkdir -p "$data"
events=$data/events-1000000.ndjson
[ -s "$events" ] || "$bin" generate --events 1000000 --seed 1 -o "$events"
messages=$data/events-1000000-messages.ndjson
[ -s "$messages" ] || python3 bench/add-messages.py < "$events" > "$messages"
for n in 100000 200000; do
  head -n "$n" "$events" > "$work/events-$n.ndjson"
  head -n "$n" "$messages" > "$work/messages-$n.ndjson"
done
# The policy and keys scripts/bench-mask.sh uses.
bash "$root/scripts/bench-mask-files.sh" "$work"

# count NAME INPUT ARGS...: the run's total instructions into $work/NAME.count
count() {
  local name=$1 input=$2
  shift 2
  rm -rf "$work/archive-$name"
  valgrind --tool=callgrind --callgrind-out-file="$work/$name.cg" "$bin" process --no-default-rules --rules bench/rules \
      --lateness 0 --threads 1 --input "$input" --alerts /dev/null "${@//ARCHIVE/$work/archive-$name}" >/dev/null 2>&1
  callgrind_annotate "$work/$name.cg" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }' > "$work/$name.count"
}
# per_event NAME FILE ARGS...: instructions an event of ARGS over FILE (events or messages), into $work/NAME.per
per_event() {
  local name=$1 file=$2
  shift 2
  count "$name-small" "$work/$file-100000.ndjson" "$@" &
  count "$name-large" "$work/$file-200000.ndjson" "$@" &
  wait
  echo $(( ($(cat "$work/$name-large.count") - $(cat "$work/$name-small.count")) / 100000 )) > "$work/$name.per"
}
line() { # LABEL NAME [BASE]: the figure, and its difference from BASE's
  local v b
  v=$(cat "$work/$2.per")
  if [ $# -ge 3 ]; then
    b=$(cat "$work/$3.per")
    awk -v l="$1" -v v="$v" -v b="$b" 'BEGIN { printf "%-62s %6d instructions an event  %+6d (%+.1f%%)\n", l, v, v - b, (v / b - 1) * 100 }'
  else
    printf "%-62s %6d instructions an event\n" "$1" "$v"
  fi
}

per_event plain events
per_event archive events --archive ARCHIVE
per_event masked events --archive ARCHIVE --mask "$work/mask-policy.yaml"
per_event encrypted events --archive ARCHIVE --encrypt "$work/bench.keyring"
per_event archive-messages messages --archive ARCHIVE
per_event masked-messages messages --archive ARCHIVE --mask "$work/mask-policy.yaml"

echo "== instructions an event (callgrind; events 100,000-200,000 of the bench files; 1 scan worker)"
line "process (brute-force + port-scan)" plain
line "process --archive" archive
line "process --archive --mask (bench-mask's policy)" masked archive
line "process --archive --encrypt" encrypted archive
line "process --archive, events with a message" archive-messages
line "process --archive --mask, events with a message" masked-messages archive-messages
