# Live changes: the host's edits in folders containers bind-mount, raised as inotify events
# here (9p carries none). The agent watches those folders on the host and sends the changed
# paths. For each, a chown to its own owner has the kernel fetch its attributes again and
# report IN_ATTRIB to watchers, and GNU dd's nocache drops its stale pages; a path that is
# gone (deleted, moved away) raises the event on its folder. Nothing on the host changes but
# the ctime: no utimensat, because 9p carries whole seconds only and would cut the host
# file's mtime.
live=/run/berth/live
mkdir -p $live

# Stops the recorder of the containers' own changes.
live_stop() {
  [ -r $live/pid ] && kill "$(cat $live/pid)" 2>/dev/null
  rm -f $live/pid
}

# Records the containers' own changes under the given folders (tab-separated) as
# "<seconds> <path>" lines, so `live_changed` does not echo them back. It records the events
# `live_changed` never raises itself (close_write, create, delete, moves); a container's chmod
# alone is not recorded, and comes back once.
live_watch() {
  live_stop
  printf '%s' "$1" | tr '\t' '\n' | grep . > $live/roots
  : > $live/local
  [ -s $live/roots ] || return 0
  inotifywait -m -r -q -e close_write,create,delete,moved_from,moved_to --timefmt %s --format '%T %w%f' \
    --fromfile $live/roots -o $live/local >/dev/null 2>&1 &
  echo $! > $live/pid
}

# Raises the event on one path and makes it fresh (the share caches attributes and pages:
# 9p cache=0x7, the mode with inode identity, which watches on subfolders need); false when
# the path is gone.
live_raise() {
  uid=$(stat -c %u "$1" 2>/dev/null) && chown -h "$uid" "$1" 2>/dev/null || return 1
  [ -L "$1" ] || [ ! -f "$1" ] || /usr/lib/berth/gnu-dd if="$1" iflag=nocache count=0 status=none 2>/dev/null
  return 0
}

# Raises an event for each changed path a container did not change itself in the 3 s before
# the host saw the change. The argument is the seconds when the host first saw the batch's
# changes; the paths are in $live/batch, tab-separated. Every path is made fresh, even in a
# checkout of thousands: a file whose cached size or pages were left stale would read wrong.
live_changed() {
  since=$(( $1 - 3 ))
  # Only the record's end is read, so a batch costs the same however long containers have written.
  tail -c 262144 $live/local > $live/recent 2>/dev/null
  # A path is the container's own when it, or a folder above it, was changed there: the record
  # misses what lands in a new folder before inotifywait has added its watch. One awk does it
  # all: while a container writes thousands of files, every batch is its own writes coming
  # back, and each process started costs the guest CPU the container needs.
  awk -v since="$since" -v recent=$live/recent '
    FILENAME == recent { if ($1 >= since) own[substr($0, index($0, " ") + 1)] = 1; next }
    { n = split($0, paths, "\t"); for (i = 1; i <= n; i++) { p = paths[i]; if (p == "") continue; q = p
      while (q != "" && !(q in own)) sub(/\/[^\/]*$/, "", q); if (q == "") print p } }' $live/recent $live/batch > $live/todo
  if [ -s $live/todo ]; then
    while IFS= read -r p; do
      [ ! -L "$p" ] && live_raise "$p" || dirname "$p"
    done < $live/todo | sort -u > $live/folders
    # No drop_caches for the dentries of what is gone: a folder looked up afresh after the host
    # changed it is a new inode (9p's qid version follows the mtime), and watches on the old one
    # would hear nothing more. A gone file's dentry stays until the kernel reclaims it.
    while IFS= read -r d; do live_raise "$d"; done < $live/folders
  fi
  # The record is read only for its last seconds; past 4 MiB it starts afresh.
  [ "$(wc -c < $live/local)" -lt 4194304 ] || live_watch "$(tr '\n' '\t' < $live/roots)"
  return 0
}
