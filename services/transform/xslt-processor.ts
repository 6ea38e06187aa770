// The design card's pure-JS engine, opt-in only. Measured defects (docs/transforms.md): it loses the
// document when a comment precedes the root, ignores xsl:sort in apply-templates, gets key() wrong,
// and is quadratic. Its own parser accepts truncated XML, so input and output are checked strictly.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { XmlParser, Xslt } from 'xslt-processor';
import { CibsyncError } from '../errors.js';
import { parseXml, serialize } from '../xml/index.js';
import type { TransformEngine } from './engine-interface.js';

export class XsltProcessorEngine implements TransformEngine {
  readonly name = 'xslt-processor' as const;

  async transform(stylesheetPath: string, input: string, params: Record<string, string>): Promise<string> {
    // Re-serialising through our strict parser refuses malformed input and drops the prolog
    // (a comment before the root makes xslt-processor return only that comment).
    const cleanInput = serialize(parseXml(input, { source: 'transform input' }));
    // The defaults apply only when no options object is passed; set them explicitly or text is not escaped.
    const xslt = new Xslt({
      escape: true,
      selfClosingTags: true,
      cData: true,
      parameters: Object.entries(params).map(([name, value]) => ({ name, value })),
      // xsl:include and document() read local files only, relative to the stylesheet as libxslt does,
      // through the strict parser (an included file's leading comment would otherwise become its root).
      fetchFunction: async (href: string) =>
        serialize(parseXml(await readFile(localFile(stylesheetPath, href), 'utf8'), { source: href })),
      documentLoader: (uri: string) =>
        new XmlParser().xmlParse(
          serialize(parseXml(readFileSync(localFile(stylesheetPath, uri), 'utf8'), { source: uri })),
        ),
    } as ConstructorParameters<typeof Xslt>[0]);
    const warnings: string[] = [];
    (xslt as unknown as { warningsCallback: (...args: unknown[]) => void }).warningsCallback = (...args) =>
      warnings.push(args.join(' '));
    // It prints xsl:message with console.log, which would land in `cibsync transform run`'s output;
    // xsltproc writes messages to stderr, which cibsync keeps out of the result the same way.
    const internals = xslt as unknown as { xsltMessage: (...args: unknown[]) => Promise<void> };
    const xsltMessage = internals.xsltMessage.bind(xslt);
    internals.xsltMessage = async (...args) => {
      const log = console.log;
      console.log = (...parts: unknown[]) => warnings.push(parts.join(' '));
      try {
        await xsltMessage(...args);
      } finally {
        console.log = log;
      }
    };
    try {
      // Its parser would also take a stylesheet that is not well-formed, which xsltproc refuses.
      const stylesheet = serialize(parseXml(await readFile(stylesheetPath, 'utf8'), { source: stylesheetPath }));
      const parser = new XmlParser();
      return await xslt.xsltProcess(parser.xmlParse(cleanInput), parser.xmlParse(stylesheet));
    } catch (err) {
      throw new CibsyncError(
        'CIBSYNC_TRANSFORM_FAILED',
        `${stylesheetPath}: xslt-processor: ${err instanceof Error ? err.message : String(err)}`,
        { stylesheet: stylesheetPath },
      );
    }
  }
}

function localFile(stylesheetPath: string, href: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(href)) throw new Error(`${href}: only local files may be included or loaded`);
  return resolve(dirname(stylesheetPath), href);
}
