import assert from 'node:assert/strict';
import request from 'supertest';

/**
 * Reading server-rendered admin forms the way a browser would: the CSRF
 * token, the messages shown next to fields, and what the form posts if
 * submitted untouched.
 */
export type Fields = Record<string, string | string[]>;

export function csrfFrom(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  assert.ok(match?.[1], 'the page carries a CSRF token');
  return match[1];
}

export const decode = (text: string): string =>
  text
    .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, dec: string) => String.fromCodePoint(Number(dec)))
    .replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** Field id → its message, as shown next to the field (the rule editor's markup). */
export const errorsOf = (html: string): Record<string, string> =>
  Object.fromEntries([...html.matchAll(/<p class="tr-field-error" id="([^"]+)-error">([^<]*)<\/p>/g)].map((m) => [m[1] ?? '', decode(m[2] ?? '')]));

const attrsOf = (tag: string): Record<string, string> => Object.fromEntries([...tag.matchAll(/([\w-]+)(?:="([^"]*)")?/g)].map((m) => [m[1] ?? '', decode(m[2] ?? '')]));

/** What a browser would post for the page's form at `action`, untouched: fields, ticked boxes, selected options, texts. */
export function formFields(html: string, action: string): Fields {
  const form = new RegExp(`<form method="post" action="${action}"[\\s\\S]*?</form>`).exec(html)?.[0];
  assert.ok(form, `the page has a form posting to ${action}`);
  const fields: Fields = {};
  const add = (name: string | undefined, value: string) => {
    if (!name) return;
    const prior = fields[name];
    fields[name] = prior === undefined ? value : [...(Array.isArray(prior) ? prior : [prior]), value];
  };
  for (const [, tag = ''] of form.matchAll(/<input\b([^>]*)>/g)) {
    const a = attrsOf(tag);
    if (a.type !== 'checkbox' || 'checked' in a) add(a.name, a.value ?? '');
  }
  for (const [, tag = '', options = ''] of form.matchAll(/<select\b([^>]*)>([\s\S]*?)<\/select>/g)) {
    const chosen = /<option value="([^"]*)"[^>]*\bselected/.exec(options) ?? /<option value="([^"]*)"/.exec(options);
    add(attrsOf(tag).name, decode(chosen?.[1] ?? ''));
  }
  for (const [, tag = '', text = ''] of form.matchAll(/<textarea\b([^>]*)>([\s\S]*?)<\/textarea>/g)) add(attrsOf(tag).name, decode(text));
  return fields;
}

/** A supertest agent signed in through the real login form (CSRF token included). */
export async function signedInAgent(app: Parameters<typeof request.agent>[0], email: string, password: string): Promise<request.Agent> {
  const agent = request.agent(app);
  const token = csrfFrom((await agent.get('/login')).text);
  await agent.post('/login').type('form').send({ _csrf: token, email, password }).expect(303);
  return agent;
}
