# a changed file: new image, environment, replicas, a new service on a new network
SETUP="network shared-net; deploy a.yml"
FILES="b.yml"
FLAGS="--resolve-image never"
