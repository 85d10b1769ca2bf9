import type Docker from 'dockerode';
import { describe, expect, test } from 'vitest';
import { createOptions, runContainer, type RunSpec, splitCommand } from './container-run';

const spec = (over: Partial<RunSpec> = {}): RunSpec => ({ image: 'web:1', ports: [], env: [], mounts: [], remove: false, ...over });

describe('the run dialog as docker run -d', () => {
  test('a command is split as a shell splits words, quotes and escapes kept, variables left for the container', () => {
    expect(splitCommand(`httpd -f -p 8080 -h '/my www'`)).toEqual(['httpd', '-f', '-p', '8080', '-h', '/my www']);
    expect(splitCommand(`sh -c "echo \\$HOME; sleep 1"`)).toEqual(['sh', '-c', 'echo $HOME; sleep 1']);
    expect(splitCommand('echo $HOME')).toEqual(['echo', '$HOME']);
    expect(splitCommand('   ')).toBeUndefined();
    expect(splitCommand(undefined)).toBeUndefined();
  });

  test('pipes, redirections and globs are refused with the way to ask for a shell', () => {
    expect(() => splitCommand('ls | wc -l')).toThrow(`the command has "|", which needs a shell: write it as sh -c '…'`);
    expect(() => splitCommand('echo hi > /f')).toThrow(/">"/);
    expect(() => splitCommand('ls *.txt')).toThrow(/"\*\.txt"/);
  });

  test('ports go to 127.0.0.1 only; mounts are -v binds; --rm is AutoRemove; no command keeps the image own', () => {
    const o = createOptions(
      spec({
        name: 'site',
        ports: [
          { host: 8080, container: 80, proto: 'tcp' },
          { host: 0, container: 53, proto: 'udp' },
        ],
        env: ['A=1'],
        mounts: [
          { source: '/home/me/www', target: '/www', readOnly: true },
          { source: 'data', target: '/data', readOnly: false },
        ],
        remove: true,
      }),
    );
    expect(o).toEqual({
      Image: 'web:1',
      name: 'site',
      Env: ['A=1'],
      ExposedPorts: { '80/tcp': {}, '53/udp': {} },
      HostConfig: {
        PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }], '53/udp': [{ HostIp: '127.0.0.1', HostPort: '' }] },
        Binds: ['/home/me/www:/www:ro', 'data:/data'],
        AutoRemove: true,
      },
    });
    expect(createOptions(spec({ command: 'sleep 5' })).Cmd).toEqual(['sleep', '5']);
  });
});

/** A STAND-IN engine that records what it was asked; `images` holds what it has, `startError` fails every start. */
function standIn(images: Set<string>, startError?: object) {
  const asked: string[] = [];
  const docker = {
    createContainer: async (o: { Image: string; name?: string }) => {
      asked.push(`create ${o.Image}`);
      if (!images.has(o.Image)) throw Object.assign(new Error('(HTTP code 404) no such container - No such image: x'), { statusCode: 404, json: { message: `No such image: ${o.Image}` } });
      return {
        id: 'c0ffee0000000000',
        start: async () => {
          asked.push('start');
          if (startError) throw startError;
        },
        remove: async () => void asked.push('remove'),
        inspect: async () => ({ Name: `/${o.name ?? 'brave_kepler'}` }),
      };
    },
  };
  return { docker: docker as unknown as Docker, asked };
}

describe('runContainer', () => {
  test('an image the engine lacks is pulled first, as docker run does', async () => {
    const images = new Set<string>();
    const { docker, asked } = standIn(images);
    const pulled: string[] = [];
    const r = await runContainer(docker, spec({ name: 'site' }), async (ref) => {
      pulled.push(ref);
      images.add(ref);
    });
    expect(r).toEqual({ id: 'c0ffee0000000000', name: 'site' });
    expect(pulled).toEqual(['web:1']);
    expect(asked).toEqual(['create web:1', 'create web:1', 'start']);
  });

  test("a container that will not start is removed, and the engine's words come back", async () => {
    const { docker, asked } = standIn(new Set(['web:1']), { statusCode: 500, json: { message: 'driver failed programming external connectivity: port is already allocated' } });
    await expect(runContainer(docker, spec(), async () => undefined)).rejects.toThrow(/^driver failed programming external connectivity: port is already allocated$/);
    expect(asked).toEqual(['create web:1', 'start', 'remove']);
  });

  test('a create the socket refuses (Mounts denied) is not retried and keeps its words', async () => {
    const denied = { statusCode: 400, json: { message: 'Mounts denied: the path /etc/x is not shared from the host' } };
    const docker = { createContainer: async () => Promise.reject(Object.assign(new Error('(HTTP code 400)'), denied)) } as unknown as Docker;
    await expect(runContainer(docker, spec(), async () => undefined)).rejects.toThrow(/^Mounts denied: the path \/etc\/x is not shared from the host$/);
  });
});
