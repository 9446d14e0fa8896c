// A TCP forwarder between a client and one local server, for the tests of connections that break or go silent
// mid-run: cut() closes every connection at once (a reset network, a killed proxy), freeze() stops forwarding while
// keeping every socket open (a network black hole: nothing is refused, nothing arrives).
import * as net from 'net';

export interface TcpProxy {
  port: number;
  cut(): void;
  freeze(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  const pairs: { client: net.Socket; upstream: net.Socket }[] = [];
  let frozen = false;
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on('error', () => undefined);
    client.on('close', () => sockets.delete(client));
    if (frozen) return; // accepted, never answered
    const upstream = net.connect(targetPort, '127.0.0.1');
    sockets.add(upstream);
    upstream.on('error', () => undefined);
    upstream.on('close', () => sockets.delete(upstream));
    client.pipe(upstream);
    upstream.pipe(client);
    pairs.push({ client, upstream });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    cut() {
      for (const s of sockets) s.destroy();
    },
    freeze() {
      frozen = true;
      for (const { client, upstream } of pairs) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.pause();
        upstream.pause();
        // A closed client must not close the server's side either: the server sees a silent peer.
        client.removeAllListeners('end');
        upstream.removeAllListeners('end');
      }
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
