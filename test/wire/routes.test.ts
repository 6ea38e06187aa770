// Conformance of the wire module with the daemons: every route the publisher and the subscriber
// register (read back from fastify's route tree) is in services/wire, and every route there is
// registered; both daemons run in-process over real TLS on file-backed CIBs. docs/network.md's table
// of the wire protocol lists the same routes.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../services/config/index.js';
import { silentLogger } from '../../services/log.js';
import type { HttpsApp } from '../../services/net/https-app.js';
import { type RunningPublisher, startPublisher } from '../../services/publisher/index.js';
import { type RunningSubscriber, startSubscriber } from '../../services/subscriber/index.js';
import { PUBLISHER_ROUTES, type Route, SUBSCRIBER_ROUTES } from '../../services/wire/index.js';
import type { Site } from '../helpers/sites.js';
import { makePki, makeSites, publisherConfig, subscriberConfig, writeConfig } from '../network/helpers.js';

/**
 * "METHOD /path" for every route an app registered, from printRoutes' tree: each line is a node whose
 * path continues its parent's (indentation: four characters a level), with its methods in brackets.
 */
function registeredRoutes(app: HttpsApp): string[] {
  const parents: string[] = [];
  const routes: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const node = /^([│ ]*)[├└]── (\S+)(?: \(([^)]*)\))?$/u.exec(line);
    if (!node) continue;
    const depth = (node[1] as string).length / 4;
    const path = (parents[depth - 1] ?? '') + (node[2] as string);
    parents[depth] = path;
    for (const method of (node[3] ?? '').split(', ').filter((m) => m && m !== 'HEAD')) routes.push(`${method} ${path}`);
  }
  return routes.sort();
}

const listed = (routes: Record<string, Route>) =>
  [...new Set(Object.values(routes).map((r) => `${r.method} ${r.path}`))].sort();

let a: Site;
let b: Site;
let publisher: RunningPublisher;
let subscriber: RunningSubscriber;

beforeAll(async () => {
  const pki = makePki();
  ({ a, b } = makeSites());
  publisher = await startPublisher(
    loadConfig(writeConfig(a, 'publisher', publisherConfig(a, pki.issue('pubA')))),
    a.pacemaker,
    silentLogger,
  );
  subscriber = await startSubscriber(
    loadConfig(
      writeConfig(b, 'subscriber', subscriberConfig(b, pki.issue('subB'), [publisher.url], { approval: 'manual' })),
    ),
    b.pacemaker,
    silentLogger,
  );
}, 60_000);

afterAll(async () => {
  await subscriber?.close();
  await publisher?.close();
  a?.cleanup();
  b?.cleanup();
});

describe('the wire module and the routes the daemons register', () => {
  it('reads a route tree back whole', () => {
    expect(registeredRoutes(publisher.app)).toContain('GET /v1/publication');
    expect(registeredRoutes(subscriber.app)).toContain('POST /v1/plans/:id/approve');
  });

  it('publisher: the same routes, both ways', () => {
    expect(registeredRoutes(publisher.app)).toEqual(listed(PUBLISHER_ROUTES));
  });

  it('subscriber: the same routes, both ways', () => {
    expect(registeredRoutes(subscriber.app)).toEqual(listed(SUBSCRIBER_ROUTES));
  });

  it("docs/network.md's wire table lists exactly these routes", () => {
    const doc = readFileSync(new URL('../../docs/network.md', import.meta.url), 'utf8');
    const documented = (daemon: string) =>
      [...doc.matchAll(new RegExp(`^\\| ${daemon} \\| \`(GET|POST) (\\S+)\` \\|`, 'gm'))]
        .map((m) => `${m[1]} ${m[2]}`)
        .sort();
    expect(documented('publisher')).toEqual(listed(PUBLISHER_ROUTES));
    expect(documented('subscriber')).toEqual(listed(SUBSCRIBER_ROUTES));
  });

  it('each listed route is registered under its method', () => {
    for (const route of Object.values(PUBLISHER_ROUTES))
      expect(publisher.app.hasRoute({ method: route.method, url: route.path }), route.path).toBe(true);
    for (const route of Object.values(SUBSCRIBER_ROUTES))
      expect(subscriber.app.hasRoute({ method: route.method, url: route.path }), route.path).toBe(true);
  });
});
