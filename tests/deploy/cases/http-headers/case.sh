# the docker config's HttpHeaders go on every request (the CLI's own User-Agent wins)
FILES="stack.yml"
FLAGS="--resolve-image never"
AUTH=1
