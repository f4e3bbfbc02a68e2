// Where this worker's RabbitMQ is: rabbitmq-server on PATH or in /usr/sbin (Debian's
// rabbitmq-server package). Only found, never started: it listens on TCP alone (AMQP has no
// Unix socket), and this worker has no way yet to keep such a port to one job, so a job that
// asks for it is told so (local-services.ts).
import { findServerBinary } from "./server-binary.js";

export interface RabbitmqInstall {
  server: string;
}

export function findRabbitmq(searchPath = process.env.PATH): RabbitmqInstall | undefined {
  const server = findServerBinary("rabbitmq-server", searchPath);
  return server ? { server } : undefined;
}
