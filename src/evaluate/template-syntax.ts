/** A template syntax error, in words, at the offset in the template of the tag it is about. */
export interface TemplateSyntaxProblem {
  message: string;
  offset?: number;
}

/** The `{{/name}}` tag at `at`, as written (`{{/resolved}}`), or '' when there is none. */
function closeTagAt(template: string, at: number): string {
  return /^\{\{\s*\/[^}]*\}\}/.exec(template.slice(at))?.[0] ?? '';
}

/**
 * Mustache's parse error (`Unclosed section "firing" at 22`: an offset into the template, the
 * folded text of a `>` scalar) said as what is wrong and what is expected, with the offset of
 * the tag it is about (the opening tag of a section never closed), for the caller to turn into
 * the file's line:col.
 */
export function templateSyntaxProblem(template: string, error: string): TemplateSyntaxProblem {
  const unopened = /^Unopened section "(.*)" at (\d+)$/.exec(error);
  if (unopened) {
    const [, name, at] = unopened;
    return {
      message: `{{/${name}}} closes no open section; expected {{#${name}}} before it, or no {{/${name}}}`,
      offset: Number(at),
    };
  }
  const unclosed = /^Unclosed section "(.*)" at (\d+)$/.exec(error);
  if (unclosed) {
    const [, name, atText] = unclosed;
    const at = Number(atText);
    const close = at < template.length ? closeTagAt(template, at) : '';
    if (close)
      return {
        message: `${close} where {{#${name}}} is open; expected {{/${name}}} first (sections close in the reverse order they open)`,
        offset: at,
      };
    // Never closed: at its opening tag, the last of that name ({{#name}} or {{^name}}).
    const opens = [...template.matchAll(/\{\{\s*[#^]\s*([^}]*?)\s*\}\}/g)].filter((m) => m[1] === name);
    return {
      message: `{{#${name}}} is never closed; expected {{/${name}}} after it`,
      ...(opens.length ? { offset: opens.at(-1)!.index } : {}),
    };
  }
  const tag = /^Unclosed tag at (\d+)$/.exec(error);
  if (tag) {
    const open = template.lastIndexOf('{{', Number(tag[1]));
    return {
      message: '{{ without its }}; expected }} to end the tag',
      ...(open >= 0 ? { offset: open } : {}),
    };
  }
  return { message: `${error}; expected Mustache tags such as {{participant}} or {{#topic}}...{{/topic}}` };
}
