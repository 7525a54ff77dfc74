# radar: one image for `radar serve` (the default) and `radar worker`.
#
#   docker build -t radar .
#   docker run --rm -p 3000:3000 -v radar-data:/data radar                 # embedded database in /data
#   docker run --rm -e DATABASE_URL=postgres://... radar worker
#
# What the running command reads besides node_modules and dist/ (see src/lib/paths.ts): the
# package root is the folder holding package.json and queries/; from it, queries/*.graphql,
# config/radar.yaml (the default watch list), src/web/static/* (the pages' CSS and script), and
# dist/migrations/ (beside dist/src/, found relative to the migrator). Each is copied below;
# test/unit/deploy.test.ts stages these COPY lines and runs the result.

# Build: every dependency, then tsc to dist/. --ignore-scripts: `prepare` would build before the
# sources are here; the build runs explicitly instead.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY migrations ./migrations
RUN npm run build

# Runtime dependencies only. --ignore-scripts: `prepare` needs TypeScript, a dev dependency; no
# runtime dependency needs an install script (PGlite is WebAssembly, pg is pure JavaScript).
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
# HOST: radar binds loopback by default, which nothing outside a container can reach.
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    RADAR_DATA_DIR=/data
WORKDIR /app
# Owned by root and not writable by the user radar runs as: the code cannot be changed at run time.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json ./
COPY bin ./bin
COPY --from=build /app/dist ./dist
COPY queries ./queries
COPY config ./config
COPY src/web/static ./src/web/static
# The embedded database (when DATABASE_URL is unset) lives in /data: mount a volume there.
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
# The node image's unprivileged user (uid 1000).
USER node
EXPOSE 3000
# No HEALTHCHECK: the same image runs `radar worker`, which serves no HTTP. For `serve`, probe
# GET /livez and /readyz (Kubernetes: deploy/kubernetes/web.yaml).
ENTRYPOINT ["node", "bin/radar.js"]
CMD ["serve"]
