#!/usr/bin/env python3
"""api-gen.py SEED: a seeded random Compose file mixing every mapping convert --to api
knows (for scripts/api-differential.sh). Needs s1.txt, s2.txt, c1.txt beside it."""
import random, sys
r = random.Random(int(sys.argv[1]))
def ch(*a): return r.choice(a)
lines = ['version: "%s"' % ch("3.8", "3.9", "3.12", "3.13"), 'services:']
nets = ['front', 'back', 'ext']
vols = ['data', 'named', 'extv']
svcs = []
for i in range(r.randint(1, 4)):
    name = ch('web', 'api', 'db', 'worker', 'x-y', 'A1') + str(i)
    L = ['  %s:' % name]
    L.append('    image: %s' % ch('nginx', 'nginx:1.2', 'library/redis', 'docker.io/x/y:z', 'quay.io/a/b', 'localhost:5000/q', 'alpine@sha256:' + 'a'*64, 'reg.io:443/p/q:t@sha256:' + 'b'*64))
    if r.random() < .5: L.append('    command: %s' % ch('"sh -c \'echo hi\'"', '["a", "b c"]', '[]', '""'))
    if r.random() < .3: L.append('    entrypoint: %s' % ch('/bin/sh', '["/e", "-x"]', '[]'))
    if r.random() < .5:
        L.append('    environment:')
        for k in r.sample(['B', 'a', 'A', 'Z_1', 'EMPTY', 'NUL', 'HOME', 'x.y'], r.randint(1, 4)):
            L.append('      %s: %s' % (k, ch('"v"', '""', 'null', '"a=b"', '1', '"sp ace"')))
    if r.random() < .4:
        L.append('    labels: [%s]' % ", ".join(r.sample(['a=1', 'b', 'com.docker.stack.namespace=zz', 'c=x=y'], 2)))
    if r.random() < .4: L.append('    restart: %s' % ch('always', '"no"', 'on-failure', 'on-failure:2', 'unless-stopped'))
    if r.random() < .4:
        L.append('    healthcheck:')
        for k, v in r.sample([('test', '["CMD", "x"]'), ('test', 'curl x'), ('interval', '10s'), ('timeout', '1m'), ('retries', '2'), ('start_period', '5s'), ('disable', 'false')], 2):
            L.append('      %s: %s' % (k, v))
    if r.random() < .5:
        L.append('    networks:')
        for n in r.sample(nets, r.randint(1, 3)):
            if r.random() < .5:
                L.append('      %s:' % n)
                if r.random() < .5: L.append('        aliases: [al-%s]' % n)
            else:
                L.append('      %s: {}' % n)
    if r.random() < .5:
        L.append('    volumes:')
        for v in r.sample(['data:/d', 'named:/n:ro', 'extv:/e:nocopy', '/abs:/abs', './rel:/rel:z', '/anon', '~/h:/h'], r.randint(1, 3)):
            L.append('      - %s' % v)
    if r.random() < .5:
        L.append('    ports:')
        for p in r.sample(['"80"', '"8080:80"', '"53:53/udp"', '"9000-9001:9000-9001"', '"127.0.0.1:81:81"', '443'], r.randint(1, 3)):
            L.append('      - %s' % p)
    if r.random() < .4: L.append('    cap_add: [%s]' % ", ".join(r.sample(['net_admin', 'ALL', 'SYS_TIME', 'cap_chown'], 2)))
    if r.random() < .3: L.append('    cap_drop: [%s]' % ", ".join(r.sample(['net_admin', 'ALL', 'MKNOD', 'chown'], 2)))
    if r.random() < .3: L.append('    secrets: [s1, {source: s2, target: t2, mode: 0400}]')
    if r.random() < .3: L.append('    configs: [c1]')
    if r.random() < .3: L.append('    stop_grace_period: %s' % ch('1s', '1m30s', '0s', '100ms'))
    if r.random() < .3: L.append('    ulimits: {nofile: {soft: 1, hard: 2}, nproc: 3}')
    if r.random() < .3: L.append('    extra_hosts: ["a:1.2.3.4", "b=5.6.7.8"]')
    if r.random() < .6:
        L.append('    deploy:')
        m = ch('replicated', 'global', None)
        if m: L.append('      mode: %s' % m)
        if m != 'global' and r.random() < .6: L.append('      replicas: %d' % r.randint(0, 5))
        if r.random() < .4: L.append('      endpoint_mode: %s' % ch('vip', 'dnsrr', 'VIP'))
        if r.random() < .4: L.append('      labels: {lbl: v}')
        if r.random() < .5:
            L.append('      resources:')
            L.append('        limits: {cpus: "%s", memory: %s}' % (ch('0.5', '1', '2.25', '.1'), ch('50M', '1g', '"1024"')))
            if r.random() < .5: L.append('        reservations: {memory: 10m}')
        if r.random() < .4: L.append('      restart_policy: {condition: %s, delay: 5s}' % ch('any', 'on-failure', 'none'))
        if r.random() < .4: L.append('      update_config: {parallelism: %d, order: %s, max_failure_ratio: %s}' % (r.randint(0, 3), ch('start-first', 'stop-first'), ch('0.2', '0', '0.75')))
        if r.random() < .3: L.append('      rollback_config: {delay: 1s}')
        if r.random() < .4: L.append('      placement: {constraints: [node.role==manager], preferences: [{spread: node.id}]}')
    lines += L
lines += ['networks:', '  front: {driver: overlay, attachable: true}', '  back:', '    driver_opts: {a: "1"}', '    labels: [x=y]', '  ext: {external: true, name: outside}']
lines += ['volumes:', '  data:', '    driver_opts: {type: tmpfs, device: tmpfs}', '  named: {name: the-named, labels: {k: v}}', '  extv: {external: true}']
lines += ['secrets:', '  s1: {file: ./s1.txt}', '  s2: {file: ./s2.txt, labels: [l=1]}', 'configs:', '  c1: {file: ./c1.txt, name: cfg-one}']
print("\n".join(lines))
