# Host folders, shared over virtio-fs or virtio-9p at the same path as on the host. The list
# (tag<TAB>path<TAB>type<TAB>mount options per line, parent folders first, then
# sync<TAB>path<TAB>id for each synchronized folder, then
# hide<TAB>path for each folder of Berth's own inside them) comes from the host
# through fw_cfg.
share_list=/sys/firmware/qemu_fw_cfg/by_name/@FW_CFG_PREFIX@/mounts/raw

# A share is mounted when its tag is a mount's source; its path may also hold
# another mount underneath (/tmp is a tmpfs before it is shared).
share_mounted() { grep -Eq "^$1 [^ ]* (9p|virtiofs) " /proc/mounts; }

# Mounts every share not mounted yet: at boot, and again after a wake.
mount_shares() {
  [ -r "$share_list" ] || return 0
  while IFS='	' read -r tag path type opts; do
    [ -n "$tag" ] || continue
    if [ "$tag" = hide ]; then hide_folder "$path"; continue; fi
    if [ "$tag" = sync ]; then sync_folder "$path" "$type"; continue; fi
    share_mounted "$tag" && continue
    # Shared propagation, as Docker Desktop's shares have: binds with rshared or rslave work under them.
    mkdir -p "$path" && mount -t "$type" -o "$opts" "$tag" "$path" \
      && mount --make-rshared "$path" || mark error=share-$tag
  done < "$share_list"
}

# A synchronized folder: its copy on the data disk bound over its path, so containers that
# bind-mount inside it get the VM's disk (sync.sh keeps the copy in step with the host).
sync_folder() { # <path> <id>
  copy=@SYNC_COPY_ROOT@/$2/copy
  grep -q "^[^ ]* $1 ext4 " /proc/mounts && return 0
  mkdir -p "$copy" "$1" && mount --bind "$copy" "$1" && mount --make-rshared "$1" || mark error=sync-$2
}

# Covers one of Berth's own folders (its home: TLS keys, settings, the live data disk; its
# cache) with an empty read-only tmpfs, so a container that mounts $HOME sees none of it.
hide_folder() {
  [ -d "$1" ] || return 0
  grep -q "^berth-hidden $1 tmpfs " /proc/mounts && return 0
  mount -t tmpfs -o ro,nosuid,nodev,noexec,size=4k,mode=0500 berth-hidden "$1" || mark error=hide
}

# Unmounts every share, nested ones first. QEMU cannot save a machine while a
# 9p export is mounted in it, so this runs before every sleep.
unmount_shares() {
  [ -r "$share_list" ] || return 0
  failed=""
  # Synchronized copies first: they lie over the shares.
  awk -F '\t' '$1 == "sync" { print $2 }' "$share_list" | while IFS= read -r path; do
    grep -q "^[^ ]* $path ext4 " /proc/mounts && { umount "$path" || echo "$path"; }
  done > /run/berth/sync-busy
  [ -s /run/berth/sync-busy ] && failed=" $(tr '\n' ' ' < /run/berth/sync-busy)"
  for path in $(awk -F '\t' '$1 == "hide" { print $2 }' "$share_list"); do
    grep -q "^berth-hidden $path tmpfs " /proc/mounts && { umount "$path" || failed="$failed $path"; }
  done
  for tag in $(awk -F '\t' '$1 != "sync" && $1 != "hide" { print $1 }' "$share_list" | sed '1!G;h;$!d'); do
    share_mounted "$tag" || continue
    path=$(awk -F '\t' -v t="$tag" '$1 == t { print $2 }' "$share_list")
    umount "$path" || failed="$failed $path"
  done
  [ -z "$failed" ] || { echo "busy:$failed"; return 1; }
}
