#!/bin/sh
# Berth stage 2: mounts, network, data disk, TLS material, then containerd and
# dockerd. Progress goes to the console as boot markers the host parses.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
fwcfg=/sys/firmware/qemu_fw_cfg/by_name/@FW_CFG_PREFIX@
. /usr/lib/berth/berth-lib.sh

# `berth.debug` on the kernel command line sends the engine's debug log to the console.
debug=""
read -r cmdline < /proc/cmdline
case " $cmdline " in *" berth.debug "*) debug=1 ;; esac
# Under software emulation (`berth.tcg`) dockerd, and so the hundred-odd iptables runs it makes
# at startup, gets no address randomization: TCG keys translated code by virtual address, so a
# randomized process is translated afresh each time. Containers are started by containerd,
# not dockerd, and keep it. busybox's linux64 (the native personality on both architectures)
# sets it: static and already translated, where util-linux's dynamic setarch took 0.17 s.
norandom=""
case " $cmdline " in *" berth.tcg "*) norandom="busybox linux64 -R" ;; esac
# One real CPU runs all vCPUs under software emulation, so the engine's Go runtimes get one
# processor: idle processors spinning for work only take time from the one doing it.
[ -n "$norandom" ] && export GOMAXPROCS=1

# /run, /tmp, /dev/pts, /dev/shm, cgroup2 and mqueue: one `mount -a` over /etc/fstab, not six mounts.
mkdir -p /dev/pts /dev/shm /dev/mqueue
mount -a || mark error=mounts
mkdir -p /run/berth
# The guest's own temp folder: /tmp becomes the host's /tmp share, where runc could not bind
# its console socket (/tmp/ptyNNN/pty.sock) under every share model, and where the guest's
# daemons have no business writing. containerd's shims inherit it, so `-t` works whatever /tmp is.
mkdir -p -m 1777 /run/berth/tmp
export TMPDIR=/run/berth/tmp
ln -sf /proc/self/fd /dev/fd
echo berth > /proc/sys/kernel/hostname

# Modules for disks and network now; the rest in the background while disks mount.
modprobe -a @MODULES_NOW@ || mark error=modules
modprobe -a @MODULES_LATER@ &
later_modules=$!

# Network: QEMU user mode gives a fixed layout, so no DHCP round trip is needed.
ip link set lo up
ip link set eth0 up
ip addr add @GUEST_IP@/24 dev eth0
ip route add default via @HOST_GATEWAY@
# Containers and dockerd resolve through dnsmasq on the guest address (not
# 127.0.0.1, which containers cannot reach): it answers host.docker.internal
# with QEMU's address for the host and forwards everything else to QEMU's
# resolver, which uses the host's.
# It starts in the background (about a second under TCG); dockerd and the
# containers look names up only after the engine is ready.
echo "nameserver 10.0.2.3" > /etc/resolv.conf
{ dnsmasq --no-resolv --no-hosts --server=10.0.2.3 --listen-address=@GUEST_IP@ --bind-interfaces \
    --address=/host.docker.internal/@HOST_GATEWAY@ --address=/gateway.docker.internal/@HOST_GATEWAY@ \
    --user=nobody --group=nogroup --cache-size=1000 --pid-file=/run/dnsmasq.pid \
    && echo "nameserver @GUEST_IP@" > /etc/resolv.conf.berth && mv /etc/resolv.conf.berth /etc/resolv.conf \
    || mark error=dnsmasq; } &
dnsmasq_started=$!
mark stage=network

find_disk "$DISK_DATA"
data=$disk
if [ -n "$data" ]; then
  # The ext superblock's first 60 bytes (at byte 1024), read once as 15 words: word 1 is the
  # block count, word 6 log2(block size) - 10, and word 14's low half the magic 0xEF53 (61267).
  # (-v: od would fold the repeated lines of a blank disk into a `*`.)
  set -- $(od -v -An -tu4 -j1024 -N60 "$data" 2>/dev/null)
  # Format on first boot only: a disk with the magic is never formatted, even if it fails to
  # mount, and neither is one whose superblock could not be read at all.
  # busybox's own mke2fs is ext2-only, hence the full path.
  formatted=""
  if [ $# -ne 15 ]; then
    mark error=read-data
  elif [ $(( ${15} & 65535 )) -ne 61267 ]; then
    mark stage=format
    /usr/sbin/mke2fs -q -F -t ext4 -L berth-data -E lazy_itable_init=1,lazy_journal_init=1 "$data" \
      || mark error=format-data
    formatted=1
  fi
  mkdir -p /mnt/data
  if mount -t ext4 -o noatime,discard "$data" /mnt/data; then
    # A disk the host grew (diskGiB raised) gets its filesystem grown to match, online
    # (a disk formatted just now already fills its device).
    read -r sectors < "/sys/block/${data##*/}/size"
    if [ -z "$formatted" ] && [ $# -eq 15 ] && [ $(( sectors * 512 - $2 * (1024 << $7) )) -gt 67108864 ]; then
      /usr/sbin/resize2fs "$data" >/dev/null 2>&1 || mark error=grow-data
    fi
    mkdir -p /mnt/data/docker /mnt/data/containerd /var/lib/docker /var/lib/containerd
    mount --bind /mnt/data/docker /var/lib/docker
    mount --bind /mnt/data/containerd /var/lib/containerd
  else
    mark error=mount-data
  fi
else
  mark error=no-data-disk
fi
mark stage=data

# containerd starts on its own as soon as its disk is there, so it is up by the
# time dockerd looks for it.
containerd --config /etc/containerd/config.toml >/var/log/containerd.log 2>&1 &

# Per-install TLS material arrives through fw_cfg; nothing secret is in the image. dockerd
# reads it there (root-only files), so no copy of the key is made.
tls=""
if [ -r "$fwcfg/ca.pem/raw" ]; then
  tls="--host=tcp://@GUEST_IP@:@GUEST_ENGINE_PORT@ --tlsverify --tlscacert=$fwcfg/ca.pem/raw --tlscert=$fwcfg/server-cert.pem/raw --tlskey=$fwcfg/server-key.pem/raw"
else
  mark error=no-tls-material
fi

# dockerd manages iptables itself (internal networks, isolation between
# networks, NAT for each bridge). Berth's own rules go in first: the
# masquerade for eth0, the published-port DNAT below, and the engine's
# protection, whose forwarding part lives in DOCKER-USER, the chain Docker
# keeps for its users and evaluates before its own accepts.
echo 1 > /proc/sys/net/ipv4/ip_forward
wait $later_modules
# The engine is the agent's alone. dockerd's TLS port answers only what QEMU
# forwards from the host (it arrives on eth0 from the gateway), never a
# container on a bridge or on the host network; and nothing in the guest may
# reach the host's end of that forward through QEMU's gateway.
engine_port=""
read -r engine_port 2>/dev/null < "$fwcfg/@FW_CFG_ENGINE_PORT@/raw"
# Published ports: QEMU forwards each one from the host's 127.0.0.1 to eth0, but a
# container published on 127.0.0.1:PORT (a common compose habit) listens on the
# guest's loopback only. So new connections the forward brings in (from the
# gateway, except to the engine) go on to 127.0.0.1, where every published port
# listens, whatever host address it asked for: 0.0.0.0 includes loopback.
echo 1 > /proc/sys/net/ipv4/conf/eth0/route_localnet
case "$engine_port" in ''|*[!0-9]*) engine_port=""; mark error=no-engine-port ;; esac
iptables-restore <<RULES
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -i eth0 -s @HOST_GATEWAY@ -p tcp ! --dport @GUEST_ENGINE_PORT@ -j DNAT --to-destination 127.0.0.1
-A PREROUTING -i eth0 -s @HOST_GATEWAY@ -p udp -j DNAT --to-destination 127.0.0.1
-A POSTROUTING -o eth0 -j MASQUERADE
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:DOCKER-USER - [0:0]
-A INPUT -p tcp --dport @GUEST_ENGINE_PORT@ ! -i eth0 -j DROP
-A INPUT -p tcp --dport @GUEST_ENGINE_PORT@ ! -s @HOST_GATEWAY@ -j DROP
-A FORWARD -j DOCKER-USER
${engine_port:+-A DOCKER-USER -d @HOST_GATEWAY@ -p tcp --dport $engine_port -j DROP}
${engine_port:+-A OUTPUT -d @HOST_GATEWAY@ -p tcp --dport $engine_port -j DROP}
COMMIT
RULES
[ $? -eq 0 ] || mark error=firewall

# Shared mount propagation from the root down, as systemd sets it on a Linux host and Docker
# Desktop's VM has it: binds with rshared or rslave propagation work, under the shares too.
mount --make-rshared / || mark error=propagation
# Host folders, shared over virtio-9p at the same path as on the host.
. /etc/berth/shares.sh
mount_shares
# The host's control channel (before a sleep and after a wake), and synchronized folders' own.
/etc/berth/rc.control &
/etc/berth/sync.sh &

acpid -c /etc/acpi

# Images of the other architecture run through QEMU's user-mode emulator.
mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc 2>/dev/null
while read -r rule; do
  echo "$rule" > /proc/sys/fs/binfmt_misc/register || mark error=binfmt
done < /etc/berth/binfmt

# The engine's daemon.json, as the host merged it (the user's engine setting under the keys
# Berth owns, the image store's features and storage driver); the image's own without one.
daemon_json=/etc/docker/daemon.json
if [ -r "$fwcfg/@FW_CFG_DAEMON_JSON@/raw" ]; then
  if cat "$fwcfg/@FW_CFG_DAEMON_JSON@/raw" > /run/berth/daemon.json; then daemon_json=/run/berth/daemon.json; else mark error=engine-config; fi
fi

# dockerd hands containers the resolver in /etc/resolv.conf: dnsmasq's, once it is up.
wait $dnsmasq_started
mark stage=dockerd
# shellcheck disable=SC2086
$norandom dockerd --config-file="$daemon_json" --containerd=/run/containerd/containerd.sock --host=unix:///var/run/docker.sock $tls ${debug:+--debug} 2>&1 \
  | { ready=""
      while read -r line; do
        echo "$line" >> /var/log/dockerd.log
        [ -n "$debug" ] && echo "$line" >/dev/console
        case "$line" in
          *"API listen on"*) [ -z "$ready" ] && { ready=1; mark stage=ready; } ;;
          *level=error*|*level=fatal*) echo "dockerd: $line" >/dev/console ;;
        esac
      done; } &
