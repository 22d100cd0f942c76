# syntax=docker/dockerfile:1
# Build stage: compile TypeScript and keep only production dependencies.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json rolldown.config.ts ./
COPY scripts ./scripts
COPY src ./src
# The build parses the shipped rules ahead of start-up (src/cli/build-parsed-rules.ts).
COPY rules ./rules
RUN npm run build && npm prune --omit=dev

# Runtime stage: current Node LTS, non-root, tini as PID 1 so SIGTERM reaches qoswatch and
# zombies are reaped. (Or drop tini and run with `docker run --init`.)
# test/deploy/container.test.ts assembles this stage's files from the COPY lines below and runs
# them as a non-root user: keep every COPY on one line, sources then destination.
FROM node:24-bookworm-slim
# OCI labels. The documentation is the one the npm package of this version ships; REVISION (the
# commit built: --build-arg REVISION=$(git rev-parse HEAD)) and SOURCE (the URL of the repository
# it came from) are the publisher's to give, and empty when not given.
ARG VERSION=0.1.0
ARG REVISION=""
ARG SOURCE=""
LABEL org.opencontainers.image.title="qoswatch" \
  org.opencontainers.image.description="Alerting daemon for Zoom call quality" \
  org.opencontainers.image.version="${VERSION}" \
  org.opencontainers.image.revision="${REVISION}" \
  org.opencontainers.image.source="${SOURCE}" \
  org.opencontainers.image.licenses="Apache-2.0" \
  org.opencontainers.image.documentation="https://unpkg.com/qoswatch@${VERSION}/docs/deployment.md"
ENV NODE_ENV=production \
  QOSWATCH_STATE_DIR=/var/lib/qoswatch
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini \
  && rm -rf /var/lib/apt/lists/* \
  && mkdir -p /var/lib/qoswatch /etc/qoswatch \
  && chown node:node /var/lib/qoswatch
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# Data files read at run time (JSON schemas, the default scenario); no TypeScript sources.
COPY --from=build /app/src/config/config.schema.json ./src/config/
COPY --from=build /app/src/evaluate/rules.schema.json ./src/evaluate/
COPY --from=build /app/src/simulator/scenarios ./src/simulator/scenarios
COPY package.json config.example.yaml LICENSE ./
COPY rules ./rules
# The example config, as shipped, reads state.dir from QOSWATCH_STATE_DIR.
COPY config.example.yaml /etc/qoswatch/config.yaml
USER node
VOLUME ["/var/lib/qoswatch"]
EXPOSE 9781
# Liveness on the address metrics.listen names (read from the config, TLS too); Docker's default
# stop grace is 10 s, and poll.shutdown_timeout (default 5s) stays under it.
HEALTHCHECK --interval=30s --timeout=10s --start-period=20s --retries=3 \
  CMD ["node", "dist/src/main.js", "healthcheck", "--config", "/etc/qoswatch/config.yaml"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/src/main.js", "run", "--config", "/etc/qoswatch/config.yaml"]
