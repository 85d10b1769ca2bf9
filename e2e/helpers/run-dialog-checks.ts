import type { Page } from 'playwright-core';

/** What a test types into the run dialog; fields left out stay as the dialog opened. */
export interface RunDialogInput {
  image?: string;
  name?: string;
  hostPort?: number;
  containerPort?: number;
  env?: string;
  source?: string;
  target?: string;
  command?: string;
  remove?: boolean;
}

/** Fills the open run dialog the way a person would: labels, "Add a port", "Add a mount". */
export async function fillRunDialog(page: Page, input: RunDialogInput): Promise<void> {
  const dialog = page.getByRole('dialog', { name: 'Run a container' });
  await dialog.waitFor({ timeout: 10_000 });
  if (input.image !== undefined) await dialog.getByLabel('Image', { exact: true }).fill(input.image);
  if (input.name !== undefined) await dialog.getByLabel('Name', { exact: true }).fill(input.name);
  if (input.containerPort !== undefined) {
    await dialog.getByRole('button', { name: 'Add a port' }).click();
    await dialog.getByLabel('Host port 1').fill(String(input.hostPort ?? ''));
    await dialog.getByLabel('Container port 1').fill(String(input.containerPort));
  }
  if (input.env !== undefined) await dialog.getByLabel('Environment').fill(input.env);
  if (input.source !== undefined) {
    await dialog.getByRole('button', { name: 'Add a mount' }).click();
    await dialog.getByLabel('Host path or volume 1').fill(input.source);
    await dialog.getByLabel('Container path 1').fill(input.target ?? '');
  }
  if (input.command !== undefined) await dialog.getByLabel('Command').fill(input.command);
  if (input.remove) await dialog.getByRole('checkbox', { name: 'Remove when stopped (--rm)' }).check();
}

/** The layer digests a registry's manifest names for repo:tag, asked of the registry itself. */
export async function registryLayers(hostAddress: string, repo: string, tag: string): Promise<string[]> {
  const accept = ['application/vnd.docker.distribution.manifest.v2+json', 'application/vnd.oci.image.manifest.v1+json'].join(', ');
  const r = await fetch(`http://${hostAddress}/v2/${repo}/manifests/${tag}`, { headers: { Accept: accept } });
  if (!r.ok) throw new Error(`the registry answered ${r.status} for ${repo}:${tag}`);
  const manifest = (await r.json()) as { layers?: { digest: string }[] };
  return (manifest.layers ?? []).map((l) => l.digest);
}
