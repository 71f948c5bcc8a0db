// Run the test embedding server as its own process (benchmarks: keeps server CPU out of the
// client's event loop). Prints the URL on stdout. Options as JSON in argv[2].
import { startEmbeddingServer, type EmbeddingServerOptions } from './embeddingServer.ts';

const opts = JSON.parse(process.argv[2] ?? '{}') as EmbeddingServerOptions;
const server = await startEmbeddingServer(opts);
process.stdout.write(`${server.url}\n`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
