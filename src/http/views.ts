import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import Handlebars from 'handlebars';

/**
 * A small Handlebars view engine for Express: `views/layouts/<layout>.hbs`
 * wraps the page (default `main`, `layout: false` for none) and every file in
 * `views/partials` is a partial. Templates are compiled once and cached
 * unless `cache` is false (development edits show on reload).
 */
export type ViewEngine = (path: string, options: object, callback: (error: Error | null, html?: string) => void) => void;

export function createViewEngine(viewsDir: string, cache: boolean): ViewEngine {
  const hbs = Handlebars.create();
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  const compiled = new Map<string, Handlebars.TemplateDelegate>();
  let partialsLoaded = false;

  const template = (path: string): Handlebars.TemplateDelegate => {
    let fn = cache ? compiled.get(path) : undefined;
    if (!fn) {
      fn = hbs.compile(readFileSync(path, 'utf8'), { strict: false });
      compiled.set(path, fn);
    }
    return fn;
  };

  const loadPartials = (): void => {
    if (partialsLoaded && cache) return;
    const dir = join(viewsDir, 'partials');
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.hbs'))) {
      hbs.registerPartial(basename(file, '.hbs'), readFileSync(join(dir, file), 'utf8'));
    }
    partialsLoaded = true;
  };

  return (path, options, callback) => {
    try {
      loadPartials();
      const data = options as { layout?: string | false };
      const body = template(path)(data);
      if (data.layout === false) return callback(null, body);
      const layout = template(join(viewsDir, 'layouts', `${data.layout ?? 'main'}.hbs`));
      callback(null, layout({ ...data, body }));
    } catch (error) {
      callback(error as Error);
    }
  };
}
