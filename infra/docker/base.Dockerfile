# The shared base of every model-service image: Node, pnpm, and the model server's production
# dependencies (onnxruntime-node, sharp, fastify, tsx) installed from the lockfile, with the root
# package's own (tsx, typebox) that `pnpm models` runs with. Built once and reused, so a change to one
# model rebuilds only that model's layers (model-service.Dockerfile). `pnpm images build` builds it
# with the others; by hand:
#   docker build -f infra/docker/base.Dockerfile -t modelgate-base:local .
# Behind a TLS-inspecting proxy, hand its CA bundle to the steps that reach the npm registry:
#   --secret id=ca,src=/etc/ssl/certs/ca-certificates.crt (docs/operations.md, "Building the images").
# Debian (glibc), not Alpine: sharp and onnxruntime-node ship glibc binaries.
ARG NODE_IMAGE=node:24-bookworm-slim
FROM ${NODE_IMAGE}

# pnpm as package.json's packageManager pins it.
RUN --mount=type=secret,id=ca \
    { [ ! -s /run/secrets/ca ] || export NODE_EXTRA_CA_CERTS=/run/secrets/ca; } \
 && npm install --global pnpm@10.34.9 && npm cache clean --force

WORKDIR /app
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml .npmrc ./
COPY packages/server-kit/package.json packages/server-kit/
COPY services/model-server/package.json services/model-server/
# The store stays in a cache mount, out of the image. onnxruntime-node's install script would fetch
# CUDA files from outside (the CPU build ships in the package; pnpm-workspace.yaml leaves the script
# out too), and the package carries binaries for every platform (about 290 MB): keep only this one's.
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store --mount=type=secret,id=ca \
    { [ ! -s /run/secrets/ca ] || export NODE_EXTRA_CA_CERTS=/run/secrets/ca; } \
 && CI=true ONNXRUNTIME_NODE_INSTALL=skip pnpm install --prod --frozen-lockfile --store-dir /pnpm/store --filter modelgate --filter "@modelgate/model-server..." \
 && arch="$(node -p process.arch)" \
 && for bin in node_modules/.pnpm/onnxruntime-node@*/node_modules/onnxruntime-node/bin/napi-v*; do \
      find "$bin" -mindepth 1 -maxdepth 1 ! -name linux -exec rm -rf {} + ; \
      find "$bin/linux" -mindepth 1 -maxdepth 1 ! -name "$arch" -exec rm -rf {} + ; \
    done

ENV NODE_ENV=production
