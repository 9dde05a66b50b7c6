#!/usr/bin/env python3
"""Generates the benchmark corpora deterministically (fixed seeds), in three shapes:

- services (default): N services, each with compose, Kubernetes, AsyncAPI, broker configs,
  package manifests, source files and docs; every third service has a busfit.yaml.
- monorepo: N services in teams, shaped like a large company repository: annotated
  Kubernetes workloads and compose services with inline flows, Spring configs, AsyncAPI
  documents, broker StatefulSets and configs, CI workflows, and mostly source, tests and docs;
  thousands of findings. 1,280 services give 26,700 files.
- charts: N Helm charts, shaped like a public chart repository: big values.yaml files (most
  charts deploy no bus; some are bus charts or depend on one), values.schema.json, templates
  with {{ }}, CustomResourceDefinitions whose schema descriptions mention buses, CI values
  files and long READMEs.

Usage: gen_corpus.py OUT_DIR [N] [--shape services|monorepo|charts]"""
import os
import random
import sys

args = [a for a in sys.argv[1:] if not a.startswith("--shape")]
shape = "services"
for i, a in enumerate(sys.argv):
    if a.startswith("--shape="):
        shape = a.split("=", 1)[1]
    elif a == "--shape" and i + 1 < len(sys.argv):
        shape = sys.argv[i + 1]
        args = [x for x in args if x != shape]
out = args[0]
n = int(args[1]) if len(args) > 1 else {"services": 2000, "monorepo": 1280, "charts": 130}[shape]
rng = random.Random(20261125)

BUSES = ["kafka", "redis", "mqtt"]
IMAGES = {"kafka": "confluentinc/cp-kafka:7.6.1", "redis": "redis:7.2", "mqtt": "eclipse-mosquitto:2.0"}
LIBS = {"kafka": "kafkajs", "redis": "ioredis", "mqtt": "mqtt"}
PY = {"kafka": "confluent-kafka==2.3.0", "redis": "redis==5.0.1", "mqtt": "paho-mqtt==2.1.0"}


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def package_json(d, svc, i, bus):
    write(f"{d}/package.json", f'{{\n  "name": "{svc}",\n  "version": "1.0.{i}",\n  "dependencies": {{\n    "{LIBS[bus]}": "^5.0.0",\n    "express": "^4.19.0"\n  }}\n}}\n')


def requirements(d, bus):
    write(f"{d}/requirements.txt", f"{PY[bus]}\nfastapi>=0.110\npydantic>=2\n")


def services():
    for i in range(n):
        bus = BUSES[i % 3]
        svc = f"svc{i:04d}"
        d = os.path.join(out, "services", svc)
        rf = rng.choice([1, 3])
        write(f"{d}/docker-compose.yml", f"""services:
  broker:
    image: {IMAGES[bus]}
    environment:
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: {rf}
      KAFKA_MIN_INSYNC_REPLICAS: {rng.choice([1, 2])}
  app:
    build: .
    depends_on: [broker]
    environment:
      BROKER_URL: {bus}://broker:1234
""")
        write(f"{d}/k8s/deployment.yaml", f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {svc}
  labels: {{ app: {svc} }}
spec:
  replicas: {rng.randint(1, 5)}
  template:
    spec:
      containers:
        - name: app
          image: registry.example.com/{svc}:1.{i}
          env:
            - name: LOG_LEVEL
              value: info
---
apiVersion: v1
kind: Service
metadata:
  name: {svc}
spec:
  ports: [{{ port: 80 }}]
""")
        write(f"{d}/asyncapi.yaml", f"""asyncapi: 2.6.0
info:
  title: {svc}
  version: 1.0.0
servers:
  prod:
    url: broker:1234
    protocol: {bus}
channels:
  {svc}/events:
    subscribe:
      message:
        payload: {{ type: object }}
""")
        if bus == "kafka":
            write(f"{d}/config/server.properties", f"process.roles=broker,controller\nnode.id={i}\nlisteners=PLAINTEXT://:9092\nnum.partitions={rng.randint(1, 12)}\n")
        elif bus == "redis":
            write(f"{d}/config/redis.conf", f"bind 127.0.0.1\nappendonly {rng.choice(['yes', 'no'])}\nmaxmemory-policy {rng.choice(['noeviction', 'allkeys-lru'])}\n")
        else:
            write(f"{d}/config/mosquitto.conf", f"listener 1883\nallow_anonymous {rng.choice(['true', 'false'])}\npersistence true\n")
        package_json(d, svc, i, bus)
        requirements(d, bus)
        for k in range(3):
            body = "\n".join(f"    x{j} = {j} * {k}" for j in range(rng.randint(20, 60)))
            write(f"{d}/src/module{k}.py", f"def handler{k}(event):\n{body}\n    return event\n")
        write(f"{d}/Dockerfile", f"FROM python:3.12-slim\nCOPY . /app\nRUN pip install -r /app/requirements.txt\nCMD [\"python\", \"-m\", \"{svc}\"]\n")
        write(f"{d}/docs/architecture.md", f"# {svc} architecture\n\n" + "The service consumes events and writes state. " * rng.randint(5, 20) + "\n")
        write(f"{d}/README.md", f"# {svc}\n\n" + "Lorem ipsum dolor sit amet. " * rng.randint(10, 40) + "\n")
        if i % 3 == 0:
            write(f"{d}/busfit.yaml", f"""version: 1
flows:
  - name: {svc}-events
    bus: {bus}
    requires:
      delivery: {rng.choice(['at-least-once', 'exactly-once'])}
      latency: {rng.choice(['5ms', '50ms', '500ms'])}
      retention: {rng.choice(['0', '1d', '7d'])}
""")
    write(os.path.join(out, "README.md"), "# generated monorepo for the busfit benchmark\n")


LOREM = ("The service reads events from its topic, joins them with the account state and "
         "writes the result. Retries are bounded and every failure is logged with its key. ")


def source_file(lang, k):
    lines = rng.randint(40, 160)
    if lang == "py":
        return "import json\n\n" + "\n".join(f"def step_{k}_{j}(event):\n    return json.dumps({{'k': {j}, 'v': event}})\n" for j in range(lines // 3))
    if lang == "ts":
        return "\n".join(f"export function step{k}_{j}(e: unknown): string {{ return JSON.stringify({{ k: {j}, e }}); }}" for j in range(lines))
    return "package main\n\n" + "\n".join(f"func step{k}_{j}(e string) string {{ return e + \"{j}\" }}" for j in range(lines))


def monorepo():
    """Teams of services; each service is ~22 files, a fifth of them about a bus."""
    teams = [f"team-{t:02d}" for t in range(40)]
    for i in range(n):
        bus = BUSES[i % 3]
        team = teams[i % len(teams)]
        svc = f"svc{i:04d}"
        d = os.path.join(out, "teams", team, svc)
        lang = ["py", "ts", "go"][i % 3]
        delivery = rng.choice(["at-least-once", "exactly-once", "at-most-once"])
        latency = rng.choice(["1ms", "5ms", "50ms", "500ms"])
        # the workload, annotated with its flow's needs, its Service and its ConfigMap
        write(f"{d}/deploy/k8s/workload.yaml", f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {svc}
  labels:
    app.kubernetes.io/name: {svc}
    app.kubernetes.io/part-of: {team}
  annotations:
    busfit.dev/delivery: {delivery}
    busfit.dev/latency: {latency}
    busfit.dev/bus: {bus}
spec:
  replicas: {rng.randint(2, 6)}
  selector:
    matchLabels:
      app.kubernetes.io/name: {svc}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: {svc}
    spec:
      containers:
        - name: app
          image: registry.example.com/{team}/{svc}:1.{i}.0
          ports:
            - containerPort: 8080
          env:
            - name: BROKER_URL
              value: {bus}://broker.{team}:1234
            - name: LOG_LEVEL
              value: info
          resources:
            requests: {{ cpu: 100m, memory: 256Mi }}
            limits: {{ cpu: "1", memory: 512Mi }}
          readinessProbe:
            httpGet: {{ path: /ready, port: 8080 }}
---
apiVersion: v1
kind: Service
metadata:
  name: {svc}
spec:
  selector:
    app.kubernetes.io/name: {svc}
  ports:
    - port: 80
      targetPort: 8080
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {svc}-settings
data:
  FEATURE_FLAGS: "checkout,search"
  TIMEOUT_MS: "{rng.randint(100, 5000)}"
""")
        if i % 4 == 0:
            # the team's broker, as a StatefulSet
            rf = rng.choice([1, 3])
            env = ""
            if bus == "kafka":
                env = f"""
          env:
            - name: KAFKA_DEFAULT_REPLICATION_FACTOR
              value: "{rf}"
            - name: KAFKA_MIN_INSYNC_REPLICAS
              value: "{rng.choice([1, 2])}\""""
            write(f"{d}/deploy/k8s/broker.yaml", f"""apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: broker-{svc}
spec:
  replicas: {rng.choice([1, 3])}
  template:
    spec:
      containers:
        - name: broker
          image: {IMAGES[bus]}{env}
""")
        write(f"{d}/docker-compose.yml", f"""services:
  broker:
    image: {IMAGES[bus]}
    environment:
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: {rng.choice([1, 3])}
  app:
    build: .
    depends_on: [broker]
    x-busfit:
      requires:
        delivery: {delivery}
        latency: {latency}
    environment:
      BROKER_URL: {bus}://broker:1234
""")
        write(f"{d}/api/asyncapi.yaml", f"""asyncapi: 2.6.0
info:
  title: {svc}
  version: 1.{i}.0
servers:
  prod:
    url: broker.{team}:1234
    protocol: {bus}
channels:
  {team}/{svc}/events:
    x-busfit:
      requires:
        delivery: {rng.choice(['at-least-once', 'at-most-once'])}
    subscribe:
      message:
        payload:
          type: object
          properties:
            id: {{ type: string }}
            amount: {{ type: number }}
""")
        if bus == "kafka":
            write(f"{d}/src/main/resources/application.yml", f"""server:
  port: 8080
spring:
  application:
    name: {svc}
  kafka:
    bootstrap-servers: broker.{team}:9092
    producer:
      acks: {rng.choice(['all', '1', '0'])}
      retries: {rng.choice([0, 3])}
    consumer:
      group-id: {svc}
      enable-auto-commit: {rng.choice(['true', 'false'])}
management:
  endpoints:
    web:
      exposure:
        include: health,info
""")
            write(f"{d}/config/server.properties", f"process.roles=broker,controller\nnode.id={i}\nlisteners=PLAINTEXT://:9092\nnum.partitions={rng.randint(1, 12)}\ndefault.replication.factor={rng.choice([1, 3])}\n")
        elif bus == "redis":
            write(f"{d}/config/redis.conf", f"bind 0.0.0.0\nappendonly {rng.choice(['yes', 'no'])}\nmaxmemory-policy {rng.choice(['noeviction', 'allkeys-lru'])}\n")
        else:
            write(f"{d}/config/mosquitto.conf", f"listener 1883\nallow_anonymous {rng.choice(['true', 'false'])}\npersistence true\n")
        if lang == "ts":
            package_json(d, svc, i, bus)
        elif lang == "py":
            requirements(d, bus)
        else:
            write(f"{d}/go.mod", f"module example.com/{team}/{svc}\n\ngo 1.22\n\nrequire github.com/segmentio/kafka-go v0.4.47\n")
        # CI: YAML that names no bus
        write(f"{d}/.github/workflows/ci.yml", f"""name: {svc} CI
on:
  push:
    paths: ["teams/{team}/{svc}/**"]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: make test
""")
        for k in range(7):
            write(f"{d}/src/{svc}/part{k}.{lang}", source_file(lang, k))
        for k in range(3):
            write(f"{d}/tests/test_part{k}.{lang}", source_file(lang, k))
        write(f"{d}/Dockerfile", f"FROM python:3.12-slim\nCOPY . /app\nCMD [\"/app/run\"]\n")
        write(f"{d}/Makefile", "test:\n\t./run-tests\n")
        write(f"{d}/docs/design.md", f"# {svc}\n\n" + LOREM * rng.randint(5, 30) + "\n")
        write(f"{d}/README.md", f"# {svc}\n\n" + LOREM * rng.randint(3, 10) + "\n")
        if i % 4 == 1:
            write(f"{d}/busfit.yaml", f"""version: 1
flows:
  - name: {svc}-events
    bus: {bus}
    requires:
      delivery: {delivery}
      latency: {latency}
      retention: {rng.choice(['0', '1d', '7d'])}
""")
    write(os.path.join(out, "README.md"), "# generated monorepo for the busfit benchmark\n")


BUS_CHARTS = {"kafka": "bitnami/kafka", "redis": "bitnami/redis", "rabbitmq": "bitnami/rabbitmq"}
APPS = ["nginx", "wordpress", "postgresql", "mariadb", "grafana", "keycloak", "airflow", "gitea",
        "ghost", "jenkins", "mongodb", "elasticsearch", "minio", "harbor", "thanos", "argo-cd"]


def values_text(chart, image, extra, blocks):
    out = [f"""global:
  imageRegistry: ""
  imagePullSecrets: []
  storageClass: ""
image:
  registry: docker.io
  repository: {image}
  tag: 1.2.{rng.randint(0, 40)}-debian-12-r{rng.randint(0, 9)}
  pullPolicy: IfNotPresent
{extra}"""]
    for b in range(blocks):
        out.append(f"""## @section Component {b} parameters
component{b}:
  ## @param component{b}.enabled Whether to deploy component {b}
  enabled: {rng.choice(['true', 'false'])}
  replicaCount: {rng.randint(1, 3)}
  containerPorts:
    http: {8000 + b}
  resources:
    requests:
      cpu: 100m
      memory: 128Mi
  podSecurityContext:
    enabled: true
    fsGroup: 1001
  containerSecurityContext:
    enabled: true
    runAsUser: 1001
    runAsNonRoot: true
    readOnlyRootFilesystem: true
  livenessProbe:
    enabled: true
    initialDelaySeconds: 30
    periodSeconds: 10
  extraEnvVars: []
  nodeSelector: {{}}
  tolerations: []
  service:
    type: ClusterIP
    ports:
      http: 80
    annotations: {{}}
""")
    return "\n".join(out)


def crd_text(name, mentions):
    props = "\n".join(f"""                field{j}:
                  description: {rng.choice(mentions)} setting {j} of the {name}; see the operator's documentation for the accepted values and their defaults.
                  type: string""" for j in range(400))
    return f"""apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: {name}s.example.com
spec:
  group: example.com
  names:
    kind: {name.capitalize()}
    plural: {name}s
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
{props}
"""


def charts():
    """A chart repository: most charts deploy no bus; a few are bus charts or depend on one."""
    mentions = ["The redis cache", "A rabbitmq vhost", "The path of a .conf file", "Extra services: entries", "The value"]
    for i in range(n):
        bus = list(BUS_CHARTS)[i % 3] if i % 10 == 0 else None
        name = bus if bus and i < 3 * 10 else (f"{bus}-{i}" if bus else f"{APPS[i % len(APPS)]}-{i}")
        d = os.path.join(out, "bitnami", name)
        deps = ""
        if bus is None and i % 7 == 3:
            dep = list(BUS_CHARTS)[i % 3]
            deps = f"""dependencies:
  - condition: {dep}.enabled
    name: {dep}
    repository: oci://registry-1.docker.io/bitnamicharts
    version: 19.x.x
"""
        write(f"{d}/Chart.yaml", f"""annotations:
  category: Infrastructure
  licenses: Apache-2.0
apiVersion: v2
appVersion: 1.2.{i}
{deps}description: Chart {name}, generated for the busfit benchmark.
name: {name}
version: {i}.0.0
""")
        image = BUS_CHARTS[bus] if bus else f"bitnami/{APPS[i % len(APPS)]}"
        extra = ""
        if bus == "kafka":
            extra = "defaultReplicationFactor: 1\nminInsyncReplicas: 1\nautoCreateTopicsEnable: true\n"
        elif bus == "redis":
            extra = "auth:\n  enabled: false\ncommonConfiguration: |-\n  appendonly no\n  save \"\"\n"
        elif bus == "rabbitmq":
            extra = "auth:\n  username: user\nreplicaCount: 1\n"
        write(f"{d}/values.yaml", values_text(name, image, extra, rng.randint(60, 160)))
        write(f"{d}/values.schema.json", "{\n  \"type\": \"object\",\n  \"properties\": {\n" + ",\n".join(f'    "p{j}": {{ "type": "string", "description": "parameter {j}" }}' for j in range(rng.randint(100, 400))) + "\n  }\n}\n")
        for k in range(2):
            write(f"{d}/ci/values-{k}.yaml", f"image:\n  tag: latest\ncomponent{k}:\n  enabled: true\n")
        for k in range(rng.randint(10, 24)):
            write(f"{d}/templates/part{k}.yaml", f"""{{{{- if .Values.component{k}.enabled }}}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{{{ include "common.names.fullname" . }}}}-{k}
  labels: {{{{- include "common.labels.standard" . | nindent 4 }}}}
spec:
  replicas: {{{{ .Values.component{k}.replicaCount }}}}
  template:
    spec:
      containers:
        - name: c{k}
          image: {{{{ include "common.images.image" (dict "imageRoot" .Values.image) }}}}
          ports:
            - containerPort: {{{{ .Values.component{k}.containerPorts.http }}}}
{{{{- end }}}}
""")
        write(f"{d}/templates/_helpers.tpl", "{{/* helpers */}}\n{{- define \"x.name\" -}}{{ .Chart.Name }}{{- end -}}\n")
        if i % 4 == 0:
            for k in range(rng.randint(1, 4)):
                write(f"{d}/crds/crd-{k}.yaml", crd_text(f"{name.replace('-', '')}res{k}", mentions))
        write(f"{d}/README.md", f"# {name}\n\n" + ("| `component.param` | A parameter of the chart | `value` |\n" * rng.randint(300, 900)))
    write(os.path.join(out, "README.md"), "# generated chart repository for the busfit benchmark\n")


{"services": services, "monorepo": monorepo, "charts": charts}[shape]()
