#!/bin/sh
# Synchronized folders, the guest's half (main/link/sync-protocol.ts has the line format).
# The agent decides; this script only reports the copy's state and applies what it is sent.
# Files travel as tar streams on the port itself (a batch is one tar and one GNU dd, where a
# copy over 9p paid round trips for every file). One command a line on port @SYNC_PORT@,
# answered in order on the same port; the copies' changes go out on @SYNC_CHANGES_PORT@,
# written by one own-changes (an inotifywait that prints in batches) alone.
# With SYNC_STDIO set (tests on a host), commands come on stdin, answers go to stdout and
# changes to stderr.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
copies=${SYNC_COPIES:-@SYNC_COPY_ROOT@}
state=${SYNC_STATE:-/run/berth/sync-state}
# GNU dd reads exactly a count of bytes from the port (busybox's reads whole blocks).
dd=${SYNC_DD:-/usr/lib/berth/gnu-dd}
watcher=${SYNC_WATCH:-/usr/lib/berth/own-changes}
T=$(printf '\t')
mkdir -p "$state"
set -f

# Facts for the given absolute paths (those that exist): stat, then sha1sum of files (a link's
# target's, which the host ignores), then each link's target.
facts() { # <id> <path>...
  id=$1; shift
  [ $# -gt 0 ] || return 0
  stat -c "s$T$id$T%F$T%a$T%s$T%Y$T%n" "$@" 2>/dev/null
  sha1sum "$@" 2>/dev/null | sed "s/^/h$T$id$T/"
  for p; do [ -L "$p" ] && printf 'l\t%s\t%s\t%s\n' "$id" "$(readlink "$p")" "$p"; done
  return 0
}

# The whole copy, in three passes so each tool runs once for many files.
list() { # <id> [path]
  c=$copies/$1/copy
  mkdir -p "$c" || return 1
  c=$c${2:+/$2}
  [ -e "$c" ] || [ -L "$c" ] || return 0
  find "$c" -exec stat -c "s$T$1$T%F$T%a$T%s$T%Y$T%n" {} + 2>/dev/null
  find "$c" -type f -exec sha1sum {} + 2>/dev/null | sed "s/^/h$T$1$T/"
  find "$c" -type l | while IFS= read -r p; do printf 'l\t%s\t%s\t%s\n' "$1" "$(readlink "$p")" "$p"; done
  [ -n "$2" ] || printf 'm\t%s\t%s\n' "$1" "$(cat "$copies/$1/marker" 2>/dev/null || echo -)"
}

# Takes <size> bytes of tar from the port into the copy: files, links and folders' modes, with
# their mtimes and owners.
put() { # <copy> <size>
  case "$2" in ''|*[!0-9]*) echo "not a size: $2" >&2; return 1 ;; esac
  "$dd" bs=64K iflag=fullblock,count_bytes count="$2" status=none <&3 | tar -x -C "$1" -f -
}

# Sends entries of the copy as one tar, announced by its size: `blob <size>`, then the bytes.
# An entry gone meanwhile is left out (tar says so, and goes on).
get() { # <copy> <recursion: yes or no> <path>...
  c=$1 deep=$2
  shift 2
  t=${c%/copy}/out.tar
  if [ "$deep" = yes ]; then (cd "$c" && tar -cf "$t" -- "$@"); else (cd "$c" && tar -cf "$t" --no-recursion -- "$@"); fi
  [ -f "$t" ] || return 1
  printf 'blob\t%s\n' "$(stat -c %s "$t")" >&4
  cat "$t" >&4
  rm -f "$t"
}

# A file or link goes; a folder only when empty (what is still in it is news the host has not
# heard yet, or deletes still to come, and must not be lost with it): a folder kept is answered
# `kept <path>`, so the host looks at it again.
remove_entry() { # <copy> <path>
  if [ -d "$1/$2" ] && [ ! -L "$1/$2" ]; then rmdir "$1/$2" 2>/dev/null || printf 'kept\t%s\n' "$2"; return 0; fi
  rm -f "$1/$2"
}

# Removes every path, on to the end whatever fails, and fails if any did; never the folder itself.
remove_all() { # <copy> <path>...
  c=$1 failed=0
  shift
  for p; do
    if [ "$p" = . ] || [ -z "$p" ]; then failed=1; else remove_entry "$c" "$p" || failed=1; fi
  done
  return $failed
}

# One watcher for every watched copy: the single writer on the changes port (fd 5). It names
# what a folder made in a copy holds as well, so nothing made before its watch is missed.
watch_copies() {
  [ -r "$state/pid" ] && kill "$(cat "$state/pid")" 2>/dev/null
  rm -f "$state/pid"
  [ -s "$state/watched" ] || return 0
  "$watcher" --attrib --fromfile "$state/watched" >&5 2>/dev/null 3<&- 4>&- &
  echo $! > "$state/pid"
}

run() { # <verb> <id> <paths, tab-separated>
  case "$2" in ''|*[!0-9a-f]*) echo "not a folder id: $2" >&2; return 1 ;; esac
  c=$copies/$2/copy
  IFS=$T
  set -- "$1" "$2" $3
  IFS=' 	
'
  verb=$1 id=$2
  shift 2
  case "$verb" in
    list) list "$id" "$1" ;;
    # From inside the copy, so the paths go to stat as they came (prefixing each would copy
    # the whole argument list once per path).
    stat) cd "$c" && facts "$id" "$@" ;;
    mark) mkdir -p "$copies/$id" && echo "$1" > "$copies/$id/marker.new" && mv -f "$copies/$id/marker.new" "$copies/$id/marker" ;;
    watch)
      mkdir -p "$c" && { grep -vxF "$c" "$state/watched" 2>/dev/null; echo "$c"; } > "$state/watched.new" \
        && mv -f "$state/watched.new" "$state/watched" && watch_copies ;;
    put) mkdir -p "$c" && put "$c" "$1" ;;
    get) get "$c" no "$@" ;;
    gettree) get "$c" yes "$@" ;;
    rm) remove_all "$c" "$@" ;;
    *) echo "unknown command: $verb" >&2; return 1 ;;
  esac
}

serve() {
  while IFS="$T" read -r seq verb id rest <&3; do
    [ -n "$seq" ] || continue
    if out=$(run "$verb" "$id" "$rest" 2>&1 >&4); then
      printf 'ok\t%s\n' "$seq" >&4
    else
      printf 'err\t%s\t%s\n' "$seq" "$(echo "$out" | tr '\n\t' '  ')" >&4
    fi
  done
}

if [ -n "$SYNC_STDIO" ]; then
  exec 3<&0 4>&1 5>&2
  serve
  exit
fi
. /usr/lib/berth/berth-lib.sh
set +f
port="" changes=""
find_port @SYNC_PORT@ && port=$dev
find_port @SYNC_CHANGES_PORT@ && changes=$dev
set -f
[ -n "$port" ] && [ -n "$changes" ] && exec 5>"$changes" || { echo "sync: no ports"; exit 1; }
while :; do
  exec 3<>"$port" 4>&3 || { sleep 1; continue; }
  serve
  exec 3<&- 4>&-
  sleep 1
done
