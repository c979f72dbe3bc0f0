// Renders the kubeconfig every client of the local cluster uses (admin token, the apiserver's CA).
import YAML from 'yaml';

/** Renders a kubeconfig for `server` with bearer `token`, trusting `caFile`. */
export function renderKubeconfig(server: string, token: string, caFile: string, name = 'tern-local'): string {
  return YAML.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server, 'certificate-authority': caFile } }],
    users: [{ name: `${name}-admin`, user: { token } }],
    contexts: [{ name, context: { cluster: name, user: `${name}-admin`, namespace: 'default' } }],
    'current-context': name,
  });
}
