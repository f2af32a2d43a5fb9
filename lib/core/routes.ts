/**
 * An HTTP route a component serves to the outside world. `lib/mimir` exports the table of Mimir's
 * routes; the gateway turns it into nginx locations, so it never hard-codes Mimir's paths.
 */
export interface Route {
  /** Path as nginx matches it: a prefix (`/prometheus`), an exact path, or a regular expression. */
  path: string;
  match: 'prefix' | 'exact' | 'regex';
  /** Component that serves the route, e.g. `distributor`. */
  component: string;
  /** Kubernetes Service name and port the gateway forwards to. */
  service: string;
  port: number;
  /** What the route is for, shown in the generated nginx.conf. */
  description: string;
}
