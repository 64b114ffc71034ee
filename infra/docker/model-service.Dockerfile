# One image per model, all from this file, on the shared base image (base.Dockerfile):
#   pnpm images build [--models-from <mirror>]                      every image (docs/operations.md)
#   docker build -f infra/docker/model-service.Dockerfile --build-arg MODEL_ID=resnet \
#     --build-arg BASE_IMAGE=modelgate-base:local -t modelgate-resnet:local .
# The model is pulled and its sha256 checked here, at build time (`pnpm models pull`), so a container
# starts in seconds and never needs the network. Without internet, MODELS_FROM names a mirror, of the
# catalog's files or of whole bundles (<mirror>/<id>/model.json and the files it names): an http(s) URL,
# or /mirror for a folder mounted there (MODELS_MIRROR below).
# The container runs what `pnpm --dir services/<id> start` runs: model-server service.json.
ARG BASE_IMAGE=modelgate-base
# A folder mirror mounted at /mirror: an image holding it (pnpm images build --models-from <folder> makes
# one), or with BuildKit's named contexts the folder itself (--build-context models-mirror=<folder>).
ARG MODELS_MIRROR=scratch

FROM ${MODELS_MIRROR} AS models-mirror

FROM ${BASE_IMAGE} AS models
# Only what `pnpm models pull` runs, so that a change to the server's code does not pull the model again.
COPY scripts/models.ts scripts/
COPY scripts/models/ scripts/models/
COPY models/zoo/ models/zoo/
COPY services/model-server/src/bundle/ services/model-server/src/bundle/
ARG MODEL_ID
ARG MODELS_FROM=
RUN --mount=type=bind,from=models-mirror,target=/mirror \
    test -n "$MODEL_ID" || { echo 'build argument MODEL_ID is required (resnet, mobilenet, resnet-int8)' >&2; exit 1; } ; \
    MODELS_DIR=/models pnpm models pull "$MODEL_ID" ${MODELS_FROM:+--from "$MODELS_FROM"}

FROM ${BASE_IMAGE}
ARG MODEL_ID
LABEL org.opencontainers.image.title="modelgate-${MODEL_ID}" \
      org.opencontainers.image.description="Modelgate model service: ${MODEL_ID}" \
      org.opencontainers.image.licenses="Apache-2.0"
# The model first: a code change leaves this (large) layer as it is.
COPY --from=models /models/${MODEL_ID}/ /models/${MODEL_ID}/
COPY LICENSE NOTICE ./
COPY packages/server-kit/ packages/server-kit/
COPY services/model-server/ services/model-server/
COPY services/${MODEL_ID}/service.json services/${MODEL_ID}/

# The port is service.json's (8101, 8102, 8103); PORT would override it. HOST: reachable from outside.
ENV HOST=0.0.0.0 \
    MODEL_BUNDLE=/models/${MODEL_ID}
# A numeric user, so Kubernetes' runAsNonRoot can check it (uid 1000 is "node" in the Node images).
USER 1000:1000
WORKDIR /app/services/${MODEL_ID}
# /readyz answers 200 once the model is loaded and warmed up. No curl in slim images: Node's fetch.
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "const port = process.env.PORT || require('./service.json').port; fetch('http://127.0.0.1:' + port + '/readyz', { signal: AbortSignal.timeout(2000) }).then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1))"]
CMD ["node", "../model-server/bin/model-server.js", "service.json"]
