/**
 * The containerd image store (setting `containerdImageStore`, Docker Desktop's
 * "Use containerd for pulling and storing images"), through the real socket:
 * switched on with a restart, a two-platform buildx build makes a manifest
 * list whose each half runs; switched off again, the images kept the classic
 * way are all still there. One VM for the file, restarted twice.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { berthCli, dumpLogsOnFailure, stopAndClean } from '../helpers/berth-cli';
import { foreignBusybox, HOST_BUSYBOX, importBusybox } from '../helpers/busybox-image';
import { dockerConfigWithPlugins } from '../helpers/cli-plugins';
import { dockerCli } from '../helpers/docker-cli';

const IMG = 'berth-test/busybox:latest';
const MULTI = 'berth-test/multi:1';

interface OciIndex {
  mediaType?: string;
  manifests: { mediaType: string; digest: string; platform?: { architecture: string; os: string } }[];
}

describe('containerd image store', () => {
  const home = mkdtempSync(join(tmpdir(), 'berth-c8d-'));
  const work = mkdtempSync(join(tmpdir(), 'berth-c8d-work-'));
  const berth = berthCli({ BERTH_HOME: home });
  const dockerConfig = dockerConfigWithPlugins();
  const docker = dockerCli({ DOCKER_HOST: `unix://${join(home, 'docker.sock')}`, DOCKER_CONFIG: dockerConfig });
  const restartWith = (on: boolean) => {
    expect(berth(['config', 'set', 'containerdImageStore', String(on)]).status).toBe(0);
    expect(berth(['status']).stdout).toMatch(/Pending:.*containerdImageStore/);
    const r = berth(['restart'], { timeoutMs: 300_000 });
    if (r.status !== 0) throw new Error(`berth restart failed: ${r.stderr}`);
  };

  beforeAll(() => {
    const r = berth(['start'], { timeoutMs: 300_000 });
    if (r.status !== 0) throw new Error(`berth start failed: ${r.stderr}`);
    expect(importBusybox((tar) => docker(['import', tar, IMG])).status).toBe(0);
  });

  afterAll(() => {
    stopAndClean(home, berth, dockerConfig, work);
  });

  beforeEach(dumpLogsOnFailure(home));

  test('switched on, the engine stores images in containerd, and the classic images are hidden', () => {
    restartWith(true);
    expect(berth(['status']).stdout).toContain('Images:       stored by containerd');
    expect(docker(['info', '--format', '{{json .DriverStatus}}']).stdout).toContain('io.containerd.snapshotter');
    expect(docker(['image', 'inspect', IMG]).status).not.toBe(0);
  });

  test('a two-platform buildx build produces a manifest list, and each platform runs', () => {
    const ctx = join(work, 'ctx');
    mkdirSync(ctx);
    // FROM scratch with each platform's own static busybox: no base image to fetch, nothing emulated to build.
    copyFileSync(HOST_BUSYBOX, join(ctx, 'busybox-amd64'));
    copyFileSync(foreignBusybox('arm64'), join(ctx, 'busybox-arm64'));
    // biome-ignore lint/suspicious/noTemplateCurlyInString: ${TARGETARCH} is the Dockerfile's own build argument
    writeFileSync(join(ctx, 'Dockerfile'), 'FROM scratch\nARG TARGETARCH\nCOPY --chmod=755 busybox-${TARGETARCH} /bin/busybox\nENTRYPOINT ["/bin/busybox"]\nCMD ["uname", "-m"]\n');
    const b = docker(['buildx', 'build', '--platform', 'linux/amd64,linux/arm64', '-t', MULTI, ctx], { timeoutMs: 300_000 });
    expect(b.status, b.stderr).toBe(0);

    // The saved image's index points at one image index (the manifest list) with a manifest per platform.
    const tar = join(work, 'multi.tar');
    expect(docker(['save', '-o', tar, MULTI]).status).toBe(0);
    const out = join(work, 'saved');
    mkdirSync(out);
    expect(spawnSync('tar', ['-xf', tar, '-C', out]).status).toBe(0);
    const top = JSON.parse(readFileSync(join(out, 'index.json'), 'utf8')) as OciIndex;
    const list = top.manifests.find((m) => m.mediaType === 'application/vnd.oci.image.index.v1+json');
    expect(list, JSON.stringify(top)).toBeDefined();
    const blob = (digest: string) => JSON.parse(readFileSync(join(out, 'blobs', ...digest.split(':')), 'utf8')) as OciIndex;
    const platforms = blob(list!.digest)
      .manifests.filter((m) => m.platform?.os === 'linux')
      .map((m) => m.platform!.architecture);
    expect(platforms.sort()).toEqual(['amd64', 'arm64']);

    expect(docker(['run', '--rm', '--platform', 'linux/arm64', MULTI]).stdout.trim()).toBe('aarch64');
    expect(docker(['run', '--rm', '--platform', 'linux/amd64', MULTI]).stdout.trim()).toBe('x86_64');
  });

  test('switched off again, the images stored the classic way are all there', () => {
    restartWith(false);
    expect(berth(['status']).stdout).not.toContain('stored by containerd');
    expect(docker(['run', '--rm', IMG, 'echo', 'kept']).stdout.trim()).toBe('kept');
  });
});
