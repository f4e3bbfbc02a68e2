# syntax=docker/dockerfile:1

# --- build: compile TypeScript and install production dependencies -------------------
# Node 24 LTS (docs/runtime.md). The full image has python3, make and g++ for better-sqlite3,
# whose prebuilt binary is not always reachable; the runtime stage gets only the result.
FROM node:24-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
# The same install as .ci/run: the lock file holds every platform's optional binaries.
RUN npm ci --no-fund --no-audit
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

# --- go: the toolchain the agent and the verifier run --------------------------------
FROM golang:1.26-bookworm AS go
# gopls (the agent's code tools), golangci-lint, govulncheck and benchstat (verdict rows), at their pins.
COPY src/golang/tool-versions.ts /src/golang/tool-versions.ts
COPY bin/install-go-tools.sh /bin-src/install-go-tools.sh
RUN GO_TOOLS_DIR=/opt/go-tools GOPATH=/tmp/gopath GOCACHE=/tmp/gocache sh /bin-src/install-go-tools.sh \
 && rm -rf /tmp/gopath /tmp/gocache

# --- runtime ----------------------------------------------------------------------------
FROM node:24-bookworm-slim
# gcc and libc6-dev: the verifier builds with cgo (CGO_ENABLED follows the C compiler), which
# `go test -race` and packages with C code need. postgresql, redis-server and nats-server: the
# per-job services a repository's integration tests ask for (src/services).
RUN apt-get update \
 && apt-get install -y --no-install-recommends git ca-certificates bubblewrap gcc libc6-dev \
    postgresql redis-server nats-server \
 && rm -rf /var/lib/apt/lists/*
COPY --from=go /usr/local/go /usr/local/go
COPY --from=go /opt/go-tools/bin /opt/go-tools/bin
ENV PATH=/usr/local/go/bin:$PATH \
    NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data \
    GO_TOOLS_DIR=/opt/go-tools
RUN useradd --create-home --uid 10001 app && mkdir -p /data && chown app:app /data
WORKDIR /app
COPY --from=build --chown=app:app /app/node_modules ./node_modules
COPY --from=build --chown=app:app /app/dist ./dist
COPY --chown=app:app package.json app.yml ./
COPY --chown=app:app agents ./agents
COPY --chown=app:app bin ./bin
# The evidence rows' Go helper ships as source; the app builds it with its own Go on first use.
COPY --chown=app:app src/verify/evidence/helper ./src/verify/evidence/helper
# So does the services bridge that gives a job's sandboxed Go runs their NATS (src/services/bridge).
COPY --chown=app:app src/services/bridge ./src/services/bridge
USER app
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/main.js"]
