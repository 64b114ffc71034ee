# The web UI: `pnpm images build web`, or docker build -f infra/docker/web.Dockerfile -t modelgate-web:local .
# (behind a TLS-inspecting proxy: --secret id=ca,src=<CA bundle>, as in base.Dockerfile).
# The page is built here (vite); the container only serves it, with the gateway's address (GATEWAY_URL)
# written into index.html when it starts. Runs what `pnpm --dir web start` runs, minus the build.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS pnpm
RUN --mount=type=secret,id=ca \
    { [ ! -s /run/secrets/ca ] || export NODE_EXTRA_CA_CERTS=/run/secrets/ca; } \
 && npm install --global pnpm@10.34.9
WORKDIR /app
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml .npmrc ./
COPY packages/server-kit/package.json packages/server-kit/
COPY packages/client/package.json packages/client/
COPY web/package.json web/

FROM pnpm AS build
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store --mount=type=secret,id=ca \
    { [ ! -s /run/secrets/ca ] || export NODE_EXTRA_CA_CERTS=/run/secrets/ca; } \
 && CI=true pnpm install --frozen-lockfile --store-dir /pnpm/store --filter "@modelgate/web..."
# web/tsconfig.json extends the repository's base configuration, which vite's transform reads.
COPY tsconfig.base.json ./
# The page talks to the gateway through @modelgate/client, bundled from its sources.
COPY packages/client/src/ packages/client/src/
COPY web/ web/
RUN pnpm --dir web build

FROM pnpm AS deps
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store --mount=type=secret,id=ca \
    { [ ! -s /run/secrets/ca ] || export NODE_EXTRA_CA_CERTS=/run/secrets/ca; } \
 && CI=true pnpm install --prod --frozen-lockfile --store-dir /pnpm/store --filter "@modelgate/web..."

FROM ${NODE_IMAGE}
LABEL org.opencontainers.image.title="modelgate-web" \
      org.opencontainers.image.licenses="Apache-2.0"
WORKDIR /app
COPY --from=deps /app/ ./
COPY LICENSE NOTICE ./
COPY packages/server-kit/ packages/server-kit/
COPY web/server.ts web/
COPY web/server/ web/server/
# Without web/src beside it, server.ts sees no stale build and never starts vite.
COPY --from=build /app/web/dist/ web/dist/

ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    WEB_PORT=3000
USER 1000:1000
WORKDIR /app/web
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.WEB_PORT || 3000) + '/readyz', { signal: AbortSignal.timeout(2000) }).then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--import", "tsx", "server.ts"]
