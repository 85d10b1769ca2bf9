import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
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
/** Every source the rules cover: the product, and the benches, e2e helpers, guest build and scripts that import it. */
const everywhere = [...all, ...['bench', 'e2e', 'vm-assets', 'scripts'].flatMap((d) => sources(join(ROOT, d)).flatMap(imports))];
/** The ELECTRON STAND-IN provides `electron`; these files name it on purpose. */
const STANDIN_ELECTRON = ['e2e/electron-standin/electron.ts', 'e2e/electron-standin/preload-shim.ts'];
const from = (prefix: string) => all.filter((i) => i.file.startsWith(prefix));
const show = (xs: Import[]) => xs.map((i) => `${i.file} → ${i.spec}`);

describe('import rules', () => {
  test("nothing outside main/app/ imports 'electron' (it cannot load without a binary), benches and e2e included", () => {
    expect(show(everywhere.filter((i) => i.spec === 'electron' && !i.file.startsWith('main/app/') && !STANDIN_ELECTRON.includes(i.file)))).toEqual([]);
  });

  test('the driver-neutral VM layer (main/vm/*.ts) never imports the QEMU driver (main/vm/qemu/)', () => {
    const neutral = from('main/vm/').filter((i) => !i.file.startsWith('main/vm/qemu/'));
    expect(show(neutral.filter((i) => i.target?.startsWith('main/vm/qemu/')))).toEqual([]);
  });

  test('vm/ does not import engine/, and engine/ does not import vm/ (the host–guest link sits in link/)', () => {
    expect(show(from('main/vm/').filter((i) => i.target?.startsWith('main/engine/')))).toEqual([]);
    expect(show(from('main/engine/').filter((i) => i.target?.startsWith('main/vm/')))).toEqual([]);
  });

  test("sync/ sits beside the machine: it uses vm/ (the machine's ports, the tree watch) and link/, never engine/ or above; vm/ and engine/ never use it", () => {
    const above = ['main/engine/', 'main/contract/', 'main/agent/', 'main/cli/', 'main/dashboard/'];
    expect(show(from('main/sync/').filter((i) => above.some((a) => i.target?.startsWith(a))))).toEqual([]);
    expect(show([...from('main/vm/'), ...from('main/engine/')].filter((i) => i.target?.startsWith('main/sync/')))).toEqual([]);
  });

  test('link/ depends on neither vm/ nor engine/', () => {
    expect(show(from('main/link/').filter((i) => i.target?.startsWith('main/vm/') || i.target?.startsWith('main/engine/')))).toEqual([]);
  });

  test('only main/app/ imports main/app/, benches and e2e included', () => {
    expect(show(everywhere.filter((i) => i.target?.startsWith('main/app/') && !i.file.startsWith('main/app/')))).toEqual([]);
  });

  test('the renderer imports only the contract from main/: its types, the plain data in call-names, ui-constants and dashboard-wire, and the client factory', () => {
    const reaching = from('renderer/').filter((i) => i.target?.startsWith('main/'));
    const plainData = ['main/contract/call-names', 'main/contract/ui-constants', 'main/contract/client-factory', 'main/contract/dashboard-wire'];
    expect(show(reaching.filter((i) => !i.target!.startsWith('main/contract/') || (!i.typeOnly && !plainData.includes(i.target!))))).toEqual([]);
  });
});

/** The file an import names, with its extension, when it is one of ours. */
function resolved(i: Import): string | undefined {
  if (!i.target) return undefined;
  return [`${i.target}.ts`, `${i.target}.tsx`, i.target, `${i.target}/index.ts`].find((c) => existsSync(join(ROOT, c)) && statSync(join(ROOT, c)).isFile());
}

/** Every cycle in a graph, as the path around it. */
function cycles(edges: Map<string, Set<string>>): string[] {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const found: string[] = [];
  const visit = (n: string) => {
    state.set(n, 'open');
    stack.push(n);
    for (const m of edges.get(n) ?? []) {
      if (state.get(m) === 'open') found.push([...stack.slice(stack.indexOf(m)), m].join(' → '));
      else if (!state.has(m)) visit(m);
    }
    stack.pop();
    state.set(n, 'done');
  };
  for (const n of edges.keys()) if (!state.has(n)) visit(n);
  return found;
}

/** A file's folder in the layering: main/<layer>, with the QEMU driver a folder of its own. */
const layer = (file: string) =>
  file
    .split('/')
    .slice(0, file.startsWith('main/vm/qemu/') ? 3 : 2)
    .join('/');

describe('no cycles in main/', () => {
  const edges = (key: (f: string) => string) => {
    const g = new Map<string, Set<string>>();
    for (const i of from('main/')) {
      const to = resolved(i);
      if (!to || key(i.file) === key(to)) continue;
      g.set(key(i.file), (g.get(key(i.file)) ?? new Set()).add(key(to)));
    }
    return g;
  };

  test('no file imports itself through others', () => {
    expect(cycles(edges((f) => f))).toEqual([]);
  });

  test('no folder imports itself through others (the drawing of the layers has no loop)', () => {
    expect(cycles(edges(layer))).toEqual([]);
  });
});

describe('size rules', () => {
  const files = ['main', 'renderer/src', 'bench', 'e2e', 'vm-assets', 'scripts'].flatMap((d) => sources(join(ROOT, d)));
  // Lines that open a function body: declarations, methods, and arrow functions with a block.
  const opener = [
    /^\s*(export\s+)?(default\s+)?(async\s+)?function\b/,
    /^\s*(public |private |protected |static |async |get |set |override )*[A-Za-z_$][\w$]*\s*(<[^>]*>)?\(.*\)\s*(:\s*[^={;]+)?\{\s*$/,
    /=>\s*\{\s*$/,
    /=>\s*\(\s*$/,
  ];
  const control = /^\s*(\/\/|\*|if\b|for\b|while\b|switch\b|catch\b|\} else|else\b)/;

  // A signature over several lines: `name(` or `constructor(` alone, its `) {` further down.
  const longSignature = /^\s*(public |private |protected |static |async |override )*(constructor|[A-Za-z_$][\w$]*)\s*(<[^>]*>)?\(\s*$/;
  const signatureEnd = /^\s*\)\s*(:\s*[^={;]+)?\{\s*$/;

  /** Whether the signature opened on line `i` closes with a body: `) {` on the line its parentheses balance. */
  function opensBody(lines: string[], i: number): boolean {
    let depth = 0;
    for (let j = i; j < lines.length; j++) {
      for (const ch of lines[j]) depth += ch === '(' ? 1 : ch === ')' ? -1 : 0;
      if (depth <= 0) return signatureEnd.test(lines[j]);
    }
    return false;
  }

  /** Functions longer than `max` lines, from the first line of the signature to the closing brace. */
  function longFunctions(file: string, max: number): string[] {
    const lines = readFileSync(file, 'utf8').split('\n');
    const out: string[] = [];
    lines.forEach((line, i) => {
      if (control.test(line)) return;
      if (!opener.some((re) => re.test(line)) && !(longSignature.test(line) && opensBody(lines, i))) return;
      let depth = 0;
      for (let j = i; j < lines.length; j++) {
        for (const ch of lines[j]) depth += '{('.includes(ch) ? 1 : ')}'.includes(ch) ? -1 : 0;
        if (depth <= 0 && j > i - 1 && /[{(]/.test(lines.slice(i, j + 1).join(''))) {
          if (j - i + 1 > max) out.push(`${relative(ROOT, file)}:${i + 1} (${j - i + 1} lines)`);
          return;
        }
      }
    });
    return out;
  }

  test('no source file is over 300 lines', () => {
    expect(files.filter((f) => readFileSync(f, 'utf8').split('\n').length > 300).map((f) => relative(ROOT, f))).toEqual([]);
  });

  test('no function is over 60 lines', () => {
    expect(files.flatMap((f) => longFunctions(f, 60))).toEqual([]);
  });
});
