/**
 * Basic authentication and client-certificate checks for the HTTP endpoints (http.webConfigFile).
 * /metrics and /status need a user when users are configured; /health and /ready stay open so
 * that orchestrator probes work without credentials (they expose readiness and its reason only).
 * Passwords are checked against bcrypt hashes; a successful check is remembered (by a SHA-256 of
 * the credentials and the hash) so a scrape every few seconds does not pay bcrypt's cost each time.
 */
import { createHash } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import bcrypt from 'bcryptjs';
import type { WebSecurity } from '../config/web-config.js';
import { at } from '../core/indexing.js';

interface Request {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  socket: unknown;
}
interface Response {
  status(code: number): Response;
  setHeader(name: string, value: string): void;
  json(body: unknown): void;
}

/** Paths served without credentials. */
export const OPEN_PATHS: readonly string[] = ['/health', '/ready'];
const REMEMBERED = 64;
/** Compared against when the user is unknown, so an unknown user costs as long as a wrong password. */
const DUMMY_HASH = bcrypt.hashSync('shiftwatch-unknown-user', 10);

export function webGuard(security: WebSecurity): (req: Request, res: Response, next: () => void) => void {
  const remembered = new Set<string>();
  const verifyIfGiven = security.tls?.clientAuth === 'VerifyClientCertIfGiven';
  return (req, res, next) => {
    if (verifyIfGiven) {
      const socket = req.socket as TLSSocket;
      if (!socket.authorized && Object.keys(socket.getPeerCertificate?.() ?? {}).length > 0) {
        res.status(403).json({ error: 'client certificate not trusted' });
        return;
      }
    }
    if (security.users.size === 0 || OPEN_PATHS.includes(req.path)) {
      next();
      return;
    }
    const credentials = parseBasic(req.headers.authorization);
    const deny = () => {
      res.setHeader('WWW-Authenticate', 'Basic realm="shiftwatch", charset="UTF-8"');
      res.status(401).json({ error: 'authentication required' });
    };
    if (credentials === undefined) {
      deny();
      return;
    }
    const hash = security.users.get(credentials.user);
    const token = createHash('sha256').update(`${credentials.user}\0${credentials.password}\0${hash ?? ''}`).digest('hex');
    if (hash !== undefined && remembered.has(token)) {
      next();
      return;
    }
    void bcrypt.compare(credentials.password, hash ?? DUMMY_HASH).then((ok) => {
      if (!ok || hash === undefined) {
        deny();
        return;
      }
      if (remembered.size >= REMEMBERED) remembered.clear();
      remembered.add(token);
      next();
    }, () => deny());
  };
}

function parseBasic(header: string | string[] | undefined): { user: string; password: string } | undefined {
  if (typeof header !== 'string') return undefined;
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (match === null) return undefined;
  const decoded = Buffer.from(at(match, 1, 'basic credentials match'), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
