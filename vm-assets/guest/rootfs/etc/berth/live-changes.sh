# Live changes: the host's edits in folders containers bind-mount, raised as inotify events
# here (9p carries none). The agent watches those folders on the host and sends the changed
# paths. For each, a chown to its own owner has the kernel fetch its attributes again and
# report IN_ATTRIB to watchers, and GNU dd's nocache drops its stale pages; a path that is
# gone (deleted, moved away) raises the event on its folder. Nothing on the host changes but
# the ctime: no utimensat, because 9p carries whole seconds only and would cut the host
# file's mtime.
live=/run/berth/live
mkdir -p $live
# A list longer than this goes through xargs, and more regular files than this get one drop of
# clean pages instead of a dd each: a process start costs tens of ms under emulation.
few=8

# Stops the recorder of the containers' own changes.
live_stop() {
  [ -r $live/pid ] && kill "$(cat $live/pid)" 2>/dev/null
  rm -f $live/pid
}

# Streams the containers' own changes under the given folders (tab-separated) to the host, a
# path a line, on fd 4 (rc.control opens port @OWN_CHANGES_PORT@ there), so the agent does not
# send them back: the events `live_changed` never raises itself (close_write, create, delete,
# moves); a container's chmod alone is not streamed, and comes back once. One own-changes (an
# inotifywait that wakes once per 20 ms burst, not once per event), and no other process, is
# the guest's whole cost of a container writing thousands of files. It watches $live/mark too:
# the agent has it touched (`mark`), and once that line arrives it has every change the guest
# saw before it.
live_watch() {
  live_stop
  cp $live/roots $live/roots.old 2>/dev/null || : > $live/roots.old
  printf '%s' "$1" | tr '\t' '\n' | grep . > $live/roots
  [ -s $live/roots ] || return 0
  # What the guest cached of a folder before it was watched may be stale by now.
  awk 'FILENAME == ARGV[1] { old[$0] = 1; next } !($0 in old) { added = 1 } END { exit !added }' $live/roots.old $live/roots && live_forget
  : > $live/mark
  /usr/lib/berth/own-changes --fromfile $live/roots $live/mark >&4 2>/dev/null 3<&- &
  echo $! > $live/pid
}

# Drops the names and attributes the guest's kernel keeps of files it is not using, where a
# share is virtio-fs: it keeps them (cache=always) until told, a FUSE inode is found again by
# its node id, so watches stay on it. (9p keeps its own: a folder looked up afresh after the
# host changed it would be a new inode, and watches on the old one would go deaf.)
live_forget() {
  grep -q ' virtiofs ' /proc/mounts && echo 2 > /proc/sys/vm/drop_caches
  return 0
}

# Raises the event on each path named in the file $1 (a path a line) and makes it fresh (the
# share caches attributes and pages: 9p cache=0x7, the mode with inode identity, which
# watches on subfolders need). The folders of the paths that are gone or are symlinks (a
# chown -h on a link raises nothing a watcher of its target sees) go to the file $2, to raise
# the event there. One stat for the whole list, one chown an owner, and a GNU dd for each of up
# to 8 regular files, or for more one drop of clean cached pages (as dd's nocache, all files'):
# a process start costs tens of milliseconds under emulation, and a checkout sends thousands.
live_raise_all() {
  local p u
  live_args "$1" stat -c '%u/%F/%n' -- 2>/dev/null > $live/stat
  # uid/type/path: the path is absolute, so the first two slashes end the uid and the type.
  awk -v out=$live/raise -v up="$2" -v few=$few '
    FILENAME == ARGV[1] { i = index($0, "/"); u = substr($0, 1, i - 1); r = substr($0, i + 1)
      j = index(r, "/"); t = substr(r, 1, j - 1); p = substr(r, j + 1)
      if (t == "symbolic link") next
      here[p] = 1; owners[u] = 1; print p > (out "." u)
      if (t ~ /^regular/) { files++; print p > (out ".file") }
      next }
    $0 != "" && !($0 in here) { d = $0; sub(/\/[^\/]*$/, "", d); print (d == "" ? "/" : d) > up }
    END { for (u in owners) print u > (out ".owners"); if (files > few) print "" > (out ".many") }' $live/stat "$1"
  # Pages first: a watcher reads once the chown raises its event.
  if [ -e $live/raise.many ]; then
    echo 1 > /proc/sys/vm/drop_caches
  elif [ -s $live/raise.file ]; then
    while IFS= read -r p; do /usr/lib/berth/gnu-dd if="$p" iflag=nocache count=0 status=none 2>/dev/null; done < $live/raise.file
  fi
  if [ -s $live/raise.owners ]; then
    while read -r u; do live_args "$live/raise.$u" chown -h "$u" 2>/dev/null; done < $live/raise.owners
  fi
  rm -f $live/raise.* $live/stat
  return 0
}

# Runs the command with the lines of the file $1 as its last arguments: a few of them
# directly, more through xargs (a pipe and xargs are two more process starts, which an edit
# of one file should not pay).
live_args() {
  local f=$1 n=0 a
  shift
  while IFS= read -r a && [ $n -le $few ]; do n=$((n + 1)); done < "$f"
  if [ $n -gt $few ]; then
    tr '\n' '\0' < "$f" | xargs -0 -r -s 120000 "$@"
    return
  fi
  [ $n -gt 0 ] || return 0
  while IFS= read -r a; do set -- "$@" "$a"; done < "$f"
  "$@"
}

# Raises an event for each path the host changed (tab-separated, in $live/batch): a file, or a
# folder whose names changed; the agent has dropped those its containers changed themselves.
# The argument is 1 when some names are gone. Every path is made fresh, even in a checkout of
# thousands: a file whose cached size or pages were left stale would read wrong.
live_changed() {
  [ "$1" != 1 ] || live_forget
  tr '\t' '\n' < $live/batch > $live/paths
  : > $live/up
  live_raise_all $live/paths $live/up
  # Most batches are an edit: nothing gone, no folder to raise, no process to start for it.
  [ -s $live/up ] || return 0
  sort -u $live/up > $live/folders
  live_raise_all $live/folders /dev/null
  return 0
}
