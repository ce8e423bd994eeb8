// Requests to addresses an admin typed (webhooks): only to public addresses unless the configuration allows a
// private range, checked on the address actually connected to, with failures told as categories.
import { lookup as dnsLookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/** What went wrong with one request, for people and for figures: never the raw socket error. */
export const FAILURE_CATEGORIES = [
  'refused_target',
  'dns_failed',
  'connection_refused',
  'connection_reset',
  'unreachable',
  'timeout',
  'tls_error',
  'http_3xx',
  'http_4xx',
  'http_5xx',
  'network_error',
] as const;
export type FailureCategory = (typeof FAILURE_CATEGORIES)[number];

const FAILURE_MESSAGES: Record<Exclude<FailureCategory, 'refused_target' | `http_${string}`>, string> = {
  dns_failed: 'the host name does not resolve',
  connection_refused: 'the endpoint refused the connection',
  connection_reset: 'the connection was closed before an answer',
  unreachable: 'the endpoint cannot be reached from here',
  timeout: 'no answer in time',
  tls_error: 'the TLS handshake failed (certificate or protocol)',
  network_error: 'the request failed on the way',
};

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}
/** Turns a host name into its addresses (DNS); tests give one of their own. */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map((a) => ({
    address: a.address,
    family: a.family === 6 ? 6 : 4,
  }));

export interface TargetPolicy {
  /** Private, loopback, link-local and shared (CGNAT) ranges allowed: a webhook receiver inside the network. */
  allowPrivate: boolean;
  /** Ranges allowed even though they are private, e.g. 10.20.0.0/16. */
  allowCidrs: readonly string[];
}

/** Cloud metadata services: never a webhook's target, whatever is allowed. */
const METADATA_ADDRESSES = new Set(['169.254.169.254', 'fd00:ec2::254', '169.254.170.2', '100.100.100.200']);
const METADATA_NAMES = new Set([
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'instance-data',
  'instance-data.ec2.internal',
]);
/** Ranges WEBHOOK_ALLOW_PRIVATE opens; every other special range (multicast, reserved, 6to4…) stays shut. */
const PRIVATE_RANGES = new Set(['private', 'loopback', 'linkLocal', 'uniqueLocal', 'carrierGradeNat']);
const RANGE_WORDS: Record<string, string> = {
  private: 'a private (RFC 1918) address',
  loopback: 'a loopback address',
  linkLocal: 'a link-local address',
  uniqueLocal: 'a unique local (private IPv6) address',
  carrierGradeNat: 'a shared (CGNAT) address',
  unspecified: 'the unspecified address',
};

/** A target that may not be reached: refused before any connection is made. */
export class RefusedTarget extends Error {
  readonly category = 'refused_target' as const;
  override name = 'RefusedTarget';
}

export type PostOutcome =
  | { ok: true; statusCode: number }
  | { ok: false; statusCode: number | null; failure: FailureCategory; message: string };

/** The host of a URL without IPv6 brackets. */
const hostOf = (url: URL) => url.hostname.replace(/^\[|\]$/g, '').toLowerCase();

export class OutboundGuard {
  private readonly allowed: [ipaddr.IPv4 | ipaddr.IPv6, number][];

  constructor(
    private readonly policy: TargetPolicy,
    private readonly resolve: Resolver = systemResolver,
  ) {
    this.allowed = policy.allowCidrs.map((cidr) => ipaddr.parseCIDR(cidr));
  }

  /** Why this address may not be reached, or undefined when it may. */
  refusalOf(address: string): string | undefined {
    let ip: ipaddr.IPv4 | ipaddr.IPv6;
    try {
      // process(): IPv4-mapped IPv6 (::ffff:127.0.0.1) is judged as the IPv4 address it carries.
      ip = ipaddr.process(address);
    } catch {
      return `"${address}" is not an IP address`;
    }
    if (METADATA_ADDRESSES.has(ip.toNormalizedString()) || METADATA_ADDRESSES.has(ip.toString())) {
      return 'a cloud metadata address';
    }
    const range = ip.range();
    if (range === 'unicast') return undefined;
    if (range === 'unspecified') return RANGE_WORDS.unspecified;
    const words = RANGE_WORDS[range] ?? `a reserved address (${range})`;
    if (!PRIVATE_RANGES.has(range)) return words;
    if (this.policy.allowPrivate) return undefined;
    if (this.allowed.some(([net, bits]) => net.kind() === ip.kind() && ip.match(net, bits))) return undefined;
    return words;
  }

  /**
   * Checks a URL before it is stored: http(s), no credentials, not a metadata name, and every address it
   * resolves to allowed. A name that does not resolve now is let through: delivery checks it again.
   */
  async checkUrl(raw: string): Promise<void> {
    const host = this.checkWithoutDns(new URL(raw));
    if (ipaddr.isValid(host)) return;
    let addresses: ResolvedAddress[];
    try {
      addresses = await this.resolve(host);
    } catch {
      return;
    }
    this.refuseAddresses(host, addresses);
  }

  /**
   * One POST to `raw`, connected only to an address checked in this very call (resolved once, checked, and
   * that address dialled), so a name that resolves elsewhere the second time (DNS rebinding) gains nothing.
   * Redirects are not followed.
   */
  async post(
    raw: string,
    init: { headers: Record<string, string>; body: string; timeoutMs: number },
  ): Promise<PostOutcome> {
    let url: URL;
    try {
      url = new URL(raw);
      this.checkWithoutDns(url);
    } catch (e) {
      return failed(e);
    }
    const lookup: LookupFunction = (hostname, options, callback) => {
      this.resolve(hostname).then(
        (addresses) => {
          try {
            this.refuseAddresses(hostname, addresses);
          } catch (e) {
            callback(e as NodeJS.ErrnoException, '', 4);
            return;
          }
          const usable = options.family ? addresses.filter((a) => a.family === options.family) : addresses;
          const first = usable[0];
          if (!first) {
            callback(Object.assign(new Error('no address'), { code: 'ENOTFOUND' }), '', 4);
          } else if (options.all) {
            (callback as unknown as (e: null, a: ResolvedAddress[]) => void)(null, usable);
          } else {
            callback(null, first.address, first.family);
          }
        },
        () => callback(Object.assign(new Error('no address'), { code: 'ENOTFOUND' }), '', 4),
      );
    };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<PostOutcome>((resolve) => {
      let settled = false;
      const settle = (outcome: PostOutcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(outcome);
      };
      const req = send(url, {
        method: 'POST',
        headers: { ...init.headers, 'content-length': String(Buffer.byteLength(init.body)) },
        lookup,
        // A connection of its own each time: a pooled socket would skip the check of this call.
        agent: false,
      });
      const timer = setTimeout(() => {
        settle({ ok: false, statusCode: null, failure: 'timeout', message: FAILURE_MESSAGES.timeout });
        req.destroy();
      }, init.timeoutMs);
      req.on('response', (res: IncomingMessage) => {
        res.resume();
        res.on('error', () => {});
        settle(outcomeOfStatus(res.statusCode ?? 0));
        res.destroy();
      });
      req.on('error', (e) => settle(failed(e)));
      req.end(init.body);
    });
  }

  /** Scheme, credentials, metadata names and a literal address; returns the host (a name or an address). */
  private checkWithoutDns(url: URL): string {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new RefusedTarget('only http:// and https:// URLs can be called');
    }
    if (url.username || url.password) {
      throw new RefusedTarget(
        'the URL carries a user name or password; the receiver should check the signature instead',
      );
    }
    const host = hostOf(url);
    this.refuseName(host);
    if (ipaddr.isValid(host)) {
      const why = this.refusalOf(host);
      if (why) throw new RefusedTarget(`${host} is ${why}`);
    }
    return host;
  }

  private refuseName(host: string): void {
    if (METADATA_NAMES.has(host) || host.endsWith('.metadata.google.internal')) {
      throw new RefusedTarget(`${host} is a cloud metadata service`);
    }
    if ((host === 'localhost' || host.endsWith('.localhost')) && this.refusalOf('127.0.0.1')) {
      throw new RefusedTarget(`${host} is ${RANGE_WORDS.loopback}`);
    }
  }

  private refuseAddresses(host: string, addresses: readonly ResolvedAddress[]): void {
    for (const { address } of addresses) {
      const why = this.refusalOf(address);
      if (why) throw new RefusedTarget(`${host} resolves to ${why}`);
    }
  }
}

function outcomeOfStatus(statusCode: number): PostOutcome {
  if (statusCode >= 200 && statusCode < 300) return { ok: true, statusCode };
  const failure: FailureCategory =
    statusCode >= 500 ? 'http_5xx' : statusCode >= 400 ? 'http_4xx' : 'http_3xx';
  return { ok: false, statusCode, failure, message: `the endpoint answered ${statusCode}` };
}

/** A thrown error as a category and a sentence; the socket's own words stay out of the answer. */
function failed(e: unknown): PostOutcome {
  if (e instanceof RefusedTarget) {
    return { ok: false, statusCode: null, failure: 'refused_target', message: `refused: ${e.message}` };
  }
  const failure = categoryOf(e);
  return {
    ok: false,
    statusCode: null,
    failure,
    message: FAILURE_MESSAGES[failure as keyof typeof FAILURE_MESSAGES],
  };
}

function categoryOf(e: unknown): FailureCategory {
  const code = String((e as { code?: unknown })?.code ?? '');
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NODATA' || code === 'EAI_FAIL') {
    return 'dns_failed';
  }
  if (code === 'ECONNREFUSED') return 'connection_refused';
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNABORTED') return 'connection_reset';
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'EADDRNOTAVAIL') return 'unreachable';
  if (code === 'ETIMEDOUT') return 'timeout';
  if (
    /^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|HOSTNAME_MISMATCH|ERR_OSSL)/.test(code) ||
    /SSL|TLS|certificate/i.test((e as Error)?.message ?? '')
  ) {
    return 'tls_error';
  }
  return 'network_error';
}
