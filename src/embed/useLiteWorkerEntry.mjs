// Plain-JS entry of the use-lite worker thread: Node 20 does not apply a parent's TypeScript
// loader to a worker's entry file, so register tsx here, then load the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./useLiteWorker.ts');
