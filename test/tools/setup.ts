import { afterEach } from 'vitest';
import { assertAllMocksUsed, blockNetwork } from './github-mock.js';

// GitHub is never reachable from tests: every call must hit a declared mock.
blockNetwork();
afterEach(() => assertAllMocksUsed());
