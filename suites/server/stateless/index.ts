// The 2026-07-28 (stateless) server checks: importing this module defines them all.
import './discover.ts';
import './mrtr.ts';
import './subscriptions.ts';
import './logging.ts';
import './caching.ts';
