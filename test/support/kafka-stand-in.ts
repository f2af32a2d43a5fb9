/**
 * A stand-in Kafka broker for `alloy run`: Alloy's `prometheus.exporter.kafka` connects to its bootstrap
 * address while Alloy loads its configuration (its Kafka client fetches the cluster's metadata before the
 * component exists), and Alloy refuses to start when it cannot. This answers that over Kafka's wire
 * protocol — Metadata (API key 3, versions 1–8) with one broker (itself, at the address it was reached by)
 * and no topics, ListGroups (16, versions 0–2) with no groups — and records every request. Anything else
 * (SASL, another version) is recorded as unanswered and the connection closed, so a test sees what the
 * client asked that the stand-in does not know. The e2e ingest scenario runs the real broker.
 */
import { createServer, type Socket } from 'node:net';

export interface KafkaRequestSeen {
  apiKey: number;
  apiVersion: number;
  clientId: string | null;
  answered: boolean;
}

export interface KafkaStandIn {
  host: string;
  port: number;
  requests: KafkaRequestSeen[];
  close(): Promise<void>;
}

const apiKeys = { metadata: 3, listGroups: 16 } as const;

class Writer {
  private parts: Buffer[] = [];
  int16(v: number): this {
    const b = Buffer.alloc(2);
    b.writeInt16BE(v);
    this.parts.push(b);
    return this;
  }
  int32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(v);
    this.parts.push(b);
    return this;
  }
  string(v: string | null): this {
    if (v === null) return this.int16(-1);
    const s = Buffer.from(v);
    this.int16(s.length);
    this.parts.push(s);
    return this;
  }
  buffer(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** Metadata v1–v8 (the versions before the flexible encoding): one broker, this one, and no topics. */
function metadataResponse(version: number, nodeId: number, host: string, port: number): Buffer {
  const w = new Writer();
  if (version >= 3) w.int32(0); // throttle_time_ms
  w.int32(1).int32(nodeId).string(host).int32(port).string(null); // brokers: node_id, host, port, rack
  if (version >= 2) w.string('mimir-kube-stand-in'); // cluster_id
  w.int32(nodeId); // controller_id
  w.int32(0); // topics
  if (version >= 8) w.int32(-2147483648); // cluster_authorized_operations: not asked for
  return w.buffer();
}

/** ListGroups v0–v2: no error, no groups. */
function listGroupsResponse(version: number): Buffer {
  const w = new Writer();
  if (version >= 1) w.int32(0); // throttle_time_ms
  return w.int16(0).int32(0).buffer(); // error_code, groups
}

/**
 * Listens on `host:port` (a loopback address of its own, so the rendered port is free) and answers as the
 * broker `advertised` (host:port as the client should reach it; the rendered bootstrap address).
 */
export async function startKafkaStandIn(
  host: string,
  port: number,
  advertised: { host: string; port: number },
): Promise<KafkaStandIn> {
  const requests: KafkaRequestSeen[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
        const frame = pending.subarray(4, 4 + pending.readInt32BE(0));
        pending = pending.subarray(4 + frame.length);
        const apiKey = frame.readInt16BE(0);
        const apiVersion = frame.readInt16BE(2);
        const correlationId = frame.readInt32BE(4);
        const idLength = frame.readInt16BE(8);
        const clientId = idLength < 0 ? null : frame.subarray(10, 10 + idLength).toString();
        let body: Buffer | undefined;
        if (apiKey === apiKeys.metadata && apiVersion >= 1 && apiVersion <= 8)
          body = metadataResponse(apiVersion, 0, advertised.host, advertised.port);
        else if (apiKey === apiKeys.listGroups && apiVersion <= 2) body = listGroupsResponse(apiVersion);
        requests.push({ apiKey, apiVersion, clientId, answered: body !== undefined });
        if (!body) {
          socket.destroy();
          return;
        }
        const header = Buffer.alloc(8);
        header.writeInt32BE(4 + body.length, 0);
        header.writeInt32BE(correlationId, 4);
        socket.write(Buffer.concat([header, body]));
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    host,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A loopback address of its own (127.0.0.0/8 is all loopback on Linux), so the rendered port is free there. */
export function loopbackAddress(): string {
  const byte = () => 1 + Math.floor(Math.random() * 254);
  return `127.${byte()}.${byte()}.${byte()}`;
}
