// The basic/transports server checks, for tests that want them all: importing this module defines them. (The CLI collects each file itself; the leading _ keeps this one from being collected twice.)
import './sending.ts';
import './streams.ts';
import './sessions.ts';
import './protocol-version.ts';
import './origin.ts';
import './request-headers.ts';
import './param-headers.ts';
import './earlier-revisions.ts';
import './legacy-sse.ts';
