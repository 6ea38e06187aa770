// What services/transform/xslt-processor.ts adds so that the shipped transforms run alike in both
// engines: strict stylesheets, local xsl:include and document(), nothing from the network.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { createEngine, ENGINE_NAMES } from '../../services/transform/engine.js';

const INPUT = '<configuration><resources/></configuration>';
const HEAD = '<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">';

function stylesheets(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'cibsync-engines-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe.each(ENGINE_NAMES)('%s engine', (name) => {
  it('refuses a truncated stylesheet', async () => {
    const dir = stylesheets({ 'cut.xsl': `${HEAD}<xsl:template match="/"><configuration/></xsl:template` });
    await expect((await createEngine(name)).transform(join(dir, 'cut.xsl'), INPUT, {})).rejects.toMatchObject({
      code: 'CIBSYNC_TRANSFORM_FAILED',
    });
  });

  it('includes a local stylesheet with a comment before its root, and reads an XML file with document()', async () => {
    const dir = stylesheets({
      'lib.xsl': `<?xml version="1.0"?>\n<!-- shared -->\n${HEAD}<xsl:template name="site"><xsl:value-of select="document($file)/map/entry/@to"/></xsl:template></xsl:stylesheet>`,
      'main.xsl': `${HEAD}<xsl:include href="lib.xsl"/><xsl:param name="file"/><xsl:template match="/"><configuration><xsl:call-template name="site"/></configuration></xsl:template></xsl:stylesheet>`,
      'map.xml': '<!-- map -->\n<map><entry from="a" to="siteB"/></map>',
    });
    const out = await (await createEngine(name)).transform(join(dir, 'main.xsl'), INPUT, {
      file: join(dir, 'map.xml'),
    });
    expect(out).toContain('>siteB</configuration>');
  });

  it('does not fetch an included stylesheet over the network', async () => {
    // A listening loopback server that would serve a valid stylesheet: an engine that fetched it would
    // succeed, and the server would see the request (a closed port would fail either way).
    const requests: string[] = [];
    const server = createServer((req, res) => {
      requests.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'application/xml' });
      res.end(`${HEAD}<xsl:template name="unused"/></xsl:stylesheet>`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x.xsl`;
      const dir = stylesheets({
        'net.xsl': `${HEAD}<xsl:include href="${url}"/><xsl:template match="/"><configuration/></xsl:template></xsl:stylesheet>`,
      });
      await expect((await createEngine(name)).transform(join(dir, 'net.xsl'), INPUT, {})).rejects.toMatchObject({
        code: 'CIBSYNC_TRANSFORM_FAILED',
      });
      expect(requests).toEqual([]);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('keeps xsl:message out of standard output', async () => {
    const dir = stylesheets({
      'msg.xsl': `${HEAD}<xsl:template match="/"><xsl:message>note</xsl:message><configuration/></xsl:template></xsl:stylesheet>`,
    });
    const log = vi.spyOn(console, 'log');
    const write = vi.spyOn(process.stdout, 'write');
    try {
      expect(await (await createEngine(name)).transform(join(dir, 'msg.xsl'), INPUT, {})).toContain('<configuration/>');
      expect(log).not.toHaveBeenCalled();
      expect(write.mock.calls.flat().join('')).not.toContain('note');
    } finally {
      log.mockRestore();
      write.mockRestore();
    }
  });
});
