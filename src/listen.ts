/**
 * Starting an HTTP server on a host and port, shared by the local node and the store gateway:
 * resolves once it listens (rejects with the listen error, e.g. EADDRINUSE) with the port it
 * got (port 0 picks a free one) and its URL, an IPv6 host in brackets.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";

export async function listen(server: Server, port: number, host: string): Promise<{ url: string; port: number }> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const actualPort = (server.address() as AddressInfo).port;
  return { url: `http://${host.includes(":") ? `[${host}]` : host}:${actualPort}`, port: actualPort };
}
