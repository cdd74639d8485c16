/**
 * @module
 * Whether luxd will be able to listen on its HTTP and staking ports, checked
 * before luxd is started so that a port already taken (say by a node that is
 * still running) is reported by name instead of as a luxd crash.
 */

/**
 * Why binding failed, in a few words, from the error `Deno.listen` threw:
 * `in use`, `permission denied`, `address not available on this machine`,
 * `unknown host`, `not allowed by Deno's --allow-net`, or the error's own
 * message.
 */
export function bindFailureReason(error: unknown): string {
  if (error instanceof Deno.errors.AddrInUse) return "in use";
  if (error instanceof Deno.errors.PermissionDenied) return "permission denied";
  if (error instanceof Deno.errors.AddrNotAvailable) return "address not available on this machine";
  if (error instanceof Deno.errors.NotCapable) return "not allowed by Deno's --allow-net";
  if (error instanceof URIError) return `invalid host (${error.message})`;
  const message = error instanceof Error ? error.message : String(error);
  if (/failed to lookup address/i.test(message)) return "unknown host";
  return message;
}

/**
 * Tries to listen on TCP `host:port` and closes the listener at once:
 * `true` if that worked, else the reason (see {@linkcode bindFailureReason}),
 * e.g. `"in use"`. Binding `0.0.0.0` is refused as in use when any address
 * already has the port, just as luxd's own bind would be. The answer can go
 * stale the moment it is given: it is a check for a clear message, not a
 * reservation.
 *
 * Needs `--allow-net=<host>:<port>` (without it the reason is
 * `not allowed by Deno's --allow-net`).
 *
 * @throws {RangeError} if `port` is not an integer from 1 to 65535 (port 0
 * would always bind).
 */
export function canBind(host: string, port: number): Promise<true | string> {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    return Promise.reject(
      new RangeError(`invalid port ${port}: expected an integer from 1 to 65535`),
    );
  }
  try {
    Deno.listen({ hostname: host, port, transport: "tcp" }).close();
    return Promise.resolve(true);
  } catch (error) {
    return Promise.resolve(bindFailureReason(error));
  }
}
