// Which registry an image reference is pulled from, by the rule the container runtimes use
// (distribution/reference's splitDockerDomain), so a pull failure can name the host to check.

export const DEFAULT_REGISTRY = "docker.io";

/**
 * The registry host of an image reference: the first path component when it looks like a host (has a `.` or
 * a `:`, is `localhost`, or has upper-case letters), else docker.io. `nginx` and `library/nginx:1.27` are
 * docker.io; `ghcr.io/acme/api:v2` is ghcr.io; `localhost:5000/app` is localhost:5000.
 */
export function registryHost(image: string): string {
  const slash = image.indexOf("/");
  if (slash <= 0) return DEFAULT_REGISTRY;
  const first = image.slice(0, slash);
  if (first.includes(".") || first.includes(":") || first === "localhost" || first.toLowerCase() !== first) return first;
  return DEFAULT_REGISTRY;
}
