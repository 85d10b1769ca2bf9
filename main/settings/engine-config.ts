import { z } from 'zod';

/**
 * The keys of dockerd's daemon.json that Berth itself sets, and why a user's
 * value cannot stand: the engine would be unreachable, unsafe, or would lose
 * its data.
 */
export const BERTH_OWNED_KEYS: Readonly<Record<string, string>> = {
  hosts: 'the engine listens only where the agent reaches it (its unix socket and mutual TLS); another listener would bypass both',
  tls: "the engine's TLS is Berth's own, with per-install certificates",
  tlsverify: 'client verification is what keeps everyone but the agent out',
  tlscacert: "the engine's TLS material comes from the agent through fw_cfg",
  tlscert: "the engine's TLS material comes from the agent through fw_cfg",
  tlskey: "the engine's TLS material comes from the agent through fw_cfg",
  'data-root': "images, containers and volumes live on Berth's data disk",
  containerd: "the guest's own containerd runs the containers",
  'storage-driver': "it follows the containerdImageStore setting (overlay2, or containerd's overlayfs)",
};

/** Berth's defaults under the user's keys: what the guest needs (no systemd: cgroupfs) and Docker's own defaults elsewhere. */
const BERTH_DEFAULTS = {
  iptables: true,
  'ip-forward': true,
  'userland-proxy': true,
  'log-level': 'info',
  features: { buildkit: false },
  'exec-opts': ['native.cgroupdriver=cgroupfs'],
  'log-driver': 'json-file',
} as const;

const strings = z.array(z.string());
const stringMap = z.record(z.string(), z.string());

/**
 * The daemon.json keys a user may set, with their types (dockerd's own
 * configuration reference). dockerd refuses a daemon.json with a key it does
 * not know and then does not start, so an unknown key is refused here, before
 * anything is written, rather than passed on.
 */
const USER_KEYS = {
  'registry-mirrors': z.array(z.string().url('registry-mirrors holds URLs, such as http://host.docker.internal:5000')),
  'insecure-registries': strings,
  'allow-nondistributable-artifacts': strings,
  'log-driver': z.string(),
  'log-opts': stringMap,
  'log-level': z.enum(['debug', 'info', 'warn', 'error', 'fatal']),
  features: z.record(z.string(), z.boolean()),
  'default-address-pools': z.array(z.object({ base: z.string(), size: z.number().int() }).strict()),
  bip: z.string(),
  'fixed-cidr': z.string(),
  'default-gateway': z.string(),
  mtu: z.number().int().positive(),
  dns: strings,
  'dns-opts': strings,
  'dns-search': strings,
  debug: z.boolean(),
  experimental: z.boolean(),
  'live-restore': z.boolean(),
  'max-concurrent-downloads': z.number().int().positive(),
  'max-concurrent-uploads': z.number().int().positive(),
  'max-download-attempts': z.number().int().positive(),
  'shutdown-timeout': z.number().int().nonnegative(),
  'default-ulimits': z.record(z.string(), z.object({ Name: z.string().optional(), Hard: z.number().int(), Soft: z.number().int() })),
  'default-shm-size': z.string(),
  'default-runtime': z.string(),
  'default-cgroupns-mode': z.enum(['private', 'host']),
  'exec-opts': strings,
  labels: strings,
  builder: z.record(z.string(), z.unknown()),
  ipv6: z.boolean(),
  'fixed-cidr-v6': z.string(),
  ip6tables: z.boolean(),
  iptables: z.boolean(),
  'ip-forward': z.boolean(),
  'ip-masq': z.boolean(),
  icc: z.boolean(),
  'userland-proxy': z.boolean(),
  'no-new-privileges': z.boolean(),
  'seccomp-profile': z.string(),
  'selinux-enabled': z.boolean(),
  'userns-remap': z.string(),
  'metrics-addr': z.string(),
  'max-concurrent-uploads-per-registry': z.number().int().positive(),
} as const;

/** Why a user's daemon.json cannot be used, every problem in one message; undefined when it can. */
export function engineConfigProblem(config: unknown): string | undefined {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) return 'engine must be a JSON object, as daemon.json is';
  const problems: string[] = [];
  for (const [key, value] of Object.entries(config)) {
    if (key in BERTH_OWNED_KEYS) problems.push(`"${key}" is Berth's to set: ${BERTH_OWNED_KEYS[key]}`);
    else if (!(key in USER_KEYS)) problems.push(`"${key}" is not a daemon.json key dockerd knows (dockerd would refuse to start)`);
    else {
      const r = USER_KEYS[key as keyof typeof USER_KEYS].safeParse(value);
      if (!r.success) problems.push(`"${key}": ${r.error.issues.map((i) => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`).join('; ')}`);
    }
  }
  return problems.length ? `engine (daemon.json) is refused: ${problems.join('; ')}` : undefined;
}

/** What the guest's engine runs with: Berth's defaults, the user's keys over them, and the keys Berth owns over all. */
export function daemonJson(user: Record<string, unknown>, o: { containerdImageStore: boolean }): Record<string, unknown> {
  const features: Record<string, boolean> = { ...BERTH_DEFAULTS.features, ...((user.features as Record<string, boolean> | undefined) ?? {}) };
  if (o.containerdImageStore) features['containerd-snapshotter'] = true;
  return { ...BERTH_DEFAULTS, ...user, features, 'storage-driver': o.containerdImageStore ? 'overlayfs' : 'overlay2' };
}
