# a first deploy: an external network, a stack network, a secret referenced twice, a config
FILES="stack.yml"
FLAGS="--resolve-image never"
