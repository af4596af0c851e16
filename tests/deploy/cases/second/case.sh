# the same file again: networks exist, the secret and config are updated, the services updated
SETUP="network shared-net; deploy stack.yml"
FILES="stack.yml"
FLAGS="--resolve-image never"
