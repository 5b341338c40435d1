// Runs graphql-http's auditServer against the URL given and prints the results as JSON:
// [{id, name, status: "ok" | "warn" | "error", reason?}]. "error" is a failing MUST,
// "warn" a failing SHOULD.
import { auditServer } from 'graphql-http';

const url = process.argv[2];
const results = await auditServer({ url, fetchFn: fetch });
const out = results.map((r) => ({
  id: r.id,
  name: r.name,
  status: r.status,
  reason: r.status === 'ok' ? undefined : r.reason,
}));
process.stdout.write(JSON.stringify(out));
