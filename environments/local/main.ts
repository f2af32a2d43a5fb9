import { defineEnvironment } from '../../lib/index.js';

/**
 * The whole stack on a laptop (kind or k3d): one replica of everything, replication factor 1, small
 * requests, MinIO with a development credential, the gateway on host port 8080.
 */
export default defineEnvironment({
  name: 'local',
  config: {
    storage: { developmentCredentials: true },
  },
});
