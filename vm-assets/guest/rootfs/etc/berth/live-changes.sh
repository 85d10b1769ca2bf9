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

# Streams the containers' own changes under the given folders (tab-separated) to the host, a
# path a line, on fd 4 (rc.control opens port @OWN_CHANGES_PORT@ there), so the agent does not
# send them back: the events `live_changed` never raises itself (close_write, create, delete,
# moves); a container's chmod alone is not streamed, and comes back once. One inotifywait, and
# no other process, is the guest's whole cost of a container writing thousands of files. It
# watches $live/mark too: the agent has it touched (`mark`), and once that line arrives it has
# every change the guest saw before it.
live_watch() {
  live_stop
  cp $live/roots $live/roots.old 2>/dev/null || : > $live/roots.old
  printf '%s' "$1" | tr '\t' '\n' | grep . > $live/roots
  [ -s $live/roots ] || return 0
  # What the guest cached of a folder before it was watched may be stale by now.
  awk 'FILENAME == ARGV[1] { old[$0] = 1; next } !($0 in old) { added = 1 } END { exit !added }' $live/roots.old $live/roots && live_forget
  : > $live/mark
  inotifywait -m -r -q -e close_write,create,delete,moved_from,moved_to --format '%w%f' \
    --fromfile $live/roots $live/mark >&4 2>/dev/null 3<&- &
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

# Drops the names and attributes the guest's kernel keeps of files it is not using, where a
# share is virtio-fs: it keeps them (cache=always) until told, a FUSE inode is found again by
# its node id, so watches stay on it. (9p keeps its own: a folder looked up afresh after the
# host changed it would be a new inode, and watches on the old one would go deaf.)
live_forget() {
  grep -q ' virtiofs ' /proc/mounts && echo 2 > /proc/sys/vm/drop_caches
  return 0
}

# Raises an event for each path the host changed (tab-separated, in $live/batch): a file, or a
# folder whose names changed; the agent has dropped those its containers changed themselves.
# The argument is 1 when some names are gone. Every path is made fresh, even in a checkout of
# thousands: a file whose cached size or pages were left stale would read wrong.
live_changed() {
  [ "$1" != 1 ] || live_forget
  tr '\t' '\n' < $live/batch | while IFS= read -r p; do
    [ -n "$p" ] || continue
    [ ! -L "$p" ] && live_raise "$p" || dirname "$p"
  done | sort -u > $live/folders
  while IFS= read -r d; do live_raise "$d"; done < $live/folders
  return 0
}
