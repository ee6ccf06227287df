// The 2026-07-28 (stateless) server checks, for tests that want them all: importing this module defines them. (The CLI collects each file itself; the leading _ keeps this one from being collected twice.)
import './discover.ts';
import './mrtr.ts';
import './subscriptions.ts';
import './logging.ts';
import './caching.ts';
import './extensions.ts';
