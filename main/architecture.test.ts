import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';

/**
 * The layering ARCHITECTURE.md describes, checked on every run: a rule that is
 * only written down drifts. Test files may reach across layers; sources may not.
 */
const ROOT = resolve(__dirname, '..');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (/\.(ts|tsx)$/.test(name) && !/\.test\.tsx?$/.test(name)) out.push(p);
  }
  return out;
}

interface Import {
  file: string;
  spec: string;
  /** The imported file relative to the repo, for relative specifiers. */
  target?: string;
  typeOnly: boolean;
}

function imports(file: string): Import[] {
  const text = readFileSync(file, 'utf8');
  const out: Import[] = [];
  const re = /^\s*(import|export)\s+(type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]|require\(['"]([^'"]+)['"]\)/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const spec = m[3] ?? m[4];
    const target = spec.startsWith('.') ? relative(ROOT, resolve(dirname(file), spec)) : undefined;
    out.push({ file: relative(ROOT, file), spec, target, typeOnly: !!m[2] });
  }
  return out;
}

const all = [...sources(join(ROOT, 'main')), ...sources(join(ROOT, 'renderer', 'src'))].flatMap(imports);
const from = (prefix: string) => all.filter((i) => i.file.startsWith(prefix));
const show = (xs: Import[]) => xs.map((i) => `${i.file} → ${i.spec}`);

describe('import rules', () => {
  test("nothing outside main/app/ imports 'electron' (it cannot load without a binary)", () => {
    expect(show(all.filter((i) => i.spec === 'electron' && !i.file.startsWith('main/app/')))).toEqual([]);
  });

  test('vm/ does not import engine/, and engine/ does not import vm/ (the host–guest link sits in link/)', () => {
    expect(show(from('main/vm/').filter((i) => i.target?.startsWith('main/engine/')))).toEqual([]);
    expect(show(from('main/engine/').filter((i) => i.target?.startsWith('main/vm/')))).toEqual([]);
  });

  test('link/ depends on neither vm/ nor engine/', () => {
    expect(show(from('main/link/').filter((i) => i.target?.startsWith('main/vm/') || i.target?.startsWith('main/engine/')))).toEqual([]);
  });

  test('only main/app/ imports main/app/', () => {
    expect(show(all.filter((i) => i.target?.startsWith('main/app/') && !i.file.startsWith('main/app/')))).toEqual([]);
  });

  test("the renderer imports only the contract from main/: its types, and the plain data in call-names and ui-constants", () => {
    const reaching = from('renderer/').filter((i) => i.target?.startsWith('main/'));
    const plainData = ['main/contract/call-names', 'main/contract/ui-constants'];
    expect(show(reaching.filter((i) => !i.target!.startsWith('main/contract/') || (!i.typeOnly && !plainData.includes(i.target!))))).toEqual([]);
  });
});
