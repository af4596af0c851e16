# a service someone forced (docker service update --force): the update keeps its ForceUpdate
SETUP="network shared-net; deploy stack.yml; force web"
FILES="stack.yml"
FLAGS="--resolve-image never"
