// basic/authorization, the client side, by section of the page: judged from what the mock
// authorization server and the protected mock MCP server were asked in the auth scenarios
// (auth-scenarios.ts). Authorization is OPTIONAL: a client that never attempts it in any auth
// scenario is not-applicable. Imported in this order, which is the order of the checks.
import './discovery.ts';
import './authorization.ts';
import './token-use.ts';
import './scopes.ts';
import './scope-union.ts';
import './registration.ts';
import './server-binding.ts';
import './refresh.ts';
import './cross-app-access.ts';
import './workload.ts';
import './dpop.ts';
