// Two watchers of the same certificate files (the subscriber has one for its server and one for its
// client): stopping one must not stop the other.
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../services/log.js';
import { watchTlsMaterial } from '../../services/net/tls-material.js';
import { makePki, waitFor } from '../network/helpers.js';

describe('watchTlsMaterial', () => {
  it('stopping one watcher leaves the other watching the same files', async () => {
    const tls = makePki().issue('watched');
    const settings = { ...tls, allow: [], certCheckMs: 50 };
    const logger = createLogger('silent');
    const reloads = { first: 0, second: 0 };
    const stopFirst = watchTlsMaterial(settings, logger, () => (reloads.first += 1));
    const stopSecond = watchTlsMaterial(settings, logger, () => (reloads.second += 1));
    try {
      stopFirst();
      writeFileSync(tls.cert, `${readFileSync(tls.cert, 'utf8')}\n`);
      await waitFor('the second watcher to reload', () => reloads.second > 0, 5000);
      expect(reloads.first).toBe(0);
    } finally {
      stopSecond();
    }
  });
});
