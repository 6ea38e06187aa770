// The design card's pure-JS engine, opt-in only. Measured defects (docs/transforms.md): it loses the
// document when a comment precedes the root, ignores xsl:sort in apply-templates, gets key() wrong,
// and is quadratic. Its own parser accepts truncated XML, so input and output are checked strictly.
import { readFile } from 'node:fs/promises';
import { Xslt, XmlParser } from 'xslt-processor';
import { CibsyncError } from '../errors.js';
import { parseXml, serialize } from '../xml/index.js';
import type { TransformEngine } from './engine.js';

export class XsltProcessorEngine implements TransformEngine {
  readonly name = 'xslt-processor' as const;

  async transform(stylesheetPath: string, input: string, params: Record<string, string>): Promise<string> {
    // Re-serialising through our strict parser refuses malformed input and drops the prolog
    // (a comment before the root makes xslt-processor return only that comment).
    const cleanInput = serialize(parseXml(input, { source: 'transform input' }));
    const stylesheet = await readFile(stylesheetPath, 'utf8');
    // The defaults apply only when no options object is passed; set them explicitly or text is not escaped.
    const xslt = new Xslt({
      escape: true,
      selfClosingTags: true,
      cData: true,
      parameters: Object.entries(params).map(([name, value]) => ({ name, value })),
      fetchFunction: () => Promise.reject(new Error('xsl:include/xsl:import over the network is not allowed')),
    } as ConstructorParameters<typeof Xslt>[0]);
    const warnings: string[] = [];
    (xslt as unknown as { warningsCallback: (...args: unknown[]) => void }).warningsCallback = (...args) => warnings.push(args.join(' '));
    try {
      const parser = new XmlParser();
      return await xslt.xsltProcess(parser.xmlParse(cleanInput), parser.xmlParse(stylesheet));
    } catch (err) {
      throw new CibsyncError('CIBSYNC_TRANSFORM_FAILED', `${stylesheetPath}: xslt-processor: ${err instanceof Error ? err.message : String(err)}`, { stylesheet: stylesheetPath });
    }
  }
}
