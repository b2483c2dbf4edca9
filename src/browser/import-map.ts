// Import maps for module workers. A page can map bare specifiers ("@noble/hashes/sha3.js") with
// <script type="importmap">, but browsers do not apply import maps inside workers (as of
// Chromium 156 there is no way to give a worker one), so a module worker whose graph imports a
// package fails with "Failed to resolve module specifier". This file lets a worker load such a
// graph anyway, with no bundler: it fetches each module, finds its import specifiers, resolves
// them with the page's import map (passed in by the creator), and re-links the modules that need
// it through blob: URLs. Modules that need no rewriting (no bare specifier anywhere below them)
// are imported from their own URL.
//
// Browser-safe and dependency-free (no bare imports of its own).

export interface ImportMap {
  imports?: Record<string, string>;
  scopes?: Record<string, Record<string, string>>;
}

/** An import map whose keys (where URL-like) and addresses are absolute URLs. */
export interface ResolvedImportMap {
  imports: Array<[string, string]>;
  scopes: Array<[string, Array<[string, string]>]>;
}

function isUrlLike(spec: string): boolean {
  return spec.startsWith("/") || spec.startsWith("./") || spec.startsWith("../");
}

/** The URL a specifier names by itself: relative to `base`, or absolute; null for a bare one. */
function asUrl(spec: string, base: string): string | null {
  if (isUrlLike(spec)) return new URL(spec, base).href;
  try {
    return new URL(spec).href;
  } catch {
    return null;
  }
}

function normalizeImports(imports: Record<string, string>, base: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [key, address] of Object.entries(imports)) {
    if (typeof address !== "string") continue;
    const k = asUrl(key, base) ?? key;
    const a = asUrl(address, base);
    if (a === null) continue; // the spec ignores addresses that are not URLs
    if (k.endsWith("/") && !a.endsWith("/")) continue; // and prefix keys mapped to non-prefixes
    out.push([k, a]);
  }
  // Longest key first: the most specific prefix wins.
  return out.sort((x, y) => y[0].length - x[0].length);
}

/** Resolves an import map's keys and addresses against `baseUrl` (the page's base URL). */
export function normalizeImportMap(map: ImportMap, baseUrl: string): ResolvedImportMap {
  return {
    imports: normalizeImports(map.imports ?? {}, baseUrl),
    scopes: Object.entries(map.scopes ?? {})
      .map(([scope, imports]): [string, Array<[string, string]>] => [new URL(scope, baseUrl).href, normalizeImports(imports, baseUrl)])
      .sort((x, y) => y[0].length - x[0].length),
  };
}

export function isEmptyImportMap(map: ResolvedImportMap): boolean {
  return map.imports.length === 0 && map.scopes.length === 0;
}

function match(spec: string, table: Array<[string, string]>): string | null {
  for (const [key, address] of table) {
    if (key === spec) return address;
    if (key.endsWith("/") && spec.startsWith(key)) {
      const url = new URL(spec.slice(key.length), address).href;
      if (!url.startsWith(address)) throw new TypeError(`import map: '${spec}' backtracks above its prefix '${key}'`);
      return url;
    }
  }
  return null;
}

/** Resolves `spec` imported by the module at `parentUrl`, as a browser does with `map`. */
export function resolveSpecifier(spec: string, parentUrl: string, map: ResolvedImportMap): string {
  const url = asUrl(spec, parentUrl);
  const normalized = url ?? spec;
  for (const [scope, table] of map.scopes) {
    if (scope === parentUrl || (scope.endsWith("/") && parentUrl.startsWith(scope))) {
      const r = match(normalized, table);
      if (r !== null) return r;
    }
  }
  const r = match(normalized, map.imports);
  if (r !== null) return r;
  if (url !== null) return url;
  throw new TypeError(`Failed to resolve module specifier '${spec}' (imported by ${parentUrl}): it is bare and the import map has no entry for it`);
}

/** An import specifier in a module's source: the string literal, quotes included, at [start, end). */
export interface SpecifierSite {
  specifier: string;
  start: number;
  end: number;
  dynamic: boolean;
}

const KEYWORDS_BEFORE_EXPRESSION = new Set([
  "return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw", "case", "do", "else", "yield", "await",
]);

const isIdStart = (c: string) => /[A-Za-z_$\u0080-\uffff]/.test(c);
const isIdPart = (c: string) => /[A-Za-z0-9_$\u0080-\uffff]/.test(c);

/**
 * The import specifiers of an ES module: static `import ... from "x"`, `import "x"`,
 * `export ... from "x"`, and `import("x")` with a plain string literal. A small lexer that skips
 * comments, strings, template literals and regular expression literals, so that text inside them
 * is never taken for an import.
 */
export function scanModuleSpecifiers(src: string): SpecifierSite[] {
  const found = new Map<number, SpecifierSite>(); // by offset: a clause may be seen twice
  const add = (site: SpecifierSite) => { found.set(site.start, site); };
  const n = src.length;
  let i = 0;
  // What the last significant token was: decides whether "/" starts a regex or divides.
  let last: "start" | "punct" | "value" | "keyword" = "start";
  let lastChar = "";
  const braces: number[] = []; // open "{" count per template-literal nesting level

  const skipString = (q: string): number => {
    let j = i + 1;
    while (j < n && src[j] !== q) {
      if (src[j] === "\\") j++;
      else if (src[j] === "\n") break; // unterminated: stop at the line end
      j++;
    }
    return j + 1;
  };
  const skipBlank = (j: number): number => {
    for (;;) {
      while (j < n && /\s/.test(src[j])) j++;
      if (src.startsWith("//", j)) { while (j < n && src[j] !== "\n") j++; continue; }
      if (src.startsWith("/*", j)) { const e = src.indexOf("*/", j + 2); j = e < 0 ? n : e + 2; continue; }
      return j;
    }
  };
  const readString = (j: number): { value: string; end: number } | null => {
    const q = src[j];
    if (q !== '"' && q !== "'") return null;
    let k = j + 1, value = "";
    while (k < n && src[k] !== q) {
      if (src[k] === "\\" || src[k] === "\n") return null; // escapes in specifiers: not supported, leave alone
      value += src[k++];
    }
    return k < n ? { value, end: k + 1 } : null;
  };
  const readWord = (j: number): string => {
    let k = j;
    while (k < n && isIdPart(src[k])) k++;
    return src.slice(j, k);
  };
  /** After `import` (static) or `export`: finds `from "x"` before the statement ends. */
  const fromClause = (j: number): void => {
    let depth = 0;
    while (j < n) {
      j = skipBlank(j);
      const c = src[j];
      if (c === "{") { depth++; j++; continue; }
      if (c === "}") { depth--; j++; continue; }
      if (c === ";" && depth <= 0) return;
      if (c === '"' || c === "'") {
        const s = readString(j);
        if (!s) return;
        j = s.end; // a string export name: `{ "a-b" as x }`
        continue;
      }
      if (isIdStart(c)) {
        const w = readWord(j);
        j += w.length;
        if (w === "from" && depth <= 0) {
          const k = skipBlank(j);
          const s = readString(k);
          if (s) add({ specifier: s.value, start: k, end: s.end, dynamic: false });
          return;
        }
        // A statement that is not an import/export-from clause (export const, export function,
        // ...) ends here, and so does the clause at the next statement's keyword.
        if (depth <= 0 && /^(const|let|var|function|class|async|import|export)$/.test(w)) return;
        continue;
      }
      if (c === "*" || c === ",") { j++; continue; }
      return; // anything else cannot be part of an import/export-from clause
    }
  };

  while (i < n) {
    const c = src[i];
    if (/\s/.test(c)) { i++; continue; }
    if (c === "/" && src[i + 1] === "/") { while (i < n && src[i] !== "\n") i++; continue; }
    if (c === "/" && src[i + 1] === "*") { const e = src.indexOf("*/", i + 2); i = e < 0 ? n : e + 2; continue; }
    if (c === '"' || c === "'") { i = skipString(c); last = "value"; continue; }
    if (c === "`" || (c === "}" && braces.length > 0 && braces[braces.length - 1] === 0)) {
      // A template literal, or its continuation after a `${ ... }` substitution.
      if (c === "}") braces.pop();
      let j = i + 1;
      while (j < n && src[j] !== "`") {
        if (src[j] === "\\") j += 2;
        else if (src[j] === "$" && src[j + 1] === "{") { braces.push(0); j += 2; break; }
        else j++;
      }
      if (j < n && src[j] === "`") { i = j + 1; last = "value"; } else { i = j; last = "punct"; }
      continue;
    }
    if (c === "/") {
      // A regular expression where an expression may start; else division. (After `)`, `]` and
      // `}` this takes division, the usual heuristic; a regex literal there is rare.)
      if (last === "start" || last === "punct" || last === "keyword") {
        let j = i + 1, inClass = false;
        while (j < n && src[j] !== "\n") {
          if (src[j] === "\\") { j += 2; continue; }
          if (src[j] === "[") inClass = true;
          else if (src[j] === "]") inClass = false;
          else if (src[j] === "/" && !inClass) break;
          j++;
        }
        j++;
        while (j < n && isIdPart(src[j])) j++; // flags
        i = j;
        last = "value";
        continue;
      }
      i++; last = "punct"; lastChar = c;
      continue;
    }
    if (isIdStart(c)) {
      const w = readWord(i);
      const afterDot = lastChar === "." && last === "punct";
      i += w.length;
      if (!afterDot && (w === "import" || w === "export")) {
        const j = skipBlank(i);
        const next = src[j];
        if (w === "import" && next === "(") {
          const k = skipBlank(j + 1);
          const s = readString(k);
          if (s) {
            const e = skipBlank(s.end);
            if (src[e] === ")" || src[e] === ",") add({ specifier: s.value, start: k, end: s.end, dynamic: true });
          }
        } else if (w === "import" && (next === '"' || next === "'")) {
          const s = readString(j);
          if (s) add({ specifier: s.value, start: j, end: s.end, dynamic: false });
        } else if (next !== "." && next !== ":" && next !== "(" && next !== "=" && next !== ",") {
          fromClause(j);
        }
      }
      last = KEYWORDS_BEFORE_EXPRESSION.has(w) ? "keyword" : "value";
      lastChar = "";
      continue;
    }
    if (/[0-9]/.test(c)) {
      while (i < n && /[0-9A-Za-z_.]/.test(src[i])) i++;
      last = "value"; lastChar = "";
      continue;
    }
    if (braces.length > 0) {
      if (c === "{") braces[braces.length - 1]++;
      else if (c === "}") braces[braces.length - 1]--;
    }
    last = c === ")" || c === "]" || c === "}" ? "value" : "punct";
    lastChar = c;
    i++;
  }
  return [...found.values()].sort((a, b) => a.start - b.start);
}

/** Fetches module sources; `fetch` by default. */
export type SourceFetcher = (url: string) => Promise<string>;

const defaultFetcher: SourceFetcher = async (url) => {
  const res = await fetch(url);
  if (!res.ok) throw new TypeError(`Failed to fetch module ${url}: HTTP ${res.status}`);
  return res.text();
};

/**
 * Links the module graph under `entryUrl` with `map` and returns the URL to import: the entry's own
 * URL when nothing below it needs rewriting, else a blob: URL. Rewritten modules get a
 * `//# sourceURL=` comment naming their real URL, for stack traces and devtools.
 */
export async function linkWithImportMap(entryUrl: string, map: ResolvedImportMap, fetchSource: SourceFetcher = defaultFetcher): Promise<string> {
  const linked = new Map<string, Promise<string>>();
  const link = (url: string, path: readonly string[]): Promise<string> => {
    if (path.includes(url)) {
      return Promise.reject(new Error(`import cycle ${[...path.slice(path.indexOf(url)), url].join(" -> ")}: not supported by the worker module loader`));
    }
    let p = linked.get(url);
    if (!p) {
      p = (async () => {
        const src = await fetchSource(url);
        const sites = scanModuleSpecifiers(src);
        const targets = sites.map((s) => resolveSpecifier(s.specifier, url, map));
        const here = [...path, url];
        const linkedTargets = await Promise.all(targets.map((t) => link(t, here)));
        // Native resolution gives the same modules when every specifier is URL-like and no
        // dependency was rewritten: then import this module from its own URL.
        const native = sites.every((s, k) => asUrl(s.specifier, url) === targets[k] && linkedTargets[k] === targets[k]);
        if (native) return url;
        let out = "", at = 0;
        sites.forEach((s, k) => {
          out += src.slice(at, s.start) + JSON.stringify(linkedTargets[k]);
          at = s.end;
        });
        out += src.slice(at) + `\n//# sourceURL=${url}\n`;
        return URL.createObjectURL(new Blob([out], { type: "text/javascript" }));
      })();
      linked.set(url, p);
    }
    return p;
  };
  return link(entryUrl, []);
}

/** Reads the document's import map(s) (merged, later entries winning) and resolves them against document.baseURI. */
export function documentImportMap(): ResolvedImportMap {
  const merged: Required<ImportMap> = { imports: {}, scopes: {} };
  const doc = (globalThis as { document?: Document }).document;
  if (!doc) return { imports: [], scopes: [] };
  for (const el of Array.from(doc.querySelectorAll('script[type="importmap"]'))) {
    try {
      const m = JSON.parse(el.textContent ?? "{}") as ImportMap;
      Object.assign(merged.imports, m.imports ?? {});
      for (const [s, t] of Object.entries(m.scopes ?? {})) merged.scopes[s] = { ...(merged.scopes[s] ?? {}), ...t };
    } catch {
      /* an invalid import map is ignored by the browser too */
    }
  }
  return normalizeImportMap(merged, doc.baseURI);
}
