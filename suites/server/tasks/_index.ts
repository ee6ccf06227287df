// The 2025-11-25 tasks server checks, for tests that want them all: importing this module defines them. (The CLI collects each file itself; the leading _ keeps this one from being collected twice.)
import './creation.ts';
import './results.ts';
import './listing-cancellation.ts';
import './negotiation.ts';
import './ids-timestamps.ts';
import './related-task.ts';
import './while-running.ts';
import './ttl-and-failures.ts';
import './input-required.ts';
