# The gateway: `pnpm images build gateway`, or docker build -f infra/docker/gateway.Dockerfile -t modelgate-gateway:local .
# (behind a TLS-inspecting proxy: --secret id=ca,src=<CA bundle>, as in base.Dockerfile).
# Runs what `pnpm --dir gateway start` runs (node bin/gateway.js), with production dependencies only.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS deps
# better-sqlite3 compiles itself when no prebuilt binary fits this platform, with the image's own
# Node headers (npm_config_nodedir) rather than a download.
ENV npm_config_nodedir=/usr/local
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
RUN --mount=type=secret,id=ca \
    { [ ! -s /run/secrets/ca ] || export NODE_EXTRA_CA_CERTS=/run/secrets/ca; } \
 && npm install --global pnpm@10.34.9
WORKDIR /app
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml .npmrc ./
COPY packages/server-kit/package.json packages/server-kit/
COPY gateway/package.json gateway/
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store --mount=type=secret,id=ca \
    { [ ! -s /run/secrets/ca ] || export NODE_EXTRA_CA_CERTS=/run/secrets/ca; } \
 && CI=true pnpm install --prod --frozen-lockfile --store-dir /pnpm/store --filter "@modelgate/gateway..."

FROM ${NODE_IMAGE}
LABEL org.opencontainers.image.title="modelgate-gateway" \
      org.opencontainers.image.licenses="Apache-2.0"
WORKDIR /app
COPY --from=deps /app/ ./
COPY LICENSE NOTICE ./
COPY packages/server-kit/ packages/server-kit/
COPY gateway/ gateway/
# DATA_DIR holds the SQLite key store, the generated signing key and the instance lock: a volume.
RUN mkdir -p /data && chown 1000:1000 /data

ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    DATA_DIR=/data
USER 1000:1000
WORKDIR /app/gateway
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/readyz', { signal: AbortSignal.timeout(2000) }).then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1))"]
CMD ["node", "bin/gateway.js"]
