import type { FieldProblem } from '../../shared/errors.js';

/**
 * A webhook's `payloadTemplate`: JSON whose string leaves are templates.
 * Compiled once into a tree; rendering walks it. Bounded at save (size,
 * depth) and at render (per leaf, total), so a body stays well under the
 * receivers' limits whatever the visitor data holds.
 */
export const PAYLOAD_TEMPLATE_MAX_BYTES = 8 * 1024;
export const PAYLOAD_TEMPLATE_MAX_DEPTH = 8;
export const RENDERED_LEAF_MAX_CHARS = 1000;
export const RENDERED_PAYLOAD_MAX_BYTES = 8 * 1024;

export type Render = (context: unknown) => string;
export type CompileLeaf = (source: string) => { render: Render } | { problem: string };

export type PayloadNode = { text: Render } | { list: PayloadNode[] } | { fields: [string, PayloadNode][] } | { value: unknown };

function compileNode(value: unknown, path: string, depth: number, compile: CompileLeaf, problems: FieldProblem[]): PayloadNode {
  if (depth > PAYLOAD_TEMPLATE_MAX_DEPTH) {
    problems.push({ path, message: `nested deeper than ${PAYLOAD_TEMPLATE_MAX_DEPTH} levels` });
    return { value: null };
  }
  if (typeof value === 'string') {
    const compiled = compile(value);
    if ('problem' in compiled) {
      problems.push({ path, message: compiled.problem });
      return { value: null };
    }
    return { text: compiled.render };
  }
  if (Array.isArray(value)) return { list: value.map((item, i) => compileNode(item, `${path}.${i}`, depth + 1, compile, problems)) };
  if (typeof value === 'object' && value !== null) {
    return { fields: Object.entries(value).map(([key, item]) => [key, compileNode(item, `${path}.${key}`, depth + 1, compile, problems)]) };
  }
  return { value };
}

/** Problems are added to `problems` (path prefixed); the tree is only usable when none were. */
export function compilePayload(template: Record<string, unknown>, path: string, compile: CompileLeaf, problems: FieldProblem[]): PayloadNode {
  if (JSON.stringify(template).length > PAYLOAD_TEMPLATE_MAX_BYTES) {
    problems.push({ path, message: `larger than ${PAYLOAD_TEMPLATE_MAX_BYTES} bytes` });
    return { value: {} };
  }
  return compileNode(template, path, 1, compile, problems);
}

function renderNode(node: PayloadNode, context: unknown): unknown {
  if ('text' in node) return node.text(context).slice(0, RENDERED_LEAF_MAX_CHARS);
  if ('list' in node) return node.list.map((item) => renderNode(item, context));
  if ('fields' in node) return Object.fromEntries(node.fields.map(([key, item]) => [key, renderNode(item, context)]));
  return node.value;
}

/** Never throws for size: an oversized result becomes `{truncated: true}` so the delivery still goes out. */
export function renderPayload(node: PayloadNode, context: unknown): Record<string, unknown> {
  const rendered = renderNode(node, context) as Record<string, unknown>;
  return JSON.stringify(rendered).length > RENDERED_PAYLOAD_MAX_BYTES ? { truncated: true } : rendered;
}
