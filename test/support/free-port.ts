import net from 'node:net';

/**
 * A TCP port free on 127.0.0.1 right now (the kernel picks it). Another process could take it
 * before the server binds it: servers are started with a retry on a fresh port.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
