#!/usr/bin/env bash
# Print a kubeconfig for the netbox-hedgehog ServiceAccount, ready to paste into the "kubeconfig" field of a fabric
# in NetBox. Run it where kubectl talks to the fabric's cluster, after applying serviceaccount.yaml and one role.
#
# The token and the cluster's CA certificate come from the token Secret, embedded in the kubeconfig (NetBox refuses
# kubeconfigs that point to local files or run programs). The API server URL is the argument, or else the server of
# kubectl's current context. Only the kubeconfig goes to standard output, messages go to standard error:
#   ./make-kubeconfig.sh > netbox-hedgehog.kubeconfig
set -euo pipefail

usage() {
    cat <<EOF
Usage: $(basename "$0") [-n NAMESPACE] [-s SECRET] [SERVER_URL]

Print a kubeconfig for the netbox-hedgehog ServiceAccount (token and CA certificate embedded) for a fabric's
"kubeconfig" field in NetBox.

  SERVER_URL    the fabric's Kubernetes API server as NetBox reaches it, https://HOST[:PORT]
                (default: the server of kubectl's current context)
  -n NAMESPACE  namespace of the token Secret (default: default)
  -s SECRET     name of the token Secret (default: netbox-hedgehog-token)
  -h            show this help

Environment: KUBECTL, the kubectl program (default: kubectl); TOKEN_WAIT_SECONDS, how long to wait for
Kubernetes to fill a freshly created token Secret (default: 30).
EOF
}

die() {
    echo "make-kubeconfig.sh: $*" >&2
    exit 1
}

namespace=default
secret=netbox-hedgehog-token
while getopts ':n:s:h' opt; do
    case "$opt" in
        n) namespace="$OPTARG" ;;
        s) secret="$OPTARG" ;;
        h) usage; exit 0 ;;
        :) usage >&2; die "option -$OPTARG needs a value" ;;
        *) usage >&2; die "unknown option -$OPTARG" ;;
    esac
done
shift $((OPTIND - 1))
if (($# > 1)); then
    usage >&2
    die 'too many arguments'
fi

kubectl="${KUBECTL:-kubectl}"
command -v "$kubectl" >/dev/null 2>&1 || die "$kubectl not found (set KUBECTL to the kubectl program)"
wait_seconds="${TOKEN_WAIT_SECONDS:-30}"
[[ "$wait_seconds" =~ ^[0-9]+$ ]] || die "TOKEN_WAIT_SECONDS must be a number of seconds, got '$wait_seconds'"

if (($# == 1)); then
    server="$1"
else
    server="$("$kubectl" config view --minify -o 'jsonpath={.clusters[0].cluster.server}')" \
        || die 'cannot read the API server of the current kubectl context; pass SERVER_URL'
    [[ -n "$server" ]] || die 'the current kubectl context names no API server; pass SERVER_URL'
fi
[[ "$server" =~ ^https://[^[:space:]\"\\]+$ ]] || die "the API server URL must be https://HOST[:PORT], got '$server'"

# secret_field KEY: the base64 value of one data key of the token Secret (empty while Kubernetes has not filled it).
secret_field() {
    "$kubectl" --namespace "$namespace" get secret "$secret" -o "jsonpath={.data.$1}"
}

# Kubernetes fills a new token Secret asynchronously: wait for the token.
for ((waited = 0; ; waited++)); do
    token_b64="$(secret_field token)" \
        || die "cannot read Secret $namespace/$secret (apply serviceaccount.yaml first, or pass -n/-s)"
    [[ -n "$token_b64" ]] && break
    ((waited < wait_seconds)) || die "Secret $namespace/$secret has no token after ${wait_seconds}s: it must be of" \
        "type kubernetes.io/service-account-token and annotated with an existing ServiceAccount"
    sleep 1
done
ca_b64="$(secret_field 'ca\.crt')" || die "cannot read Secret $namespace/$secret"
[[ -n "$ca_b64" ]] || die "Secret $namespace/$secret has no ca.crt"
[[ "$ca_b64" =~ ^[A-Za-z0-9+/=]+$ ]] || die "the ca.crt of Secret $namespace/$secret is not base64"
token="$(printf '%s' "$token_b64" | base64 -d)" || die "the token of Secret $namespace/$secret is not base64"
[[ "$token" =~ ^[A-Za-z0-9._-]+$ ]] || die "the token of Secret $namespace/$secret is not a service-account token"

cat <<EOF
apiVersion: v1
kind: Config
clusters:
  - name: hedgehog-fabric
    cluster:
      server: "$server"
      certificate-authority-data: $ca_b64
users:
  - name: netbox-hedgehog
    user:
      token: $token
contexts:
  - name: netbox-hedgehog@hedgehog-fabric
    context:
      cluster: hedgehog-fabric
      user: netbox-hedgehog
current-context: netbox-hedgehog@hedgehog-fabric
EOF
echo "make-kubeconfig.sh: kubeconfig for $server printed; paste it into the fabric's kubeconfig field in NetBox" >&2
