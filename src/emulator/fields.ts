/**
 * Google's `fields` standard parameter (partial responses): `a,b/c,d(e,f)`.
 * https://developers.google.com/workspace/gmail/api/guides/performance#partial
 */

type Tree = Map<string, Tree | null>;

function parse(s: string, pos: { i: number }, depth: number): Tree {
  const tree: Tree = new Map();
  while (pos.i < s.length) {
    let name = '';
    while (pos.i < s.length && !',()'.includes(s[pos.i])) name += s[pos.i++];
    name = name.trim();
    let sub: Tree | null = null;
    if (s[pos.i] === '(') {
      pos.i++;
      sub = parse(s, pos, depth + 1);
      if (s[pos.i] === ')') pos.i++;
    }
    if (name) {
      const path = name.split('/');
      let node = tree;
      for (let k = 0; k < path.length; k++) {
        const last = k === path.length - 1;
        if (last) {
          node.set(path[k], sub);
        } else {
          let next = node.get(path[k]);
          if (!next) {
            next = new Map();
            node.set(path[k], next);
          }
          node = next;
        }
      }
    }
    if (s[pos.i] === ',') pos.i++;
    else if (s[pos.i] === ')' && depth > 0) return tree;
    else if (s[pos.i] === ')') pos.i++;
  }
  return tree;
}

function apply(v: unknown, tree: Tree): unknown {
  if (Array.isArray(v)) return v.map((x) => apply(x, tree));
  if (!v || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, sub] of tree) {
    const x = (v as Record<string, unknown>)[k];
    if (x === undefined) continue;
    out[k] = sub ? apply(x, sub) : x;
  }
  return out;
}

export function applyFields(json: string, fields: string): string {
  try {
    return JSON.stringify(apply(JSON.parse(json), parse(fields, { i: 0 }, 0)));
  } catch {
    return json;
  }
}
