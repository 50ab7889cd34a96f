// A TCP proxy in front of a real broker that can swallow what the broker sends (acknowledgements
// lost on the way) and cut every connection, and that decodes what clients send, so tests see
// the packets a client put on the wire (a resent PUBLISH's DUP flag, say).
import net from 'node:net';
import mqttPacket, { type Packet } from 'mqtt-packet';

export interface MqttProxy {
  port: number;
  /** Packets clients sent, in order, over every connection. */
  readonly fromClients: Packet[];
  /** While true, the broker's bytes are dropped instead of reaching the client. */
  swallowDownstream: boolean;
  /** Destroys every proxied connection (both sides). */
  cutAll(): void;
  stop(): Promise<void>;
}

export async function startMqttProxy(brokerPort: number, protocolVersion: 4 | 5 = 4): Promise<MqttProxy> {
  const pairs = new Set<[net.Socket, net.Socket]>();
  const proxy: MqttProxy = {
    port: 0,
    fromClients: [],
    swallowDownstream: false,
    cutAll: () => {
      for (const [client, broker] of pairs) {
        client.destroy();
        broker.destroy();
      }
      pairs.clear();
    },
    stop: async () => {
      proxy.cutAll();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  const server = net.createServer((client) => {
    const broker = net.createConnection({ host: '127.0.0.1', port: brokerPort });
    const pair: [net.Socket, net.Socket] = [client, broker];
    pairs.add(pair);
    const parser = mqttPacket.parser({ protocolVersion });
    parser.on('packet', (p: Packet) => proxy.fromClients.push(p));
    client.on('data', (d) => {
      parser.parse(d);
      broker.write(d);
    });
    broker.on('data', (d) => {
      if (!proxy.swallowDownstream) client.write(d);
    });
    const close = () => {
      client.destroy();
      broker.destroy();
      pairs.delete(pair);
    };
    client.on('close', close).on('error', close);
    broker.on('close', close).on('error', close);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  proxy.port = (server.address() as net.AddressInfo).port;
  return proxy;
}
