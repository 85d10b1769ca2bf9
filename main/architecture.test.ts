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

  test("the renderer imports only the contract from main/: its types, the plain data in call-names and ui-constants, and the client factory", () => {
    const reaching = from('renderer/').filter((i) => i.target?.startsWith('main/'));
    const plainData = ['main/contract/call-names', 'main/contract/ui-constants', 'main/contract/client-factory'];
    expect(show(reaching.filter((i) => !i.target!.startsWith('main/contract/') || (!i.typeOnly && !plainData.includes(i.target!))))).toEqual([]);
  });
});

describe('size rules', () => {
  const files = [...sources(join(ROOT, 'main')), ...sources(join(ROOT, 'renderer', 'src'))];
  // Lines that open a function body: declarations, methods, and arrow functions with a block.
  const opener = [
    /^\s*(export\s+)?(default\s+)?(async\s+)?function\b/,
    /^\s*(public |private |protected |static |async |get |set |override )*[A-Za-z_$][\w$]*\s*(<[^>]*>)?\(.*\)\s*(:\s*[^={;]+)?\{\s*$/,
    /=>\s*\{\s*$/,
    /=>\s*\(\s*$/,
  ];
  const control = /^\s*(\/\/|\*|if\b|for\b|while\b|switch\b|catch\b|\} else|else\b)/;

  /** Functions longer than `max` lines, found by matching brackets from each opening line. */
  function longFunctions(file: string, max: number): string[] {
    const lines = readFileSync(file, 'utf8').split('\n');
    const out: string[] = [];
    lines.forEach((line, i) => {
      if (control.test(line) || !opener.some((re) => re.test(line))) return;
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
