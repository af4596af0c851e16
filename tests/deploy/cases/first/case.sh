# a first deploy: an external network, a stack network, a secret referenced twice, a config
SETUP="network shared-net"
FILES="stack.yml"
FLAGS="--resolve-image never"
