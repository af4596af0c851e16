# DOCKER_HOST=ssh://...: `ssh -o ConnectTimeout=30 -T -l USER -p PORT -- HOST docker system dial-stdio`
# (tests/deploy/ssh-bin/ssh relays to the fake engine), the same requests over it as over a socket,
# Host docker.example.com and the helper transport's Accept-Encoding; the update path
SETUP="network shared-net; deploy stack.yml"
FILES="stack.yml"
FLAGS="--resolve-image never"
SSH="ssh://deployer@swarm.example:2222"
