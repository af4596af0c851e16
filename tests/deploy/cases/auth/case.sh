# --with-registry-auth: Docker Hub from auths, two registries through a helper (a password, an
# identity token), one with nothing ("e30="), one whose auths key is a URL (matched by host)
FILES="stack.yml"
FLAGS="--with-registry-auth --resolve-image never"
AUTH=1
