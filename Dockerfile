# syntax=docker/dockerfile:1
# Build stage: compile TypeScript and keep only production dependencies.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

# Runtime stage: current Node LTS, non-root, tini as PID 1 so SIGTERM reaches qoswatch and
# zombies are reaped. (Or drop tini and run with `docker run --init`.)
FROM node:24-bookworm-slim
ENV NODE_ENV=production
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini \
  && rm -rf /var/lib/apt/lists/* \
  && mkdir -p /var/lib/qoswatch /etc/qoswatch \
  && chown node:node /var/lib/qoswatch
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src
COPY package.json config.example.yaml ./
COPY rules ./rules
# Data files read at run time (JSON schemas, the default scenario) live beside the sources.
COPY --from=build /app/src ./src
USER node
VOLUME ["/var/lib/qoswatch"]
EXPOSE 9781
# Liveness on metrics.listen (default 0.0.0.0:9781). With metrics.web.tls_server_config set, use
# https://127.0.0.1:9781/healthz here (and NODE_TLS_REJECT_UNAUTHORIZED=0 for a self-signed cert).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9781/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/src/main.js", "run", "--config", "/etc/qoswatch/config.yaml"]
