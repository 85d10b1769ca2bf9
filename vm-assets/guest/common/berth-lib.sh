# Shared by stage 1 (the initrd's /init) and stage 2 (rc.boot, rc.shutdown, rc.control, sync.sh).
# The @…@ values are filled at build time from main/link/guest.ts, the same
# constants the host parses the console and names the disks with.

# One progress marker on the console: `mark stage=<name>` or `mark error=<what>`.
mark() { echo "@BOOT_MARKER@ $*" >/dev/console; }

DISK_ROOT=@DISK_SERIAL_ROOT@
DISK_DATA=@DISK_SERIAL_DATA@

# Disks are found by the serial the host gives them, not by probe order. The
# answer goes in $disk rather than to stdout: a $(…) would fork, and every process
# costs tens of ms under software emulation.
find_disk() {
  disk=""
  for d in /sys/block/vd*; do
    read -r serial < "$d/serial" 2>/dev/null
    [ "$serial" = "$1" ] && { disk="/dev/${d##*/}"; return 0; }
  done
  return 1
}

# The device of the virtio-serial port the host named $1, in $dev, as find_disk does.
find_port() {
  dev=""
  for p in /sys/class/virtio-ports/vport*; do
    name=""
    read -r name 2>/dev/null < "$p/name"
    [ "$name" = "$1" ] && { dev="/dev/${p##*/}"; return 0; }
  done
  return 1
}
